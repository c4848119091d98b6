"""Memory planning: intermediates computed by ufuncs, ``@`` and fused kernels get persistent
out= buffers, reused across calls and, by liveness, between values of one dtype and shape.
Guarantees: a buffer only ever holds a value nobody else can see — never an input, the
returned value, a value stored or aliased elsewhere, or one mutated in place (`only_read`) —
and two values share a buffer only when the first is dead before the second is written (no
in-place reuse, not even by the op that reads it). Buffers live in a per-graph `BufferPool`:
each call takes its own set, so concurrent calls never share one. Shapes are re-checked at
run time wherever the plan cannot prove them (symbolic dims), and the ufunc runs with
``casting='no'``, so a dtype the plan did not foresee raises (→ imperative fallback)
instead of casting. Records ``graph.memory``."""
from __future__ import annotations

import numpy as np

from ..ir.buffers import BufferPool
from ..ir.kernel_program import Program
from ..ir.node import Meta, same_dtype
from ..runtime.held_warnings import is_draw
from .analysis import is_fresh, only_read, same_dtype_loop, ufunc_of, unary_operand
from .liveness import intervals, nbytes, peak_bytes, symbolic
from . import ops
from .. import config

_MATMUL = {"matmul": np.matmul, "np.matmul": np.matmul}


def _static(meta) -> bool:
    return meta.shape is not None and all(isinstance(d, int) for d in meta.shape)


def _trusted(graph) -> set:
    """Array nodes whose run-time shape is certainly their static meta shape: guarded
    inputs and state read on entry (``self.W``: a `source`, guarded like an argument), and
    ufuncs/``@``/fused kernels/``.T``/``astype`` over trusted arrays (their shape rules are
    exact)."""
    ok = set()
    for node in graph.nodes():
        m = node.meta
        if m.type is not np.ndarray or not _static(m):
            continue
        if node.op in ("input", "source"):
            ok.add(node.name)
            continue
        src = graph[node.inputs[0]] if node.op == "fused.item" else node
        if node.op == "getattr":
            arrays = node.inputs if node.attrs.get("name") == "T" else None
        elif node.op == "ndarray.astype":
            arrays = node.inputs[:1]
        elif is_draw(node.op) and not node.attrs.get("kw") and \
                not node.op.startswith("Generator."):
            # np.random.rand(20, 8), np.random.binomial(1, p): sized by constants or by
            # trusted arrays (a run-time int as a size would not be: not trusted)
            if all(graph[i].op == "const" or i in ok for i in node.inputs):
                ok.add(node.name)
            continue
        elif src.op == "fused" or src.op in _MATMUL or ufunc_of(graph, src) is not None:
            arrays = [i for i in src.inputs
                      if graph[i].meta.type is np.ndarray and graph[i].op != "const"]
        elif node.op.startswith("reduce."):
            arrays = node.inputs[:1]
        else:
            arrays = None
        if arrays and all(i in ok for i in arrays):
            ok.add(node.name)
    return ok


def _c_order(graph) -> set:
    """Arrays certainly C-contiguous: results of ``@`` and of ufuncs/fused kernels whose
    operands of full rank are such (NumPy lays a ufunc's result out like its operands,
    order 'K'; inputs and views may be laid out any way)."""
    ok = set()
    for node in graph.nodes():
        m = node.meta
        if m.type is not np.ndarray or m.shape is None:
            continue
        src = graph[node.inputs[0]] if node.op == "fused.item" else node
        if src.op in _MATMUL or (node.op.startswith("reduce.") and
                                 sum(d != 1 for d in m.shape) <= 1):
            ok.add(node.name)      # (a result with one non-unit dim is C and F at once)
        elif src.op == "fused" or ufunc_of(graph, src) is not None:
            if all(i in ok for i in src.inputs if graph[i].meta.type is np.ndarray and
                   graph[i].meta.shape is not None and len(graph[i].meta.shape) == len(m.shape)
                   and len(m.shape) > 1):
                ok.add(node.name)
    return ok


def _plain_candidate(graph, node, trusted, c_order=frozenset()):
    """attrs for a planned plain op, or None."""
    m = node.meta
    if node.attrs.get("kw") or m.type is not np.ndarray or m.dtype is None or not m.shape \
            or any(d is None for d in m.shape) or node.op.endswith("@out"):
        return None
    if node.op in _MATMUL:
        a, b = (graph[i].meta for i in node.inputs)
        if len(node.inputs) != 2 or not all(i in trusted for i in node.inputs) or \
                not same_dtype(a.dtype, m.dtype) or not same_dtype(b.dtype, m.dtype) or \
                m.dtype.kind not in "fc":
            return None
        return {"ufunc": np.matmul, "kind": "matmul", "check": None, "n_operands": 2}
    uf = ufunc_of(graph, node)
    if uf is None or not same_dtype_loop(graph, node, uf, m.dtype):
        return None
    if len(m.shape) > 1 and not all(
            i in c_order for i in node.inputs if graph[i].meta.type is np.ndarray and
            graph[i].meta.shape is not None and len(graph[i].meta.shape) == len(m.shape)):
        return None       # NumPy would lay the result out like a non-C operand
    n = 1 if unary_operand(node, uf) else len(node.inputs)
    src = [k for k, i in enumerate(node.inputs[:n]) if graph[i].meta.type is np.ndarray
           and graph[i].meta.shape == m.shape]
    if not src:
        return None
    check = None if (_static(m) and any(node.inputs[k] in trusted for k in src)) else src[0]
    return {"ufunc": uf, "kind": "ufunc", "check": check, "n_operands": n}


