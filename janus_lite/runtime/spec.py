"""Input specs: what a graph assumes about each parameter, built from profiled calls.

A `ParamSpec` is the speculation about one parameter: an array of fixed dtype and rank
with exact or symbolic dims, a scalar of fixed type with (when it never changed) a fixed
value, a constant compared by identity, a small tuple, list or dict of such (a dict's
keys fixed), a sequence of any length whose items share one spec (``seq``), or any other
object (its type guarded). `merge` relaxes: dims that differ become symbolic, values that
differ become inputs. `guards_for` lists the guards that check a spec at call time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..profile.records import DICTS, Seen, dask_array_type
from .guards import INT64_SPAN, Guard, Source, item

_SYMBOLS = "NMKLPQRSTUVW"
SCALAR_TYPES = (bool, int, float, complex)


class Unspecable(Exception):
    """A parameter's observations cannot be described by one spec."""


@dataclass(frozen=True)
class ParamSpec:
    kind: str   # "array" | "scalar" | "const" | "tuple" | "list" | "dict" | "seq" | "object"
    type: type
    dtype: np.dtype | None = None
    shape: tuple | None = None  # ints and symbol names
    value: object = None
    has_value: bool = False
    items: tuple | None = None  # ParamSpecs of the items (tuple, list, dict values; a
                                # "seq": one spec for items of any count)

    def describe(self) -> str:
        if self.kind == "array" and self.type is not np.ndarray:   # a Dask array
            chunks = "" if self.value is None else \
                f", {'x'.join(str(len(c)) for c in self.value)} chunks"
            return f"dask.array[{self.dtype}, shape=({', '.join(map(str, self.shape))}" \
                   f"{',' if len(self.shape) == 1 else ''}){chunks}]"
        if self.kind == "array":
            return f"ndarray[{self.dtype}, shape=({', '.join(map(str, self.shape))}" \
                   f"{',' if len(self.shape) == 1 else ''})]"
        if self.kind == "tuple":
            return "(" + ", ".join(i.describe() for i in self.items) + ")"
        if self.kind == "list":
            return "[" + ", ".join(i.describe() for i in self.items) + "]"
        if self.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {i.describe()}" for k, i in zip(self.value,
                                                                            self.items)) + "}"
        if self.kind == "seq":
            inner = self.items[0].describe() if self.items else "?"
            return f"{self.type.__name__} of any length of {inner}"
        if self.has_value:
            return f"{self.type.__name__} {self.value!r}"
        return f"{self.type.__name__}"


def _is_const_type(s: Seen) -> bool:
    return s.has_value and s.type not in SCALAR_TYPES and not issubclass(s.type, np.generic)


def from_seen(s: Seen) -> ParamSpec:
    """The most specific spec for one observed value."""
    if s.type is np.ndarray:
        return ParamSpec("array", np.ndarray, s.dtype, tuple(s.shape))
    if s.shape is not None and s.type is dask_array_type():
        return dask_spec(s)
    if s.type in SCALAR_TYPES or issubclass(s.type, np.generic):
        return ParamSpec("scalar", s.type, s.dtype, () if s.dtype is not None else None,
                         s.value, s.has_value)
    if s.type is tuple and s.items is not None:
        return ParamSpec("tuple", tuple, items=tuple(from_seen(i) for i in s.items))
    if s.type is list and s.items is not None:
        return ParamSpec("list", list, items=tuple(from_seen(i) for i in s.items))
    if s.has_value and (s.type is type(None) or s.type is str or _is_const_type(s)):
        return ParamSpec("const", s.type, value=s.value, has_value=True)
    if s.type in DICTS and s.items is not None:
        return ParamSpec("dict", s.type, value=s.value,
                         items=tuple(from_seen(i) for i in s.items))
    if s.type in (list, tuple):        # too long or deep to summarize item by item
        return ParamSpec("seq", s.type, items=())
    if s.type in (dict, set):
        raise Unspecable(f"{s.type.__name__} arguments are not supported as graph inputs yet")
    return ParamSpec("object", s.type)


