"""Shuffling a list the function made (``idx = list(range(n)); random.shuffle(idx)``,
``np.random.shuffle(order)`` on such a list).

The list is a box whose items the converter knows one by one; a shuffle permutes them by
draws known only at run time. So the list is materialized, a ``random.shuffled`` /
``np.random.shuffled`` node makes the shuffled copy (the same draws as shuffling the list
itself: they depend only on its length), and the box's items become that copy's items,
read by position. Its length stays known; which item is where is a run-time value. Arrays
are shuffled by the ``random.shuffle``/``np.random.shuffle`` ops themselves (in place, on
the graph's own array or a private copy of an argument's)."""
from __future__ import annotations

import random

import numpy as np

from .values import BoxRef, Const
from .part import Part

_SHUFFLED = {id(random.shuffle): "random.shuffled", id(np.random.shuffle): "np.random.shuffled"}


class RandomConverter(Part):
    def shuffle_made_list(self, fn, args, kwargs, lineno):
        """``shuffle(lst)`` of a list made in the function: its items permuted at run time;
        None when this is not that case."""
        op = _SHUFFLED.get(id(fn))
        if op is None or kwargs or len(args) != 1 or not isinstance(args[0], BoxRef):
            return None
        box = self.cx.heap.box(args[0])
        if box.origin is not None or box.kind != "list":
            return None
        shuffled = self.nodes.emit(op, [args[0]], lineno=lineno)
        box.items = [self.nodes.emit("getitem", [shuffled, Const(i)], lineno=lineno)
                     for i in range(len(box.items))]
        return Const(None)
