"""Python builtins and `math` functions known to be pure."""
from __future__ import annotations

import builtins
import math

from functools import reduce

from .node import Meta, join
from .registry import OpDef, register

BUILTINS = ["len", "abs", "min", "max", "sum", "float", "int", "bool", "round", "pow",
            "divmod", "isinstance", "tuple", "list", "complex", "str", "repr", "hash",
            "sorted", "any", "all", "range", "zip", "enumerate", "reversed", "type", "id",
            "callable", "hasattr", "slice", "dict", "set", "frozenset", "chr", "ord", "format",
            "issubclass"]
# builtins whose result shares nothing mutable with their arguments (numbers, strings,
# new arrays from abs/round/pow/divmod of arrays, a range); every other builtin may return
# an argument (min, max, sum, tuple, type) or a container holding the arguments' items
# (list, sorted, dict, set, frozenset, zip, enumerate, reversed, slice): not fresh, so
# the converter never lets a graph update those items in place
_FRESH = {"len", "abs", "float", "int", "bool", "round", "pow", "divmod", "isinstance",
          "complex", "str", "repr", "hash", "any", "all", "range", "id", "callable",
          "hasattr", "chr", "ord", "format", "issubclass"}
MATH = ["sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "tanh", "sinh", "cosh", "sin",
        "cos", "tan", "atan", "atan2", "asin", "acos", "floor", "ceil", "trunc", "fabs", "pow",
        "isnan", "isinf", "isfinite", "isclose", "hypot", "erf", "erfc", "gamma", "lgamma",
        "prod", "fsum", "copysign", "factorial", "gcd", "comb", "perm", "radians", "degrees",
        "dist", "fmod", "modf", "frexp", "ldexp", "sumprod", "cbrt", "exp2"]

# math.prod([], start=x) returns x itself
_MATH_MAY_ALIAS = {"prod"}


def _register():
    for n in BUILTINS:
        fn = getattr(builtins, n)
        infer = (lambda o, m, a: Meta(int)) if n in ("len", "id", "hash") else None
        fresh = n in _FRESH
        register(OpDef(f"builtin.{n}", fn, infer=infer, fresh=fresh, pure=n not in ("id",),
                       doc=f"Python builtin {n}(); " + ("returns a new value." if fresh else
                                                         "may return (items of) an argument.")),
                 fn)
    for n in MATH:
        fn = getattr(math, n, None)
        if fn is not None:
            fresh = n not in _MATH_MAY_ALIAS
            register(OpDef(f"math.{n}", fn, fresh=fresh,
                           doc=f"math.{n}(); " + ("returns a new number." if fresh else
                                                   "may return an argument.")), fn)


_register()


# ``max(xs, key=f)`` / ``min(...)`` / ``sorted(...)``: the graph calls ``f`` on each item in
# order (inlined), then one of these picks or orders the items by those keys, comparing
# them as the builtin does (``>`` for max, ``<`` for min: the first best item wins; the
# stable sort of the items by their keys). Inputs: n, the n items, then their n keys.
def _best(greater: bool):
    def impl(n, *items_keys):
        items, keys = items_keys[:n], items_keys[n:]
        best, best_key = items[0], keys[0]
        for item, key in zip(items[1:], keys[1:]):
            if (key > best_key) if greater else (key < best_key):
                best, best_key = item, key
        return best
    return impl


def _sorted_by(n, reverse, *items_keys):
    items, keys = items_keys[:n], items_keys[n:]
    return [items[i] for i in sorted(range(n), key=keys.__getitem__, reverse=reverse)]


def _items_join(op, metas, attrs):
    return reduce(join, metas[1:1 + metas[0].value])


register(OpDef("builtin.max_by_key", _best(True), infer=_items_join, fresh=False,
               doc="max(items, key=f) given n, the items and the keys f gave, in order: the "
                   "first item whose key no later key exceeds (an argument: may alias it)."))
register(OpDef("builtin.min_by_key", _best(False), infer=_items_join, fresh=False,
               doc="min(items, key=f) given n, the items and the keys f gave, in order (an "
                   "argument: may alias it)."))
register(OpDef("builtin.sorted_by_key", _sorted_by, infer=lambda o, m, a: Meta(list),
               fresh=False,
               doc="sorted(items, key=f, reverse=r) given n, r, the items and the keys f "
                   "gave: a list of the items, stably ordered by their keys (it may hold "
                   "arguments)."))
