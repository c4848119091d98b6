"""NumPy functions, ufuncs, array methods and properties known to the op table.

Everything listed here is pure given its inputs (no RNG, no I/O, no hidden state, no
calls back into user code), apart from what ``mutates`` declares. A call of a NumPy
function not listed makes the conversion give up with a reason; the function then runs
imperatively.

``fresh`` is a correctness flag: the converter lets a graph update a fresh result in
place, so an op is fresh only when, for every input, its result (and every array inside
a returned tuple or list) is a new array that shares no memory with any argument.
Anything that may return an argument, a view of one or a container of views is listed
in ``VIEW_FUNCS`` (``tests/ir/test_ops_table.py`` checks both lists on examples).
"""
from __future__ import annotations

import numpy as np
from numpy.lib import stride_tricks

from .registry import OpDef, register, register_method
from .rules import ufunc_rule, reduction_rule, matmul_rule, transpose_rule, same_rule

# elementwise ufuncs (signature None, one output)
UNARY_UFUNCS = [
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "square",
    "tanh", "sinh", "cosh", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arcsinh",
    "arccosh", "arctanh", "absolute", "fabs", "negative", "positive", "sign", "floor", "ceil",
    "trunc", "rint", "reciprocal", "logical_not", "isnan", "isinf", "isfinite", "signbit",
    "conjugate", "deg2rad", "rad2deg", "invert", "spacing",
]
BINARY_UFUNCS = [
    "add", "subtract", "multiply", "true_divide", "floor_divide", "power", "float_power",
    "remainder", "fmod", "maximum", "minimum", "fmax", "fmin", "greater", "greater_equal",
    "less", "less_equal", "equal", "not_equal", "logical_and", "logical_or", "logical_xor",
    "arctan2", "hypot", "copysign", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift",
    "right_shift", "heaviside", "logaddexp", "logaddexp2", "nextafter",
]
# elementwise ufuncs with two outputs: a tuple of two new arrays (not ``elementwise``:
# fusion and out= buffers take one-output ufuncs only)
TWO_OUTPUT_UFUNCS = ["divmod", "modf", "frexp"]
# reductions: both np.<name>(x, axis=…) and x.<name>(axis=…)
REDUCTIONS = ["sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "any",
              "all", "amax", "amin"]
NP_REDUCTIONS = ["nansum", "nanmean", "nanmax", "nanmin", "nanstd", "nanvar", "nanargmax",
                 "nanargmin", "nanprod", "median", "nanmedian", "average", "count_nonzero",
                 "ptp"]
# functions whose result never aliases an argument (checked on examples by the tests)
FRESH_FUNCS = [
    "dot", "outer", "inner", "tensordot", "kron", "vecdot", "concatenate", "stack",
    "vstack", "hstack", "dstack", "column_stack", "block", "tile", "repeat", "resize",
    "where", "clip", "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "empty",
    "empty_like", "eye", "identity", "arange", "linspace", "logspace", "copy", "cumsum",
    "cumprod", "cumulative_sum", "cumulative_prod", "ediff1d", "gradient", "sort", "argsort",
    "take", "take_along_axis", "trace", "tril", "triu", "round", "around", "isclose",
    "allclose", "array_equal", "isin", "unique", "searchsorted", "bincount", "argwhere",
    "nonzero", "flatnonzero", "pad", "roll", "interp", "cross", "digitize", "percentile",
    "quantile", "cov", "corrcoef", "convolve", "polyval", "select", "append", "insert",
    "delete", "lexsort", "argpartition", "partition", "sinc", "angle", "trapezoid",
    "unravel_index", "ravel_multi_index", "indices", "result_type", "shape", "ndim", "size",
    "isscalar", "iscomplexobj", "may_share_memory", "shares_memory",
    "diagflat", "vander", "tri", "diag_indices_from", "triu_indices", "tril_indices",
    "polyadd", "polysub", "polymul",
]
# fresh unless a ``copy=`` keyword is passed (``copy=False``/``None`` may return the input)
COPY_KW_FUNCS = ["array", "astype", "meshgrid"]
# functions that may return a view of (or the very same object as) an argument
VIEW_FUNCS = [
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "squeeze",
    "expand_dims", "broadcast_to", "broadcast_arrays", "asarray", "asanyarray",
    "ascontiguousarray", "asfortranarray", "atleast_1d", "atleast_2d", "atleast_3d", "flip",
    "fliplr", "flipud", "diagonal", "real", "imag", "rot90", "matrix_transpose",
    "diag",          # of a 2-d array: its diagonal, a read-only view
    "split", "array_split", "unstack",   # lists/tuples of views
    "einsum",        # 'ij->ji', 'ii->i' … return views
    "diff",          # n=0 returns the input
    "histogram",     # bins=<array> is returned as the edges
    "polyder", "polyint",   # m=0 returns the input
]
LINALG = ["norm", "inv", "solve", "det", "slogdet", "pinv", "eigh", "eig", "svd", "qr",
          "cholesky", "lstsq", "matrix_rank", "eigvalsh", "eigvals", "matrix_power"]
