"""Graph → numba source: find the maximal runs of lowerable nodes (segments) of a graph
and write one ``numba.njit`` function per segment.

Inside a segment, consecutive elementwise ops over arrays of one shape become one loop
(Adam's 14 NumPy passes: one), scalar ops plain statements, ``loop``/``cond`` nodes whose
bodies lower entirely Python ``while``/``if`` in the compiled code, assertions an early
``return`` of a failure code. Every operand is cast to the loop dtype NumPy's ufunc would
pick (NEP 50: a Python float next to a float32 array becomes a float32 first).

A segment function returns ``(code, outputs…)``: code 0 is success, ``k > 0`` means
assertion ``k - 1`` failed (the call falls back, nothing committed), ``-1`` means "let the
NumPy tier run this call" (operand shapes that would broadcast, anything unforeseen).
"""
from __future__ import annotations

import numpy as np

from ...passes.analysis import loop_dtypes, operand_dtype
from .prelude import _NP
from .table import lowering
from .ufunc_loops import address as uloop_address, key as uloop_key

DTYPES = {"float64", "float32", "int64", "int32", "bool"}
_SCALAR_TYPES = {float: "float64", bool: "bool", np.float64: "float64",
                 np.float32: "float32", np.bool_: "bool", np.int64: "int64",
                 np.int32: "int32"}
_NB = {"float64": "float64", "float32": "float32", "int64": "int64", "int32": "int32",
       "bool": "boolean"}
FLOATS = ("float32", "float64")


def kind_of(meta):
    """"array", "scalar", "tuple" or None (not a value compiled code handles)."""
    if meta.type is np.ndarray:
        if meta.dtype is not None and meta.dtype.name in DTYPES and meta.shape:
            return "array"
        return None
    if meta.type in _SCALAR_TYPES and (meta.dtype is None or meta.dtype.name in DTYPES):
        return "scalar"
    if meta.type is tuple:
        return "tuple"
    return None


def dtype_of(meta) -> str | None:
    if meta.dtype is not None:
        return meta.dtype.name
    return _SCALAR_TYPES.get(meta.type)


def _inline_const(node) -> bool:
    v = node.attrs.get("value")
    if type(v) in (bool, int, float, type(None)):
        return True
    return type(v) is np.ndarray and v.shape == () and v.dtype.name in DTYPES


def _same_shape(a, b) -> bool:
    return len(a) == len(b) and all(x == y or x is None or y is None or
                                    isinstance(x, str) or isinstance(y, str)
                                    for x, y in zip(a, b))


def _operand_ok(graph, name, sub: bool) -> str | None:
    node = graph[name]
    if node.op == "const":
        if _inline_const(node):
            return None
        if sub:
            return "a constant array inside a loop or branch body"
    k = kind_of(node.meta)
    if k is None:
        return f"operand {name} is a {node.meta.type_str()} value"
    if k == "scalar" and node.meta.type is int and node.op != "const":
        return "Python int arithmetic (unbounded integers)"
    return None


_MAY_WARN = ("ew", "sum", "mean", "matvec", "uloop")
"""Lowering kinds whose arithmetic may raise a floating-point flag (a NumPy warning)."""


