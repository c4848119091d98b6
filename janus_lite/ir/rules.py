"""Shape/dtype inference rules, keyed from the op table.

Every rule maps ``(opdef, input metas, attrs)`` to the result `Meta`, or raises
`CannotInfer`. The guarantee every rule keeps: what it says is true of every run the
metas allow (every value of a symbolic dim, including 0 and 1; every value of a
non-constant scalar; every content of an array); where it cannot be sure it says less
(a dim ``None``, a shape ``None``, or nothing at all). A wrong meta is a wrong answer:
the converter folds ``x.shape``, ``len(x)`` and ``isinstance`` from it.

`by_example` is the default rule: it runs the op on several sets of stand-in values
(symbolic dims, non-constant scalars and array contents all vary between sets) and keeps
only what every successful run agrees on.
"""
from __future__ import annotations

import copy
import itertools
import warnings

import numpy as np

from .node import Meta, NOVALUE, UNKNOWN, split_values
from .quiet import intercepted
from .registry import _OPS as _REGISTERED

PY_SCALARS = (bool, int, float, complex)
_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73,
           79, 83, 89, 97, 101, 103, 107, 109, 113)
# the values a non-constant Python scalar takes in each stand-in set (chosen so that
# value-dependent result types show up: 2 ** -1, (-1.5) ** 0.5, max(0.5, 3), ...)
_INTS = (1, 2, 0, 3, -1)
_FLOATS = (1.0, 2.5, 0.0, 0.5, -1.5)
_BOOLS = (True, False, True, False, True)
_COMPLEX = (1 + 0j, 2.5 + 1j, 0j, 0.5j, -1.5 + 0j)
_NEAR_LIMIT = 64       # symbols try the values next to constants up to this size
_MAX_SETS = 40         # at most this many stand-in sets per inference
PATTERN_LIMIT = 1 << 16
"""Stand-in arrays larger than this hold ones in every set (their contents do not vary)."""
# ops whose result shape depends on array contents: unknown dims when contents cannot vary
DATA_DEPENDENT = frozenset({
    "np.nonzero", "ndarray.nonzero", "np.argwhere", "np.flatnonzero", "np.unique",
    "np.bincount", "np.extract", "np.compress", "ndarray.compress", "np.delete",
    "np.histogram", "np.trim_zeros"})


class CannotInfer(Exception):
    """The rule cannot say what the op returns; the node's meta stays unknown."""


def split_kw(metas, attrs):
    """Positional and keyword input metas of a call node (``attrs['kw']`` names the tail)."""
    pos, kw = split_values(metas, attrs.get("kw", ()))
    return list(pos), kw


def meta_of_value(value, symbols=None, exact_dims=frozenset()) -> Meta:
    """The meta of a concrete value; with ``symbols`` (value → name) maps dims back."""
    t = type(value)
    if t is np.ndarray or isinstance(value, np.generic):
        shape = tuple(value.shape)
        if symbols is not None:
            shape = tuple(symbols.get(d, d if (d in exact_dims or not symbols) else None)
                          for d in shape)
        return Meta(t, value.dtype, shape)
    return Meta(t)


def _is_numpy(meta: Meta) -> bool:
    t = meta.type
    return t is np.ndarray or (t is not None and issubclass(t, np.generic))


# -- stand-in values --------------------------------------------------------------------
def _ints_in(value, out: set) -> None:
    """Every int inside a constant (tuples, lists, slices): see `_variants`."""
    if isinstance(value, (bool, np.bool_)):
        return
    if isinstance(value, (int, np.integer)):
        out.add(int(value))
    elif isinstance(value, (tuple, list)):
        for v in value:
            _ints_in(v, out)
    elif isinstance(value, slice):
        for v in (value.start, value.stop, value.step):
            _ints_in(v, out)


def _walk(metas):
    for m in metas:
        yield m
        items = getattr(m, "items", None)
        if items is not None and not m.is_const:
            yield from _walk(items)


