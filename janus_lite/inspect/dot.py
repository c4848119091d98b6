"""`to_dot(graph)`: Graphviz DOT text of a graph (always available, no Graphviz needed).

Node kinds are visibly distinct (see `STYLE`): parameters are blue ellipses, values read
at call time (globals, attributes) purple ellipses, constants small grey text, operations
rounded boxes, assertions red octagons, the returned value green, structured ops
(conditionals, loops) amber diamonds / teal hexagons, memory-plan bookkeeping small grey
notes. The bodies of structured ops are clusters beside their node, linked by dashed edges.
A fused kernel is an orange cluster holding one small node per ufunc step it runs, so the
group it replaced stays visible; nodes sharing ``attrs["fusion_group"]`` (a group marked
but not yet rewritten) are outlined the same way. Internal constants (kernel programs,
buffer pools) are not drawn. The output is deterministic.

By default the drawing is the user-level view (`view`): memory-plan nodes are left out and
small constants label the edge into the op that uses them (``axis=1, keepdims=True``);
``show_internal=True`` (or ``verbose=True``) draws everything. ``collapse=True`` draws each
loop or conditional as one node (its body's size in the label) instead of clusters;
graphs over `MAX_NODES` drawn nodes collapse by default, and renderings are capped at
`MAX_INCHES` so a large graph stays a readable picture.
"""
from __future__ import annotations

import re

import numpy as np

from ..ir.printer import short_repr
from . import view
from .summary import kernel_program, op_label

MAX_NODES = 60
"""Drawn nodes above which loop and conditional bodies are collapsed unless asked."""

MAX_INCHES = 24
"""Longest side of a rendered drawing (Graphviz ``size``; the matplotlib figure)."""

STYLE = {
    "input": 'shape=ellipse, fillcolor="#dbeafe", color="#1d4ed8"',
    "source": 'shape=ellipse, fillcolor="#ede9fe", color="#6d28d9"',
    "const": 'shape=plaintext, style="", fontcolor="#475467", fontsize=9',
    "op": 'shape=box, fillcolor="#f8fafc", color="#64748b"',
    "assert": 'shape=octagon, fillcolor="#fee2e2", color="#b91c1c", fontcolor="#7f1d1d", '
              'penwidth=1.6',
    "output": 'shape=box, fillcolor="#dcfce7", color="#15803d", penwidth=2',
    "cond": 'shape=diamond, fillcolor="#fef3c7", color="#b45309"',
    "loop": 'shape=hexagon, fillcolor="#ccfbf1", color="#0f766e"',
    "fused": 'shape=box, fillcolor="#ffedd5", color="#c2410c", penwidth=1.6',
    "plan": 'shape=note, fillcolor="#f1f5f9", color="#94a3b8", fontcolor="#64748b", '
            'fontsize=8',
}
CLUSTER = {   # graph attribute statements: separated by ";"
    "cond": 'style="rounded,dashed"; color="#b45309"; fontcolor="#b45309"',
    "loop": 'style="rounded,dashed"; color="#0f766e"; fontcolor="#0f766e"',
    "fused": 'style="rounded,filled"; fillcolor="#fff7ed"; color="#c2410c"; '
             'fontcolor="#c2410c"',
    "sub": 'style="rounded,dashed"; color="#64748b"; fontcolor="#475467"',
}
LEGEND = [("input", "parameter"), ("source", "read at call time"), ("op", "operation"),
          ("assert", "assertion"), ("output", "returned value"), ("cond", "conditional"),
          ("loop", "loop"), ("fused", "fused kernel"), ("plan", "memory plan")]
_FILL_RE = re.compile(r'fillcolor="([^"]+)"')


def _q(text) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def kind_of(node, graph) -> str:
    """The drawing style key of a node."""
    if node.op in ("input", "source", "const", "assert"):
        return node.op
    if node.op == "fused" or node.attrs.get("fused"):
        return "fused"
    if node.op.startswith("buffers."):
        return "plan"
    if node.op in ("cond", "if", "switch") or (node.subgraphs and "cond" in node.op):
        return "cond"
    if node.op in ("loop", "while", "for") or (node.subgraphs and "loop" in node.op):
        return "loop"
    if node.name == graph.output:
        return "output"
    return "op"