def _tiny(meta) -> bool:
    """A static array smaller than PLAN_MIN_BYTES gets no buffer: NumPy serves it from its
    small-allocation cache, and ``out=…, casting='no'`` (plus a shape check where the plan
    cannot prove the shape) costs more than it saves."""
    b = nbytes(meta) if _static(meta) else None
    return b is not None and b < config.PLAN_MIN_BYTES


def _values(graph):
    """[(value node, node that writes it, attrs of a planned plain op or None)]."""
    trusted = _trusted(graph)
    c_order = _c_order(graph)
    out = []
    for node in graph.nodes():
        if _tiny(node.meta):
            continue
        if node.op == "fused":
            if node.attrs.get("n_out", 1) == 1:
                if _static(node.meta) and only_read(graph, node.name):
                    out.append((node.name, node.name, None))
                continue
            for u in graph.nx.successors(node.name):
                item = graph[u]
                if item.op == "fused.item" and _static(item.meta) and only_read(graph, u):
                    out.append((u, node.name, None))
            continue
        attrs = _plain_candidate(graph, node, trusted, c_order)
        if attrs is not None and only_read(graph, node.name):
            out.append((node.name, node.name, attrs))
    return out


def run(graph) -> int:
    """Plan; returns the number of values given a buffer."""
    values = _values(graph)
    iv = intervals(graph)
    slots: list[tuple] = []        # (shape or None, dtype)
    busy_until: list[int] = []
    slot_of: dict[str, int] = {}
    for value, at, _ in sorted(values, key=lambda v: iv[v[1]][0]):
        meta = graph[value].meta
        start = iv[at][0]
        stop = max(iv[value][1], iv[at][0])
        key = (tuple(meta.shape) if _static(meta) else ("sym",) + tuple(meta.shape),
               meta.dtype)
        for s, (k, until) in enumerate(zip(slots, busy_until)):
            if k == key and until < start:
                break
        else:
            s = len(slots)
            slots.append(key)
            busy_until.append(-1)
        busy_until[s] = stop
        slot_of[value] = s
    _record_memory(graph, slot_of, slots, iv)
    if not slot_of:
        return 0
    pool = BufferPool([(k if k[:1] != ("sym",) else None, dt) for k, dt in slots])
    first = next(n for n in graph.order if graph[n].op != "input")
    pconst = graph.add("const", attrs={"value": pool}, meta=Meta(BufferPool, value=pool),
                       before=first)
    acq = graph.add("buffers.acquire", (pconst.name,), meta=Meta(list), before=first)
    planned = {v: (at, attrs) for v, at, attrs in values}
    for value, s in slot_of.items():
        at, attrs = planned[value]
        node = graph[at]
        if node.op == "fused":
            outs = list(node.attrs.get("out_slots") or [None] * node.attrs.get("n_out", 1))
            k = 0 if value == at else graph[graph[value].inputs[1]].attrs["value"]
            outs[k] = s
            node.attrs["out_slots"] = outs
            node.attrs["buffers"] = acq.name
            continue
        node.op = ops.planned_op(node.op)
        node.attrs.update(attrs, slot=s, buffers=acq.name)
    graph.add("buffers.release", (pconst.name, acq.name), meta=Meta(type(None), value=None))
    return len(slot_of)


def _record_memory(graph, slot_of, slots, iv):
    """graph.memory: planned vs imperative peak intermediate bytes (``iv``: the
    graph's intervals; it is not changed before the plan is applied)."""
    mem = graph.memory
    sizes, scratch = {}, {}
    for node in graph.nodes():
        if node.op in ("input", "const") or node.name in slot_of:
            continue
        if node.op == "fused":
            prog = graph[node.inputs[0]].attrs["value"]
            if isinstance(prog, Program):
                scratch[node.name] = prog.scratch_slots() * (prog.tile or config.TILE_ELEMENTS) \
                    * prog.dtype.itemsize * prog.threads
            if node.attrs.get("n_out", 1) > 1:
                continue          # its outputs are counted at their fused.item nodes
        if not is_fresh(node):
            continue
        b = nbytes(node.meta)
        if b:
            sizes[node.name] = b
    pool_bytes = sum(nbytes(Meta(np.ndarray, dt, k if k[:1] != ("sym",) else k[1:])) or 0
                     for k, dt in slots)
    mem["planned_peak_bytes"] = peak_bytes(graph, sizes, scratch, base=pool_bytes, iv=iv)
    mem["pool_bytes"] = int(pool_bytes)
    mem["symbolic"] = any(symbolic(graph[n].meta) for n in graph.order)
    mem.setdefault("imperative_peak_bytes", mem["planned_peak_bytes"])
