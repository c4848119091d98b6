"""Constant folding: a pure op whose inputs are all immutable constants becomes a constant,
but only when the value is immutable (a scalar, a tuple of them, …) — never an array, which
every call would share and a user could mutate — and only when computing it raises nothing
and warns nothing (otherwise the run time shows the genuine error)."""
from __future__ import annotations

import numpy as np

from ..ir import get_op
from ..ir.node import is_immutable_const, split_inputs
from ..ir.quiet import intercepted
from ..ir.rules import meta_of_value
from ..ir.node import Meta
from ..profile.records import DICTS
from .analysis import replaceable

# never folded, whatever they compute: containers the converter builds (a folded tuple or
# list would be one shared object), what is already a constant or an input, and calls of
# user-visible callables. (Whether an op may raise needs no list: folding tries it.)
_NEVER = {"tuple", "list", "const", "input", "source", "call", "unpack"}


def _foldable(graph, node) -> bool:
    if not replaceable(graph, node.name):
        return False
    op = get_op(node.op)
    if node.op in _NEVER or op.impl is None or not op.pure or op.side_effect or op.mutates \
            or node.subgraphs or op.emit == "special":
        return False
    if not node.inputs:
        return False
    t = node.meta.type
    if t is None or t is np.ndarray or t in (str, bytes, list) or t in DICTS:
        return False      # never kept (arrays) or possibly huge: not worth computing here
    for i in node.inputs:
        src = graph[i]
        if src.op != "const" or not is_immutable_const(src.attrs["value"]):
            return False
    return True


def _value(graph, node):
    op = get_op(node.op)
    args = [graph[i].attrs["value"] for i in node.inputs]
    pos, kw = split_inputs(node, args)
    with intercepted(error=True), np.errstate(all="raise"):
        if op.emit == "method":
            return getattr(pos[0], op.symbol)(*pos[1:], **kw)
        return op.impl(*pos, **kw)


def run(graph) -> int:
    """Fold what can be folded; returns how many nodes became constants."""
    folded = 0
    for node in list(graph.nodes()):
        if not _foldable(graph, node):
            continue
        try:
            value = _value(graph, node)
        except Exception:
            continue
        if not is_immutable_const(value):
            continue
        base = meta_of_value(value)
        const = graph.add("const", attrs={"value": value},
                          meta=Meta(base.type, base.dtype, base.shape, value),
                          lineno=node.lineno, before=node.name)
        graph.replace_uses(node.name, const.name)
        folded += 1
    return folded
