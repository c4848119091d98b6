"""Persistent out= buffers of a graph, safe when several threads run the graph at once.

A `BufferPool` belongs to one graph. Each call takes a whole `list` of buffers (one per
slot of the memory plan) with `acquire` — popped from the pool's free list, a
single atomic step under the GIL, or made new when another call holds every set — and
hands it back with `release` at the end. A call that raises never hands its set back: the
next call makes a new one, so no buffer is ever shared by two running calls.

Buffers of static shape are allocated up front; a slot whose shape has symbolic dims starts
as a 0-d placeholder and is reallocated by the generated code whenever the run-time shape
differs (see `backend/emitters.py`; the memory plan, `passes/plan_memory.py`, makes the pool).
"""
from __future__ import annotations

import numpy as np


class BufferPool:
    def __init__(self, slots):
        """``slots``: ``[(shape or None, dtype)]``; None marks a shape known only at run time."""
        self.slots = [(None if shape is None else tuple(shape), np.dtype(dt))
                      for shape, dt in slots]
        self.free: list = []
        self.created = 0

    def new(self) -> list:
        self.created += 1
        return [np.empty(shape, dt) if shape is not None else np.empty((), dt)
                for shape, dt in self.slots]

    def acquire(self) -> list:
        try:
            return self.free.pop()
        except IndexError:
            return self.new()

    def release(self, bufs) -> None:
        self.free.append(bufs)

    def static_bytes(self) -> int:
        return sum(int(np.prod(s, dtype=np.int64)) * dt.itemsize
                   for s, dt in self.slots if s is not None)

    def __repr__(self):
        return f"<BufferPool {len(self.slots)} slots, {self.static_bytes()} B>"


__all__ = ["BufferPool"]
