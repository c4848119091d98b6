"""Code generation for deferred-state ops: commits pass their static attributes as
arguments; a graph that draws random numbers restores the generators if abandoned."""
from __future__ import annotations

from ..ir.ops_state import commit_setattr, commit_setitem, flush_prints


def emit_commit_setattr(gen, node, ins):
    f = gen.pool.add(commit_setattr, "setattr")
    gen.emit(f"{f}({ins[0]}, {ins[1]}, {node.attrs['name']!r})", node.lineno)
    return None


def emit_commit_setitem(gen, node, ins):
    f = gen.pool.add(commit_setitem, "setitem")
    gen.emit(f"{f}({ins[0]}, {ins[1]}, {gen.const(node.attrs['key'])})", node.lineno)
    return None


def emit_flush_prints(gen, node, ins):
    f = gen.pool.add(flush_prints, "flush")
    gen.emit(f"{f}({ins[0]}, {bool(node.attrs.get('flush'))})", node.lineno)
    return None


def random_states(graph):
    """(save, restore) callables for each generator a graph draws from, or []."""
    import numpy as np
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
            "flush_prints": emit_flush_prints}
