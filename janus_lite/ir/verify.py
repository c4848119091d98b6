"""`verify(graph)`: structural invariants every pass must keep (run after each pass in tests).

What a graph that passes guarantees: the schedule lists every node once, in an order where
each node comes after its inputs; the networkx edges are exactly the nodes' inputs; every
op is registered and carries the attributes its backends read; inputs, output and the
subgraphs of structured ops (with their captured values) are consistent; node names are
unique across the whole tree of graphs (generated code shares one scope).
"""
from __future__ import annotations

import networkx as nx

from .node import Meta, Node
from .registry import get_op


class VerifyError(AssertionError):
    """The graph breaks an IR invariant; the message names the node."""


# attribute checks per op: name -> (attribute, predicate, what it must be)
_ATTRS = {
    "const": [("value", lambda v: True, "present")],
    "assert": [("expect", lambda v: isinstance(v, bool), "a bool"),
               ("index", lambda v: isinstance(v, int) and v >= 0, "an int >= 0")],
    "getattr": [("name", lambda v: isinstance(v, str) and v.isidentifier(), "an identifier")],
    "unpack": [("n", lambda v: isinstance(v, int) and v >= 0, "an int >= 0")],
    "call": [("fn", callable, "callable")],
}
_ARITY = {"assert": 1, "getattr": 1, "getitem": 2, "setitem": 3, "unpack": 1, "input": 0,
          "const": 0}


def verify(graph) -> None:
    """Check the schedule, edges, ops and their attributes, inputs, output and subgraphs
    (recursively); raise `VerifyError` naming the first broken invariant."""
    _verify(graph, outer=frozenset())


def _verify(graph, outer: frozenset) -> None:
    order = graph.order
    if len(set(order)) != len(order) or set(order) != set(graph.nx.nodes):
        raise VerifyError(f"{graph.name}: schedule and node set differ")
    for name in order:
        node = graph.nx.nodes[name].get("node")
        if not isinstance(node, Node) or node.name != name:
            raise VerifyError(f"{graph.name}: vertex {name} does not hold a Node of that name")
    if not nx.is_directed_acyclic_graph(graph.nx):
        raise VerifyError(f"{graph.name}: cycle in data edges")
    pos = {n: i for i, n in enumerate(order)}
    clash = set(order) & outer
    if clash:
        raise VerifyError(f"{graph.name}: node {sorted(clash)[0]} reuses the name of a node "
                          f"of an enclosing graph")
    for node in graph.nodes():
        _verify_node(graph, node, pos)
        for sub in node.subgraphs:
            if getattr(sub, "parent", graph) is not graph:
                raise VerifyError(f"{_where(graph, node)}: subgraph {sub.name} has another "
                                  f"parent")
            _verify(sub, outer | set(order))
    if len(set(graph.inputs)) != len(graph.inputs):
        raise VerifyError(f"{graph.name}: an input is listed twice")
    for name in graph.inputs:
        if name not in pos or graph.nx.nodes[name]["node"].op != "input":
            raise VerifyError(f"{graph.name}: listed input {name} is not an input node")
    if graph.output is not None and graph.output not in pos:
        raise VerifyError(f"{graph.name}: output {graph.output} missing")
    for outer_name, inner in getattr(graph, "captures", {}).items():
        if inner not in graph.inputs:
            raise VerifyError(f"{graph.name}: capture of {outer_name} is not an input")
        if outer_name not in outer:
            raise VerifyError(f"{graph.name}: captured {outer_name} is not a node of an "
                              f"enclosing graph")


def _where(graph, node) -> str:
    return f"{graph.name}:{node.name} ({node.op}, line {node.lineno})"


def _verify_node(graph, node, pos) -> None:
    where = _where(graph, node)
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
    if node.op == "input" and node.name not in graph.inputs:
        raise VerifyError(f"{where}: input node not listed in graph.inputs")
    arity = _ARITY.get(node.op)
    if arity is not None and len(node.inputs) != arity:
        raise VerifyError(f"{where}: {node.op} takes exactly {arity} input(s), "
                          f"has {len(node.inputs)}")
    for key, ok, what in _ATTRS.get(node.op, ()):
        if key not in node.attrs:
            raise VerifyError(f"{where}: {node.op} without attribute {key!r}")
        if not ok(node.attrs[key]):
            raise VerifyError(f"{where}: attribute {key!r} must be {what}")
    kw = node.attrs.get("kw", ())
    if kw and (not isinstance(kw, tuple) or len(set(kw)) != len(kw) or len(kw) >
               len(node.inputs) or not all(isinstance(k, str) for k in kw)):
        raise VerifyError(f"{where}: attribute 'kw' must name distinct keywords of the "
                          f"last inputs")
    _verify_meta(node, where)
    if node.lineno is not None and not isinstance(node.lineno, int):
        raise VerifyError(f"{where}: lineno must be an int or None")
    for sub in node.subgraphs:
        if sub.output is None:
            raise VerifyError(f"{where}: subgraph {sub.name} has no output")


def _verify_meta(node, where) -> None:
    meta = node.meta
    if not isinstance(meta, Meta):
        raise VerifyError(f"{where}: meta is not a Meta")
    if meta.shape is not None:
        if not isinstance(meta.shape, tuple) or not all(
                d is None or isinstance(d, str) or (isinstance(d, int) and d >= 0)
                for d in meta.shape):
            raise VerifyError(f"{where}: shape {meta.shape!r} is not a tuple of dims")