class Checker:
    """Says whether a node lowers (None) or why not."""

    def __init__(self, exact: bool):
        self.exact = exact
        self._loops: dict = {}     # node name → loop dtypes of its operands
        self.matvecs: set = set()  # (shape, dtype, transposed) of each lowered product,
        # checked against NumPy by the compiling thread (never the caller's)
        self.ops: set = set()      # every op lowered (rows self-checking may switch off)
        self.rows: dict = {}       # node name → the row that lowers it

    def __call__(self, graph, node, sub=False) -> str | None:
        row = lowering(node.op, self.exact)
        if row is None:
            return f"{node.op}: no faithful lowering" if self.exact else \
                f"{node.op}: no lowering"
        if node.attrs.get("kw"):
            return f"{node.op} with keywords"
        if row.kind in _MAY_WARN and node.name != graph.output and not graph.users(node.name):
            # kept by dead-code elimination only for what it may warn: LLVM would drop
            # the unused arithmetic, and with it the floating-point flags that warn
            return f"{node.op}: its value is unused (kept for its warnings: NumPy runs it)"
        method = getattr(self, "_" + row.kind)
        why = method(graph, node, row, sub)
        if why is None:
            self.ops.add(node.op if row.kind != "uloop" else uloop_key(node.op))
            self.rows[node.name] = row
        return why

    def _ins(self, graph, node, sub, names=None):
        for i in names if names is not None else node.inputs:
            why = _operand_ok(graph, i, sub)
            if why:
                return why
        return None

    def _ew(self, graph, node, row, sub):
        why = self._ins(graph, node, sub)
        if why:
            return why
        out = node.meta
        k = kind_of(out)
        if k not in ("array", "scalar"):
            return f"{node.op} gives a {out.type_str()}"
        metas = [graph[i].meta for i in node.inputs]
        if row.ufunc is None:       # np.where
            if len(metas) != 3 or dtype_of(metas[0]) != "bool" or out.dtype is None:
                return "np.where needs a bool condition"
            loop = [out.dtype.name] * 2
        else:
            if len(metas) != row.ufunc.nin:
                return f"{node.op}: {len(metas)} operands"
            kinds = [operand_dtype(m) if m.type is not np.bool_ else np.dtype(bool)
                     for m in metas]
            if any(x is None for x in kinds):
                return f"{node.op}: operand dtype unknown"
            res = loop_dtypes(row.ufunc, kinds)
            if res is None:
                return f"{node.op}: no loop for these dtypes"
            loop = [d.name for d in res[:len(metas)]]
            if dtype_of(out) != res[-1].name and out.type not in (float, bool):
                return f"{node.op}: result dtype differs from the loop's"
        if any(d not in DTYPES or d[0] not in row.kinds for d in loop):
            return f"{node.op} on {loop[0]}"
        if any(d.startswith("int") for d in loop) and k != "array":
            return "integer scalar arithmetic (NumPy warns on overflow)"
        for i, d in zip(node.inputs, loop):
            c = graph[i]
            if c.op == "const" and d.startswith("int") and type(c.attrs["value"]) is int:
                info = np.iinfo(d)
                if not info.min <= c.attrs["value"] <= info.max:
                    return f"{c.attrs['value']} does not fit {d} (NumPy raises)"
        if k == "array":
            for m in metas:
                if m.type is np.ndarray and m.shape and not _same_shape(m.shape, out.shape):
                    return f"{node.op} broadcasts {m.shape_str()} to {out.shape_str()}"
        self._loops[node.name] = loop
        return None

    def _sum(self, graph, node, row, sub):
        x = graph[node.inputs[0]]
        if kind_of(x.meta) != "array" or x.meta.dtype.name not in FLOATS:
            return f"{node.op} of a {x.meta.type_str()}"
        if x.op in ("getattr", "const"):
            return f"{node.op} of a view or constant"
        axis, keep = (graph[i] for i in node.inputs[1:])
        if axis.attrs.get("value", 0) is not None or keep.attrs.get("value") is not False:
            return f"{node.op} along an axis"
        return None

    _mean = _sum

    def _uloop(self, graph, node, row, sub):
        """NumPy's own loop (`ufunc_loops`): one float operand of the result's dtype, an
        array made contiguous (a segment input, or made by the segment) or a scalar."""
        if len(node.inputs) != 1:
            return f"{node.op}: {len(node.inputs)} operands"
        x = graph[node.inputs[0]]
        why = self._ins(graph, node, sub)
        if why:
            return why
        k, dt = kind_of(x.meta), dtype_of(x.meta)
        if k not in ("array", "scalar") or dt not in FLOATS or dtype_of(node.meta) != dt or \
                kind_of(node.meta) != k:
            return f"{node.op} of a {x.meta.type_str()} (NumPy's loop: float32/64 only)"
        if x.op in ("getattr", "const"):
            return f"{node.op} of a view or constant"
        if uloop_address(row.ufunc, dt) is None:
            return f"{node.op}: NumPy's {dt} loop not found in the ufunc"
        return None

    def _matvec(self, graph, node, row, sub):
        if len(node.inputs) != 2:
            return "matmul arity"
        a, b = (graph[i] for i in node.inputs)
        if kind_of(a.meta) != "array" or kind_of(b.meta) != "array" or \
                len(a.meta.shape) != 2 or len(b.meta.shape) != 1:
            return "matmul other than 2-d @ 1-d (2-d @ 2-d BLAS calls differ)"
        dt = a.meta.dtype.name
        if dt not in FLOATS or b.meta.dtype.name != dt or node.meta.dtype is None or \
                node.meta.dtype.name != dt:
            return "matmul of mixed or non-float dtypes"
        if b.op == "getattr" or b.op == "const" or a.op == "const":
            return "matmul of a constant or a view vector"
        if a.op == "getattr" and graph[a.inputs[0]].op == "getattr":
            return "matmul of a view of a view"
        trans = a.op == "getattr"
        shape = graph[a.inputs[0]].meta.shape if trans else a.meta.shape
        if all(isinstance(d, int) for d in shape):
            self.matvecs.add((tuple(shape), dt, trans))
        return None

    def _transpose(self, graph, node, row, sub):
        x = graph[node.inputs[0]]
        if node.attrs.get("name") != "T" or kind_of(x.meta) != "array" or \
                len(x.meta.shape) != 2 or x.op == "getattr":
            return f"getattr {node.attrs.get('name')}"
        for u in graph.nx.successors(node.name):
            user = graph[u]
            if user.op not in ("matmul", "np.matmul", "np.dot", "ndarray.dot") or \
                    user.inputs[0] != node.name or node.name in user.inputs[1:]:
                # elementwise results keep their operands' memory layout in NumPy (an
                # F-ordered product then takes another BLAS path): views stay in NumPy
                return ".T used other than as a matrix-vector product's matrix"
        return self._ins(graph, node, sub)

    def _truth(self, graph, node, row, sub):
        m = graph[node.inputs[0]].meta
        if kind_of(m) != "scalar" or dtype_of(m) != "bool":
            return "bool() of a non-bool"
        return self._ins(graph, node, sub)

    _assert = _truth

    def _tuple(self, graph, node, row, sub):
        if not sub:
            return "tuple at the top level"
        return self._ins(graph, node, sub)

    def _getitem(self, graph, node, row, sub):
        t, k = (graph[i] for i in node.inputs)
        if t.op not in ("loop", "cond", "tuple") or k.op != "const" or \
                type(k.attrs.get("value")) is not int:
            return "getitem other than a constant index into a compiled tuple"
        if kind_of(node.meta) not in ("array", "scalar"):
            return "getitem of an unsupported value"
        return None

    def _body(self, sub) -> str | None:
        for name in sub.inputs:
            if kind_of(sub[name].meta) not in ("array", "scalar"):
                return f"body input {name} is a {sub[name].meta.type_str()}"
        for n in sub.nodes():
            if n.op in ("input", "const"):
                continue
            why = self(sub, n, sub=True)
            if why:
                return why
        return None

    def _loop(self, graph, node, row, sub):
        a = node.attrs
        if a.get("kind") != "while" or a.get("has_iter"):
            return "for loops stay in NumPy"
        why = self._ins(graph, node, sub)
        if why:
            return why
        for s in node.subgraphs:
            why = self._body(s)
            if why:
                return f"loop body: {why}"
        return None

    def _cond(self, graph, node, row, sub):
        c = graph[node.inputs[0]].meta
        if kind_of(c) != "scalar" or dtype_of(c) != "bool":
            return "branch on a non-bool"
        why = self._ins(graph, node, sub)
        if why:
            return why
        for s in node.subgraphs:
            why = self._body(s)
            if why:
                return f"branch body: {why}"
        return None


def nb_type(meta) -> str:
    """The numba type (source text) a segment input of this meta is compiled for."""
    dt = dtype_of(meta)
    if kind_of(meta) == "array":
        return f"numba.{_NB[dt]}[{', '.join([':'] * (len(meta.shape) - 1) + ['::1'])}]"
    return f"numba.{_NB[dt]}"


def placeholder(meta) -> str:
    dt = dtype_of(meta)
    if kind_of(meta) == "array":
        return f"np.empty({(0,) * len(meta.shape)}, {_NP[dt]})"
    return "False" if dt == "bool" else f"{_NP[dt]}(0)"
