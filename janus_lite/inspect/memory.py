"""Byte counts with symbolic dims, and the peak intermediate memory of a schedule.

`Bytes` is a small polynomial over symbolic dims (``256·N + 64`` bytes), so that a graph
relaxed to a symbolic batch size still gets a size per node and a peak. `peak_bytes` walks a
graph's schedule the way the imperative run allocates: each fresh intermediate array is
allocated where its node runs and freed after its last use (a view keeps its base alive;
the returned value lives to the end); a structured node adds the peak of its subgraphs
while it runs. Inputs and constants are not intermediates and are not counted.
"""
from __future__ import annotations

import numpy as np

from ..ir import get_op

TYPICAL_DIM = 1024
"""Value substituted for symbolic dims when comparing sizes (to find the peak)."""


class Bytes:
    """``{monomial: coefficient}`` where a monomial is a sorted tuple of symbol names."""
    __slots__ = ("terms",)

    def __init__(self, terms=None):
        self.terms = {k: v for k, v in (terms or {}).items() if v}

    @classmethod
    def of_meta(cls, meta) -> "Bytes | None":
        if meta.dtype is None or meta.shape is None:
            return None
        coef, syms = meta.dtype.itemsize, []
        for d in meta.shape:
            if isinstance(d, int):
                coef *= d
            elif isinstance(d, str):
                syms.append(d)
            else:
                return None
        return cls({tuple(sorted(syms)): coef})

    def __add__(self, other: "Bytes") -> "Bytes":
        out = dict(self.terms)
        for k, v in other.terms.items():
            out[k] = out.get(k, 0) + v
        return Bytes(out)

    def __sub__(self, other: "Bytes") -> "Bytes":
        return self + Bytes({k: -v for k, v in other.terms.items()})

    def value(self, dim: int = TYPICAL_DIM) -> int:
        return sum(v * dim ** len(k) for k, v in self.terms.items())

    @property
    def exact(self) -> int | None:
        """The byte count when no symbolic dim is involved, else None."""
        if all(not k for k in self.terms):
            return self.terms.get((), 0)
        return None

    def __str__(self) -> str:
        if not self.terms:
            return "0 B"
        parts = []
        for k in sorted(self.terms, key=lambda k: (len(k), k)):
            text = fmt_bytes(self.terms[k])
            parts.append(text if not k else f"{text}·{'·'.join(k)}")
        return " + ".join(parts)


def fmt_bytes(n) -> str:
    if n is None:
        return "?"
    if isinstance(n, Bytes):
        return str(n)
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


_CONTAINERS = ("tuple", "list")


def allocates(node) -> bool:
    """Whether running ``node`` makes a new array (not a view, not an input)."""
    if node.op in ("input", "const", "source", "assert"):
        return False
    try:
        return get_op(node.op).fresh
    except KeyError:
        return True


def node_bytes(node) -> "Bytes | None":
    """Bytes of the array a node produces (None when it is not an array of known rank)."""
    if node.meta.type is not np.ndarray:
        return None
    return Bytes.of_meta(node.meta)


def peak_bytes(graph) -> tuple[Bytes, int]:
    """(peak intermediate bytes of the schedule, number of arrays of unknown size)."""
    order = list(graph.order)
    pos = {name: i for i, name in enumerate(order)}
    owners: dict[str, frozenset] = {}
    size: dict[str, Bytes] = {}
    unknown = 0
    for name in order:
        node = graph[name]
        if allocates(node) and node.op not in _CONTAINERS:
            b = node_bytes(node)
            if b is None and node.meta.type is np.ndarray:
                unknown += 1
            if b is not None:
                size[name] = b
            owners[name] = frozenset({name})
        else:   # a view, or a container holding references: keeps its inputs alive
            owners[name] = frozenset().union(*(owners.get(i, frozenset()) for i in node.inputs))
    last: dict[str, int] = {}
    for name in order:
        for owner in owners[name]:
            users = [pos[u] for u in graph.nx.successors(name) if u in pos]
            end = max(users, default=pos[name])
            if name == graph.output:
                end = len(order)
            last[owner] = max(last.get(owner, 0), end)
    frees: dict[int, list] = {}
    for owner, end in last.items():
        frees.setdefault(end, []).append(owner)
    live, peak = Bytes(), Bytes()
    for i, name in enumerate(order):
        if name in size:
            live = live + size[name]
        during = live
        for sub in graph[name].subgraphs:
            sub_peak, sub_unknown = peak_bytes(sub)
            unknown += sub_unknown
            if (live + sub_peak).value() > during.value():
                during = live + sub_peak
        if during.value() > peak.value():
            peak = during
        for owner in frees.get(i, ()):
            if owner in size:
                live = live - size[owner]
    return peak, unknown


def total_bytes(nodes) -> Bytes:
    total = Bytes()
    for node in nodes:
        if allocates(node):
            b = node_bytes(node)
            if b is not None:
                total = total + b
    return total


__all__ = ["Bytes", "fmt_bytes", "peak_bytes", "node_bytes", "total_bytes", "allocates"]
