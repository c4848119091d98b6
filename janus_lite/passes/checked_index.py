"""Indexing already checked: ``x[s, a]`` after an earlier ``y[s, a]`` (read or write) on an
array of the same static shape, with the same integer index values, is in bounds: it cannot
raise. Such nodes are marked ``attrs["checked"]``, which `runtime.held_warnings.may_raise`
reads.

Why: a run that may still raise after it wrote a caller's array in place, after a draw, or
after it may have warned pays for it on every call (a private copy and a commit, a saved
RNG state, held warnings: `backend.aborts`). A Q-learning update reads ``Q[s, a]``, writes
it and reads it again; only the first of the three can raise.

The proof: top-level nodes run in order, so the earlier access ran, and succeeded, before
the later one; integers are immutable and an array's shape is fixed by the guards (its
static shape in the node's meta), so the same index on the same shape is in bounds again.
Only integer index parts qualify (a slice cannot raise, an index array's values may have
changed meanwhile). A write also needs a value that converts without raising
(`held_warnings.assigns_safely`, or an array of the same dtype and exactly the shape the
index selects: a row written back).
"""
from __future__ import annotations

import numpy as np

from ..runtime.held_warnings import assigns_safely

_ACCESS = ("getitem", "setitem")


def run(graph) -> int:
    """Mark every access whose index an earlier access checked; returns how many."""
    nodes = list(graph.nodes())
    for node in nodes:
        node.attrs.pop("checked", None)
    if any(n.op == "ndarray.resize" for n in graph.all_nodes()):
        return 0                          # the one op that changes an array's shape in place
    seen: set = set()                     # (shape, index key) of accesses that ran
    marked = 0
    for node in nodes:
        if node.op not in _ACCESS or len(node.inputs) < 2:
            continue
        base = graph[node.inputs[0]] if node.inputs[0] in graph else None
        shape = _static_shape(base)
        key = _index_key(graph, node.inputs[1])
        if shape is None or key is None:
            continue
        if (shape, key) in seen and (node.op == "getitem" or _converts(graph, node, base)):
            node.attrs["checked"] = True
            marked += 1
        seen.add((shape, key))
    return marked


def _static_shape(node):
    if node is None or node.meta.type is not np.ndarray or not node.meta.static_shape:
        return None
    return tuple(node.meta.shape)


def _int_part(graph, name):
    """A key for an integer index part (its node, or its value where constant), or None."""
    node = graph[name] if name in graph else None
    if node is None:
        return None
    t = node.meta.type
    if t is bool or not (t is int or (isinstance(t, type) and issubclass(t, np.integer))):
        return None
    if node.op == "const":
        v = node.attrs.get("value")
        return ("const", int(v)) if type(v) is int else None
    return ("node", name)


def _index_key(graph, name):
    node = graph[name] if name in graph else None
    if node is None:
        return None
    if node.op == "tuple":
        parts = tuple(_int_part(graph, i) for i in node.inputs)
        return parts if parts and None not in parts else None
    if node.op == "const" and type(node.attrs.get("value")) is tuple:
        vals = node.attrs["value"]
        if vals and all(type(v) is int for v in vals):
            return tuple(("const", v) for v in vals)
        return None
    part = _int_part(graph, name)
    return None if part is None else (part,)


def _converts(graph, node, base) -> bool:
    """Does the value written by ``node`` (a setitem) convert to ``base``'s dtype without
    raising? A scalar as `held_warnings.assigns_safely` says; an array of ``base``'s dtype
    whose static shape is the shape the integer index selects (``P[u] += g`` on a row:
    nothing to cast, nothing to broadcast)."""
    if len(node.inputs) != 3 or node.inputs[2] not in graph:
        return False
    value = graph[node.inputs[2]]
    if value.meta.type is np.ndarray and value.meta.static_shape and \
            value.meta.dtype is not None and value.meta.dtype == base.meta.dtype:
        parts = _index_key(graph, node.inputs[1])
        return tuple(value.meta.shape) == tuple(base.meta.shape)[len(parts):]
    return assigns_safely(base.meta, value)
