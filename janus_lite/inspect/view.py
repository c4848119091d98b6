"""What a user sees of a graph by default: their own operations, not the bookkeeping.

`summary`, `to_dot` and `draw` show the user-level view unless asked for everything
(``verbose=True`` / ``show_internal=True``):

* memory-plan nodes (``buffers.acquire``/``release``) and internal constants (buffer pools,
  kernel programs) are left out, and ``matmul@out`` reads ``matmul``;
* small constants (numbers, None, booleans, short tuples) are not nodes of their own: they
  are shown as the arguments of the operation that uses them, named where the op says
  which parameter they fill (``reduce.sum(axis=1, keepdims=True)``, ``np.maximum(·, 0)``);
* node counts come from one function (`count`), so a drawing's title and the summary's
  totals agree.
"""
from __future__ import annotations

import numpy as np

from ..ir.printer import short_repr

PARAMS = {"reduce.sum": ("axis", "keepdims"), "reduce.mean": ("axis", "keepdims"),
          "reduce.max": ("axis", "keepdims"), "reduce.min": ("axis", "keepdims")}
"""Names of the inputs after the first, for ops whose constants are positional."""

DEFAULTS = {"axis": None, "keepdims": False}
"""Parameter values not worth showing (NumPy's defaults)."""


def wants_all(options: dict) -> bool:
    """``verbose=True`` or ``show_internal=True`` (either spelling, for every view)."""
    return bool(options.pop("verbose", False)) | bool(options.pop("show_internal", False))


def internal_const(node, graph) -> bool:
    """Internal constants: kernel programs and buffer pools (only their machinery uses them)."""
    if node.op != "const":
        return False
    users = [graph[u] for u in graph.nx.successors(node.name)]
    return bool(users) and all(u.op == "fused" and u.inputs[0] == node.name or
                               u.op.startswith("buffers.") for u in users)


def is_plan(node) -> bool:
    return node.op.startswith("buffers.")


def _small(value) -> bool:
    if isinstance(value, (np.ndarray, np.generic)):
        return np.ndim(value) == 0
    if isinstance(value, tuple):
        return len(value) <= 4 and all(_small(v) for v in value)
    if isinstance(value, str):
        return len(value) <= 16
    return isinstance(value, (bool, int, float, complex, type(None), slice, type(Ellipsis)))


def inline_const(node, graph) -> bool:
    """A small constant shown as an argument of its users instead of as a node (or not at
    all, when nothing uses it)."""
    if node.op != "const" or node.name == graph.output:
        return False
    return _small(node.attrs.get("value")) and not internal_const(node, graph)


def hidden(node, graph, show_all: bool = False) -> bool:
    """Is ``node`` left out of the view? (The full view leaves out nothing.)"""
    if show_all:
        return False
    return internal_const(node, graph) or is_plan(node) or inline_const(node, graph)


def value_text(value, limit: int = 12) -> str:
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        value = value.item()
    if isinstance(value, float):
        text = f"{value:.6g}"
        return text if any(c in text for c in ".en") else text + ".0"
    return short_repr(value, limit)


def const_args(node, graph) -> list[tuple[int, str]]:
    """(input position, ``name=value`` or ``value``) for each inlined constant input."""
    kw = tuple(node.attrs.get("kw", ()))
    n_pos = len(node.inputs) - len(kw)
    names = PARAMS.get(node.op, ())
    out = []
    for i, inp in enumerate(node.inputs):
        src = graph[inp]
        if not inline_const(src, graph):
            continue
        value = src.attrs.get("value")
        text = value_text(value)
        name = kw[i - n_pos] if i >= n_pos else names[i - 1] if 1 <= i <= len(names) else None
        if name is not None:
            if name in DEFAULTS and value is DEFAULTS[name]:
                out.append((i, ""))        # a default: inlined, not shown
                continue
            text = f"{name}={text}"
        out.append((i, text))
    return out


def display_op(op: str) -> str:
    """The op as the user wrote it (``matmul@out`` → ``matmul``)."""
    return op[:-4] if op.endswith("@out") else op


def call_text(node, graph, head: str) -> str:
    """``head`` with the inlined constant arguments: ``reduce.sum(axis=1, keepdims=True)``,
    ``np.maximum(·, 0)`` (``·``: an input drawn as an edge)."""
    return head + args_text(const_args(node, graph), len(node.inputs))


def args_text(args, n_inputs: int) -> str:
    """``(axis=1, keepdims=True)`` or ``(·, 0)``; "" when nothing is worth showing."""
    if not any(t for _, t in args):
        return ""
    if all("=" in t for _, t in args if t):
        return f"({', '.join(t for _, t in args if t)})"
    consts = dict(args)
    parts = [consts.get(i, "·") for i in range(n_inputs) if consts.get(i, "·")]
    return f"({', '.join(parts)})"


def folded_value(node, graph):
    """(True, value) for a parameter folded in as a constant (no users, value guarded)."""
    if node.op != "input" or any(True for _ in graph.nx.successors(node.name)):
        return False, None
    name = node.attrs.get("name", node.name)
    root = graph.root() if hasattr(graph, "root") else graph
    found = [g.expected for g in root.guards if g.kind == "value"
             and g.source.kind == "param" and g.source.name == name]
    return (True, found[0]) if found else (False, None)


def count(graph, show_all: bool = False) -> dict:
    """Node counts of the view (subgraphs included): nodes, inputs, consts, asserts,
    structured, and ``hidden`` (left out of this view)."""
    c = {"nodes": 0, "inputs": 0, "consts": 0, "asserts": 0, "structured": 0, "hidden": 0}

    def walk(g):
        for node in g.nodes():
            if hidden(node, g, show_all):
                c["hidden"] += 1
            else:
                c["nodes"] += 1
                c["inputs"] += node.op == "input"
                c["consts"] += node.op == "const"
                c["asserts"] += node.op == "assert"
                c["structured"] += bool(node.subgraphs)
            for sub in node.subgraphs:
                walk(sub)
    walk(graph)
    return c


def title(graph, show_all: bool = False) -> str:
    """``name: N nodes`` as both the drawing and the summary count them."""
    c = count(graph, show_all)
    return f"{graph.name}: {c['nodes']} nodes"
