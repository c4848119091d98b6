"""The compiled tier's one table of lowerings: op name → how numba code computes it.

Each row says whether the lowering is *faithful* (bit-identical to NumPy on this machine:
checked at start-up by `selfcheck.py`, a mismatch switches the row off and logs it) or
not (allowed only under ``jit(exact=False)``). Ops without a row end a compiled segment:
NumPy runs them.

Elementwise rows are scalar expression templates (``{0}``, ``{1}`` … are the operands,
already cast to the loop dtype NumPy's ufunc picks); `lower.py` puts them in one fused
loop per group. Structural rows (``kind`` other than ``"ew"``) are handled by name in
`lower.py` and carry only their facts here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...ir.tables import OpTable, register_table


@dataclass(frozen=True)
class Lowering:
    ops: tuple            # op names this row lowers
    kind: str             # "ew" (elementwise template) or a structural kind
    template: str = ""    # numba expression over {0}, {1}, …
    ufunc: object = None  # the NumPy ufunc whose loop dtypes decide the casts
    faithful: bool = True
    kinds: str = "f"      # dtype kinds of the loop this row may run ("f", "i", "b")
    doc: str = ""


_MAX = "({0} if ({0} > {1} or {0} != {0}) else {1})"     # NumPy: b when equal, NaN wins
_MIN = "({0} if ({0} < {1} or {0} != {0}) else {1})"

ROWS = [
    Lowering(("add", "np.add"), "ew", "({0} + {1})", np.add, kinds="fi"),
    Lowering(("sub", "np.subtract"), "ew", "({0} - {1})", np.subtract, kinds="fi"),
    Lowering(("mul", "np.multiply"), "ew", "({0} * {1})", np.multiply, kinds="fi"),
    Lowering(("truediv", "np.true_divide"), "ew", "({0} / {1})", np.true_divide),
    Lowering(("neg", "np.negative"), "ew", "(-{0})", np.negative, kinds="fi"),
    Lowering(("np.square",), "ew", "({0} * {0})", np.square, kinds="fi"),
    Lowering(("np.sqrt", "scalar.sqrt"), "ew", "np.sqrt({0})", np.sqrt,
             doc="IEEE sqrt is correctly rounded in both"),
    Lowering(("np.absolute", "np.fabs"), "ew", "abs({0})", np.absolute),
    Lowering(("np.maximum",), "ew", _MAX, np.maximum, doc="NaN propagates; b when equal"),
    Lowering(("np.minimum",), "ew", _MIN, np.minimum, doc="NaN propagates; b when equal"),
    Lowering(("lt", "np.less"), "ew", "({0} < {1})", np.less, kinds="fib"),
    Lowering(("le", "np.less_equal"), "ew", "({0} <= {1})", np.less_equal, kinds="fib"),
    Lowering(("gt", "np.greater"), "ew", "({0} > {1})", np.greater, kinds="fib"),
    Lowering(("ge", "np.greater_equal"), "ew", "({0} >= {1})", np.greater_equal, kinds="fib"),
    Lowering(("eq", "np.equal"), "ew", "({0} == {1})", np.equal, kinds="fib"),
    Lowering(("ne", "np.not_equal"), "ew", "({0} != {1})", np.not_equal, kinds="fib"),
    Lowering(("np.where",), "ew", "_sel({0}, {1}, {2})", None, kinds="fib",
             doc="cond must be bool; both values computed, as NumPy does (fpflags._sel)"),
    # NumPy's SIMD transcendental kernels are not libm: numba's differ in the last bits
    Lowering(("np.exp",), "ew", "np.exp({0})", np.exp, faithful=False),
    Lowering(("np.log",), "ew", "np.log({0})", np.log, faithful=False),
    Lowering(("np.tanh",), "ew", "np.tanh({0})", np.tanh, faithful=False),
    Lowering(("np.log1p",), "ew", "np.log1p({0})", np.log1p, faithful=False),
    Lowering(("np.expm1",), "ew", "np.expm1({0})", np.expm1, faithful=False),
    Lowering(("np.sin",), "ew", "np.sin({0})", np.sin, faithful=False),
    Lowering(("np.cos",), "ew", "np.cos({0})", np.cos, faithful=False),
    # structural rows (lower.py)
    Lowering(("reduce.sum",), "sum", doc="NumPy's pairwise summation reproduced "
             "(8 accumulators, 128-element blocks, halving); axis=None, C-contiguous"),
    Lowering(("reduce.mean",), "mean", doc="pairwise sum, then NumPy _mean's division"),
    Lowering(("matmul", "np.matmul", "np.dot", "ndarray.dot"), "matvec",
             doc="2-d @ 1-d only (the same BLAS gemv; 2-d @ 2-d differs at some sizes)"),
    Lowering(("getattr",), "transpose", doc=".T of a 2-d array (a view)"),
    Lowering(("truth",), "truth", doc="bool() of a bool scalar"),
    Lowering(("assert",), "assert", doc="returns a failure code: the call falls back"),
    Lowering(("loop",), "loop", doc="while loops whose bodies lower entirely"),
    Lowering(("cond",), "cond", doc="if/else whose branches lower entirely"),
    Lowering(("tuple",), "tuple", doc="inside loop/branch bodies only"),
    Lowering(("getitem",), "getitem", doc="constant index into a tuple made in the segment"),
]

# exact mode: NumPy's own SIMD loop for the transcendentals, called from the compiled code
# (ufunc_loops.py: its address read from the ufunc, checked at start-up); each op's
# exact=False row above is the fused libm version
NUMPY_LOOPS = {op: Lowering((op,), "uloop", ufunc=uf, kinds="f",
                            doc="NumPy's own inner loop, called from the compiled code")
               for op, uf in (("np.exp", np.exp), ("np.log", np.log), ("np.tanh", np.tanh),
                              ("np.log1p", np.log1p), ("np.expm1", np.expm1),
                              ("np.sin", np.sin), ("np.cos", np.cos))}

TABLE = register_table(OpTable("numba", {op: row for row in ROWS for op in row.ops}))
"""The compiled tier's op table (``ir.tables``): op name → its `Lowering` row; no
default (an op without a row ends a segment)."""

DISABLED: dict[str, str] = {}
"""op name → why start-up self-checking switched its lowering off."""


def lowering(op: str, exact: bool = True) -> Lowering | None:
    """The row lowering ``op``, or None (no row, switched off, or not faithful in exact
    mode)."""
    row = TABLE.get(op)
    if row is not None and exact and not row.faithful and op in NUMPY_LOOPS:
        from .ufunc_loops import key
        return None if key(op) in DISABLED else NUMPY_LOOPS[op]
    if row is None or op in DISABLED or (exact and not row.faithful):
        return None
    return row
