"""Warnings a graph run emits are held until its answer is kept.

A graph that warns (``np.log(0)``) and is then abandoned (an assertion fails later, an op
raises) is answered by the imperative rerun, which warns again. So while a graph runs, the
warnings that pass the filters are held, not shown: when the run's answer is kept they are
shown, in order, through the ``showwarning`` that was in place; when the run is abandoned
they are dropped and the entries the filters' registries got for them are taken back, so
the rerun shows them exactly as the plain function does (once per location under the
default filters, every time under ``"always"``). Warnings that other threads emit meanwhile
pass straight through.
"""
from __future__ import annotations

import sys
import threading
import warnings


def may_abandon(graph) -> bool:
    """Can a run of ``graph`` be abandoned once it started computing (an assertion node, or
    an op that may raise after the guards held)? Only then are its warnings held, which
    costs ~0.35 µs a call. Elementwise, reduction and matmul ops over arrays whose shapes
    the guards fix raise nothing (under ``np.errstate(all="raise")`` the op that would warn
    raises first, before any warning of the run was shown; a mix of "warn" and "raise"
    categories in one errstate is the corner left out). See `backend.aborts.may_raise`."""
    from ..backend.aborts import may_abandon as abandon
    return abandon(graph)


class _Hook:
    """A ``showwarning`` installed for a while by one thread: other threads' warnings, and
    any after `end`, pass straight through to the one it replaced."""

    __slots__ = ("shown", "thread", "active", "held")

    def __init__(self):
        self.shown = warnings.showwarning
        self.thread = threading.get_ident()
        self.active = True
        self.held = None        # what `HeldWarnings` holds (a list once there is any)

    def passes(self) -> bool:
        return not self.active or threading.get_ident() != self.thread

    def end(self) -> None:
        self.active = False
        if warnings.showwarning is self:
            warnings.showwarning = self.shown


class HeldWarnings(_Hook):
    """Installed as ``warnings.showwarning`` for the length of one graph run."""

    __slots__ = ()

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        if self.passes():
            return self.shown(message, category, filename, lineno, file, line)
        if self.held is None:
            self.held = []
        self.held.append((message, category, filename, lineno, file, line,
                          _registry_of(filename, lineno)))
        return None

    def release(self) -> None:
        """The run's answer is kept: show what it warned."""
        self.end()
        for message, category, filename, lineno, file, line, _ in self.held or ():
            self.shown(message, category, filename, lineno, file, line)

    def forget(self) -> None:
        """The run is abandoned: its warnings never happened (the rerun warns)."""
        self.end()
        for message, category, _, lineno, _, _, registry in self.held or ():
            _take_back(message, category, lineno, registry)


class _NotHeld:
    """For runs that cannot be abandoned once they compute: nothing to hold."""

    def release(self) -> None:
        pass

    def forget(self) -> None:
        pass


NOT_HELD = _NotHeld()


def _registry_of(filename, lineno):
    """The ``__warningregistry__`` the filters marked: the one of the frame warned at."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_lineno == lineno and frame.f_code.co_filename == filename:
            return frame.f_globals.get("__warningregistry__")
        frame = frame.f_back
    return None


def _take_back(message, category, lineno, registry) -> None:
    """Undo the marks the filters made for a warning that was shown ("default", "module",
    "once" actions), so that it counts as never shown."""
    text = str(message)
    if registry is not None:
        registry.pop((text, category, lineno), None)
        registry.pop((text, category, 0), None)
    warnings.onceregistry.pop((text, category), None)


class _Intercept(_Hook):
    """``showwarning`` while janus_lite evaluates something for itself (constant folding,
    shape inference on stand-ins): this thread's warnings are not shown, leave no registry
    entry, and with ``error`` raise. The filters are not touched — `warnings.catch_warnings`
    would bump their version, and every module's registry would then show again warnings
    the default filters had already shown once."""

    __slots__ = ("error",)

    def __init__(self, error: bool):
        super().__init__()
        self.error = error

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        if self.passes():
            return self.shown(message, category, filename, lineno, file, line)
        _take_back(message, category, lineno, _registry_of(filename, lineno))
        if self.error:
            raise message if isinstance(message, Warning) else category(str(message))
        return None


class intercepted:
    """``with intercepted(error=True): ...`` — see `_Intercept`. (NumPy's floating-point
    warnings are better turned into errors with ``np.errstate``, which is thread-local.)"""

    def __init__(self, error: bool):
        self.error = error
        self.hook = None

    def __enter__(self):
        self.hook = _Intercept(self.error)
        warnings.showwarning = self.hook
        return self

    def __exit__(self, *exc):
        self.hook.end()
        return False


_COMPILE_CATEGORIES = (SyntaxWarning, DeprecationWarning)
_compile_lock = threading.Lock()


class own_compile:
    """``with own_compile(filename): ast.parse(...) / compile(...)`` — janus_lite parsing or
    compiling a user's source again: the compile-time warnings that source gives (``x is 0``,
    an invalid escape ``"\\d"``) were the user's to see when Python first compiled it, so
    here they are neither shown nor, under ``-W error``, raised. The warnings the parser
    and compiler emit carry no registry, so an "ignore" filter leaves no trace; it is put
    in front of the filters for the length of the block on a new list (the user's list is
    never changed, and `catch_warnings` is not used: it would bump the filters' version,
    and every module would show again what the default filters had shown once), and only
    for warnings attributed to ``filename`` (the parser names the module after the file)."""

    def __init__(self, filename: str | None):
        self.filename = filename or "<unknown>"
        self.saved = None

    def __enter__(self):
        import re
        module = self.filename[:-3] if self.filename.endswith(".py") else self.filename
        pattern = re.compile(re.escape(module) + r"\Z")
        _compile_lock.acquire()
        self.saved = warnings.filters
        warnings.filters = [("ignore", None, c, pattern, 0) for c in _COMPILE_CATEGORIES] + \
            list(self.saved)
        return self

    def __exit__(self, *exc):
        try:
            if warnings.filters is not self.saved:
                warnings.filters = self.saved
        finally:
            _compile_lock.release()
        return False
