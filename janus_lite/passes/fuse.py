"""Elementwise fusion: chains of ufunc ops over arrays of one dtype and one shape become one
``fused`` node running a tiled kernel (backend/kernels.py). A node joins a group only when
the kernel provably computes every element exactly as the op would: a ufunc with one output,
no keywords, every array operand of exactly the group's dtype and shape (no broadcasting),
scalar operands that NumPy converts to that dtype (NEP 50), and the ``dtype,…->dtype`` loop.
Groups never span a barrier (side effect, in-place update, control flow) and stay convex
(no path leaves the group and comes back), so the fused node can run where its last member
ran."""
from __future__ import annotations

import networkx as nx
import numpy as np

from .. import config
from ..ir.kernel_program import Program, Step
from ..ir import get_op
from ..ir.node import Meta, same_dtype
from .analysis import (is_barrier, replaceable, reschedule, same_dtype_loop,
                       ufunc_of, unary_operand)
from . import ops  # noqa: F401  (registers the fused ops)


def _operands(node, uf):
    return node.inputs[:1] if unary_operand(node, uf) else node.inputs


def _candidate(graph, node):
    """(ufunc, (dtype, shape)) when ``node`` may join a group, else None."""
    if node.op.endswith("@out") or node.attrs.get("kw") or not replaceable(graph, node.name):
        return None
    uf = ufunc_of(graph, node)
    m = node.meta
    if uf is None or m.type is not np.ndarray or m.dtype is None or not m.shape or \
            any(d is None for d in m.shape):
        return None
    for i in _operands(node, uf):
        im = graph[i].meta
        if im.type is np.ndarray:
            if not same_dtype(im.dtype, m.dtype) or (im.shape != m.shape and im.shape != ()):
                return None
        elif im.type not in (int, float) and not (
                im.type is not None and issubclass(im.type, np.generic) and
                same_dtype(im.dtype, m.dtype)):
            return None
    if not same_dtype_loop(graph, node, uf, m.dtype):
        return None
    return uf, (m.dtype, m.shape)


def _candidates(graph):
    """candidate node → (ufunc, key, segment), segments split at barriers."""
    out, segment = {}, 0
    for node in graph.nodes():
        if is_barrier(node):
            segment += 1
            continue
        cand = _candidate(graph, node)
        if cand is not None:
            out[node.name] = (cand[0], cand[1], segment)
    return out


def _components(graph, members: list, cands) -> list[list]:
    """Split ``members`` into connected pieces (edges between members of one key)."""
    parent = {m: m for m in members}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for m in members:
        for i in graph[m].inputs:
            if i in parent and cands[i][1:] == cands[m][1:]:
                parent[find(m)] = find(i)
    comps: dict = {}
    for m in members:
        comps.setdefault(find(m), []).append(m)
    return list(comps.values())


def _convex(graph, comp: list) -> tuple[list, list]:
    """(kept, rejected): members downstream of a path that leaves the group are dropped,
    so no path leaves the kept group and comes back."""
    inside, tainted, kept, rejected = set(comp), set(), [], []
    pos = {n: k for k, n in enumerate(graph.order)}
    first = pos[comp[0]]
    for n in graph.order[first:]:
        ins = graph[n].inputs
        if n in inside:
            if any(i in tainted for i in ins):
                rejected.append(n)
                tainted.add(n)
            else:
                kept.append(n)
        elif any(i in tainted or (i in inside and i not in rejected) for i in ins):
            tainted.add(n)
    return kept, rejected


def _groups(graph):
    """``[(members in schedule order, (dtype, shape))]`` and each candidate's ufunc: convex
    groups whose contraction keeps the graph acyclic."""
    cands = {n: c for n, c in _candidates(graph).items() if not _too_small(c[1][1])}
    pos = {n: k for k, n in enumerate(graph.order)}
    todo = _components(graph, sorted(cands, key=pos.get), cands)
    groups = []
    while todo:
        comp = sorted(todo.pop(), key=pos.get)
        kept, rejected = _convex(graph, comp)
        if kept:
            groups.append(kept)
        if rejected:
            todo.extend(_components(graph, rejected, cands))
    groups.sort(key=lambda g: pos[g[0]])
    # only groups worth a kernel go on (the cycle check below copies the graph per group)
    ufuncs = {n: c[0] for n, c in cands.items()}
    groups = [g for g in groups if _worth_it(g, cands[g[0]][1], ufuncs)]
    if not groups:
        return [], ufuncs
    # contract group by group; drop a group whose contraction would close a cycle
    quotient = graph.nx.copy()
    final = []
    for members in groups:
        trial = nx.contracted_nodes_many(quotient, members) if hasattr(
            nx, "contracted_nodes_many") else _contract(quotient, members)
        if nx.is_directed_acyclic_graph(trial):
            quotient = trial
            final.append((members, cands[members[0]][1]))
    return final, ufuncs


