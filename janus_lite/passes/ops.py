"""Ops the passes introduce, registered in the op table (their code generation lives in
`backend/emitters.py`, which the backend package registers when it is imported). Each runs correctly in the reference interpreter as well."""
from __future__ import annotations

import math

import numpy as np

from ..ir.node import Meta
from ..ir.registry import OpDef, get_op, register

try:      # the functions NumPy's own reductions run in (warnings are attributed to them)
    from numpy._core import _methods as _np_methods
    from numpy._core.fromnumeric import _wrapreduction
except ImportError:          # another NumPy layout: reductions are not lowered
    _np_methods = _wrapreduction = None

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
    """``x.sum(axis, keepdims=…)`` for an exact ndarray: NumPy's own ``_methods._sum``
    (the interpreter's rule; generated code picks the function by the call's form, see
    `same_place`)."""
    return _np_methods._sum(x, axis, keepdims=keepdims)


def reduce_max(x, axis, keepdims):
    return _np_methods._amax(x, axis, keepdims=keepdims)


def reduce_min(x, axis, keepdims):
    return _np_methods._amin(x, axis, keepdims=keepdims)


def reduce_mean(x, axis, keepdims):
    """``np.mean`` / ``x.mean()`` of a float32/float64 exact ndarray: NumPy's ``_mean``."""
    return _np_methods._mean(x, axis, keepdims=keepdims)


def scalar_sqrt(x):
    """``np.sqrt`` of a NumPy float32/float64 scalar: IEEE sqrt is correctly rounded, so
    ``math.sqrt`` (in double, then rounded to the scalar's type) gives the same bits; a
    negative input raises (→ the imperative run shows NumPy's nan and warning)."""
    return x.dtype.type(_math_sqrt(x))


def same_place(op: str, via: str | None):
    """``(fn, head, tail)``: the reduction runs as ``fn(x, *head, axis, *tail,
    keepdims=keepdims)``, from the very NumPy function the call's form reaches: for
    ``x.sum()`` & co. (``via="ndarray"``) ``_methods._sum/_amax/_amin/_mean``, for
    ``np.sum/np.max/np.min(x)`` (``"np"``) ``fromnumeric._wrapreduction``, for ``np.mean(x)``
    ``fromnumeric.mean`` past its dispatcher. A warning NumPy raises there (``overflow
    encountered in reduce``, ``Mean of empty slice`` one frame up) then names the same
    file, line and module as the plain call's, with its registry. None when NumPy's layout
    is not the one known here (the reduction is not lowered)."""
    if _np_methods is None:
        return None
    if via == "np":
        if op == "reduce.mean":
            return None if _np_mean is None else (_np_mean, (), ())
        return _wrapreduction, _REDUCE_UFUNCS[op], (None, None)
    return {"reduce.sum": _np_methods._sum, "reduce.max": _np_methods._amax,
            "reduce.min": _np_methods._amin, "reduce.mean": _np_methods._mean}[op], (), ()


_REDUCE_UFUNCS = {"reduce.sum": (np.add, "sum"), "reduce.max": (np.maximum, "max"),
                  "reduce.min": (np.minimum, "min")}
_np_mean = getattr(np.mean, "_implementation", None)     # fromnumeric.mean itself


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
