"""Python builtins and `math` functions known to be pure."""
from __future__ import annotations

import builtins
import math

from .node import Meta
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
