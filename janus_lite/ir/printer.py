"""Deterministic text form of a graph (stable across runs: golden-testable)."""
from __future__ import annotations

import numpy as np


def short_repr(value, limit: int = 40) -> str:
    if isinstance(value, np.ndarray):
        text = f"array<{value.dtype}{list(value.shape)}>"
    elif callable(value) and hasattr(value, "__name__"):
        mod = getattr(value, "__module__", None) or ""
        text = f"{mod + '.' if mod and mod != 'builtins' else ''}{value.__name__}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _attrs_text(node) -> str:
    parts = []
    for key, value in node.attrs.items():
        if key in ("kw",) and not value:
            continue
        parts.append(f"{key}={short_repr(value)}")
    return ("{" + ", ".join(parts) + "}") if parts else ""


def format_graph(graph, indent: str = "") -> str:
    """One line per node: ``%name = op(inputs){attrs} : type shape  # line N``."""
    params = ", ".join(f"%{n}: {graph[n].meta.type_str()}{graph[n].meta.shape_str()}"
                       for n in graph.inputs)
    lines = [f"{indent}graph {graph.name}({params}) {{"]
    for node in graph.nodes():
        if node.op == "input":
            continue
        args = ", ".join("%" + i for i in node.inputs)
        meta = node.meta
        ty = f" : {meta.type_str()}{meta.shape_str()}" if meta.type is not None else ""
        line = f"{indent}  %{node.name} = {node.op}({args}){_attrs_text(node)}{ty}"
        if node.lineno is not None:
            line += f"  # line {node.lineno}"
        lines.append(line)
        for sub in node.subgraphs:
            lines.append(format_graph(sub, indent + "    "))
    if graph.output is not None:
        lines.append(f"{indent}  return %{graph.output}")
    lines.append(f"{indent}}}")
    return "\n".join(lines)
