"""Shape/dtype inference rules, keyed from the op table.

Every rule maps ``(opdef, input metas, attrs)`` to the result `Meta`, or raises
`CannotInfer`. Symbolic dims (strings) are carried through; `by_example` is the default
rule: it runs the op on small stand-in values and reads the result.
"""
from __future__ import annotations

import warnings

import numpy as np

from .node import Meta, NOVALUE, UNKNOWN

_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43)
PY_SCALARS = (bool, int, float, complex)


class CannotInfer(Exception):
    """The rule cannot say what the op returns; the node's meta stays unknown."""


def split_kw(metas, attrs):
    """Positional and keyword input metas of a call node (``attrs['kw']`` names the tail)."""
    kw = attrs.get("kw", ())
    if not kw:
        return list(metas), {}
    return list(metas[:-len(kw)]), dict(zip(kw, metas[-len(kw):]))


def meta_of_value(value, symbols=None, exact_dims=frozenset()) -> Meta:
    """The meta of a concrete value; with ``symbols`` (prime → name) maps stand-in dims back."""
    t = type(value)
    if t is np.ndarray or isinstance(value, np.generic):
        shape = tuple(value.shape)
        if symbols is not None:
            shape = tuple(symbols.get(d, d if (d in exact_dims or not symbols) else None)
                          for d in shape)
        return Meta(t, value.dtype, shape)
    return Meta(t)


def _stand_in(meta: Meta, subst: dict):
    if meta.is_const:
        return meta.value
    t = meta.type
    if t is np.ndarray:
        if meta.dtype is None or meta.shape is None or None in meta.shape:
            raise CannotInfer("array of unknown dtype or shape")
        return np.ones(tuple(subst.get(d, d) for d in meta.shape), dtype=meta.dtype)
    if t is not None and issubclass(t, np.generic) and meta.dtype is not None:
        return meta.dtype.type(1)
    if t in PY_SCALARS:
        return t(1)
    if t is tuple and meta.items is not None:
        return tuple(_stand_in(m, subst) for m in meta.items)
    raise CannotInfer(f"no stand-in for {t}")


def by_example(op, metas, attrs) -> Meta:
    """Default rule: run ``op.impl`` on stand-ins (ones; distinct primes for symbolic dims)."""
    if op.impl is None:
        raise CannotInfer("op has no implementation")
    symbols = sorted({d for m in metas if m.shape for d in m.shape if isinstance(d, str)})
    exact = {d for m in metas if m.shape for d in m.shape if isinstance(d, int)}
    exact |= {v for m in metas if m.is_const and isinstance(m.value, int) for v in (m.value,)}
    exact |= {v for m in metas if m.is_const and isinstance(m.value, tuple)
              for v in m.value if isinstance(v, int)}
    free = [p for p in _PRIMES if p not in exact]
    if len(free) < len(symbols):
        raise CannotInfer("too many symbolic dims")
    subst = dict(zip(symbols, free))
    pos, kw = split_kw(metas, attrs)
    args = [_stand_in(m, subst) for m in pos]
    kwargs = {k: _stand_in(m, subst) for k, m in kw.items()}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = op.impl(*args, **kwargs)
        except Exception as exc:  # the stand-ins do not fit: say nothing
            raise CannotInfer(f"{type(exc).__name__}: {exc}") from None
    back = {v: k for k, v in subst.items()}
    return meta_of_value(out, back if symbols else None, frozenset(exact))


def broadcast_dims(shapes) -> tuple:
    """NumPy broadcasting over shapes with symbolic dims (a symbol meets an int > 1: the int)."""
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(ndim):
        dims = [s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0]
        known = [d for d in dims if d != 1]
        if not known:
            out.append(1)
            continue
        ints = {d for d in known if isinstance(d, int)}
        if len(ints) > 1:
            raise CannotInfer(f"shapes {shapes} do not broadcast")
        if ints:
            out.append(ints.pop())
        elif None in known or len(set(known)) > 1:
            out.append(known[0] if None not in known else None)
        else:
            out.append(known[0])
    return tuple(out)


def _weak(meta: Meta):
    """A ufunc operand's dtype for `resolve_dtypes`: Python scalars stay weak (NEP 50)."""
    if meta.type in (bool,):
        return np.dtype(bool)
    if meta.type in (int, float, complex):
        return meta.type
    if meta.dtype is not None:
        return meta.dtype
    raise CannotInfer("operand dtype unknown")