def merge(a: ParamSpec, b: ParamSpec) -> ParamSpec:
    """The most specific spec covering both, or `Unspecable` when types differ."""
    if a.type is list and b.type is list and a.kind != b.kind:
        # a list of any length (relaxed before) and one more list (a history a call
        # appends to); tuples stay apart: their length is a structure (a tree's node)
        return _seq(a, b)
    if a.kind != b.kind or a.type is not b.type:
        raise Unspecable(f"type changed: {a.describe()} vs {b.describe()}")
    if a.kind == "array":
        if a.dtype != b.dtype or len(a.shape) != len(b.shape):
            raise Unspecable(f"dtype/rank changed: {a.describe()} vs {b.describe()}")
        shape = tuple(x if x == y else "?" for x, y in zip(a.shape, b.shape))
        return ParamSpec("array", a.type, a.dtype, shape, a.value if a.value == b.value
                         else None)
    if a.kind == "scalar":
        same = a.has_value and b.has_value and _same_value(a.value, b.value)
        return ParamSpec("scalar", a.type, a.dtype, a.shape, a.value if same else None, same)
    if a.kind == "dict":
        if a.value != b.value:
            raise Unspecable(f"dict keys changed: {list(a.value)} vs {list(b.value)}")
        return ParamSpec("dict", a.type, value=a.value,
                         items=tuple(merge(x, y) for x, y in zip(a.items, b.items)))
    if a.kind in ("tuple", "list", "seq"):
        if a.kind == "seq" or len(a.items) != len(b.items):
            return _seq(a, b)
        return ParamSpec(a.kind, a.type, items=tuple(merge(x, y) for x, y in zip(a.items,
                                                                               b.items)))
    if not (a.value is b.value or (type(a.value) is type(b.value) and
                                   _same_value(a.value, b.value))):
        raise Unspecable(f"constant changed: {a.value!r} vs {b.value!r}")
    return a


def _seq(a: ParamSpec, b: ParamSpec) -> ParamSpec:
    """A sequence whose length changes: one spec for all items, only the type guarded (the
    graph reads items at run time and must not rely on their shapes or dtypes)."""
    items = [i for s in (a, b) for i in (s.items or ())]
    if not items:
        return ParamSpec("seq", a.type, items=())
    one = items[0]
    for it in items[1:]:
        one = merge(one, it)
    return ParamSpec("seq", a.type, items=(one,))


def _same_value(x, y) -> bool:
    """Same type and value; 0.0 and -0.0 differ (division tells them apart)."""
    try:
        if type(x) is not type(y) or not bool(x == y) or x != x:
            return False
        if isinstance(x, (float, complex, np.floating, np.complexfloating)):
            return repr(x) == repr(y)
        return True
    except Exception:
        return x is y


def name_symbols(specs: dict, history=()) -> dict:
    """Give the symbolic dims ("?") stable names; dims that were equal in every observed
    call (``history``: argument summaries) share one name, like a batch size N."""
    names: dict = {}
    counter = iter(_SYMBOLS)

    def fresh(pname, path, axis):
        vector = []
        for call in history:
            s = call.get(pname)
            for i in path:
                if s is not None and s.type in DICTS and s.items and i in (s.value or ()):
                    i = list(s.value).index(i)
                s = s.items[i] if s is not None and s.items and isinstance(i, int) and \
                    i < len(s.items) else None
            if s is None or s.type not in (np.ndarray, dask_array_type()) or \
                    axis >= len(s.shape):
                return next(counter, None) or "D"
            vector.append(s.shape[axis])
        key = tuple(vector)
        if not key:
            return next(counter, None) or "D"
        if key not in names:
            names[key] = next(counter, None) or "D"
        return names[key]

    return {p: _rename(spec, lambda path, axis, p=p: fresh(p, path, axis), ())
            for p, spec in specs.items()}


