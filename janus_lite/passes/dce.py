"""Dead-code elimination: drops nodes whose values no one uses; never drops assertions,
in-place updates or other side-effecting nodes, nor inputs."""
from __future__ import annotations

from ..ir import has_effect


def run(graph) -> int:
    """Remove dead nodes; returns how many were removed."""
    removed = 0
    for name in reversed(list(graph.order)):
        node = graph[name]
        if name == graph.output or has_effect(node) or name in graph.keep:
            continue
        if not any(True for _ in graph.nx.successors(name)):
            graph.remove(name)
            removed += 1
    return removed