_ANON = "\x00dim"     # prefix of the names given to unknown (None) input dims


def _name_unknown_dims(metas, counter):
    """The metas with every unknown dim of a non-constant array replaced by a fresh
    anonymous symbol: the stand-ins vary it like a symbol, results never name it."""
    out = []
    for m in metas:
        if m.is_const:
            out.append(m)
            continue
        shape = m.shape
        if shape is not None and None in shape:
            shape = tuple(f"{_ANON}{next(counter)}" if d is None else d for d in shape)
        items = getattr(m, "items", None)
        if items is not None:
            items = tuple(_name_unknown_dims(items, counter))
        if shape is not m.shape or items is not getattr(m, "items", None):
            m = Meta(m.type, m.dtype, shape, m.value, items)
        out.append(m)
    return out


def _variants(symbols, avoid) -> list[tuple[dict, int]]:
    """The stand-in sets: (symbol → value, index into the scalar/content tables) each.

    Symbols take distinct primes in three sets, all 1 in one and all 0 in another; with
    several symbols, each one is also made 0 and 1 alone (the others primes), since a
    symbolic dim may be 0 or 1 at run time while the others are not. Results change
    where a dim meets a constant (``x[:3]``, ``x[1, -1:2]``), so symbols also take the
    values next to each small int the constants mention."""
    free = [p for p in _PRIMES if p not in avoid]
    n = len(symbols)
    if 2 * n + 2 > len(free):
        raise CannotInfer("too many symbolic dims")
    first = free[:n]
    second = free[n:2 * n] if n <= 3 else first[2:] + first[:2]
    third = first[::-1] if n > 1 else [free[n + 1]]
    out = [(dict(zip(symbols, vals)), k) for k, vals in
           enumerate((first, second, [1] * n, third, [0] * n))]
    if not n:
        return out
    # dims far larger than any constant the call mentions (x[1:-4] only has items then)
    limit = 2 * max((abs(c) for c in avoid), default=0) + 2
    large = [p for p in _PRIMES if p > limit and p not in avoid][:n]
    if len(large) == n:
        out.insert(1, (dict(zip(symbols, large)), 0))
    base = dict(zip(symbols, first))
    singles = [0, 1] if n > 1 else []
    near = sorted({v for c in avoid for v in (abs(c) - 1, abs(c), abs(c) + 1)
                   if 2 <= v <= _NEAR_LIMIT})
    for v in near:
        out.append((dict.fromkeys(symbols, v), 0))
    for v in singles + (near if n > 1 else []):
        for s in symbols:
            out.append(({**base, s: v}, 0))
    return out[:_MAX_SETS]


def _pattern(size: int, dtype: np.dtype, k: int):
    """The flat contents of a stand-in array of set ``k`` (a fresh copy each call)."""
    if size > 4096:
        return _make_pattern(size, dtype, k)
    key = (size, dtype, k)
    flat = _PATTERNS.get(key)
    if flat is None:
        flat = _make_pattern(size, dtype, k)
        if len(_PATTERNS) >= 1024:
            _PATTERNS.clear()
        _PATTERNS[key] = flat
    return flat.copy()


_PATTERNS: dict = {}
"""(size, dtype, set) → a stand-in's flat contents, for sizes up to 4096 (memo)."""


def _make_pattern(size: int, dtype: np.dtype, k: int):
    i = np.arange(size)
    if dtype.kind == "b":
        flat = (np.ones(size, bool), i % 3 != 0, np.zeros(size, bool), i % 2 == 1,
                i % 3 == 0)[k]
    else:
        neg = -(i % 3) if dtype.kind not in "u" else i % 3
        flat = (np.ones(size, np.int64), (i * 7) % 11 + 1, np.zeros(size, np.int64), i % 2,
                neg)[k]
    return flat.astype(dtype)


