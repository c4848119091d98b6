"""Source text every generated numba module starts with: imports and NumPy's pairwise
summation, reproduced step for step (numpy/_core/src/umath/loops_utils.h.src): under 8
elements a plain loop; up to 128 (PW_BLOCKSIZE) eight accumulators combined as
``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`` plus the remainder; above, split at half rounded
down to a multiple of 8 and recurse. The reduction adds that to the identity ``0``.
Accumulators have the array's dtype (float32 sums stay float32, as in NumPy)."""
from __future__ import annotations

import numpy as np

_NP = {"float64": "np.float64", "float32": "np.float32", "int64": "np.int64",
       "int32": "np.int32", "bool": "np.bool_"}
"""dtype name → how generated code spells its scalar type."""

_PAIRWISE = '''
@numba.njit(cache=True, error_model="numpy", nogil=True)
def _pblock_{tag}(a, start, n):
    if n < 8:
        res = np.{dtype}(0.0)
        for i in range(n):
            res += a[start + i]
        return res
    r0 = a[start]
    r1 = a[start + 1]
    r2 = a[start + 2]
    r3 = a[start + 3]
    r4 = a[start + 4]
    r5 = a[start + 5]
    r6 = a[start + 6]
    r7 = a[start + 7]
    m = n - (n % 8)
    i = 8
    while i < m:
        r0 += a[start + i]
        r1 += a[start + i + 1]
        r2 += a[start + i + 2]
        r3 += a[start + i + 3]
        r4 += a[start + i + 4]
        r5 += a[start + i + 5]
        r6 += a[start + i + 6]
        r7 += a[start + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return res


@numba.njit(cache=True, error_model="numpy", nogil=True)
def _psum_{tag}(a, start, n):
    if n <= 128:
        return _pblock_{tag}(a, start, n)
    # NumPy's recursion, run with an explicit stack (numba's cache and recursion clash)
    ss = np.empty(64, np.int64)
    sn = np.empty(64, np.int64)
    ph = np.zeros(64, np.int64)
    vals = np.empty(64, np.{dtype})
    top = 0
    ss[0] = start
    sn[0] = n
    ph[0] = 0
    while True:
        s = ss[top]
        m = sn[top]
        if m <= 128:
            ret = _pblock_{tag}(a, s, m)
            top -= 1
            while top >= 0:
                if ph[top] == 1:
                    vals[top] = ret
                    ph[top] = 2
                    h = sn[top] // 2
                    h -= h % 8
                    ss[top + 1] = ss[top] + h
                    sn[top + 1] = sn[top] - h
                    ph[top + 1] = 0
                    top += 1
                    break
                ret = vals[top] + ret
                top -= 1
            if top < 0:
                return ret
        else:
            ph[top] = 1
            h = m // 2
            h -= h % 8
            ss[top + 1] = s
            sn[top + 1] = h
            ph[top + 1] = 0
            top += 1
'''

HEADER = "import numpy as np\nimport numba\n"

TAGS = {"float64": "f8", "float32": "f4"}


def pairwise_source(dtype_name: str) -> str:
    return _PAIRWISE.format(tag=TAGS[dtype_name], dtype=dtype_name)


def module_source(body: str, dtypes=("float64", "float32")) -> str:
    """A whole module: header, NumPy-loop calls (`ufunc_loops`), pairwise sums for
    ``dtypes``, then ``body``."""
    from .fpflags import SOURCE as FLAGS_SOURCE
    from .ufunc_loops import INTRINSIC_SOURCE
    return HEADER + INTRINSIC_SOURCE + FLAGS_SOURCE + \
        "".join(pairwise_source(d) for d in dtypes) + "\n" + body


def literal(value, dtype: str | None = None) -> str:
    """Numba source text for a constant (cast to ``dtype`` when given)."""
    if type(value) is np.ndarray:
        dtype = dtype or value.dtype.name
        value = value[()].item()
    if value is None or type(value) is bool:
        text = repr(value)
    elif type(value) is float:
        text = "np.inf" if value == float("inf") else "-np.inf" if value == float("-inf") \
            else "np.nan" if value != value else repr(value)
    else:
        text = repr(value)
    if dtype is not None and value is not None:
        return f"{_NP[dtype]}({text})"
    return f"({text})" if text.startswith("-") else text     # ``(-2) ** x``, not -(2 ** x)