LINALG_VIEW = ["matrix_power"]     # n=1 returns the input itself
# np.float64(x) etc.: np.float32(a) returns ``a`` itself for a float32 array
SCALAR_TYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                "uint16", "uint32", "uint64", "bool_", "complex64", "complex128", "intp"]
ARRAY_METHODS_FRESH = [
    "sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "any", "all",
    "cumsum", "cumprod", "flatten", "copy", "dot", "clip", "round", "item", "tolist",
    "argsort", "nonzero", "repeat", "take", "trace", "searchsorted", "compress", "tobytes",
    "__copy__", "__deepcopy__",
]
ARRAY_METHODS_VIEW = ["reshape", "transpose", "swapaxes", "ravel", "squeeze", "view",
                      "diagonal", "__array__",
                      "conj", "conjugate"]   # of a real array: the array itself
# (not ``resize``: it changes the array's shape in place, and every meta after it would
# still give the old shape, which the graph folds into len/shape/size)
ARRAY_METHODS_MUTATING = ["fill", "sort", "partition", "put"]
# functions that update their first argument in place and return None (the converter hands
# them the graph's own array or a private copy of an argument's, committed back)
MUTATING_FUNCS = ["fill_diagonal", "copyto", "put", "place", "putmask", "put_along_axis"]
# ``astype`` copies unless ``copy=`` is passed
ARRAY_METHODS_COPY_KW = ["astype"]
PROPERTIES = ["T", "shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides", "real",
              "imag", "flags", "base", "mT"]
"""Array properties the frontend reads through ``getattr`` nodes (never fresh)."""

_RULES = {"dot": matmul_rule, "transpose": transpose_rule, "copy": same_rule}


def fresh_unless_copy_kw(attrs) -> bool:
    """``f(x, copy=…)``: a copy only when no ``copy=`` keyword is passed (``copy=False``
    or ``None`` may hand back ``x`` itself)."""
    return "copy" not in attrs.get("kw", ())


def _fresh_unless_out(attrs) -> bool:
    """``f(x, out=…)`` returns the ``out`` arrays themselves."""
    return "out" not in attrs.get("kw", ())


def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """np.nan_to_num without its in-place form (``copy=False`` updates ``x``)."""
    if not copy:
        raise NotImplementedError("np.nan_to_num(copy=False) updates its argument in place "
                                  "(not supported in graphs)")
    return np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)


def _doc(kind: str, fresh) -> str:
    what = "a new array (fresh)" if fresh is True else \
        "a new array unless copy= is passed" if callable(fresh) else \
        "a result that may be a view of (or be) an argument"
    return f"{kind}; returns {what}."