def hidden(node, graph) -> bool:
    """Internal constants not worth drawing: kernel programs and buffer pools."""
    if node.op != "const":
        return False
    users = [graph[u] for u in graph.nx.successors(node.name)]
    return bool(users) and all(u.op == "fused" and u.inputs[0] == node.name or
                               u.op.startswith("buffers.") for u in users)


def type_line(meta) -> str:
    """``(64, 8) float32``, ``float``, ``(float64(5,), int)``; "" when nothing is known."""
    if meta.type is None or meta.type is type(None):
        return ""
    if getattr(meta, "items", None) is not None:
        text = meta.shape_str()
        return text if len(text) <= 32 else f"tuple of {len(meta.items)}"
    if meta.type is np.ndarray:
        return f"{meta.shape_str()} {meta.type_str()}"
    return meta.type_str()


def _wrap(text: str, width: int = 28) -> str:
    words, lines = text.split(" "), [""]
    for w in words:
        if lines[-1] and len(lines[-1]) + 1 + len(w) > width:
            lines.append(w)
        else:
            lines[-1] = f"{lines[-1]} {w}".strip()
    return "\n".join(lines)


def edge_args(node, graph, drawn=None) -> tuple[str | None, str]:
    """(the input whose edge carries the constant arguments, their text) in the user-level
    view; (None, text) when no input edge is drawn (the text then goes in the label)."""
    args = view.const_args(node, graph)
    if not args:
        return None, ""
    consts = {graph[node.inputs[i]].name for i, _ in args}
    first = next((i for i in node.inputs if i not in consts and
                  (drawn is None or i in drawn)), None)
    text = view.args_text(args, len(node.inputs))
    if first is None or not text:
        return None, ""
    return first, text.strip("()") if "=" in text else text


def node_label(node, graph, show_all: bool = True) -> str:
    if node.op == "const":
        return _scalar_text(node.attrs.get("value"), 20)
    if node.op == "input":
        head = str(node.attrs.get("name", node.name))
    elif kernel_program(node, graph) is not None:
        head = _wrap(op_label(node, graph, limit=None).replace("fused ", "fused kernel: ", 1))
    elif not show_all and node.op not in ("getattr", "source", "assert", "loop", "call"):
        head = view.display_op(node.op)
        if edge_args(node, graph)[0] is None:
            head = view.call_text(node, graph, head)
    else:
        head = op_label(node, graph)
    lines = [head]
    tl = type_line(node.meta)
    if tl and tl != head and kind_of(node, graph) != "plan":
        lines.append(tl)
    if node.lineno and node.op != "input":
        lines.append(f"line {node.lineno}")
    if node.op == "input" and not any(True for _ in graph.nx.successors(node.name)):
        folded = [g.expected for g in graph.guards if g.kind == "value"
                  and g.source.kind == "param" and g.source.name == head]
        lines.append(f"= {short_repr(folded[0], 16)}, folded in" if folded else "(not used)")
    return "\n".join(lines)


def _scalar_text(value, limit: int = 10) -> str:
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        value = value.item()
        if isinstance(value, float):
            return f"{value:.6g}"
    return short_repr(value, limit)