class _StandIns:
    """Builds the stand-in of each input meta for one set ``k``."""

    def __init__(self, k: int, subst: dict, big: dict):
        self.k, self.subst, self.big = k, subst, big

    def __call__(self, meta: Meta):
        if meta.is_const:
            value = meta.value
            return value.copy() if isinstance(value, np.ndarray) else \
                copy.deepcopy(value) if isinstance(value, (list, dict, set)) else value
        t, k = meta.type, self.k
        if t is np.ndarray:
            if meta.dtype is None or meta.shape is None or None in meta.shape:
                raise CannotInfer("array of unknown dtype or shape")
            return self.array(tuple(self.subst.get(d, d) for d in meta.shape), meta.dtype)
        if t is not None and issubclass(t, np.generic) and meta.dtype is not None:
            return self.scalar(meta.dtype)
        if t is bool:
            return _BOOLS[k]
        if t is int:
            return _INTS[k]
        if t is float:
            return _FLOATS[k]
        if t is complex:
            return _COMPLEX[k]
        if t is type(None):
            return None
        items = getattr(meta, "items", None)
        if t is tuple and items is not None:
            return tuple(self(m) for m in items)
        if t is list and items is not None:      # a list the graph built ([a, b])
            return [self(m) for m in items]
        raise CannotInfer(f"no stand-in for {t}")

    def array(self, shape, dtype):
        size = int(np.prod(shape, dtype=np.int64))
        if size > PATTERN_LIMIT:
            key = (shape, dtype)
            if key not in self.big:
                self.big[key] = np.ones(shape, dtype)
            self.big["__used__"] = True
            return self.big[key]
        try:
            return _pattern(size, dtype, self.k).reshape(shape)
        except (TypeError, ValueError):
            return np.ones(shape, dtype)

    def scalar(self, dtype):
        kind = dtype.kind
        raw = {"b": _BOOLS, "c": _COMPLEX, "f": _FLOATS}.get(kind, _INTS)[self.k]
        try:
            with np.errstate(all="raise"), intercepted(error=True):
                return dtype.type(raw)
        except Exception:
            return dtype.type(1)


# -- reading results back -----------------------------------------------------------------
def _agree_dims(dims_per_run, symvals) -> object:
    """The one description (int or symbol) of a result dim true in every run, else None."""
    cands = None
    for (k, d) in dims_per_run:
        here = {s for s, v in symvals[k].items() if v == d} | {("lit", d)}
        cands = here if cands is None else cands & here
    if cands is None or len(cands) != 1:
        return None
    (c,) = cands
    if isinstance(c, tuple):
        return c[1]
    return None if c.startswith(_ANON) else c


def _merge(outs, symvals) -> Meta:
    """The meta that every run's result ``outs`` (pairs (set index, value)) agrees on;
    ``symvals[i]`` holds the symbol values of set i."""
    types = {type(v) for _, v in outs}
    if len(types) != 1:
        raise CannotInfer("result type depends on the values")
    t = types.pop()
    if t is np.ndarray or issubclass(t, np.generic):
        dtypes = {v.dtype for _, v in outs}
        if len(dtypes) != 1:
            raise CannotInfer("result dtype depends on the values")
        ranks = {v.ndim for _, v in outs}
        shape = None
        if len(ranks) == 1:
            shape = tuple(_agree_dims([(k, v.shape[a]) for k, v in outs], symvals)
                          for a in range(ranks.pop()))
        return Meta(t, dtypes.pop(), shape)
    if issubclass(t, tuple):          # tuples and named tuples (SVDResult, …)
        lens = {len(v) for _, v in outs}
        if len(lens) == 1:
            items = []
            for i in range(lens.pop()):
                try:
                    items.append(_merge([(k, v[i]) for k, v in outs], symvals))
                except CannotInfer:
                    items.append(UNKNOWN)
            return Meta(t, items=tuple(items))
    return Meta(t)


