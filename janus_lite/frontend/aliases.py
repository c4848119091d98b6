"""Which graph values may share memory with what: the alias tracker of one conversion.

Every node gets its *roots*: the nodes whose objects it may be or hold (an op's fresh
result is its own root; a view, an item read or an in-place result shares its input's
roots). An in-place update is allowed only on a value whose roots the graph owns
(`fresh`): updating an argument, a global or a constant in place would be seen outside
before the run is known to succeed.
"""
from __future__ import annotations

from .errors import ConversionError


class AliasTracker:
    def __init__(self, cx):
        self.cx = cx
        self.roots: dict[str, frozenset] = {}     # node -> alias roots
        self.mutated: set[str] = set()            # roots updated in place

    def fresh(self, name: str) -> bool:
        """Is the value owned by the graph (so updating it in place is invisible outside)?"""
        return all(self.op_of(r) not in ("input", "source", "const")
                   for r in self.roots.get(name, {name}))

    def op_of(self, name: str) -> str:
        """The op of node ``name`` wherever it is (a finished subgraph included)."""
        graph = self.cx.graph
        try:
            return graph[name].op
        except KeyError:
            for g in (graph, graph.root()):
                for node in g.all_nodes():
                    if node.name == name:
                        return node.op
            return "unknown"      # a discarded attempt's node: owned by no one outside

    def mark_mutated(self, name: str, lineno) -> None:
        if not self.fresh(name):
            t = self.cx.type_name(name)
            raise ConversionError(f"in-place update{self.cx.statement_text()} of {t} that may "
                                  f"be an argument, a global or a constant (only arrays of "
                                  f"arguments and state get a private copy)", lineno)
        self.mutated |= set(self.roots.get(name, {name}))
