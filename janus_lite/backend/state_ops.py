"""Code generation for deferred-state ops: commits pass their static attributes as
arguments and record how to undo the reversible ones; a graph that draws random numbers
restores the generators if abandoned, and one that commits undoes what it wrote."""
from __future__ import annotations

import numpy as np

from ..ir.ops_state import (commit_append, commit_extend, commit_final, commit_setattr,
                            commit_setitem, flush_prints)

UNDO = "_undo"
"""The generated function's list of undo actions for the reversible commits."""

REVERSIBLE = ("commit_setattr", "commit_setitem", "commit_append", "commit_extend")


def _call(gen, node, fn, label, args) -> None:
    """Emit the statement ``fn(*args)`` (args as code text) for ``node``."""
    gen.emit(f"{gen.pool.add(fn, label)}({', '.join(args)})", node.lineno)


def emit_commit_setattr(gen, node, ins):
    _call(gen, node, commit_setattr, "setattr", [*ins[:2], repr(node.attrs["name"]), UNDO])


def emit_commit_setitem(gen, node, ins):
    _call(gen, node, commit_setitem, "setitem",
          [*ins[:2], gen.const(node.attrs["key"]), UNDO])


def emit_commit_append(gen, node, ins):
    _call(gen, node, commit_append, "append", [*ins, f"undo={UNDO}"])


def emit_commit_extend(gen, node, ins):
    _call(gen, node, commit_extend, "extend", [*ins[:2], f"undo={UNDO}"])


def emit_commit_final(gen, node, ins):
    undo = UNDO if has_reversible(gen.graph) else "None"
    outbox, pairs = (ins[0], ins[1:]) if node.attrs.get("outbox") else ("None", ins)
    _call(gen, node, commit_final, "final",
          [undo, outbox, str(bool(node.attrs.get("flush"))), *pairs])


def emit_flush_prints(gen, node, ins):
    _call(gen, node, flush_prints, "flush", [ins[0], str(bool(node.attrs.get("flush")))])


def has_reversible(graph) -> bool:
    return any(n.op in REVERSIBLE for n in graph.nodes())


def random_states(graph):
    """(save, restore) callables for each generator a graph draws from, or []."""
    needs_global, gens = False, []
    for node in graph.all_nodes():
        if node.op.startswith("np.random.") and node.op != "np.random.default_rng":
            needs_global = True
        elif node.op.startswith("Generator."):
            gens.append(node.inputs[0])
    out = []
    if needs_global:
        out.append(("global", np.random.get_state, np.random.set_state))
    return out, list(dict.fromkeys(gens))


EMITTERS = {"commit_setattr": emit_commit_setattr, "commit_setitem": emit_commit_setitem,
            "commit_append": emit_commit_append, "commit_extend": emit_commit_extend,
            "commit_final": emit_commit_final, "flush_prints": emit_flush_prints}
