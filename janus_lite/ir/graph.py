"""`Graph`: an ordered dataflow graph of `Node`s stored in a `networkx.DiGraph`.

The DiGraph holds one vertex per node (attribute ``node`` → the `Node`) and an edge per
data dependency; ``order`` is the schedule, always a topological order of the DiGraph.
"""
from __future__ import annotations

import dataclasses
import itertools
import types
from typing import Iterator

import networkx as nx

from .backend_state import DaskReport, TierState
from .node import Meta, Node, UNKNOWN
from .printer import format_graph
from .registry import get_op


_BASES: dict[str, str] = {}
"""hint → the node-name base `Graph.fresh_name` makes of it (memo)."""


class Graph:
    """A dataflow graph with an explicit schedule, inputs, one output and its assumptions."""

    def __init__(self, name: str = "graph", parent: "Graph | None" = None):
        self.name = name
        self.parent = parent              # enclosing graph, for subgraphs of cond/loop nodes
        self.captures: dict[str, str] = {}  # outer node name -> capture input node here
        self.nx = nx.DiGraph()
        self.order: list[str] = []
        self.inputs: list[str] = []       # parameter nodes, in call order
        self.output: str | None = None    # the node whose value the graph returns
        self.assumptions: list = []       # runtime.assumptions.Assumption records
        # what the stages of the pipeline record about the graph (typed; `meta` shows them
        # under their old dict keys, read-only)
        self.guards: list = []            # frontend: the entry guards, in check order
        self.keep: set = set()            # frontend: unused nodes that may raise (DCE keeps)
        self.mutated: set = set()         # frontend: alias roots the graph updates in place
        self.written: set = set()         # frontend: state the commits write, by source key
        self.pass_reports: dict = {}      # passes: pass name -> what it reported
        self.memory: dict = {}            # passes: imperative/planned peak intermediate bytes
        self.fused: int = 0               # fuse: fused kernels made
        self.code: str | None = None      # api: the generated source that runs it
        self.backend: str | None = None   # api: which backend runs it
        self.writes_directly: bool | None = None   # codegen: how its updates in place reach
        #                                  the caller's arrays (backend.aborts.writes_directly)
        # what a backend keeps on the graph it serves (typed; see ir/backend_state.py)
        self.tier_state: TierState | None = None    # the compiled tier's, once tiered
        self.dask_report: DaskReport | None = None  # the Dask backend's counters
        self._ids = parent._ids if parent is not None else itertools.count()

    # -- building -----------------------------------------------------------------------
    def root(self) -> "Graph":
        g = self
        while g.parent is not None:
            g = g.parent
        return g

    def fresh_name(self, hint: str) -> str:
        """A node name unique in the whole tree of graphs (subgraph code shares one scope)."""
        base = _BASES.get(hint)
        if base is None:
            base = "".join(c if c.isalnum() else "_" for c in hint) or "v"
            if len(_BASES) < 4096:
                _BASES[hint] = base
        while True:
            name = f"{base}_{next(self._ids)}"
            if not self._taken(name):
                return name

    def _taken(self, name: str) -> bool:
        # numbers come from one counter shared by the tree; only a parameter (named by the
        # user) can clash, and parameters live in the root graph
        return name in self.nx._node or name in self.root().nx._node

    def add(self, op: str, inputs=(), attrs=None, meta: Meta = UNKNOWN, lineno=None,
            subgraphs=(), name: str | None = None, before: str | None = None) -> Node:
        get_op(op)  # the op set is closed: unknown ops fail here, at construction
        here = self.nx._node
        for i in inputs:
            if i not in here:
                raise KeyError(f"input {i!r} of new {op} node is not in graph {self.name}")
        node = Node(name or self.fresh_name(op), op, tuple(inputs), dict(attrs or {}), meta,
                    lineno, tuple(subgraphs))
        self.nx.add_node(node.name, node=node)
        for i in node.inputs:
            self.nx.add_edge(i, node.name)
        if before is None:
            self.order.append(node.name)
        else:
            self.order.insert(self.order.index(before), node.name)
        if op == "input":
            self.inputs.append(node.name)
        return node

    # -- reading ------------------------------------------------------------------------
    # (reads go to the DiGraph's own node dict, ``nx._node``: `nx.nodes[name]` builds a
    # view and checks its argument on every call, and conversion reads nodes a lot)
    def __getitem__(self, name: str) -> Node:
        """The node called ``name`` here or, for a subgraph, in an enclosing graph."""
        g = self
        while g is not None:
            data = g.nx._node.get(name)
            if data is not None:
                return data["node"]
            g = g.parent
        raise KeyError(name)

    def __contains__(self, name: str) -> bool:
        return name in self.nx._node

    def __len__(self) -> int:
        return len(self.order)

    def nodes(self) -> Iterator[Node]:
        here = self.nx._node
        for name in self.order:
            data = here.get(name)
            yield data["node"] if data is not None else self[name]

    def users(self, name: str) -> list[str]:
        pos = {n: i for i, n in enumerate(self.order)}
        return sorted(self.nx.successors(name), key=pos.__getitem__)

    def home(self, name: str) -> "tuple[Graph, str]":
        """(graph, name) of the value ``name`` of this graph, followed through capture
        inputs to the enclosing graph that computes it."""
        g, node = self, self[name]
        while node.op == "input" and node.attrs.get("role") == "capture" and \
                g.parent is not None:
            g, name = g.parent, node.attrs["outer"]
            node = g[name]
        return g, name

    def all_nodes(self) -> Iterator[Node]:
        """Every node, descending into subgraphs."""
        for node in self.nodes():
            yield node
            for sub in node.subgraphs:
                yield from sub.all_nodes()

    # -- editing ------------------------------------------------------------------------
    def replace_uses(self, old: str, new: str) -> None:
        """Make every user of ``old`` (and the output) read ``new`` instead."""
        for user in list(self.nx.successors(old)):
            node = self[user]
            node.inputs = tuple(new if i == old else i for i in node.inputs)
            self.nx.remove_edge(old, user)
            self.nx.add_edge(new, user)
        if self.output == old:
            self.output = new

    def set_inputs(self, name: str, inputs) -> None:
        node = self[name]
        for i in set(node.inputs):
            self.nx.remove_edge(i, name)
        node.inputs = tuple(inputs)
        for i in node.inputs:
            self.nx.add_edge(i, name)

    def remove(self, name: str) -> None:
        if any(True for _ in self.nx.successors(name)):
            raise ValueError(f"cannot remove {name}: it still has users")
        if name in self.inputs:
            raise ValueError(f"cannot remove input {name}")
        self.nx.remove_node(name)
        self.order.remove(name)

    # -- export -------------------------------------------------------------------------
    def to_networkx(self) -> nx.DiGraph:
        """A copy as a plain DiGraph whose nodes carry op, dtype, shape and lineno."""
        out = nx.DiGraph(name=self.name)
        for node in self.nodes():
            out.add_node(node.name, op=node.op, dtype=node.meta.type_str(),
                         shape=node.meta.shape, lineno=node.lineno,
                         attrs={k: v for k, v in node.attrs.items() if k != "value"})
        out.add_edges_from(self.nx.edges())
        return out

    def __repr__(self):
        return f"<Graph {self.name}: {len(self.order)} nodes>"

    # -- user-facing views (janus_lite.inspect registers them in VIEWS) -------------------
    def text(self) -> str:
        """The deterministic printed form of the graph."""
        return format_graph(self)

    def summary(self, **options) -> str:
        """A Keras-style table: one row per node, then totals (the user-level view;
        ``verbose=True`` lists the memory plan's bookkeeping and every constant too)."""
        return _view("summary")(self, **options)

    def to_dot(self, **options) -> str:
        """Graphviz DOT text of the graph (``legend=True`` adds a key;
        ``show_internal=True`` draws the bookkeeping; ``collapse=True`` folds loop and
        conditional bodies into their node)."""
        return _view("to_dot")(self, **options)

    def draw(self, path: str, **options) -> str:
        """Render to ``path`` (.svg/.png/.pdf/.dot) with Graphviz, else matplotlib
        (options: ``engine="graphviz"|"matplotlib"``, ``legend=False``,
        ``show_internal=True``, ``collapse=True``)."""
        return _view("draw")(self, path, **options)

    def _repr_svg_(self) -> str:
        """The drawing, for notebooks (Jupyter calls this)."""
        return _view("svg")(self)

    def source(self) -> str | None:
        """The generated code that runs this graph (None if the backend generates none)."""
        return self.code

    @property
    def meta(self):
        """The recorded facts under the dict keys earlier versions used (``"guards"``,
        ``"backend"``, ``"source"``, ``"memory"``, ``"fused"``, ``"passes"``, ``"keep"``,
        ``"mutated"``, ``"written"``, ``"dask"``, ``"tier"``): a read-only view for code
        written against them; new code reads the attributes."""
        view = {"guards": self.guards, "keep": self.keep, "mutated": self.mutated,
                "written": self.written, "passes": self.pass_reports, "memory": self.memory,
                "fused": self.fused, "source": self.code, "backend": self.backend}
        if self.dask_report is not None:
            view["dask"] = dataclasses.asdict(self.dask_report)
        if self.tier_state is not None:
            view["tier"], view["tier_reason"] = self.tier_state.tier, self.tier_state.reason
        return types.MappingProxyType(view)


VIEWS: dict = {}
"""View name (``summary``, ``to_dot``, ``draw``) → ``view(graph, *args, **options)``.
Filled by `janus_lite.inspect` when it is imported (the ir layer imports nothing above it)."""


def _view(name: str):
    try:
        return VIEWS[name]
    except KeyError:
        raise RuntimeError(f"graph.{name}() needs janus_lite.inspect: import janus_lite") \
            from None
