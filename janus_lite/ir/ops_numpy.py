"""NumPy functions, ufuncs, array methods and properties known to the op table.

Everything listed here is pure given its inputs (no RNG, no I/O, no hidden state), apart
from what ``mutates`` declares. A call of a NumPy function not listed makes the conversion
give up with a reason; the function then runs imperatively.
"""
from __future__ import annotations

import numpy as np

from .registry import OpDef, register, register_method
from .rules import ufunc_rule, reduction_rule, matmul_rule, transpose_rule, same_rule

UNARY_UFUNCS = [
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "square",
    "tanh", "sinh", "cosh", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arcsinh",
    "arccosh", "arctanh", "absolute", "fabs", "negative", "positive", "sign", "floor", "ceil",
    "trunc", "rint", "reciprocal", "logical_not", "isnan", "isinf", "isfinite", "signbit",
    "conjugate", "deg2rad", "rad2deg", "invert",
]
BINARY_UFUNCS = [
    "add", "subtract", "multiply", "true_divide", "floor_divide", "power", "float_power",
    "remainder", "fmod", "maximum", "minimum", "fmax", "fmin", "greater", "greater_equal",
    "less", "less_equal", "equal", "not_equal", "logical_and", "logical_or", "logical_xor",
    "arctan2", "hypot", "copysign", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift",
    "right_shift", "heaviside", "logaddexp", "logaddexp2", "nextafter",
]
# reductions: both np.<name>(x, axis=…) and x.<name>(axis=…)
REDUCTIONS = ["sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "any",
              "all"]
NP_REDUCTIONS = ["amax", "amin", "nansum", "nanmean", "nanmax", "nanmin", "nanstd", "nanvar",
                 "median", "nanmedian", "average", "count_nonzero", "ptp"]
# functions whose result never aliases an argument
FRESH_FUNCS = [
    "dot", "outer", "inner", "einsum", "tensordot", "kron", "concatenate", "stack", "vstack",
    "hstack", "column_stack", "tile", "repeat", "where", "clip", "zeros", "ones", "full",
    "zeros_like", "ones_like", "full_like", "empty", "empty_like", "eye", "identity", "arange",
    "linspace", "logspace", "array", "copy", "cumsum", "cumprod", "diff", "sort", "argsort",
    "take", "take_along_axis", "diag", "trace", "tril", "triu", "round", "around", "isclose",
    "allclose", "array_equal", "nan_to_num", "outer", "unique", "searchsorted", "bincount",
    "argwhere", "nonzero", "flatnonzero", "pad", "roll", "meshgrid", "interp", "cross",
    "histogram", "digitize", "percentile", "quantile", "logical_and", "square", "maximum",
    "cov", "corrcoef", "convolve", "polyval", "select", "piecewise", "append", "insert",
    "delete", "lexsort", "argpartition", "partition", "result_type", "shape", "ndim", "size",
    "isscalar", "iscomplexobj", "may_share_memory", "shares_memory", "array_split", "split",
]
# functions that may return a view of (or the very same object as) an argument
VIEW_FUNCS = [
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "squeeze", "expand_dims",
    "broadcast_to", "broadcast_arrays", "asarray", "asanyarray", "ascontiguousarray",
    "asfortranarray", "atleast_1d", "atleast_2d", "atleast_3d", "flip", "fliplr", "flipud",
    "diagonal", "real", "imag", "rot90", "matrix_transpose",
]
LINALG = ["norm", "inv", "solve", "det", "slogdet", "pinv", "eigh", "eig", "svd", "qr",
          "cholesky", "lstsq", "matrix_rank", "eigvalsh", "eigvals", "matrix_power"]
SCALAR_TYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                "uint16", "uint32", "uint64", "bool_", "complex64", "complex128", "intp"]
ARRAY_METHODS_FRESH = [
    "sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "any", "all",
    "cumsum", "cumprod", "flatten", "copy", "dot", "clip", "round", "item", "tolist",
    "argsort", "nonzero", "repeat", "take", "trace", "conj", "ptp", "astype", "tobytes",
]
ARRAY_METHODS_VIEW = ["reshape", "transpose", "swapaxes", "ravel", "squeeze", "view",
                      "diagonal", "__array__"]
ARRAY_METHODS_MUTATING = ["fill", "sort", "partition", "resize", "itemset", "put"]
PROPERTIES = ["T", "shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides", "real",
              "imag", "flags", "base", "mT"]

_RULES = {"dot": matmul_rule, "matmul": matmul_rule, "transpose": transpose_rule,
          "copy": same_rule, "ascontiguousarray": same_rule}


def _astype_fresh(attrs):
    """``x.astype(t)`` copies unless ``copy=False`` is passed."""
    return "copy" not in attrs.get("kw", ())


def _register():
    seen = set()

    def add(name, fn, **kw):
        if fn is None or id(fn) in seen:
            return
        seen.add(id(fn))
        register(OpDef(name, fn, **kw), fn)

    for n in UNARY_UFUNCS + BINARY_UFUNCS + ["matmul"]:
        uf = getattr(np, n)
        add(f"np.{n}", uf, infer=_RULES.get(n) or ufunc_rule(uf), elementwise=n != "matmul")
    for n in REDUCTIONS + NP_REDUCTIONS:
        add(f"np.{n}", getattr(np, n, None), infer=reduction_rule if n in REDUCTIONS else None)
    for n in FRESH_FUNCS:
        add(f"np.{n}", getattr(np, n, None), infer=_RULES.get(n))
    for n in VIEW_FUNCS:
        add(f"np.{n}", getattr(np, n, None), fresh=False, infer=_RULES.get(n))
    for n in LINALG:
        add(f"np.linalg.{n}", getattr(np.linalg, n, None))
    for n in SCALAR_TYPES:
        add(f"np.{n}", getattr(np, n, None))
    add("np.dtype", np.dtype)
    add("np.finfo", np.finfo)
    add("np.iinfo", np.iinfo)

    for owner in (np.ndarray, np.generic):
        prefix = owner.__name__
        for n in ARRAY_METHODS_FRESH + ARRAY_METHODS_VIEW + ARRAY_METHODS_MUTATING:
            if not hasattr(owner, n):
                continue
            infer = reduction_rule if (n in REDUCTIONS and owner is np.ndarray) else \
                _RULES.get(n)
            fresh = _astype_fresh if n == "astype" else n in ARRAY_METHODS_FRESH
            mutating = n in ARRAY_METHODS_MUTATING
            register(OpDef(f"{prefix}.{n}", getattr(owner, n), "method", n, infer=infer,
                           fresh=fresh, mutates=(0,) if mutating else (),
                           pure=not mutating))
            register_method(owner, n, f"{prefix}.{n}")


_register()