def by_example(op, metas, attrs) -> Meta:
    """Default rule: run ``op.impl`` on every stand-in set; keep what all runs agree on.
    (Memoized: see `_BY_EXAMPLE`.)"""
    key = _memo_key(op, metas, attrs)
    if key is None:
        return _by_example(op, metas, attrs)
    hit = _BY_EXAMPLE.get(key)
    if hit is None:
        try:
            hit = _by_example(op, metas, attrs)
        except CannotInfer as exc:
            hit = CannotInfer(*exc.args)   # not ``exc``: its traceback would keep the frames
            #                                of the conversion that met it (and all they hold)
        if len(_BY_EXAMPLE) >= _BY_EXAMPLE_SIZE:
            _BY_EXAMPLE.clear()
        _BY_EXAMPLE[key] = hit
    if isinstance(hit, CannotInfer):
        raise CannotInfer(*hit.args)
    return hit


_BY_EXAMPLE: dict = {}
"""(op name, input metas, keyword names, warning filters) → the `Meta` (or `CannotInfer`)
`by_example` found. Shape inference by example runs the op on up to 40 stand-in sets; an
unrolled loop asks the same question on every trip, and a function converted again asks
all of them again. Only registered ops (a rule's ad-hoc `OpDef` may close over anything)
and metas whose constants are plain immutable values are memoized; the warning filters
are part of the key because under an "error" filter a warning raises, and a stand-in set
that raises says nothing. Metas are frozen, so a result can be shared."""
_BY_EXAMPLE_SIZE = 4096


class _NoKey(Exception):
    pass


_PLAIN = frozenset({int, str, bytes, bool, type(None), type(Ellipsis)})


def _value_key(v):
    """An exact, hashable stand-in for a constant (``1``, ``1.0``, ``True`` and ``-0.0``,
    ``0.0`` kept apart), or `_NoKey` for a value that may change or has no exact key."""
    t = type(v)
    if t in _PLAIN:
        return (t, v)
    if t is float or t is complex or t in (np.float64, np.float32, np.float16,
                                           np.complex128, np.complex64):
        return (t, repr(v))
    if isinstance(v, (np.integer, np.bool_)) and t.__module__ == "numpy":
        return (t, int(v))
    if t is tuple:
        return (t,) + tuple(_value_key(x) for x in v)
    if t is slice:
        return (t, _value_key(v.start), _value_key(v.stop), _value_key(v.step))
    if isinstance(v, np.dtype):
        return (np.dtype, v)
    if t is type and v.__module__ in ("builtins", "numpy"):
        return (type, v)
    raise _NoKey


def _meta_key(m: Meta):
    items = m.items
    return (m.type, m.dtype, m.shape,
            None if m.value is NOVALUE else _value_key(m.value),
            m.value is NOVALUE,
            None if items is None else tuple(_meta_key(x) for x in items))


def _memo_key(op, metas, attrs):
    if _REGISTERED.get(op.name) is not op:
        return None
    try:
        key = tuple(_meta_key(m) for m in metas)
        hash(key)
    except (_NoKey, TypeError):
        return None
    return (op.name, key, tuple(attrs.get("kw", ())), tuple(warnings.filters))


def _by_example(op, metas, attrs) -> Meta:
    """`by_example` without the memo.

    Symbolic dims (and unknown dims, as anonymous symbols) take distinct primes
    (avoiding every int the constants mention), then 1, then 0; non-constant scalars and array contents vary too. Sets where the op raises
    say nothing (the program would raise there). A result whose type or dtype differs
    between sets is unknown; a dim is kept only when it is the same int, or the same
    symbol's value, in every successful set."""
    if op.impl is None:
        raise CannotInfer("op has no implementation")
    metas = _name_unknown_dims(metas, itertools.count())
    flat = list(_walk(metas))
    symbols = sorted({d for m in flat if m.shape and not m.is_const
                      for d in m.shape if isinstance(d, str)})
    avoid: set = set()
    for m in flat:
        for d in m.shape or ():
            if isinstance(d, int):
                avoid.add(d)
        if m.is_const:
            _ints_in(m.value, avoid)
    scalars_vary = any(not m.is_const and m.type is not np.ndarray and m.type is not tuple
                       for m in flat)
    varies = bool(symbols) or any(not m.is_const for m in flat)
    variants = _variants(symbols, avoid)
    pos, kw = split_kw(metas, attrs)
    outs, big = [], {}
    for i, (subst, k) in enumerate(variants if varies else variants[:1]):
        make = _StandIns(k, subst, big)
        args = [make(m) for m in pos]
        kwargs = {name: make(m) for name, m in kw.items()}
        with np.errstate(all="ignore"), intercepted(error=False):
            try:
                outs.append((i, op.impl(*args, **kwargs)))
            except Exception:  # these stand-ins do not fit: this set says nothing
                continue
    if not outs or (len(outs) < 2 and (symbols or scalars_vary)):
        raise CannotInfer("the op fails on the stand-ins")
    meta = _merge(outs, [subst for subst, _ in variants])
    if big.get("__used__") and _data_dependent(op, metas) and meta.shape is not None:
        meta = Meta(meta.type, meta.dtype, None if meta.type is np.ndarray else meta.shape)
    return meta


