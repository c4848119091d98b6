"""`summary(graph)`: a Keras-style table of a graph's nodes, then its totals.

One row per node in schedule order: name, op (with its static detail: a constant's value,
an attribute's name, a callee), output shape with symbolic dims, dtype (or Python type),
bytes of the array it produces, and the user's source line. The nodes of structured ops
(conditionals, loops, fused kernels holding subgraphs) follow their node, indented. Totals:
node counts, assertion nodes, guards, fused kernels, and the peak intermediate memory of the
imperative run (a liveness walk of the schedule) next to the planned peak when a memory
planning pass recorded one in ``graph.memory``, with why they differ. The text is
deterministic.

By default the table is the user-level view (`view`): no memory-plan bookkeeping, small
constants shown as the arguments of the op that uses them (``reduce.sum(axis=1,
keepdims=True)``), folded parameters marked as such. ``verbose=True`` lists every node.
"""
from __future__ import annotations

import numpy as np

from ..ir.printer import short_repr
from . import view
from .memory import Bytes, allocates, fmt_bytes, node_bytes, peak_bytes
from .report import Report

_HEAD = ("Node", "Op", "Output shape", "Dtype", "Bytes", "Line")
_MAX_OP = 28


def kernel_program(node, graph):
    """The `Program` a ``fused`` node runs (its first input is the constant holding it)."""
    if node.op != "fused" or graph is None or not node.inputs or node.inputs[0] not in graph:
        return None
    value = graph[node.inputs[0]].attrs.get("value")
    return value if hasattr(value, "steps") and hasattr(value, "describe") else None


def op_label(node, graph=None, limit: int = _MAX_OP) -> str:
    """The op with its static detail: ``const 0.5``, ``getattr .T``, ``call math.sqrt``,
    ``fused mul → add → exp``."""
    a = node.attrs
    program = kernel_program(node, graph)
    if program is not None:
        text = f"fused {program.describe()}"
    elif node.op == "const":
        value = a.get("value")
        if isinstance(value, np.ndarray) and value.ndim == 0:
            item = value.item()
            text = f"const {item:.6g} ({value.dtype})" if isinstance(item, float) else \
                f"const {item!r} ({value.dtype})"
        else:
            text = f"const {short_repr(value, 18)}"
    elif node.op == "getattr":
        text = f"getattr .{a.get('name')}"
    elif node.op == "call" and "fn" in a:
        text = f"call {short_repr(a['fn'], 22)}"
    elif node.op == "source" and "src" in a:
        src = a["src"]
        text = f"source {src.describe() if hasattr(src, 'describe') else src}"
    elif node.op == "assert":
        text = f"assert is {a.get('expect')}"
    elif node.op == "loop" and a.get("kind"):
        text = f"loop ({a['kind']})"
    else:
        text = node.op
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def _shape(meta) -> str:
    text = meta.shape_str() or "-"
    items = getattr(meta, "items", None)
    if items is not None and len(text) > _MAX_OP:
        return f"({_plural_items(len(items))})"
    return text


