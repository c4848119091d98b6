"""`verify(graph)`: structural invariants every pass must keep (run after each pass in tests)."""
from __future__ import annotations

import networkx as nx

from .registry import get_op


class VerifyError(AssertionError):
    """The graph breaks an IR invariant; the message names the node."""


def verify(graph) -> None:
    """Check op names, edges, schedule order, inputs, output and subgraphs; raise VerifyError."""
    order = graph.order
    if len(set(order)) != len(order) or set(order) != set(graph.nx.nodes):
        raise VerifyError(f"{graph.name}: schedule and node set differ")
    if not nx.is_directed_acyclic_graph(graph.nx):
        raise VerifyError(f"{graph.name}: cycle in data edges")
    pos = {n: i for i, n in enumerate(order)}
    for node in graph.nodes():
        where = f"{graph.name}:{node.name} ({node.op}, line {node.lineno})"
        try:
            get_op(node.op)
        except KeyError as exc:
            raise VerifyError(f"{where}: {exc}") from None
        for i in node.inputs:
            if i not in pos:
                raise VerifyError(f"{where}: input {i} missing")
            if pos[i] >= pos[node.name]:
                raise VerifyError(f"{where}: input {i} scheduled after its user")
        if set(graph.nx.predecessors(node.name)) != set(node.inputs):
            raise VerifyError(f"{where}: edges do not match inputs")
        if node.op == "const" and "value" not in node.attrs:
            raise VerifyError(f"{where}: const without value")
        if node.op == "input" and node.name not in graph.inputs:
            raise VerifyError(f"{where}: input node not listed in graph.inputs")
        if node.op == "assert" and len(node.inputs) != 1:
            raise VerifyError(f"{where}: assert takes exactly one input")
        for sub in node.subgraphs:
            verify(sub)
    for name in graph.inputs:
        if name not in pos or graph[name].op != "input":
            raise VerifyError(f"{graph.name}: listed input {name} is not an input node")
    if graph.output is not None and graph.output not in pos:
        raise VerifyError(f"{graph.name}: output {graph.output} missing")
