"""Scalar reads of a private copy not yet written read the caller's array instead:
``Q[s, a] += d`` reads ``copy(Q)[s, a]`` right after the copy is made; until the copy's
first update that element is ``Q[s, a]``.

Why: the read then depends on the graph's inputs only, so `hoist_raising` can move it (it
may raise IndexError) ahead of the arithmetic that may warn, and `checked_index` marks the
later accesses with the same index checked. A run whose raising ops all come before its
warnings holds no warnings, and one with nothing that may raise after its first update
writes the caller's array directly (`backend.aborts`): no copy, no commit.

Only reads whose result is a scalar qualify (an integer for every axis of a static shape):
a view would be a view of the wrong array. The value is the same element either way: the
copy is made from the caller's array, and nothing has updated it (or a view of it) yet. In
the run that writes directly the copy *is* the caller's array, and the read still comes
before its first update.
"""
from __future__ import annotations

import numpy as np

from .analysis import alias_roots, mutated_roots_of
from .checked_index import _index_key


def run(graph) -> int:
    """Redirect every qualifying read; returns how many."""
    order = list(graph.order)
    roots = None                  # computed once a copy is seen (most graphs have none)
    unwritten: dict = {}          # copy node -> the caller's array it was made from
    moved = 0
    for name in order:
        node = graph[name]
        if node.op == "np.copy" and len(node.inputs) == 1 and not node.attrs.get("kw") and \
                node.inputs[0] in graph and graph[node.inputs[0]].op in ("input", "source"):
            unwritten[name] = node.inputs[0]
            continue
        if node.op == "getitem" and len(node.inputs) == 2 and node.inputs[0] in unwritten \
                and _whole_element(graph, node):
            graph.set_inputs(name, (unwritten[node.inputs[0]], node.inputs[1]))
            moved += 1
            continue
        if unwritten:
            roots = roots or alias_roots(graph)
            hit = mutated_roots_of(node, roots)
            for c in [c for c in unwritten if c in hit]:
                del unwritten[c]
    return moved


def _whole_element(graph, node) -> bool:
    """Does ``node`` (a getitem) index every axis of its base's static shape with an int
    (`checked_index`'s integer index key)?"""
    meta = graph[node.inputs[0]].meta
    if meta.type is not np.ndarray or not meta.static_shape:
        return False
    key = _index_key(graph, node.inputs[1])
    return key is not None and len(key) == len(meta.shape)