def _register():
    seen = set()

    def add(name, fn, kind, fresh=True, impl=None, **kw):
        if fn is None or id(fn) in seen:
            return
        seen.add(id(fn))
        register(OpDef(name, impl or fn, fresh=fresh, doc=_doc(kind, fresh), **kw), fn)

    for n in UNARY_UFUNCS + BINARY_UFUNCS:
        uf = getattr(np, n)
        add(f"np.{n}", uf, "NumPy elementwise ufunc", infer=ufunc_rule(uf), elementwise=True)
    for n in TWO_OUTPUT_UFUNCS:
        add(f"np.{n}", getattr(np, n), "NumPy ufunc with two outputs", fresh=_fresh_unless_out)
    add("np.matmul", np.matmul, "NumPy matmul (gufunc)", infer=matmul_rule)
    for n in REDUCTIONS + NP_REDUCTIONS:
        add(f"np.{n}", getattr(np, n, None), "NumPy reduction",
            infer=reduction_rule if n in REDUCTIONS else None)
    for n in FRESH_FUNCS:
        add(f"np.{n}", getattr(np, n, None), "NumPy function", infer=_RULES.get(n))
    add("np.nan_to_num", np.nan_to_num, "NumPy function (copy=False falls back)",
        impl=_nan_to_num)
    for n in COPY_KW_FUNCS:
        add(f"np.{n}", getattr(np, n, None), "NumPy function", fresh=fresh_unless_copy_kw)
    for n in VIEW_FUNCS:
        add(f"np.{n}", getattr(np, n, None), "NumPy function", fresh=False,
            infer=_RULES.get(n))
    for n in MUTATING_FUNCS:
        add(f"np.{n}", getattr(np, n, None), "NumPy function updating its first argument "
            "in place (returns None)", fresh=False, mutates=(0,), pure=False)
    add("np.lib.stride_tricks.sliding_window_view", stride_tricks.sliding_window_view,
        "NumPy function", fresh=False)
    for n in LINALG:
        add(f"np.linalg.{n}", getattr(np.linalg, n, None), "NumPy linear algebra",
            fresh=n not in LINALG_VIEW)
    for n in SCALAR_TYPES:
        add(f"np.{n}", getattr(np, n, None), "NumPy scalar type (conversion)", fresh=False)
    add("np.dtype", np.dtype, "NumPy dtype constructor")
    add("np.finfo", np.finfo, "NumPy float type info")
    add("np.iinfo", np.iinfo, "NumPy integer type info")

    for owner in (np.ndarray, np.generic):
        prefix = owner.__name__
        for n in ARRAY_METHODS_FRESH + ARRAY_METHODS_VIEW + ARRAY_METHODS_MUTATING + \
                ARRAY_METHODS_COPY_KW:
            if not hasattr(owner, n):
                continue
            infer = reduction_rule if (n in REDUCTIONS and owner is np.ndarray) else \
                _RULES.get(n)
            fresh = fresh_unless_copy_kw if n in ARRAY_METHODS_COPY_KW else \
                n in ARRAY_METHODS_FRESH
            mutating = n in ARRAY_METHODS_MUTATING
            doc = f"{prefix}.{n}(): updates the array in place; returns None." if mutating \
                else _doc(f"{prefix} method", fresh)
            register(OpDef(f"{prefix}.{n}", getattr(owner, n), "method", n, infer=infer,
                           fresh=fresh, mutates=(0,) if mutating else (),
                           pure=not mutating, doc=doc))
            register_method(owner, n, f"{prefix}.{n}")


_register()


# ufunc methods: ``np.add.at``, ``np.maximum.reduce``, ``np.multiply.outer`` … Each access
# ``np.add.at`` makes a new bound-method object, so the table keeps one per (ufunc, method)
# and the frontend resolves the attribute to it (`ufunc_method`). ``at`` updates its first
# argument in place (unbuffered); the others return new arrays or NumPy scalars.
UFUNC_METHODS = ["reduce", "accumulate", "outer", "reduceat", "at"]
UFUNC_METHOD_UFUNCS = ["add", "subtract", "multiply", "true_divide", "maximum", "minimum",
                       "fmax", "fmin", "power", "hypot", "logaddexp", "logical_and",
                       "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor"]
_UFUNC_METHOD_OBJECTS: dict = {}


def ufunc_method(uf, name: str):
    """The registered callable for ``uf.name`` (a ufunc method in the op table), or None
    (``explain()`` then names the method: it runs imperatively)."""
    return _UFUNC_METHOD_OBJECTS.get((uf, name))


def _register_ufunc_methods():
    for n in UFUNC_METHOD_UFUNCS:
        uf = getattr(np, n)
        for m in UFUNC_METHODS:
            bound = getattr(uf, m)
            _UFUNC_METHOD_OBJECTS[(uf, m)] = bound
            mutating = m == "at"
            doc = f"np.{n}.at(a, indices, …): updates a in place (unbuffered); returns None." \
                if mutating else _doc(f"NumPy ufunc method {m}", True)
            register(OpDef(f"np.{n}.{m}", bound, fresh=not mutating,
                           mutates=(0,) if mutating else (), pure=not mutating, doc=doc),
                     bound)


_register_ufunc_methods()
