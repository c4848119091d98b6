"""`to_dot(graph)`: Graphviz DOT text (always available, no Graphviz needed)."""
from __future__ import annotations

from ..ir.printer import short_repr


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph) -> str:
    lines = [f"digraph {_q(graph.name)} {{", "  rankdir=TB;",
             '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", '
             'fontname="Helvetica", fontsize=10];', '  edge [color="#667085"];']
    for node in graph.nodes():
        meta = node.meta
        label = node.op
        if node.op == "input":
            label = f"{node.attrs.get('name', node.name)}"
        elif node.op == "const":
            label = short_repr(node.attrs["value"], 24)
        extra = f"\\n{meta.type_str()}{meta.shape_str()}" if meta.type is not None else ""
        line = f"\\nline {node.lineno}" if node.lineno and node.op not in ("input",) else ""
        style = ""
        if node.op == "input":
            style = ', shape=ellipse, fillcolor="#dbeafe"'
        elif node.op == "const":
            style = ', shape=plaintext, fillcolor="white"'
        elif node.op == "assert":
            style = ', shape=octagon, fillcolor="#fee2e2", color="#b91c1c"'
        elif node.name == graph.output:
            style = ', fillcolor="#dcfce7"'
        lines.append(f"  {_q(node.name)} [label={_q(label + extra + line)}{style}];")
    for a, b in graph.nx.edges():
        lines.append(f"  {_q(a)} -> {_q(b)};")
    lines.append("}")
    return "\n".join(lines)
