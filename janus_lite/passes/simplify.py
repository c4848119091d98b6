"""Algebraic simplification, only where the result is exactly the same — same values bit for
bit, same dtype, same type: ``x*1``, ``x/1``, ``x-0``, ``x+(-0.0)``, ``x+0`` (integers only:
for floats ``-0.0 + 0`` is ``+0.0``), ``-(-x)``, ``x.T.T`` → ``x``; ``x**2`` → ``np.square(x)`` on
real arrays (what NumPy's fast path computes, with the same warning text: ``x*x`` would warn
"overflow encountered in multiply" where the plain code says "... in square"). A node is replaced by its operand only when
nobody can tell the difference: its value is only read (never returned, aliased, compared by
identity or mutated) and the operand is never updated in place."""
from __future__ import annotations

import numpy as np

from . import dce
from ..ir.node import same_dtype
from .analysis import alias_roots, mutated_roots, only_read, replaceable


def _const(graph, name):
    node = graph[name]
    if node.op != "const":
        return None
    v = node.attrs["value"]
    return v if type(v) in (int, float) else None


def _is_array(graph, name, kinds):
    m = graph[name].meta
    return m.type is np.ndarray and m.dtype is not None and m.dtype.kind in kinds


def _same(graph, node, x) -> bool:
    a, b = graph[x].meta, node.meta
    return a.type is b.type is np.ndarray and same_dtype(a.dtype, b.dtype) and \
        a.shape == b.shape \
        and a.shape is not None


def _identity_operand(graph, node):
    """The operand ``node`` equals exactly, or None."""
    ins = node.inputs
    if node.op in ("mul", "add") and len(ins) == 2:
        pairs = [(ins[0], ins[1]), (ins[1], ins[0])]
    elif node.op in ("sub", "truediv") and len(ins) == 2:
        pairs = [(ins[0], ins[1])]
    elif node.op == "neg" and len(ins) == 1:
        inner = graph[ins[0]]
        if inner.op == "neg" and _is_array(graph, inner.inputs[0], "f") and \
                _same(graph, node, inner.inputs[0]):
            return inner.inputs[0]
        return None
    elif node.op in ("getattr", "np.transpose", "ndarray.transpose") and len(ins) == 1:
        if node.op == "getattr" and node.attrs.get("name") != "T":
            return None
        inner = graph[ins[0]]
        if (inner.op == "getattr" and inner.attrs.get("name") == "T") or \
                (inner.op in ("np.transpose", "ndarray.transpose") and len(inner.inputs) == 1):
            x = inner.inputs[0]
            if graph[x].meta.type is np.ndarray and graph[x].meta.shape == node.meta.shape:
                return x
        return None
    else:
        return None
    for x, c in pairs:
        v = _const(graph, c)
        if v is None or not _same(graph, node, x):
            continue
        kind = graph[x].meta.dtype.kind
        sign_neg = np.signbit(v) if type(v) is float else v < 0
        if node.op == "mul" and v == 1 and kind in "iuf":
            return x
        if node.op == "truediv" and v == 1 and kind == "f":
            return x
        if node.op == "sub" and v == 0 and kind in "iuf" and not sign_neg:
            return x
        if node.op == "add" and v == 0 and (kind in "iu" or (kind == "f" and type(v) is float
                                                             and sign_neg)):
            return x
    return None


def _square(graph, node) -> bool:
    if node.op != "pow" or len(node.inputs) != 2:
        return False
    x, c = node.inputs
    v = _const(graph, c)
    return type(v) is int and v == 2 and _is_array(graph, x, "iuf") and _same(graph, node, x)


def run(graph) -> int:
    """Apply the rules until nothing changes; returns how many nodes changed."""
    total = 0
    for _ in range(8):
        changed = _once(graph)
        dce.run(graph)           # replaced nodes must not count as users next round
        total += changed
        if not changed:
            break
    return total


def _once(graph) -> int:
    roots = alias_roots(graph)
    mutated = mutated_roots(graph, roots)
    changed = 0
    for node in list(graph.nodes()):
        if node.name not in graph or (node.name != graph.output and
                                      not any(True for _ in graph.nx.successors(node.name))):
            continue
        if _square(graph, node) and not roots[node.inputs[0]] & mutated:
            x = node.inputs[0]
            graph.set_inputs(node.name, (x,))
            node.op = "np.square"
            changed += 1
            continue
        x = _identity_operand(graph, node)
        if x is None or roots.get(x, {x}) & mutated or not only_read(graph, node.name) or \
                not replaceable(graph, node.name):
            continue
        graph.replace_uses(node.name, x)
        changed += 1
    return changed
