"""Large result arrays handed out again once nobody holds them.

A fresh multi-megabyte ``np.empty`` may cost a page fault per 4 KiB page on its first
write, or none, depending on what the allocator did before in the process (the same Adam
step took 3.4 or 8.5 ms in one process). A result array a kernel returned before, which
the caller has since dropped, has its pages mapped already. Both tiers use this: the
NumPy tier's fused kernels (`kernels.FusedKernel`) and the compiled tier's segments
(`compiled.build.wrapper`).
"""
from __future__ import annotations

import sys
import weakref

import numpy as np

from .. import config


class OutputPool:
    """The arrays one output of one kernel returned lately (at most
    ``config.KERNEL_RECYCLE_OUTPUTS``; 0: always a new array)."""

    __slots__ = ("_pool",)

    def __init__(self):
        self._pool: list = []

    def take(self, shape, dtype) -> np.ndarray:
        """A fresh-looking array of ``shape`` and ``dtype``: one handed out before that
        nobody holds any more (no reference but the pool's, no weak reference, the same
        shape, dtype and flags: nothing can see its old contents), else a new one. The
        array stays in the pool: the next call may have it back once the caller drops it."""
        keep = config.KERNEL_RECYCLE_OUTPUTS
        if keep <= 0:
            return np.empty(shape, dtype)
        pool = self._pool
        for _ in range(len(pool)):
            try:
                a = pool.pop(0)            # atomic: no other call can take it meanwhile
            except IndexError:
                break
            if sys.getrefcount(a) > 2:     # held elsewhere (2: `a` and the argument)
                pool.append(a)
                continue
            if a.shape == shape and a.dtype == dtype and a.flags.writeable and \
                    a.flags.c_contiguous and a.flags.owndata and \
                    not weakref.getweakrefcount(a):
                pool.append(a)
                return a
        a = np.empty(shape, dtype)
        pool.append(a)
        while len(pool) > keep:
            try:
                pool.pop(0)
            except IndexError:
                break
        return a
