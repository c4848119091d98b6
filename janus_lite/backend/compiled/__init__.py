"""The compiled tier (optional, needs numba: ``pip install janus-lite[fast]``).

Graphs are lowered, segment by segment, to numba functions that give NumPy's bits exactly
(`table.py` marks each lowering faithful or not; `selfcheck.py` verifies them at start-up),
compiled in the background and switched to when measured faster (`tier.py`). Nothing here
is imported unless numba is installed and the tier is on; the core never needs it.
"""
from __future__ import annotations

_AVAILABLE: tuple | None = None


def available() -> tuple[bool, str]:
    """(True, "") when the compiled tier can run here, else (False, why not)."""
    global _AVAILABLE
    if _AVAILABLE is None:
        import importlib.util
        try:               # found, not imported: the compiling thread imports it
            found = importlib.util.find_spec("numba") is not None
        except Exception:
            found = False
        if not found:
            _AVAILABLE = (False, "numba is not installed (pip install janus-lite[fast])")
        else:
            try:
                from . import build  # noqa: F401  (needs the C library's fenv functions)
                _AVAILABLE = (True, "")
            except Exception as exc:
                _AVAILABLE = (False, f"no floating-point status access: {exc}")
    return _AVAILABLE


def tier_up(owner, record, specs, example, relaxed) -> None:
    from .tier import tier_up as _tier_up
    _tier_up(owner, record, specs, example, relaxed)
