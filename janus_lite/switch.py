"""Turning janus_lite off: ``JANUS_LITE_DISABLE=1`` (``config.DISABLE``) for the process,
``with janus_lite.disabled():`` for one block of one thread (as ``jax.disable_jit()``).
Decorated functions then run the plain Python function; nothing is profiled or built."""
from __future__ import annotations

import contextlib
import threading

from . import config


class _Switch:
    """``on``: ``config.DISABLE`` is set or a ``disabled()`` block is open in some thread —
    the only thing a call reads when janus_lite is on (one attribute load)."""
    __slots__ = ("on", "active")

    def __init__(self):
        self.active = 0
        self.on = bool(config.DISABLE)

    def update(self):
        self.on = bool(config.DISABLE) or self.active > 0


SWITCH = _Switch()
_local = threading.local()
_lock = threading.Lock()


def _watch(name, value):
    if name == "DISABLE":
        SWITCH.update()


config._WATCHERS.append(_watch)


def is_disabled() -> bool:
    """True where decorated functions called from this thread run the plain function."""
    return bool(config.DISABLE) or getattr(_local, "depth", 0) > 0


@contextlib.contextmanager
def disabled():
    """Inside the block, in this thread, every ``jit``-decorated function runs the plain
    Python function, unprofiled (counted in ``f.stats["disabled_calls"]``). Other threads
    are not affected. Nests."""
    with _lock:
        SWITCH.active += 1
        SWITCH.update()
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1
        with _lock:
            SWITCH.active -= 1
            SWITCH.update()