def _rename(spec, fresh, path):
    if spec.kind == "array" and "?" in spec.shape:
        shape = tuple(fresh(path, i) if d == "?" else d for i, d in enumerate(spec.shape))
        return ParamSpec("array", spec.type, spec.dtype, shape, spec.value)
    if spec.kind == "seq":
        return spec
    if spec.kind == "dict":
        return ParamSpec("dict", spec.type, value=spec.value,
                         items=tuple(_rename(it, fresh, path + (k,))
                                     for k, it in zip(spec.value, spec.items)))
    if spec.kind in ("tuple", "list"):
        return ParamSpec(spec.kind, spec.type, items=tuple(_rename(it, fresh, path + (i,))
                                                           for i, it in enumerate(spec.items)))
    return spec


def dims_key(src: Source) -> tuple:
    """The key, in a conversion's ``relaxed`` set, that says the array read from ``src``
    (state: an attribute, a global, an item of one) may have any dims of its rank: guarded
    by type, dtype and rank, its shape read at run time (the layers of one class with
    weights of different sizes share one graph)."""
    return ("dims",) + src.key


def guards_for(spec: ParamSpec, src: Source, lineno: int | None) -> list[Guard]:
    """The guards that hold exactly when a value fits ``spec``."""
    if spec.kind == "array":
        gs = [Guard("type", src, spec.type, lineno), Guard("dtype", src, spec.dtype, lineno)]
        if spec.value is not None:      # a Dask array's chunk structure
            gs.append(Guard("chunks", src, spec.value, lineno))
        if all(isinstance(d, int) for d in spec.shape):
            gs.append(Guard("shape", src, tuple(spec.shape), lineno))
        else:
            gs.append(Guard("ndim", src, len(spec.shape), lineno))
            gs += [Guard("dim", src, d, lineno, axis=i) for i, d in enumerate(spec.shape)
                   if isinstance(d, int)]
        return gs
    if spec.kind == "scalar":
        gs = [Guard("type", src, spec.type, lineno)]
        if spec.has_value:
            gs.append(Guard("value", src, spec.value, lineno))
        elif spec.type is int:
            gs.append(Guard("span", src, INT64_SPAN, lineno))
        return gs
    if spec.kind == "seq":
        return [Guard("type", src, spec.type, lineno)]
    if spec.kind == "dict":
        gs = [Guard("type", src, spec.type, lineno), Guard("keys", src, spec.value, lineno)]
        for key, sub in zip(spec.value, spec.items):
            gs += guards_for(sub, item(src, key), lineno)
        return gs
    if spec.kind in ("tuple", "list"):
        gs = [Guard("type", src, spec.type, lineno), Guard("len", src, len(spec.items), lineno)]
        for i, sub in enumerate(spec.items):
            gs += guards_for(sub, item(src, i), lineno)
        return gs
    if spec.kind == "object":
        return [Guard("type", src, spec.type, lineno)]
    if spec.type in (type(None),) or spec.value is None:
        return [Guard("identity", src, None, lineno)]
    if spec.type is str:
        return [Guard("type", src, str, lineno), Guard("value", src, spec.value, lineno)]
    return [Guard("identity", src, spec.value, lineno)]


# -- Dask arrays (janus_lite.backend.dask_backend): an "array" spec whose type is
# dask.array.Array and whose value is the chunk structure (None once chunks changed). The
# converter sees it as an ndarray of that dtype and shape; the guards check the Dask type,
# dtype, shape and chunks.
def dask_spec(s: Seen) -> ParamSpec:
    return ParamSpec("array", s.type, s.dtype, tuple(s.shape), s.value)


def has_dask(spec: ParamSpec) -> bool:
    """Does ``spec`` (or an item of it) describe a Dask array?"""
    if spec.kind == "array":
        return spec.type is not np.ndarray
    return any(has_dask(i) for i in spec.items or ())
