"""Checks of ``jit(...)`` options, made when the function is decorated (a bad option raises
there, with the option's name, never inside the first call); also the check of
``config.BACKEND`` (config sits below the backends, so the check is registered from here)."""
from __future__ import annotations

from . import config

_MIN = {"profile_runs": 1, "max_graphs": 1}


def check_int(name: str, value, low: int):
    """``value`` if it is an int >= ``low`` (None: use the config default)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"jit({name}=...) must be an int >= {low}, got "
                        f"{type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"jit({name}=...) must be >= {low}, got {value}")
    return value


def check_backend(value):
    """``value`` if it names an available backend or ``"auto"`` (None: config default)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"jit(backend=...) must be a str such as 'numpy' or 'auto', got "
                        f"{type(value).__name__} {value!r}")
    from .backend import resolve
    try:
        resolve(value)
    except ValueError as exc:
        raise ValueError(f"jit(backend={value!r}): {exc}") from None
    return value


def check_jit_options(profile_runs=None, backend=None, max_graphs=None) -> None:
    """Raise TypeError/ValueError for a bad ``jit`` option; the config defaults are checked
    when they are set (see ``janus_lite.config``)."""
    check_int("profile_runs", profile_runs, _MIN["profile_runs"])
    check_int("max_graphs", max_graphs, _MIN["max_graphs"])
    check_backend(backend)


def _check_config_backend(value) -> None:
    from .backend import resolve
    resolve(value)                         # ValueError naming the available backends


config._VALIDATORS["BACKEND"] = _check_config_backend
