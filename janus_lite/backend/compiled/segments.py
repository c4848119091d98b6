"""Cut a graph into segments (maximal runs of lowerable nodes in schedule order), and
rewrite the graph so that each segment is one ``compiled.segment`` node.

The rewrite keeps every segment output's node name (the node becomes a ``getitem`` of the
segment's result tuple), so values captured by later branches and loops stay valid, as the
other passes do."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...ir.node import Meta
from ...ir.registry import OpDef, get_op, has_effect, register
from ...ir.tables import tables
from .emit import SegmentSource
from .lower import Checker, _inline_const, kind_of

_TRIVIAL = {"getattr", "truth", "getitem", "assert", "tuple"}


@dataclass
class Segment:
    index: int
    nodes: list
    inputs: list
    outputs: list
    source: str = ""
    fname: str = ""
    run: object = None          # the Python wrapper calling the compiled function
    uloops: list = field(default_factory=list)   # (op, dtype): NumPy loops it calls
    recycled: list = field(default_factory=list)  # arrays written into passed buffers


@dataclass
class Plan:
    segments: list = field(default_factory=list)
    reasons: dict = field(default_factory=dict)     # node name → why it stays in NumPy
    matvecs: set = field(default_factory=set)       # products to check per shape
    ops: set = field(default_factory=set)           # ops the segments lower

    def source(self) -> str:
        return "\n".join(s.source for s in self.segments)

    def worth(self) -> bool:
        return bool(self.segments)


def plan(graph, exact: bool = True) -> Plan:
    """The segments worth compiling in ``graph`` (top level; loop and branch nodes join a
    segment whole when their bodies lower)."""
    check = Checker(exact)
    out = Plan()
    run: list = []
    order = [n for n in graph.nodes()]

    def close():
        if run:
            pos = {n: i for i, n in enumerate(graph.order)}
            seg = _segment(graph, list(run), pos, check, len(out.segments))
            if seg is not None:
                out.segments.append(seg)
            run.clear()

    for node in order:
        if node.op in ("input", "const"):
            continue
        why = check(graph, node)
        if why is None:
            run.append(node)
            continue
        out.reasons[node.name] = why
        if run and _hoist(graph, node, run):
            continue
        close()
    close()
    out.matvecs, out.ops = check.matvecs, check.ops
    return out


def _hoist(graph, node, run) -> bool:
    """Move a pure node that needs nothing of the current run before it (``0.9 ** t``
    between Adam's array ops), so the run goes on; False when it may not move: a node
    that writes (in place, or into an ``out=`` array: ``a.clip(-1, 1, out=a)`` moved
    before the run's ``a.sum()`` changed what the sum read), or any node past a run that
    writes (the moved node would read what the run had not written yet)."""
    op = get_op(node.op)
    if has_effect(node) or not op.pure or node.subgraphs or node.op in ("source", "call"):
        return False
    if any(has_effect(n) for n in run) and \
            not all(_immutable(graph[i].meta) for i in node.inputs if i in graph.nx):
        return False        # it may read an array the run writes (or a view of one)
    order = graph.order
    start = order.index(run[0].name)
    names = {n.name for n in run}
    late = [i for i in node.inputs if i in graph.nx and order.index(i) > start]
    if any(i in names for i in node.inputs) or any(graph[i].op != "const" for i in late):
        return False
    for name in list(dict.fromkeys(late)) + [node.name]:
        order.remove(name)
        order.insert(order.index(run[0].name), name)
    return True


def _immutable(meta) -> bool:
    """A value no in-place write can change: a Python or NumPy scalar."""
    t = meta.type
    return t in (int, float, bool, complex) or \
        (isinstance(t, type) and issubclass(t, np.generic))


def _segment(graph, nodes, pos, check, index):
    weight = sum(1 for n in nodes if n.op not in _TRIVIAL)
    if weight < 2 and not any(n.op in ("loop", "cond") for n in nodes):
        return None
    names = {n.name for n in nodes}
    inputs = []
    for n in nodes:
        for i in n.inputs:
            if i in names or i in inputs:
                continue
            src = graph[i]
            if src.op == "const" and _inline_const(src):
                continue
            inputs.append(i)
    last = max(pos[n.name] for n in nodes)
    outputs = []
    for n in nodes:
        used_after = n.name == graph.output or any(
            pos.get(u, -1) > last for u in graph.nx.successors(n.name))
        if used_after:
            outputs.append(n.name)
    if not outputs:
        return None
    for o in outputs:
        node = graph[o]
        if kind_of(node.meta) not in ("array", "scalar") or node.op == "getattr":
            # a tuple or a view leaving compiled code: cut the run short instead
            return None
    for i in inputs:
        if kind_of(graph[i].meta) not in ("array", "scalar"):
            return None
    fname = f"seg{index}"
    gen = SegmentSource(graph, nodes, inputs, outputs, check, fname)
    src = gen.source()
    return Segment(index, nodes, inputs, outputs, src, fname, uloops=gen.uloops,
                   recycled=gen.recycled)


def rewrite(graph, segments) -> None:
    """Replace each segment's nodes by one ``compiled.segment`` node (its outputs keep
    their names as ``getitem`` nodes of its result)."""
    for seg in segments:
        order = graph.order
        at = order.index(seg.nodes[0].name)
        anchor = order[at - 1] if at else None     # the block goes where the run was:
        metas = tuple(graph[o].meta for o in seg.outputs)   # reads of arrays updated
        node = graph.add("compiled.segment", seg.inputs,     # in place keep their order
                         {"run": seg.run, "index": seg.index},
                         Meta(tuple, items=metas), seg.nodes[0].lineno)
        block = [node.name]
        outs = set(seg.outputs)
        for k, o in enumerate(seg.outputs):
            c = graph.add("const", attrs={"value": k}, meta=Meta(int, value=k))
            target = graph[o]
            target.op = "getitem"
            target.attrs = {}
            target.subgraphs = ()
            graph.set_inputs(o, (node.name, c.name))
            block += [c.name, o]
        for n in reversed(seg.nodes):
            if n.name not in outs:
                graph.remove(n.name)
        for b in block:
            order.remove(b)
        at = order.index(anchor) + 1 if anchor is not None else 0
        late = [i for i in seg.inputs if i in order and order.index(i) >= at]
        for i in late:          # constants and inputs scheduled inside the run
            order.remove(i)
        order[at:at] = late + block


def emit_segment(gen, node, ins):
    """The numpy code generator's rule: a call of the segment's Python wrapper."""
    return f"{gen.pool.add(node.attrs['run'], 'seg')}({', '.join(ins)})"


def run_segment(interp, node, args):
    """The reference interpreter's rule."""
    return node.attrs["run"](*args)


register(OpDef("compiled.segment", None, "special", side_effect=True, pure=False, fresh=False,
               infer=lambda op, metas, attrs: Meta(tuple),
               doc="A run of nodes compiled by numba (backend/compiled); value: the tuple "
                   "of its outputs."))
tables()["numpy"].setdefault("compiled.segment", emit_segment)
tables()["interpreter"].setdefault("compiled.segment", run_segment)
