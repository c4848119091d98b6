"""Dead-code elimination: drops nodes whose values no one uses; never drops assertions,
in-place updates or other side-effecting nodes, nor inputs."""
from __future__ import annotations

from ..ir import get_op


def _keep(node) -> bool:
    op = get_op(node.op)
    return node.op == "input" or op.side_effect or bool(op.mutates) or \
        node.attrs.get("kw", ()) and "out" in node.attrs.get("kw", ())


def run(graph) -> int:
    """Remove dead nodes; returns how many were removed."""
    removed = 0
    for name in reversed(list(graph.order)):
        node = graph[name]
        if name == graph.output or _keep(node) or name in graph.keep:
            continue
        if not any(True for _ in graph.nx.successors(name)):
            graph.remove(name)
            removed += 1
    return removed
