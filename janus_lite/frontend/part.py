"""The base of the converters of construct families."""
from __future__ import annotations

import ast

FAMILIES = ("exprs", "stmts", "calls", "external", "control", "loops", "state", "containers",
            "dicts", "loop_state", "comps", "closures", "excepts", "draws", "regions",
            "nodes")
"""The attribute names under which every family sees the others."""


class Part:
    """One converter of a construct family. It reaches the conversion's shared state as
    ``self.cx`` and the other families as attributes named by `FAMILIES` (``self.exprs``,
    ``self.state``, ...), which the driver sets. Its methods named ``expr_<Node>`` /
    ``stmt_<Node>`` handle those AST node types."""

    def __init__(self, cx):
        self.cx = cx

    def handlers(self):
        """(table, AST type, bound method) for each ``expr_X`` / ``stmt_X`` method."""
        for prefix, node_type, name in _handler_names(type(self)):
            table = self.cx.expr_handlers if prefix == "expr" else self.cx.stmt_handlers
            yield table, node_type, getattr(self, name)


_HANDLERS: dict = {}


def _handler_names(cls) -> list:
    """("expr" or "stmt", AST type, method name) of ``cls``'s handlers, found once per class
    (``dir`` of a converter class on every conversion cost more than some conversions)."""
    found = _HANDLERS.get(cls)
    if found is None:
        found = []
        for name in dir(cls):
            prefix, _, node = name.partition("_")
            if prefix in ("expr", "stmt") and node and node[0].isupper():
                found.append((prefix, getattr(ast, node), name))
        _HANDLERS[cls] = found
    return found
