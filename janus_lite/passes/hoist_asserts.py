"""Assertion hoisting: each ``assert`` node moves to right after the last of its inputs, so a
failed speculation is found before work is wasted. It never moves across a node that
updates a value in place or has another side effect, nor ahead of an earlier assertion
(failures are reported in the order the user's code would meet them)."""
from __future__ import annotations

from .analysis import is_barrier


def run(graph) -> int:
    """Hoist every assertion; returns how many moved."""
    moved = 0
    order = list(graph.order)
    for name in list(order):
        node = graph[name]
        if node.op != "assert":
            continue
        pos = order.index(name)
        target = pos
        while target > 0:
            prev = graph[order[target - 1]]
            if prev.name in node.inputs or is_barrier(prev) or prev.op == "input":
                break
            target -= 1
        if target < pos:
            order.pop(pos)
            order.insert(target, name)
            moved += 1
    graph.order = order
    return moved
