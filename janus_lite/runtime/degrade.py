"""Loud, once: the `PerformanceWarning` a function gives when it degrades, the strict
mode's `StrictModeError`, and tracebacks of the user's own errors without janus_lite's
frames (``JANUS_LITE_TRACEBACK=full`` keeps them)."""
from __future__ import annotations

import os
import sys
import types
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class PerformanceWarning(Warning):
    """A ``jit`` function degraded: it runs imperatively for good, a graph was retired,
    ``max_graphs`` was reached, guards keep missing, or conversion stopped. Given once per
    function and cause, at the user's file and line; silence it with the ``warnings``
    machinery (``warnings.filterwarnings("ignore", category=janus_lite.PerformanceWarning)``)."""


class StrictModeError(RuntimeError):
    """Raised by a ``jit(strict=True)`` function where it would otherwise degrade (a failed
    conversion, running imperatively, a retired graph, a full cache): for CI, like
    torch.compile's ``fullgraph=True`` or numba's ``nopython=True``."""


def is_internal(filename: str | None) -> bool:
    """Is ``filename`` one of janus_lite's own source files?"""
    return bool(filename) and os.path.abspath(filename).startswith(_PACKAGE_DIR)


def warn_performance(qualname: str, text: str, filename: str | None, lineno: int | None,
                     module: str | None) -> None:
    """Issue one PerformanceWarning at the user's ``filename``/``lineno``."""
    warnings.warn_explicit(f"{qualname}: {text}", PerformanceWarning,
                           filename or "<unknown>", lineno or 1, module=module)


def user_frame() -> tuple[str | None, int | None]:
    """(file, line) of the innermost caller outside janus_lite."""
    frame = sys._getframe(1)
    while frame is not None and is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    return (frame.f_code.co_filename, frame.f_lineno) if frame is not None else (None, None)


def full_tracebacks() -> bool:
    return os.environ.get("JANUS_LITE_TRACEBACK", "").lower() == "full"


def hide_internal_frames(exc: BaseException, abandoned=None) -> BaseException:
    """``exc`` with janus_lite's own frames dropped from its traceback (the user's frames,
    including those of the instrumented copy of their function, stay), and without
    ``abandoned`` (the exception of a graph run given up before the imperative rerun that
    raised ``exc``) in its chain of contexts: the plain function never saw it."""
    seen, e = set(), exc
    while abandoned is not None and e is not None and id(e) not in seen:
        seen.add(id(e))
        if e.__context__ is abandoned:
            e.__context__ = None
            break
        e = e.__context__
    if full_tracebacks():
        return exc
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        if not is_internal(tb.tb_frame.f_code.co_filename):
            frames.append(tb)
        tb = tb.tb_next
    new = None
    for t in reversed(frames):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return exc.with_traceback(new)
