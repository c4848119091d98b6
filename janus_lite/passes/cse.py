"""Common-subexpression elimination: a pure node computing exactly what an earlier one did
(same op, same inputs, same static attributes) reuses the earlier value. It never merges
impure or side-effecting nodes, nodes that read or are values updated in place (their alias
roots appear in the mutated set), nor two mutable values when the later one could be seen
by the user (returned, aliased, compared by identity), nor two nodes that may warn (`may_warn`:
``x - x`` on an infinity warns "invalid value" once per place that computes it, and the
plain function computes it twice)."""
from __future__ import annotations

import numpy as np

from ..ir import get_op
from ..ir.node import is_immutable_const
from ..runtime.held_warnings import may_warn
from .analysis import alias_roots, mutated_roots, only_read, replaceable

_IMMUTABLE_TYPES = (bool, int, float, complex, str, bytes, type(None))


def _attr_key(value):
    if isinstance(value, (list, dict, set, np.ndarray)):
        return ("id", id(value))
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return (type(value), repr(value), value if not isinstance(value, float) else None)


def _key(graph, node):
    if node.op == "const":
        v = node.attrs["value"]
        if not is_immutable_const(v):
            return None
        return ("const", type(v), repr(v))
    attrs = tuple(sorted((k, _attr_key(v)) for k, v in node.attrs.items()))
    return (node.op, node.inputs, attrs)


def _immutable_result(node) -> bool:
    t = node.meta.type
    return t is not None and (t in _IMMUTABLE_TYPES or issubclass(t, np.generic))


def run(graph) -> int:
    """Merge duplicates; returns how many nodes were replaced."""
    roots = alias_roots(graph)
    mutated = mutated_roots(graph, roots)
    nodes = {n.name: n for n in graph.all_nodes()}
    seen: dict = {}
    merged = 0
    for node in list(graph.nodes()):
        op = get_op(node.op)
        if node.op == "input" or not op.pure or op.side_effect or op.mutates or \
                node.subgraphs or "out" in node.attrs.get("kw", ()):
            continue
        if roots[node.name] & mutated or any(roots.get(i, {i}) & mutated
                                             for i in node.inputs):
            continue
        if may_warn(node, nodes):
            continue
        key = _key(graph, node)
        if key is None:
            continue
        try:
            hash(key)
        except TypeError:
            continue
        first = seen.get(key)
        if first is None:
            seen[key] = node.name
            continue
        if not replaceable(graph, node.name):
            continue
        if node.op != "const" and not _immutable_result(node) and \
                not only_read(graph, node.name):
            continue
        graph.replace_uses(node.name, first)
        merged += 1
    return merged