class _Dot:
    def __init__(self, show_all: bool = True, collapse: bool = False):
        self.lines: list[str] = []
        self.clusters = 0
        self.show_all, self.collapse = show_all, collapse

    def graph(self, graph, prefix: str, indent: str) -> None:
        groups: dict = {}
        for node in graph.nodes():
            group = node.attrs.get("fusion_group")
            if group is not None:
                groups.setdefault(group, []).append(node)
        grouped = {n.name for ns in groups.values() for n in ns}
        skip = {n.name for n in graph.nodes() if view.hidden(n, graph, self.show_all)}
        kernels = {}
        for node in graph.nodes():
            if node.name in skip or node.name in grouped:
                continue
            program = kernel_program(node, graph)
            if program is not None:
                kernels[node.name] = self.kernel(node, program, graph, prefix, indent)
            else:
                self.node(node, graph, prefix, indent)
        for group, nodes in sorted(groups.items(), key=lambda kv: str(kv[0])):
            self.open_cluster(f"fused group {group}", CLUSTER["fused"], indent)
            for node in nodes:
                self.node(node, graph, prefix, indent + "  ")
            self.lines.append(f"{indent}}}")
        labels = {}
        if not self.show_all:
            for node in graph.nodes():
                if node.name not in skip:
                    src, text = edge_args(node, graph, {n for n in graph.order
                                                        if n not in skip})
                    if src is not None:
                        labels[(src, node.name)] = text
        for a, b in graph.nx.edges():
            if a in skip or b in skip or b in kernels:
                continue
            label = labels.get((a, b))
            extra = f" [label={_q(label)}, fontsize=8, fontcolor=\"#475467\"]" if label else ""
            self.lines.append(f"{indent}{_q(prefix + a)} -> {_q(prefix + b)}{extra};")
        for name, edges in kernels.items():
            for a, step in edges:
                self.lines.append(f"{indent}{_q(prefix + a)} -> {_q(step)};")

    def open_cluster(self, title: str, style: str, indent: str) -> int:
        self.clusters += 1
        self.lines.append(f"{indent}subgraph cluster_{self.clusters} {{")
        self.lines.append(f"{indent}  label={_q(title)}; {style}; fontsize=10;")
        return self.clusters

    def kernel(self, node, program, graph, prefix, indent) -> list:
        """A fused node as a cluster of its ufunc steps; returns the (input, step) edges."""
        where = f" (line {node.lineno})" if node.lineno else ""
        self.open_cluster(f"fused kernel {node.name}{where}: {len(program.steps)} ufuncs, "
                          f"one pass", CLUSTER["fused"], indent)
        inner = indent + "  "
        step_names = [f"{prefix}{node.name}/s{k}" for k in range(len(program.steps))]
        incoming = []
        for k, step in enumerate(program.steps):
            consts = [_scalar_text(v) for kind, v in step.args if kind == "const"]
            label = (step.label or step.ufunc.__name__) + \
                (f"\n{', '.join(consts)}" if consts else "")
            self.lines.append(f"{inner}{_q(step_names[k])} [label={_q(label)}, "
                              f"{STYLE['fused']}, penwidth=1, fontsize=9, height=0.25];")
            for kind, v in step.args:
                if kind == "step":
                    self.lines.append(f"{inner}{_q(step_names[v])} -> {_q(step_names[k])};")
                elif kind == "in" and v + 1 < len(node.inputs):
                    incoming.append((node.inputs[v + 1], step_names[k]))
        out = prefix + node.name
        self.lines.append(f"{inner}{_q(out)} [label={_q(type_line(node.meta) or 'out')}, "
                          f"shape=box, style=\"rounded,dashed\", color=\"#c2410c\", "
                          f"fontsize=8, height=0.2];")
        for k in program.outputs:
            self.lines.append(f"{inner}{_q(step_names[k])} -> {_q(out)};")
        self.lines.append(f"{indent}}}")
        return incoming

    def node(self, node, graph, prefix: str, indent: str) -> None:
        kind = kind_of(node, graph)
        name = prefix + node.name
        label = node_label(node, graph, self.show_all)
        if self.collapse and node.subgraphs:
            sizes = [view.count(sub, self.show_all)["nodes"] for sub in node.subgraphs]
            label += "\n(" + " | ".join(f"{sub.name or f'body {k}'}: {n} nodes" for k, (sub, n)
                                        in enumerate(zip(node.subgraphs, sizes))) + ")"
        self.lines.append(f"{indent}{_q(name)} [label={_q(label)}, {STYLE[kind]}];")
        if self.collapse:
            return
        for k, sub in enumerate(node.subgraphs):
            title = f"{node.name}: {sub.name}" if sub.name else f"{node.name}: body {k}"
            cid = self.open_cluster(title, CLUSTER.get(kind, CLUSTER["sub"]), indent)
            sub_prefix = f"{name}/{k}/"
            self.graph(sub, sub_prefix, indent + "  ")
            self.lines.append(f"{indent}}}")
            first = next(iter(sub.order), None)
            if first is not None:
                self.lines.append(f"{indent}{_q(name)} -> {_q(sub_prefix + first)} "
                                  f"[style=dashed, color=\"#94a3b8\", arrowhead=none, "
                                  f"lhead=cluster_{cid}];")

    def legend(self, kinds) -> None:
        """One row of coloured cells naming the node kinds present in the drawing."""
        cells = []
        for kind, text in LEGEND:
            if kind in kinds:
                found = _FILL_RE.findall(STYLE[kind])
                cells.append(f'<TD BGCOLOR="{found[0] if found else "white"}" '
                             f'STYLE="rounded">{text}</TD>')
        if cells:
            self.lines.append('  legend [shape=plaintext, style="", fontsize=8, label=<<TABLE '
                              'BORDER="0" CELLBORDER="1" CELLSPACING="3" CELLPADDING="3"><TR>'
                              '<TD BORDER="0">legend:</TD>' + "".join(cells) +
                              '</TR></TABLE>>];')
            self.lines.append("  { rank=sink; legend; }")