def ufunc_rule(ufunc):
    """Rule for a ufunc (or an operator that is one on arrays): broadcast + type resolution."""
    def infer(op, metas, attrs):
        pos, kw = split_kw(metas, attrs)
        if kw or len(pos) != ufunc.nin:
            return by_example(op, metas, attrs)
        if not any(m.type is np.ndarray or (m.type is not None and issubclass(m.type, np.generic))
                   for m in pos):
            return by_example(op, metas, attrs)   # pure-Python arithmetic
        shapes = [m.shape if m.shape is not None else
                  (() if m.type in PY_SCALARS or (m.type and issubclass(m.type, np.generic))
                   else None) for m in pos]
        if any(s is None for s in shapes):
            raise CannotInfer("operand rank unknown")
        try:
            dtypes = ufunc.resolve_dtypes(tuple(_weak(m) for m in pos) + (None,) * ufunc.nout)
        except Exception as exc:
            raise CannotInfer(str(exc)) from None
        shape = broadcast_dims(shapes)
        dt = dtypes[ufunc.nin]
        return Meta(np.ndarray if shape else dt.type, dt, shape)
    return infer


def reduction_rule(op, metas, attrs):
    """sum/mean/max/… over ``axis`` (const) with ``keepdims``; dtype by example."""
    pos, kw = split_kw(metas, attrs)
    x = pos[0]
    if x.shape is None:
        raise CannotInfer("rank unknown")
    axis_m = kw.get("axis", pos[1] if len(pos) > 1 else Meta(value=None))
    keep_m = kw.get("keepdims", Meta(value=False))
    if not axis_m.is_const or not keep_m.is_const:
        raise CannotInfer("axis not constant")
    axis, keep = axis_m.value, keep_m.value
    ndim = len(x.shape)
    axes = range(ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    axes = {a % ndim if ndim else a for a in axes}
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keep else \
        tuple(d for i, d in enumerate(x.shape) if i not in axes)
    small = Meta(x.type, x.dtype, tuple(1 for _ in x.shape))
    dt = by_example(op, [small] + metas[1:], attrs).dtype
    return Meta(np.ndarray if shape else (dt.type if dt is not None else None), dt, shape)


def matmul_rule(op, metas, attrs):
    """``a @ b`` / ``np.dot`` / ``np.matmul`` for 1-d and 2-d operands."""
    pos, kw = split_kw(metas, attrs)
    if kw or len(pos) != 2:
        return by_example(op, metas, attrs)
    a, b = pos
    if a.shape is None or b.shape is None or a.dtype is None or b.dtype is None:
        raise CannotInfer("operand rank unknown")
    if len(a.shape) > 2 or len(b.shape) > 2 or 0 in (len(a.shape), len(b.shape)):
        return by_example(op, metas, attrs)
    shape = (a.shape[:-1]) + (b.shape[1:] if len(b.shape) == 2 else ())
    dt = np.result_type(a.dtype, b.dtype)
    return Meta(np.ndarray if shape else dt.type, dt, shape)


def transpose_rule(op, metas, attrs):
    pos, kw = split_kw(metas, attrs)
    x = pos[0]
    if x.shape is None:
        raise CannotInfer("rank unknown")
    if len(pos) == 1 and not kw:
        return Meta(x.type, x.dtype, tuple(reversed(x.shape)))
    return by_example(op, metas, attrs)


def same_rule(op, metas, attrs):
    """The result looks like the first input (copy, negation of an array, …)."""
    return metas[0] if not metas[0].is_const else by_example(op, metas, attrs)


def infer_meta(op, metas, attrs) -> Meta:
    """Apply ``op``'s rule (default `by_example`); unknown when the rule cannot say."""
    rule = op.infer or by_example
    try:
        return rule(op, metas, attrs)
    except CannotInfer:
        return UNKNOWN
    except Exception:   # a rule must never break conversion
        return UNKNOWN


__all__ = ["CannotInfer", "by_example", "ufunc_rule", "reduction_rule", "matmul_rule",
           "transpose_rule", "same_rule", "infer_meta", "meta_of_value", "broadcast_dims",
           "NOVALUE"]
