"""Raising scalar ops first: a pure op with a scalar result that may raise but shows no
warning (``1 - 0.9 ** self.t``, ``n // batch``) moves to right after the last of its inputs,
ahead of the array arithmetic that may warn.

Why: a run that raises once the guards held is abandoned, and the plain function answers
(and warns) instead; so the warnings of a run that may still be abandoned after it may have
warned are held and shown only if its answer is kept (`runtime.held_warnings`), a hook
installed on every call (~0.3 µs). When everything that may raise runs before everything
that may warn, nothing needs holding. Moving a pure op earlier changes no result: the run
computes the same values, and a run it makes raise earlier is abandoned as it would have
been later (the plain function gives the genuine outcome).

It never moves an op across a barrier (side effects, in-place updates, impure reads,
control flow: `analysis.is_barrier`) or an assertion (failures are reported in the order
the user's code meets them), and only scalar results move (an array computed earlier
would hold its memory longer), with the constants and the index tuple of parameters
(``(s, a)``) they read.
"""
from __future__ import annotations

import numpy as np

from ..runtime.held_warnings import may_raise, may_warn
from .analysis import is_barrier

_SCALARS = (bool, int, float, complex)


def _scalar(meta) -> bool:
    t = meta.type
    return t in _SCALARS or (isinstance(t, type) and issubclass(t, np.generic))


def run(graph) -> int:
    """Hoist every raising scalar op; returns how many moved."""
    nodes = {n.name: n for n in graph.all_nodes()}
    order = list(graph.order)
    moved = 0
    for name in list(order):
        node = graph[name]
        if node.op in ("assert", "input", "const") or node.subgraphs or is_barrier(node) or \
                not _scalar(node.meta) or not may_raise(node, nodes) or may_warn(node, nodes):
            continue
        pos = order.index(name)
        target, carried = pos, []
        while target > 0:
            prev = graph[order[target - 1]]
            if prev.name in node.inputs and (prev.op == "const" or _index_of_inputs(graph, prev)):
                carried.append(prev.name)          # its constants (and index tuple) move along
            elif prev.name in node.inputs or prev.op in ("assert", "input") or \
                    is_barrier(prev):
                break
            target -= 1
        while carried and order[target] == carried[-1]:   # already in place
            carried.pop()
            target += 1
        if target < pos:
            for c in (name, *carried):
                order.remove(c)
            order[target:target] = [*reversed(carried), name]
            moved += 1
    graph.order = order
    return moved


def _index_of_inputs(graph, node) -> bool:
    """A tuple of the function's parameters only (``(s, a)`` indexing ``Q[s, a]``): pure and
    computable anywhere after the inputs, so it moves with the read it indexes."""
    return node.op == "tuple" and bool(node.inputs) and \
        all(i in graph and graph[i].op == "input" for i in node.inputs)
