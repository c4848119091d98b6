"""Evaluating quietly: janus_lite's own evaluations (shape inference on stand-in values,
constant folding) show no warning, leave no ``__warningregistry__`` entry, and with
``error=True`` turn a warning into an exception (`intercepted`).

Also the base that `runtime.held_warnings` builds on: a `Hook` is a ``showwarning``
installed for a while by one thread, `registry_of` finds the registry the filters marked
for a warning and `take_back` undoes those marks. (It lives here, at the bottom of the
package, because the op rules in `ir.rules` evaluate ops on stand-ins.)
"""
from __future__ import annotations

import sys
import threading
import warnings


class Hook:
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


def registry_of(filename, lineno):
    """The ``__warningregistry__`` the filters marked: the one of the frame warned at."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_lineno == lineno and frame.f_code.co_filename == filename:
            return frame.f_globals.get("__warningregistry__")
        frame = frame.f_back
    return None


def take_back(message, category, lineno, registry) -> None:
    """Undo the marks the filters made for a warning that was shown ("default", "module",
    "once" actions), so that it counts as never shown."""
    text = str(message)
    if registry is not None:
        registry.pop((text, category, lineno), None)
        registry.pop((text, category, 0), None)
    warnings.onceregistry.pop((text, category), None)


class _Intercept(Hook):
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
        take_back(message, category, lineno, registry_of(filename, lineno))
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
