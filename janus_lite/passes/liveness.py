"""Liveness of array values over a schedule, and the peak bytes of intermediates (not a
pass: `plan_memory` and the pipeline use it to report planned vs imperative memory).

A value is allocated where its node runs and freed after the last use of anything that
aliases it (views keep their base alive; the returned value lives to the end), which is how
NumPy's reference counting frees temporaries at best. Inputs and constants are not counted.
Symbolic dims count as `TYPICAL_DIM`.
"""
from __future__ import annotations

import numpy as np

from .analysis import alias_roots, is_fresh

TYPICAL_DIM = 1024


def nbytes(meta) -> int | None:
    if meta.type is not np.ndarray or meta.dtype is None or meta.shape is None:
        return None
    n = meta.dtype.itemsize
    for d in meta.shape:
        if d is None:
            return None
        n *= d if isinstance(d, int) else TYPICAL_DIM
    return int(n)


def symbolic(meta) -> bool:
    return meta.shape is not None and any(isinstance(d, str) for d in meta.shape)


def intervals(graph) -> dict:
    """node → (def position, last position its object is used) for every node."""
    order = graph.order
    pos = {n: k for k, n in enumerate(order)}
    roots = alias_roots(graph)
    end = dict(pos)
    succ = graph.nx._succ              # (the DiGraph's adjacency: no view per node)
    for n in order:
        last = None
        for u in succ[n]:
            q = pos.get(u)
            if q is not None and (last is None or q > last):
                last = q
        if last is None:
            last = pos[n]
        if n == graph.output:
            last = len(order)
        for r in roots[n]:
            e = end.get(r)
            if e is not None and last > e:
                end[r] = last
    return {n: (pos[n], end[n]) for n in order}


def peak_bytes(graph, sizes: dict, extra_at: dict | None = None, base: int = 0,
               iv: dict | None = None) -> int:
    """Peak of ``base`` + live ``sizes`` (node → bytes) + ``extra_at`` (node → bytes held
    only while that node runs); ``iv``: the graph's `intervals`, when already at hand."""
    iv = intervals(graph) if iv is None else iv
    alloc: dict[int, int] = {}
    free: dict[int, int] = {}
    for n, b in sizes.items():
        start, stop = iv[n]
        alloc[start] = alloc.get(start, 0) + b
        free[stop] = free.get(stop, 0) + b
    extra = {iv[n][0]: b for n, b in (extra_at or {}).items()}
    live = peak = base
    for p in range(len(graph.order) + 1):
        live += alloc.get(p, 0)
        peak = max(peak, live + extra.get(p, 0))
        live -= free.get(p, 0)
    return int(peak)


def imperative_peak(graph) -> int:
    """Peak intermediate bytes when NumPy runs the graph's ops one by one."""
    sizes = {}
    for node in graph.nodes():
        if node.op in ("input", "const") or not is_fresh(node):
            continue
        b = nbytes(node.meta)
        if b:
            sizes[node.name] = b
    return peak_bytes(graph, sizes)
