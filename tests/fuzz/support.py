"""What generated programs share: the object class they update, opaque callables, and the
builder of each call's arguments from a `CallSpec` (shapes, dtypes, layouts, scalar kinds,
flags, shared state between calls)."""
from __future__ import annotations

import functools

import numpy as np


class Obj:
    """State a generated program reads and writes through attributes and methods."""

    def __init__(self, w, n, acc, log):
        self.w = w
        self.n = n
        self.acc = acc
        self.log = log

    def scale(self, a):
        return a * self.acc

    def bump(self, v):
        self.n = self.n + 1
        self.acc = self.acc + v
        return self.n


def make_scaler(k):
    def scaler(a):
        return a * k
    return scaler


OPAQUE = functools.partial(np.multiply, 2.0)
"""A callable the op table does not know (a partial object): its call stays imperative."""

SUPPORT_NAMES = {"Obj": Obj, "make_scaler": make_scaler, "OPAQUE": OPAQUE}
"""Injected into each generated module before its code runs."""

DTYPES = {"f8": np.float64, "f4": np.float32, "i8": np.int64, "b": np.bool_}


def _values(rng, shape, dtype, special):
    if dtype == "b":
        return rng.random(shape) > 0.5
    if dtype == "i8":
        return rng.integers(-3, 4, size=shape).astype(np.int64)
    a = np.round(rng.standard_normal(shape), 3).astype(DTYPES[dtype])
    if special != "none" and a.size:
        flat = a.reshape(-1)
        flat[rng.integers(0, a.size)] = {"nan": np.nan, "inf": np.inf, "ninf": -np.inf,
                                         "zero": 0.0}[special]
    return a


def array(rng, shape, dtype, layout, special="none"):
    """An array of ``shape``/``dtype`` laid out as asked: C order, Fortran order, a strided
    view of a bigger array, or read-only."""
    if layout == "strided" and len(shape):
        big = _values(rng, shape[:-1] + (shape[-1] * 2,), dtype, special)
        return big[..., ::2]
    a = _values(rng, shape, dtype, special)
    if layout == "f":
        a = np.asfortranarray(a)
    elif layout == "t" and len(shape) == 2:
        a = np.ascontiguousarray(a.T).T
    elif layout == "readonly":
        a.setflags(write=False)
    return a


def scalar(kind, value):
    return {"int": lambda v: int(round(v * 3)), "float": float, "f8": np.float64,
            "f4": np.float32, "i8": lambda v: np.int64(round(v * 3)),
            "bool": lambda v: v > 0}[kind](value)


def build_calls(specs):
    """The argument tuples ``(x, y, s, flag, obj, lst, d)`` of a call sequence. A spec with
    ``reuse`` shares the previous call's object, list and dict when the shapes agree (state
    that persists between calls, as a model's would)."""
    calls, prev = [], None
    for sp in specs:
        rng = np.random.default_rng(sp.seed)
        x = array(rng, sp.shape, sp.dtx, sp.layout, sp.special)
        y = x if sp.layout == "alias" else array(rng, sp.shape, sp.dty, "c")
        s = scalar(sp.skind, sp.sval)
        if sp.reuse and prev is not None and prev[0] == sp.shape:
            obj, lst, d = prev[1]
        else:
            obj = Obj(array(rng, sp.shape, "f8", "c"), int(sp.seed % 5), float(sp.sval), [])
            lst = [float(v) for v in range(sp.seed % 3)]
            d = {"a": array(rng, sp.shape, "f8", "c"), "b": 0.5}
        prev = (sp.shape, (obj, lst, d))
        calls.append(((x, y, s, sp.flag, obj, lst, d), {}))
    return calls