def _data_dependent(op, metas) -> bool:
    """Might the result shape of this call depend on array contents?"""
    rest = list(_walk(metas[1:]))
    if op.name == "getitem":
        return any(m.type is np.ndarray and (m.dtype is None or m.dtype.kind == "b")
                   for m in rest)
    if op.name == "np.where":
        return len(metas) == 1
    if op.name in ("np.repeat", "ndarray.repeat", "np.delete"):
        return any(m.type is np.ndarray and not m.is_const for m in rest)
    return op.name in DATA_DEPENDENT


# -- explicit rules -------------------------------------------------------------------------
def broadcast_dims(shapes) -> tuple:
    """NumPy broadcasting over shapes with symbolic dims.

    A symbol may be 0 or 1 at run time: a symbol meeting an int > 1 gives the int (the
    only value that does not raise), a symbol meeting another symbol gives None."""
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
        elif None not in known and len(set(known)) == 1:
            out.append(known[0])
        else:
            out.append(None)
    return tuple(out)


def _weak(meta: Meta):
    """A ufunc operand's dtype for `resolve_dtypes`: Python scalars stay weak (NEP 50)."""
    if meta.type is bool:
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
        if kw or len(pos) != ufunc.nin or ufunc.nout != 1 or \
                not all(_is_numpy(m) or m.type in PY_SCALARS for m in pos):
            return by_example(op, metas, attrs)
        if not any(_is_numpy(m) for m in pos):
            return by_example(op, metas, attrs)   # pure-Python arithmetic
        if op.emit == "binop" and pos[0].type in PY_SCALARS and pos[1].type is not np.ndarray:
            # Python dispatch decides: 1j + np.float64(2) is a Python complex (np.float64
            # subclasses float, which complex.__add__ accepts)
            return by_example(op, metas, attrs)
        shapes = [m.shape if m.shape is not None else
                  (() if m.type in PY_SCALARS else None) for m in pos]
        if any(s is None for s in shapes):
            raise CannotInfer("operand rank unknown")
        try:
            dtypes = ufunc.resolve_dtypes(tuple(_weak(m) for m in pos) + (None,))
        except Exception as exc:
            raise CannotInfer(str(exc)) from None
        shape = broadcast_dims(shapes)
        dt = dtypes[ufunc.nin]
        return Meta(np.ndarray if shape else dt.type, dt, shape)
    return infer


def _axes(axis, ndim):
    """Normalized reduction axes (a set), or CannotInfer where NumPy would raise."""
    if axis is None:
        return set(range(ndim))
    items = axis if isinstance(axis, tuple) else (axis,)
    out = set()
    for a in items:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            raise CannotInfer(f"axis {axis!r}")
        if not -ndim <= a < ndim:
            raise CannotInfer(f"axis {a} out of range for ndim {ndim}")
        out.add(int(a) % ndim)
    if len(out) != len(items):
        raise CannotInfer("repeated axis")
    return out