def kinds_in(graph, out: set | None = None, show_all: bool = True,
             collapse: bool = False) -> set:
    """The style keys of every drawn node, subgraphs included."""
    out = set() if out is None else out
    for node in graph.nodes():
        if not view.hidden(node, graph, show_all):
            out.add(kind_of(node, graph))
        if not collapse:
            for sub in node.subgraphs:
                kinds_in(sub, out, show_all)
    return out


def view_options(graph, options: dict) -> tuple[bool, bool]:
    """(show_all, collapse) from ``show_internal``/``verbose`` and ``collapse`` (None or
    absent: collapse when more than `MAX_NODES` nodes would be drawn)."""
    show_all = view.wants_all(options)
    collapse = options.pop("collapse", None)
    if options:
        raise TypeError(f"unexpected drawing options {sorted(options)}; known: legend, "
                        f"show_internal (or verbose), collapse")
    if collapse is None:
        collapse = view.count(graph, show_all)["nodes"] > MAX_NODES
    return show_all, bool(collapse)


def drawn_title(graph, show_all: bool, collapse: bool) -> str:
    """The drawing's title: the node count the summary gives (one function counts both)."""
    n_guards = sum(1 for a in graph.assumptions if a.is_guard)
    extra = ", loops/conditionals collapsed" if collapse and any(
        n.subgraphs for n in graph.nodes()) else ""
    return f"{view.title(graph, show_all)}, {n_guards} entry guards{extra}"


def to_dot(graph, legend: bool = False, **options) -> str:
    """DOT text; ``legend=True`` adds a key of the node styles present; see the module
    docstring for ``show_internal`` and ``collapse``."""
    show_all, collapse = view_options(graph, options)
    d = _Dot(show_all, collapse)
    d.lines += [f"digraph {_q(graph.name)} {{",
                "  rankdir=TB; compound=true; nodesep=0.25; ranksep=0.35;",
                f"  size=\"{MAX_INCHES},{MAX_INCHES}\";",
                f"  label={_q(drawn_title(graph, show_all, collapse))}; "
                f"labelloc=t; fontname=\"Helvetica\"; fontsize=12;",
                '  node [style="rounded,filled", fontname="Helvetica", fontsize=10, '
                'margin="0.12,0.04", height=0.3];',
                '  edge [color="#667085", arrowsize=0.6];']
    d.graph(graph, "", "  ")
    if legend:
        d.legend(kinds_in(graph, show_all=show_all, collapse=collapse))
    d.lines.append("}")
    return "\n".join(d.lines)