def _contract(g, members):
    """``g`` with ``members`` merged into ``members[0]``."""
    h = g.copy()
    rep = members[0]
    for m in members[1:]:
        for p in list(h.predecessors(m)):
            if p != rep:
                h.add_edge(p, rep)
        for s in list(h.successors(m)):
            if s != rep:
                h.add_edge(rep, s)
        h.remove_node(m)
    if h.has_edge(rep, rep):
        h.remove_edge(rep, rep)
    return h


def _too_small(shape) -> bool:
    """A static shape below FUSE_MIN_ELEMENTS never gets a kernel (checked first: cheap)."""
    return all(isinstance(d, int) for d in shape) and \
        int(np.prod(shape, dtype=np.int64)) < config.FUSE_MIN_ELEMENTS


def _worth_it(members, key, ufuncs) -> bool:
    _, shape = key
    if all(isinstance(d, int) for d in shape):
        size = int(np.prod(shape, dtype=np.int64))
        if size < config.FUSE_MIN_ELEMENTS:
            return False
        return len(members) >= 2 or (config.KERNEL_THREADS > 1 and
                                     size >= config.PARALLEL_MIN_ELEMENTS)
    return len(members) >= 2


def _program(graph, members, key, ufuncs):
    dtype, shape = key
    index = {m: k for k, m in enumerate(members)}
    inputs: list[str] = []
    steps = []
    def arg(i):
        if i in index:
            return ("step", index[i])
        if graph[i].op == "const":
            return ("const", graph[i].attrs["value"])
        if i not in inputs:
            inputs.append(i)
        return ("in", inputs.index(i))
    for m in members:
        node = graph[m]
        uf = ufuncs[m]
        args = tuple(arg(i) for i in _operands(node, uf))
        plain_args = tuple(arg(i) for i in node.inputs) if unary_operand(node, uf) else None
        steps.append(Step(uf, get_op(node.op).impl, args, node.lineno, node.op, plain_args))
    member_set = set(members)
    outputs = tuple(index[m] for m in members
                    if m == graph.output or any(u not in member_set
                                                for u in graph.nx.successors(m)))
    arrays = tuple(j for j, i in enumerate(inputs) if graph[i].meta.type is np.ndarray
                   and graph[i].meta.shape == shape)
    tile, threads = config.TILE_ELEMENTS, max(1, config.KERNEL_THREADS)
    if all(isinstance(d, int) for d in shape):
        size = int(np.prod(shape, dtype=np.int64))
        tile = min(tile, size)
        if size < config.PARALLEL_MIN_ELEMENTS:
            threads = 1
    return Program(dtype, len(inputs), arrays, steps, outputs, tile, threads), inputs


def run(graph) -> int:
    """Fuse; returns the number of fused nodes made (also counted in graph.fused)."""
    groups, ufuncs = _groups(graph)
    made = 0
    priority = {n: float(k) for k, n in enumerate(graph.order)}
    for members, key in groups:
        if not _worth_it(members, key, ufuncs):
            continue
        program, inputs = _program(graph, members, key, ufuncs)
        if not program.outputs or not program.array_inputs:
            continue
        last = members[-1]
        at = priority[last]
        kconst = graph.add("const", attrs={"value": program}, meta=Meta(Program, value=program))
        out_metas = [graph[members[k]].meta for k in program.outputs]
        meta = out_metas[0] if len(out_metas) == 1 else Meta(tuple, items=tuple(out_metas))
        fused = graph.add("fused", [kconst.name] + inputs, attrs={"n_out": len(out_metas)},
                          meta=meta, lineno=graph[last].lineno)
        priority[kconst.name] = priority[fused.name] = at
        for k, step in enumerate(program.outputs):
            member = members[step]
            if len(out_metas) == 1:
                graph.replace_uses(member, fused.name)
                continue
            idx = graph.add("const", attrs={"value": k}, meta=Meta(int, value=k))
            item = graph.add("fused.item", (fused.name, idx.name), meta=graph[member].meta,
                             lineno=graph[member].lineno)
            priority[idx.name] = at
            priority[item.name] = at + 0.5
            graph.replace_uses(member, item.name)
        for m in reversed(members):
            graph.remove(m)
            del priority[m]
        made += 1
    if made:
        reschedule(graph, priority)
    graph.fused += made
    return made
