"""Facts the passes share (not a pass): which ops are NumPy ufuncs on arrays, which uses
only read a value, alias roots, barriers, and exact dtype resolution with NEP 50 scalars.

Everything here errs on the side of "no": a wrong "yes" would let a pass change what the
user sees, a wrong "no" only leaves an optimization on the table.
"""
from __future__ import annotations

import heapq

import numpy as np

from ..ir import get_op
from ..ir.node import split_inputs

PY_SCALARS = (bool, int, float)

# Python operators that are exactly these ufuncs when one operand is an ndarray
# (ndarray.__add__ etc. call the ufunc; `pow` is special, see `ufunc_of`).
OPERATOR_UFUNCS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power,
    "lshift": np.left_shift, "rshift": np.right_shift, "bitand": np.bitwise_and,
    "bitor": np.bitwise_or, "bitxor": np.bitwise_xor, "lt": np.less, "le": np.less_equal,
    "eq": np.equal, "ne": np.not_equal, "gt": np.greater, "ge": np.greater_equal,
    "neg": np.negative, "pos": np.positive, "invert": np.invert,
}

# Ops whose result is a new value that never aliases an input and that keep no reference
# to their inputs: a value used only by these is never seen again after its last use.
_READERS = {
    "matmul", "np.matmul", "np.dot", "ndarray.dot", "np.outer", "np.inner", "np.where",
    "np.clip", "ndarray.clip", "np.copy", "ndarray.copy", "np.concatenate", "np.stack",
    "np.vstack", "np.hstack", "truth", "builtin.float", "builtin.len", "builtin.bool",
    "np.linalg.norm", "np.allclose", "np.array_equal", "np.isclose", "np.round",
    "ndarray.round", "ndarray.astype", "np.cumsum", "ndarray.cumsum",
    "fused", "reduce.sum", "reduce.mean", "reduce.max", "reduce.min", "scalar.sqrt",
}
for _n in ("sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "any", "all"):
    _READERS.add(f"np.{_n}")
    _READERS.add(f"ndarray.{_n}")
_METADATA_ATTRS = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes"}


def opdef(node):
    return get_op(node.op)


def is_fresh(node) -> bool:
    """The op's result is a new object (never one of its inputs nor a view of one)."""
    op = opdef(node)
    fresh = op.fresh(node.attrs) if callable(op.fresh) else op.fresh
    return bool(fresh) and not op.mutates and "out" not in node.attrs.get("kw", ())


def is_barrier(node) -> bool:
    """Nodes no computation may be moved across: side effects, in-place updates, impure
    reads (globals, attributes), structured control flow."""
    op = opdef(node)
    return op.side_effect or bool(op.mutates) or not op.pure or bool(node.subgraphs) or \
        "out" in node.attrs.get("kw", ())


_VIEWS = {"np.transpose", "ndarray.transpose"}


def reads_only(user, graph=None) -> bool:
    """``user`` reads its inputs' contents and keeps no reference to them (with ``graph``:
    a transposed view whose own users only read it counts too)."""
    if user.op == "getattr":
        if user.attrs.get("name") == "T" and graph is not None:
            return only_read(graph, user.name)
        return user.attrs.get("name") in _METADATA_ATTRS
    if user.op in _VIEWS and len(user.inputs) == 1 and graph is not None:
        return only_read(graph, user.name)
    op = opdef(user)
    if op.mutates or "out" in user.attrs.get("kw", ()):
        return False
    if op.elementwise and is_fresh(user):
        return True
    if user.op in _READERS or user.op.endswith("@out"):
        return user.op != "ndarray.astype" or is_fresh(user)
    return False


def only_read(graph, name: str) -> bool:
    """The value of ``name`` is not returned and every user only reads it: nobody can see
    the object itself (identity, aliases, mutation) after its last use."""
    if name == graph.output:
        return False
    return all(reads_only(graph[u], graph) for u in graph.nx.successors(name))


def replaceable(graph, name: str) -> bool:
    """``name`` may be renamed (its uses redirected, the node removed): no structured node
    captures it into a subgraph (captures refer to outer nodes by name)."""
    return not any(graph[u].subgraphs for u in graph.nx.successors(name))


def alias_roots(graph) -> dict:
    """node → the nodes whose objects its value may be (or be a view of)."""
    roots: dict[str, frozenset] = {}
    for node in graph.nodes():
        if node.op == "input" or node.op == "const" or is_fresh(node):
            roots[node.name] = frozenset({node.name})
        else:
            roots[node.name] = frozenset({node.name}).union(
                *(roots.get(i, frozenset({i})) for i in node.inputs))
    return roots


def mutated_roots(graph, roots=None) -> set:
    """Every node whose object some node of the graph updates in place."""
    roots = roots or alias_roots(graph)
    out = set(graph.mutated)
    for node in graph.nodes():
        out |= mutated_roots_of(node, roots)
    return out


def mutated_roots_of(node, roots) -> set:
    """The nodes whose objects ``node`` may update in place (``roots``: `alias_roots`)."""
    op = opdef(node)
    targets = [node.inputs[i] for i in op.mutates if i < len(node.inputs)]
    if "out" in node.attrs.get("kw", ()):
        targets.append(split_inputs(node, node.inputs)[1]["out"])
    if node.subgraphs:           # conservatively: a structured node may update its inputs
        targets += list(node.inputs)
    out: set = set()
    for t in targets:
        out |= roots.get(t, {t})
    return out


def operand_dtype(meta):
    """How a ufunc sees an operand: a dtype, or a Python scalar type (weak, NEP 50);
    None when unknown."""
    if meta.type in PY_SCALARS:
        return meta.type
    if meta.dtype is not None and (meta.type is np.ndarray or
                                   (meta.type is not None and issubclass(meta.type, np.generic))):
        return meta.dtype
    return None


_RESOLVED: dict = {}


def loop_dtypes(ufunc, operands):
    """The loop ``ufunc`` picks for these operand kinds (dtypes or Python scalar types),
    or None when it cannot be told."""
    key = (ufunc, tuple(operands))
    if key not in _RESOLVED:
        try:
            _RESOLVED[key] = ufunc.resolve_dtypes(tuple(operands) + (None,) * ufunc.nout)
        except Exception:
            _RESOLVED[key] = None
    return _RESOLVED[key]


def ufunc_of(graph, node):
    """The ufunc a node runs when called with ``out=``, or None.

    Operators and ``np.<ufunc>`` calls qualify when at least one operand is an ndarray and
    no keyword is passed. ``x ** 2``, ``x ** -1`` and ``x ** 0.5`` on a float array are
    NumPy's fast paths (square, reciprocal, sqrt), so those map to those ufuncs."""
    if node.attrs.get("kw"):
        return None
    metas = [graph[i].meta for i in node.inputs]
    if not any(m.type is np.ndarray for m in metas):
        return None
    if node.op in OPERATOR_UFUNCS:
        uf = OPERATOR_UFUNCS[node.op]
        if node.op == "pow":
            return _pow_ufunc(graph, node, metas)
    else:
        op = opdef(node)
        uf = op.impl if op.elementwise and isinstance(op.impl, np.ufunc) else None
    if uf is None or uf.nout != 1 or uf.nin != len(node.inputs):
        return None
    return uf


def _pow_ufunc(graph, node, metas):
    base, exp = metas
    if base.type is not np.ndarray or base.dtype is None:
        return None
    if exp.type is np.ndarray and exp.shape:
        return np.power                  # array exponent: no fast path
    if exp.type not in (int, float) or not exp.is_const:
        return None                      # the fast path depends on the run-time exponent
    if base.dtype.kind not in "fc":
        return np.power                  # fast paths are for float/complex arrays only
    # ndarray.__pow__'s fast paths (NumPy 2) for a Python int/float exponent
    v = exp.value
    if type(v) is int and v == 2:
        return np.square
    if type(v) is int and v == -1:
        return np.reciprocal
    if type(v) is float and v == 0.5:
        return np.sqrt
    if v == 1 or v == 0:
        return None                      # copies via positive / ones: leave them alone
    return np.power


def unary_operand(node, uf):
    """For fast-path pow nodes the exponent is not an operand of the ufunc."""
    return uf.nin == 1 and len(node.inputs) == 2


def same_dtype_loop(graph, node, uf, dtype) -> bool:
    """``uf`` on this node's operands runs the ``dtype,…->dtype`` loop: no casts of array
    operands, Python scalars converted to ``dtype`` (NEP 50)."""
    inputs = node.inputs[:1] if unary_operand(node, uf) else node.inputs
    kinds = [operand_dtype(graph[i].meta) for i in inputs]
    # casting='no' accepts only operands already of the loop's dtype, and Python int/float
    # scalars (NEP 50 converts them); a Python bool counts as a bool array
    if any(k is None or k is bool or (isinstance(k, np.dtype) and k != dtype) for k in kinds):
        return False
    resolved = loop_dtypes(uf, kinds)
    return resolved is not None and all(d == dtype for d in resolved)


def reschedule(graph, priority: dict) -> None:
    """Replace ``graph.order`` by the topological order that follows ``priority`` (node →
    number; lower first) wherever dependencies allow: a stable re-sort."""
    indeg = {n: 0 for n in graph.order}
    for n in graph.order:
        for i in set(graph[n].inputs):
            if i in indeg:
                indeg[n] += 1
    ready = [(priority[n], k, n) for k, n in enumerate(graph.order) if indeg[n] == 0]
    heapq.heapify(ready)
    tie = {n: k for k, n in enumerate(graph.order)}
    out = []
    while ready:
        _, _, n = heapq.heappop(ready)
        out.append(n)
        for u in graph.nx.successors(n):
            if u in indeg:
                indeg[u] -= 1
                if indeg[u] == 0:
                    heapq.heappush(ready, (priority[u], tie[u], u))
    if len(out) != len(graph.order):
        raise AssertionError("reschedule: the graph has a cycle")
    graph.order = out
