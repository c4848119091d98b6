"""Warnings a graph run emits are held until its answer is kept.

A graph that warns (``np.log(0)``) and is then abandoned (an assertion fails later, an op
raises) is answered by the imperative rerun, which warns again. So while a graph runs, the
warnings that pass the filters are held, not shown: when the run's answer is kept they are
shown, in order, through the ``showwarning`` that was in place; when the run is abandoned
they are dropped and the entries the filters' registries got for them are taken back, so
the rerun shows them exactly as the plain function does (once per location under the
default filters, every time under ``"always"``). Warnings that other threads emit meanwhile
pass straight through.
"""
from __future__ import annotations

import numpy as np

from ..ir import get_op
from ..ir.quiet import Hook as _Hook, registry_of as _registry_of, take_back as _take_back


_SHAPE_CHECKED = ("reduce.", "scalar.", "matmul")


def may_abandon(graph) -> bool:
    """Can a run of ``graph`` be abandoned once it started computing (an assertion node, or
    an op whose registry row says ``may_raise`` and whose operands do not rule it out)?
    Only then are its warnings held, which costs ~0.35 µs a call. Elementwise, reduction and matmul ops over arrays whose shapes
    the guards fix raise nothing (under ``np.errstate(all="raise")`` the op that would warn
    raises first, before any warning of the run was shown; a mix of "warn" and "raise"
    categories in one errstate is the corner left out)."""
    nodes = {n.name: n for n in graph.all_nodes()}
    return any(may_raise(n, nodes) for n in nodes.values())


def is_draw(op: str) -> bool:
    """A draw from a random generator (the global stream, a ``Generator``, Python's
    ``random`` module)."""
    return (op.startswith("np.random.") and op != "np.random.default_rng") or \
        op.startswith("Generator.") or op.startswith("random.")


def may_raise(node, nodes) -> bool:
    """Can ``node`` raise once the guards held? ``nodes``: name → node, all of the graph.
    See `may_abandon`; a draw whose arguments are all constants raises nothing either
    (they were checked when the graph was built)."""
    op = node.op
    try:
        opdef = get_op(op)
    except KeyError:
        return True
    if not opdef.may_raise:
        return False
    ins = [nodes.get(i) for i in node.inputs]
    if op == "getitem" and ins and ins[0] is not None and ins[0].meta.type is tuple:
        return False
    if is_draw(op):
        args = ins[1:] if op.startswith("Generator.") else ins
        return not all(i is not None and i.op == "const" for i in args)
    if op in _PY_SAFE and ins and (_all_type(ins, (float,)) or _all_type(ins, (int, bool))):
        return False        # float with float, int with int: never raises (mixed may)
    if op not in _PY_SAFE and not _numpy_typed(node):
        return True         # Python arithmetic: 1 / 0 raises where NumPy would warn
    return not ((opdef.elementwise or op.startswith(_SHAPE_CHECKED)) and _static(node) and
                all(i is None or i.op == "const" or _static(i, nonempty=op in _NO_IDENTITY)
                    for i in ins))


_NO_IDENTITY = ("reduce.max", "reduce.min")    # raise on an empty array
_PY_SAFE = {"add", "sub", "mul", "neg", "pos", "gt", "lt", "ge", "le", "eq", "ne"}


def _all_type(nodes, types) -> bool:
    return all(i is not None and i.meta.type in types for i in nodes)


def _numpy_typed(node) -> bool:
    t = node.meta.type
    return t is not None and (t is np.ndarray or issubclass(t, np.generic))


def _static(node, nonempty=False) -> bool:
    shape = node.meta.shape
    if shape is None or not all(isinstance(d, int) for d in shape):
        return node.meta.type in (float, int, bool) and not nonempty and \
            node.op in ("input", "source", "const")
    return not nonempty or all(d > 0 for d in shape)


class HeldWarnings(_Hook):
    """Installed as ``warnings.showwarning`` for the length of one graph run."""

    __slots__ = ()

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        if self.passes():
            return self.shown(message, category, filename, lineno, file, line)
        if self.held is None:
            self.held = []
        self.held.append((message, category, filename, lineno, file, line,
                          _registry_of(filename, lineno)))
        return None

    def release(self) -> None:
        """The run's answer is kept: show what it warned."""
        self.end()
        for message, category, filename, lineno, file, line, _ in self.held or ():
            self.shown(message, category, filename, lineno, file, line)

    def forget(self) -> None:
        """The run is abandoned: its warnings never happened (the rerun warns)."""
        self.end()
        for message, category, _, lineno, _, _, registry in self.held or ():
            _take_back(message, category, lineno, registry)