def _n(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _plural_items(n: int) -> str:
    return _n(n, "item")


def _dtype(meta) -> str:
    return "-" if meta.type is None else meta.type_str()


def _bytes(node) -> str:
    b = node_bytes(node)
    if b is None:
        return "-"
    return fmt_bytes(b) if allocates(node) or node.op in ("input", "const", "source") \
        else "(view)"


def user_op_label(node, graph, limit: int = 44) -> str:
    """The op as the user-level view shows it (see `view`)."""
    folded, value = view.folded_value(node, graph)
    if folded:
        text = f"input, folded in = {view.value_text(value)}"
    elif node.op in ("const", "getattr", "source", "assert", "loop", "fused") or \
            (node.op == "call" and "fn" in node.attrs):
        text = op_label(node, graph, limit=None)
    else:
        text = view.call_text(node, graph, view.display_op(node.op))
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def _rows(graph, depth: int, rows: list, show_all: bool = True, marks=frozenset()) -> None:
    """One row per node; ``marks``: names of nodes that run on a Dask cluster (marked *)."""
    pad = "  " * depth
    for node in graph.nodes():
        if view.hidden(node, graph, show_all):
            continue
        label = op_label(node, graph) if show_all else user_op_label(node, graph)
        rows.append((pad + node.name + (" *" if node.name in marks else ""), label, _shape(node.meta), _dtype(node.meta),
                     _bytes(node),
                     str(node.lineno) if node.lineno else ""))
        for k, sub in enumerate(node.subgraphs):
            label = f"{pad}  ╰ {sub.name}" if sub.name else f"{pad}  ╰ subgraph {k}"
            n = view.count(sub, show_all)["nodes"] if not show_all else len(sub)
            rows.append((label, f"({n} nodes)", "", "", "", ""))
            _rows(sub, depth + 2, rows, show_all, marks)


def _count(graph) -> dict:
    c = {"nodes": 0, "inputs": 0, "consts": 0, "asserts": 0, "structured": 0}
    for node in graph.all_nodes():
        c["nodes"] += 1
        c["inputs"] += node.op == "input"
        c["consts"] += node.op == "const"
        c["asserts"] += node.op == "assert"
        c["structured"] += bool(node.subgraphs)
    return c


def memory_line(graph) -> str:
    peak, unknown = peak_bytes(graph)
    planned = graph.memory
    imperative = planned.get("imperative_peak_bytes")
    text = f"Peak intermediate memory: imperative run {fmt_bytes(imperative)}" \
        if imperative is not None else \
        f"Peak intermediate memory: imperative run {peak} (liveness estimate)"
    if planned.get("planned_peak_bytes") is not None:
        p = planned["planned_peak_bytes"]
        text += f", planned {fmt_bytes(p)}"
        if isinstance(p, int) and isinstance(imperative, int) and imperative > 0:
            change = 100 * (p - imperative) / imperative
            text += f" ({abs(change):.0f}% {'more' if change > 0 else 'less'})"
    if imperative is not None and planned.get("symbolic"):
        text += f" with symbolic dims taken as 1024 (in general: imperative {peak})"
    if unknown:
        text += f"; {unknown} arrays of unknown size not counted"
    return text


def memory_why(graph) -> str:
    """Why the planned peak differs from the imperative one, when it is larger."""
    planned = graph.memory
    p, imp = planned.get("planned_peak_bytes"), planned.get("imperative_peak_bytes")
    pool = planned.get("pool_bytes")
    if not (isinstance(p, int) and isinstance(imp, int) and p >= 1.01 * imp and pool):
        return ""
    return (f"  Why more: the plan keeps its out= buffers ({fmt_bytes(pool)}) allocated from "
            f"call to call, so no call allocates or page-faults them again; the imperative "
            f"run frees each intermediate after its last use.")


def fusion_note(graph) -> str:
    """Why no fused kernel was made, when elementwise ops are all under the threshold."""
    from .. import config
    from ..ir.registry import get_op
    if graph.fused:
        return ""
    largest, n = 0, 0
    for node in graph.all_nodes():
        try:
            elementwise = get_op(node.op).elementwise
        except Exception:
            continue
        size = node.meta.nbytes()
        if elementwise and size is not None and node.meta.dtype is not None:
            n += 1
            largest = max(largest, size // node.meta.dtype.itemsize)
    if n < 2 or largest >= config.FUSE_MIN_ELEMENTS:
        return ""
    return (f"  No fused kernels: the elementwise arrays have at most {largest} elements, "
            f"under config.FUSE_MIN_ELEMENTS = {config.FUSE_MIN_ELEMENTS} (at that size "
            f"NumPy ops with reused out= buffers are as fast as one tiled kernel).")


def summary(graph, **options) -> str:
    """The table (``verbose=True`` or ``show_internal=True``: every node, bookkeeping
    included). A `Report`: prints as text, shows as a block in a notebook."""
    show_all = view.wants_all(options)
    if options:
        raise TypeError(f"summary() got unexpected options {sorted(options)}")
    rows = [_HEAD]
    report = graph.dask_report
    marks = report.cluster_nodes if report is not None else frozenset()
    _rows(graph, 0, rows, show_all, marks)
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEAD))]

    def fmt(r):
        return "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()

    width = sum(widths) + 2 * (len(widths) - 1)
    c = _count(graph) if show_all else view.count(graph, False)
    ops = c["nodes"] - c["inputs"] - c["consts"]
    guards = sum(1 for a in graph.assumptions if a.is_guard)
    backend = graph.backend
    title = f'Graph "{graph.name}"' + (f" (backend {backend})" if backend else "")
    out = [title, "_" * width, fmt(rows[0]), "=" * width]
    out += [fmt(r) for r in rows[1:]]
    out.append("=" * width)
    out.append(f"Nodes: {c['nodes']} ({_n(c['inputs'], 'input')}, "
               f"{_n(c['consts'], 'constant')}, {_n(ops, 'operation')}" +
               (f", {c['structured']} with subgraphs" if c["structured"] else "") + ")" +
               (f"; {c['hidden']} more not shown (memory plan, constants shown as "
                f"arguments): summary(verbose=True)" if not show_all and c["hidden"] else ""))
    out.append(f"Assertion nodes: {c['asserts']}   Guards: {guards}   "
               f"Fused kernels: {graph.fused}")
    out.append(memory_line(graph))
    why = memory_why(graph)
    if why:
        out.append(why)
    fuse = fusion_note(graph)
    if fuse:
        out.append(fuse)
    if marks:
        out.append(f"* runs on the Dask cluster ({len(marks)} nodes); the rest runs here")
    out += tier_lines(graph)
    out.append("_" * width)
    return Report("\n".join(out))


def tier_lines(graph) -> list[str]:
    """Which tier serves the graph and which nodes its compiled segments hold."""
    state = graph.tier_state
    if state is None:
        return []
    out = [f"Tier: {state.tier} ({state.reason})"]
    plan = state.segments
    for seg in getattr(plan, "segments", ()):
        lines = sorted({n.lineno for n in seg.nodes if n.lineno})
        ops = ", ".join(dict.fromkeys(n.op for n in seg.nodes))
        out.append(f"  compiled segment {seg.index}: {len(seg.nodes)} nodes ({ops})" +
                   (f", lines {lines[0]}-{lines[-1]}" if lines else ""))
    return out


__all__ = ["tier_lines", "summary", "op_label", "kernel_program", "memory_line", "Bytes"]
