"""Python's cyclic garbage collector pauses while janus_lite converts a function (and while it
instruments one for profiling: AST copies and a compile).

A conversion allocates many small, short-lived objects (AST copies, IR nodes, networkx
dicts, generated source); each 700 allocations start a collection, and every tenth of those
a collection of the older generations, which walks every tracked object of the process (the
user's model, NumPy's and numba's modules). Measured here on the first 40 corpus programs:
conversion 2.3 -> 1.6 s and 2.7 -> 2.0 s with the collector paused (``gcexp`` in the
session-13 note). What a conversion leaves behind is collected at the next collection
after it.

Nested and concurrent conversions share one pause: the first one in pauses the collector
(when it was running), the last one out starts it again. The pause is process-wide: the
program's other threads run without cyclic collection for that long (milliseconds to a
second); reference counting frees everything else as usual. A program that turns the collector
off itself while a conversion runs (in another thread) finds it on again when the
conversion ends; ``config.CONVERSION_PAUSES_GC = False`` leaves the collector alone.
"""
from __future__ import annotations

import contextlib
import gc
import threading

from .. import config

_lock = threading.Lock()
_depth = 0
_resume = False


@contextlib.contextmanager
def gc_paused():
    """The cyclic collector off for the length of the ``with`` block (see the module)."""
    global _depth, _resume
    if not config.CONVERSION_PAUSES_GC:
        yield
        return
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
