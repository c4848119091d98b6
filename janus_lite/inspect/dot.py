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
"""
from __future__ import annotations

import re

import numpy as np

from ..ir.printer import short_repr
from .summary import kernel_program, op_label

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


def node_label(node, graph) -> str:
    if node.op == "const":
        return _scalar_text(node.attrs.get("value"), 20)
    if node.op == "input":
        head = str(node.attrs.get("name", node.name))
    elif kernel_program(node, graph) is not None:
        head = _wrap(op_label(node, graph, limit=None).replace("fused ", "fused kernel: ", 1))
    else:
        head = op_label(node, graph)
    lines = [head]
    tl = type_line(node.meta)
    if tl and tl != head and kind_of(node, graph) != "plan":
        lines.append(tl)
    if node.lineno and node.op != "input":
        lines.append(f"line {node.lineno}")
    if node.op == "input" and not any(True for _ in graph.nx.successors(node.name)):
        folded = [g.expected for g in graph.meta.get("guards", ()) if g.kind == "value"
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
    def __init__(self):
        self.lines: list[str] = []
        self.clusters = 0

    def graph(self, graph, prefix: str, indent: str) -> None:
        groups: dict = {}
        for node in graph.nodes():
            group = node.attrs.get("fusion_group")
            if group is not None:
                groups.setdefault(group, []).append(node)
        grouped = {n.name for ns in groups.values() for n in ns}
        skip = {n.name for n in graph.nodes() if hidden(n, graph)}
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
        for a, b in graph.nx.edges():
            if a in skip or b in kernels:
                continue
            self.lines.append(f"{indent}{_q(prefix + a)} -> {_q(prefix + b)};")
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
        self.lines.append(f"{indent}{_q(name)} [label={_q(node_label(node, graph))}, "
                          f"{STYLE[kind]}];")
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


def kinds_in(graph, out: set | None = None) -> set:
    """The style keys of every drawn node, subgraphs included."""
    out = set() if out is None else out
    for node in graph.nodes():
        if not hidden(node, graph):
            out.add(kind_of(node, graph))
        for sub in node.subgraphs:
            kinds_in(sub, out)
    return out


def to_dot(graph, legend: bool = False) -> str:
    """DOT text; ``legend=True`` adds a key of the node styles present."""
    d = _Dot()
    n_guards = sum(1 for a in graph.assumptions if a.is_guard)
    d.lines += [f"digraph {_q(graph.name)} {{",
                "  rankdir=TB; compound=true; nodesep=0.25; ranksep=0.35;",
                f"  label={_q(f'{graph.name}: {len(graph)} nodes, {n_guards} entry guards')}; "
                f"labelloc=t; fontname=\"Helvetica\"; fontsize=12;",
                '  node [style="rounded,filled", fontname="Helvetica", fontsize=10, '
                'margin="0.12,0.04", height=0.3];',
                '  edge [color="#667085", arrowsize=0.6];']
    d.graph(graph, "", "  ")
    if legend:
        d.legend(kinds_in(graph))
    d.lines.append("}")
    return "\n".join(d.lines)
