"""Fused elementwise kernel programs: the data `passes/fuse.py` writes and a backend runs.

A `Program` is a chain of ufunc `Step`s over a group's inputs (see `backend/kernels.py` for
the tiled kernel that runs one and its exactness argument). The backend registers the
kernel class with `set_kernel_factory` when it is imported, so this layer names nothing
above it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_FACTORY = None


def set_kernel_factory(factory) -> None:
    """``factory(program, filename, globals_) -> kernel``: what `Program.kernel` builds."""
    global _FACTORY
    _FACTORY = factory


@dataclass
class Step:
    """``value = ufunc(*args)``; args are ``("in", j)``, ``("step", k)`` or ``("const", v)``.
    ``plain(*plain_args)`` is the op exactly as the user's code calls it (an operator or the
    ufunc; ``plain_args`` defaults to ``args`` — it differs for ``x ** 2`` → square)."""
    ufunc: np.ufunc
    plain: object
    args: tuple
    lineno: int | None = None
    label: str = ""
    plain_args: tuple | None = None


@dataclass
class Program:
    dtype: np.dtype
    n_inputs: int
    array_inputs: tuple          # indices of inputs that are arrays of the group's shape
    steps: list = field(default_factory=list)
    outputs: tuple = ()          # step indices whose values leave the group
    tile: int | None = None      # elements per tile (None: config.TILE_ELEMENTS)
    threads: int = 1             # threads a call may use (for the memory report)

    def describe(self) -> str:
        return " → ".join(s.label or s.ufunc.__name__ for s in self.steps)

    def scratch_slots(self) -> int:
        return slots(self)[1]

    def kernel(self, filename=None, globals_=None):
        """The backend's kernel for this program (`backend.kernels.FusedKernel`, cached per
        file name)."""
        cache = self.__dict__.setdefault("_kernels", {})
        k = cache.get(filename)
        if k is None:
            if _FACTORY is None:
                raise RuntimeError("no kernel backend registered: import janus_lite.backend")
            k = cache[filename] = _FACTORY(self, filename or "<janus_lite kernel>", globals_)
        return k

    def __call__(self, *args):
        """Run (interpreter backend): the kernel without planned buffers."""
        return self.kernel()(*args)

    def __repr__(self):
        return f"<fused {self.dtype} {self.describe()}>"


def slots(program):
    """Scratch slot of each step (None: written straight into an output), and the count.
    A step never writes into a slot one of its own operands occupies (no in-place)."""
    last = {}
    for k, s in enumerate(program.steps):
        for kind, ref in s.args:
            if kind == "step":
                last[ref] = k
    outputs = set(program.outputs)
    free, slot_of, n_slots = [], {}, 0
    for k, s in enumerate(program.steps):
        if k not in outputs:
            if free:
                slot_of[k] = free.pop()
            else:
                slot_of[k] = n_slots
                n_slots += 1
        for kind, ref in s.args:
            if kind == "step" and last.get(ref) == k and ref in slot_of and \
                    slot_of[ref] not in free:
                free.append(slot_of[ref])
        if k not in outputs and k not in last:       # unused value (kept by DCE? never)
            free.append(slot_of[k])
    return slot_of, n_slots