def reduction_rule(op, metas, attrs):
    """sum/mean/max/… over a constant ``axis`` (int, tuple or None) with ``keepdims``."""
    pos, kw = split_kw(metas, attrs)
    x = pos[0]
    if len(pos) > 2 or "out" in kw or not _is_numpy(x) or x.shape is None:
        return by_example(op, metas, attrs)
    axis_m = kw.get("axis", pos[1] if len(pos) > 1 else Meta(value=None))
    keep_m = kw.get("keepdims", Meta(value=False))
    if not axis_m.is_const or not keep_m.is_const:
        raise CannotInfer("axis not constant")
    axis, keep = axis_m.value, bool(keep_m.value)
    axes = _axes(axis, len(x.shape))
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keep else \
        tuple(d for i, d in enumerate(x.shape) if i not in axes)
    small = Meta(x.type, x.dtype, tuple(1 for _ in x.shape))
    dt = by_example(op, [small] + list(metas[1:]), attrs).dtype
    if dt is None:
        raise CannotInfer("result dtype unknown")
    return Meta(np.ndarray if shape else dt.type, dt, shape)


def matmul_rule(op, metas, attrs):
    """``a @ b`` / ``np.dot`` / ``np.matmul`` for 1-d and 2-d operands (others by example)."""
    pos, kw = split_kw(metas, attrs)
    if kw or len(pos) != 2 or not all(m.type is np.ndarray for m in pos):
        return by_example(op, metas, attrs)
    a, b = pos
    if a.shape is None or b.shape is None or a.dtype is None or b.dtype is None:
        raise CannotInfer("operand rank unknown")
    if len(a.shape) > 2 or len(b.shape) > 2 or 0 in (len(a.shape), len(b.shape)):
        return by_example(op, metas, attrs)
    k_a, k_b = a.shape[-1], b.shape[0]
    if isinstance(k_a, int) and isinstance(k_b, int) and k_a != k_b:
        raise CannotInfer("inner dims differ")
    try:
        dt = np.matmul.resolve_dtypes((a.dtype, b.dtype, None))[2]
    except Exception as exc:
        raise CannotInfer(str(exc)) from None
    shape = a.shape[:-1] + (b.shape[1:] if len(b.shape) == 2 else ())
    return Meta(np.ndarray if shape else dt.type, dt, shape)


def transpose_rule(op, metas, attrs):
    """``np.transpose(x)`` / ``x.transpose()``: dims reversed (other forms by example)."""
    pos, kw = split_kw(metas, attrs)
    x = pos[0]
    if len(pos) == 1 and not kw and _is_numpy(x) and x.shape is not None \
            and not x.is_const:
        return Meta(x.type, x.dtype, tuple(reversed(x.shape)))
    return by_example(op, metas, attrs)


def same_rule(op, metas, attrs):
    """The result looks like the first input: a copy or in-place update of an array with
    ndim >= 1; any other case (scalars, 0-d arrays, lists) by example."""
    x = metas[0]
    if x.type is np.ndarray and x.shape and x.dtype is not None and not x.is_const:
        return Meta(x.type, x.dtype, x.shape)
    return by_example(op, metas, attrs)


def infer_meta(op, metas, attrs) -> Meta:
    """Apply ``op``'s rule (default `by_example`); unknown when the rule cannot say.

    An impure op (a random draw, a commit) is never run on stand-ins: that would advance a
    generator or write somewhere while converting."""
    if op.infer is None and (not op.pure or op.side_effect or op.mutates):
        return UNKNOWN
    rule = op.infer or by_example
    try:
        return rule(op, metas, attrs)
    except CannotInfer:
        return UNKNOWN
    except Exception:   # a rule must never break conversion
        return UNKNOWN


__all__ = ["CannotInfer", "by_example", "ufunc_rule", "reduction_rule", "matmul_rule",
           "transpose_rule", "same_rule", "infer_meta", "meta_of_value", "broadcast_dims",
           "NOVALUE", "DATA_DEPENDENT"]
