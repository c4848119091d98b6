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
# builtins that return a fresh mutable container or iterator (never an alias)
_FRESH = {"list", "sorted", "dict", "set", "zip", "enumerate", "reversed", "range"}
# builtins that may return one of their arguments
_MAY_ALIAS = {"min", "max", "tuple", "sum", "type"}
MATH = ["sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "tanh", "sinh", "cosh", "sin",
        "cos", "tan", "atan", "atan2", "asin", "acos", "floor", "ceil", "trunc", "fabs", "pow",
        "isnan", "isinf", "isfinite", "isclose", "hypot", "erf", "erfc", "gamma", "lgamma",
        "prod", "fsum", "copysign", "factorial", "gcd", "comb", "perm", "radians", "degrees",
        "dist", "fmod", "modf", "frexp", "ldexp", "sumprod", "cbrt", "exp2"]


def _register():
    for n in BUILTINS:
        fn = getattr(builtins, n)
        infer = (lambda o, m, a: Meta(int)) if n in ("len", "id", "hash") else None
        register(OpDef(f"builtin.{n}", fn, infer=infer, fresh=n not in _MAY_ALIAS,
                       pure=n not in ("id",)), fn)
    for n in MATH:
        fn = getattr(math, n, None)
        if fn is not None:
            register(OpDef(f"math.{n}", fn), fn)


_register()
