"""Ops the passes introduce, registered in the op table (their code generation lives in
`backend/emitters.py`, which the backend package registers when it is imported). Each runs correctly in the reference interpreter as well."""
from __future__ import annotations

import math

import numpy as np

from ..ir.node import Meta
from ..ir.registry import OpDef, get_op, register

_add_reduce = np.add.reduce
_max_reduce = np.maximum.reduce
_min_reduce = np.minimum.reduce
_intp = np.intp
_math_sqrt = math.sqrt


def run_fused(kernel, *args):
    return kernel(*args)


def fused_item(values, index):
    return values[index]


def acquire(pool):
    return pool.acquire()


def release(pool, bufs):
    pool.release(bufs)


def reduce_sum(x, axis, keepdims):
    """``np.sum(x, axis, keepdims=…)`` / ``x.sum(…)`` for an exact ndarray: the very
    ``np.add.reduce`` call NumPy makes, without its Python wrappers."""
    return _add_reduce(x, axis, None, None, keepdims)


def reduce_max(x, axis, keepdims):
    return _max_reduce(x, axis, None, None, keepdims)


def reduce_min(x, axis, keepdims):
    return _min_reduce(x, axis, None, None, keepdims)


def reduce_mean(x, axis, keepdims):
    """``np.mean`` of a float32/float64 exact ndarray, the steps of NumPy's ``_mean``:
    sum with ``add.reduce``, then divide by the count as an ``intp`` (float64 division,
    rounded back to the array's type)."""
    if axis is None:
        count = x.size
    elif type(axis) is tuple:
        count = 1
        for ax in axis:
            count *= x.shape[ax]
    else:
        count = x.shape[axis]
    ret = _add_reduce(x, axis, None, None, keepdims)
    if type(ret) is np.ndarray:
        return np.true_divide(ret, _intp(count), out=ret, casting="unsafe", subok=False)
    return ret.dtype.type(float(ret) / count)


def scalar_sqrt(x):
    """``np.sqrt`` of a NumPy float32/float64 scalar: IEEE sqrt is correctly rounded, so
    ``math.sqrt`` (in double, then rounded to the scalar's type) gives the same bits; a
    negative input raises (→ the imperative run shows NumPy's nan and warning)."""
    return x.dtype.type(_math_sqrt(x))


REDUCTIONS = {"reduce.sum": reduce_sum, "reduce.mean": reduce_mean,
              "reduce.max": reduce_max, "reduce.min": reduce_min}


def _register():
    register(OpDef("fused", run_fused, "call", pure=True, fresh=True,
                   doc="A fused elementwise group: inputs[0] is the FusedKernel (a const), "
                       "the rest its inputs; value: its output, or a tuple of outputs."))
    register(OpDef("fused.item", fused_item, "call", pure=True, fresh=True,
                   doc="Output attrs/inputs[1] of a fused group with several outputs."))
    register(OpDef("buffers.acquire", acquire, "call", side_effect=True, pure=False,
                   may_raise=False,
                   doc="Take this call's set of out= buffers from the graph's BufferPool."))
    register(OpDef("buffers.release", release, "call", side_effect=True, pure=False,
                   may_raise=False,
                   doc="Give the call's buffer set back (the last node of the graph)."))
    register(OpDef("scalar.sqrt", scalar_sqrt, "call", pure=True, fresh=True,
                   doc=scalar_sqrt.__doc__))
    for name, fn in REDUCTIONS.items():
        register(OpDef(name, fn, "call", pure=True, fresh=True,
                       doc=f"{fn.__doc__ or name} Inputs: x, axis, keepdims (consts)."))


_register()


def planned_op(name: str) -> str:
    """The ``<op>@out`` twin of ``name``: same behaviour everywhere, but code generation
    writes the result into a planned buffer (attrs ``slot``, ``buffers``, ``ufunc``)."""
    twin = name + "@out"
    try:
        get_op(twin)
    except KeyError:
        op = get_op(name)
        register(OpDef(twin, op.impl, op.emit, op.symbol, op.infer, op.elementwise,
                       False, True, True, (), doc=f"{name}, result in a planned buffer.",
                       may_raise=op.may_raise))
    return twin


def result_meta(meta: Meta) -> Meta:
    return Meta(meta.type, meta.dtype, meta.shape)
