"""Deterministic text form of a graph (stable across runs and processes: golden-testable).

Nothing printed depends on memory addresses or hash order: sets and dicts print sorted,
default object reprs lose their ``at 0x…`` part, arrays print as ``array<dtype[shape]>``.
"""
from __future__ import annotations

import re

import numpy as np

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def short_repr(value, limit: int = 40) -> str:
    """A short, deterministic description of an attribute value."""
    if isinstance(value, np.ndarray):
        text = f"array<{value.dtype}{list(value.shape)}>"
    elif isinstance(value, (set, frozenset)):
        items = sorted(short_repr(v, limit) for v in value)
        text = (f"{type(value).__name__}(" + "{" + ", ".join(items) + "})") if items \
            else f"{type(value).__name__}()"
    elif isinstance(value, dict):
        items = sorted(f"{short_repr(k, limit)}: {short_repr(v, limit)}"
                       for k, v in value.items())
        text = "{" + ", ".join(items) + "}"
    elif isinstance(value, tuple) and type(value) is tuple:
        text = "(" + ", ".join(short_repr(v, limit) for v in value) + \
            ("," if len(value) == 1 else "") + ")"
    elif isinstance(value, list):
        text = "[" + ", ".join(short_repr(v, limit) for v in value) + "]"
    elif callable(value) and hasattr(value, "__name__"):
        mod = getattr(value, "__module__", None) or ""
        text = f"{mod + '.' if mod and mod != 'builtins' else ''}{value.__name__}"
    else:
        text = _ADDRESS.sub("", repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _attrs_text(node) -> str:
    parts = []
    for key, value in node.attrs.items():
        if key in ("kw",) and not value:
            continue
        parts.append(f"{key}={short_repr(value)}")
    return ("{" + ", ".join(parts) + "}") if parts else ""


def format_graph(graph, indent: str = "") -> str:
    """One line per node: ``%name = op(inputs){attrs} : type shape  # line N``; the
    subgraphs of a structured node follow it, indented."""
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
