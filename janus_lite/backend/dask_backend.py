"""The Dask backend: a graph whose arguments include Dask arrays, run on Dask collections.

The graph is the one the NumPy tier would run (same converter, same guards plus the Dask
arguments' type, dtype, shape and chunks; `config.DASK_PASSES`). `DaskInterpreter` runs it
node by node, lazily:

- an op with no lazy input runs locally on NumPy values (parameters, learning rates...);
- an op on Dask arrays that Dask implements (ufuncs, operators, ``@``, ``np.mean``,
  ``.T``, ``.sum()``, indexing...) builds the chunked Dask computation;
- any other op on a lazy value becomes one ``dask.delayed`` task (wrapped back into a
  one-chunk Dask array when its result is an array of known shape and dtype);
- assertions on lazy values, deferred prints and everything the commit step writes wait
  for the *compute point*: just before the first commit (or the end), every lazy value still
  needed, every pending assertion and every printed value are computed in ONE
  ``dask.compute``; a failed assertion then abandons the run before anything is written.

A conditional node on a lazy predicate whose branches are pure builds both and selects
inside the one compute; control flow that needs a lazy value to go on computes it then
(counted): the predicate of a branch with side effects, and a data-dependent loop's
predicate once per trip (with the small
carried values, so the next trip starts from NumPy values; the chunked arrays the loop
reads are persisted once per call first, see ``config.DASK_PERSIST_LOOP_INPUTS``). Ops
with side effects (random draws) get their lazy inputs computed first and run locally.

Results: a Dask array split into more than one chunk along some axis (it keeps the big
dimension) stays a Dask array; everything else comes back as NumPy values, typed as the
NumPy run types them (see `dask_args` for the rule).
"""
from __future__ import annotations

import operator

import numpy as np

from .. import config
from ..ir import get_op
from ..ir.backend_state import DaskReport
from ..ir.node import split_inputs
from ..ir.ops_core import AssumptionFailed
from ..ir.ops_state import deferred_print
from .dask_args import STATS, is_big
from .dask_ops import (MAX_DEPTH, Text, call_method, choose, compute_in_order,
                       dask_implements, has_lazy, is_lazy, meta_of, mutated, pure_branch,
                       static_cluster, typed)
from .interpreter import Interpreter, NodeError, interpreter_entry

import dask
import dask.array as da
from dask.delayed import Delayed


COMMIT_OPS = frozenset({"commit_setattr", "commit_setitem", "commit_append", "commit_extend",
                        "commit_final", "flush_prints"})


class DaskInterpreter(Interpreter):
    """Runs a graph on Dask collections with one compute per run (see the module doc)."""

    def __init__(self, graph):
        super().__init__(graph)
        self.report = graph.dask_report = DaskReport()

    # -- the run and its compute point -----------------------------------------------
    def run(self, *inputs):
        self._pending, self._prints, self._persisted = [], [], {}
        self._env = None
        self.report.runs += 1
        return super().run(*inputs)

    def run_graph(self, graph, env):
        top = graph is self.graph
        keep = set(graph.inputs) | {graph.output}
        last_use = self._last_use[id(graph)]
        outer, self._env = self._env, env
        done = not top
        try:
            for idx, node in enumerate(graph.nodes()):
                if node.op == "input":
                    continue
                if not done and node.op in COMMIT_OPS:
                    self._compute_point(env, graph, idx)
                    done = True
                try:
                    env[node.name] = self.run_node(node, [env[i] for i in node.inputs])
                except (AssumptionFailed, NodeError):
                    raise
                except Exception as exc:
                    raise NodeError(node, exc) from exc
                for i in node.inputs:
                    if last_use.get(i) == idx and i not in keep:
                        env.pop(i, None)
            if not done:
                self._compute_point(env, graph, len(graph))
            return env[graph.output]
        finally:
            self._env = outer

    def _compute_point(self, env, graph, idx):
        """Compute every lazy value still needed (big Dask arrays only returned stay lazy),
        the pending assertions and the deferred prints, in one ``dask.compute``."""
        later = {i for n in list(graph.nodes())[idx:] for i in n.inputs}
        names = [k for k, v in env.items() if (k in later or k == graph.output) and
                 has_lazy(v)]
        leaves = []
        for k in names:
            self._leaves(env[k], leaves, keep_big=k not in later)
        for _, _, args, _ in self._prints:
            self._leaves(args, leaves, keep_big=False)
        table = self._compute(leaves)
        for k in names:
            env[k] = self._fill(env[k], table, meta_of(graph, k))
        for ph, outbox, args, kw in self._prints:
            vals = self._fill(list(args), table, None)
            box = []
            deferred_print(box, *vals, **kw)
            for i, item in enumerate(outbox):
                if item is ph:
                    outbox[i] = box[0]
        self._prints = []

    def _compute(self, leaves, *extra) -> dict:
        """Compute ``leaves`` and the pending assertions together; raise AssumptionFailed if
        one fails; return id(leaf) → value."""
        pending, self._pending = self._pending, []
        if not leaves and not pending and not extra:
            return {}
        lazy_preds = [p for p, _, _ in pending]
        out = compute_in_order([*leaves, *lazy_preds, *extra])
        self.report.computes += 1
        STATS["computes"] += 1
        self.report.bytes_back += sum(getattr(v, "nbytes", 8) for v in out)
        for v, (_, expect, index) in zip(out[len(leaves):], pending):
            if bool(v) is not expect:
                raise AssumptionFailed(index)
        table = {id(a): v for a, v in zip(leaves, out)}
        table["extra"] = out[len(leaves) + len(pending):]
        return table

    def _compute_now(self, *values):
        """``values`` computed now (with the pending assertions), as a tuple."""
        return self._compute([], *values)["extra"]

    def _leaves(self, v, acc, keep_big, depth=0):
        if is_lazy(v):
            if not (keep_big and is_big(v)):
                acc.append(v)
        elif depth < MAX_DEPTH and type(v) in (tuple, list):
            for i in v:
                self._leaves(i, acc, keep_big, depth + 1)
        elif depth < MAX_DEPTH and type(v) is dict:
            for i in v.values():
                self._leaves(i, acc, keep_big, depth + 1)

    def _fill(self, v, table, meta, depth=0):
        if is_lazy(v):
            return typed(table[id(v)], meta) if id(v) in table else v
        if depth < MAX_DEPTH and type(v) is tuple:
            items = getattr(meta, "items", None) or (None,) * len(v)
            new = tuple(self._fill(i, table, m, depth + 1) for i, m in zip(v, items))
            return new if any(a is not b for a, b in zip(new, v)) else v
        if depth < MAX_DEPTH and type(v) is list:       # in place: its identity is kept
            for i, item in enumerate(v):
                v[i] = self._fill(item, table, None, depth + 1)
        elif depth < MAX_DEPTH and type(v) is dict:
            for k, item in v.items():
                v[k] = self._fill(item, table, None, depth + 1)
        return v

    # -- nodes ------------------------------------------------------------------------
    def run_node(self, node, args):
        if node.op == "cond":
            return self.op_cond(node, args)
        if node.op == "loop":
            return self.op_loop(node, args)
        if node.op == "errstate":
            return self.op_errstate(node, args)
        if not any(has_lazy(a) for a in args):
            return super().run_node(node, args)
        self.report.cluster_nodes.add(node.name)
        special = getattr(self, "lazy_" + node.op, None)
        if special is not None:
            return special(node, args)
        op = get_op(node.op)
        if op.mutates:
            return self._mutate(node, op, args)
        if op.side_effect or not op.pure:       # random draws...: run here on values
            lazy = [i for i, a in enumerate(args) if is_lazy(a)]
            args = list(args)
            for i, v in zip(lazy, self._compute_now(*(args[i] for i in lazy))):
                args[i] = v
            return super().run_node(node, args)
        if self._native(node, op, args):
            return super().run_node(node, args)
        return self._delayed(node, self._impl(node, op), args)

    def _native(self, node, op, args) -> bool:
        """Can ``node`` run directly on its (Dask array, never Delayed) inputs?"""
        if node.op in ("tuple", "list") or (node.op == "getitem" and
                                            type(args[0]) in (tuple, list)):
            return True          # a container of lazy values, or an item of one
        if any(isinstance(a, Delayed) or (type(a) in (tuple, list) and has_lazy(a) and
                                          any(isinstance(i, Delayed) for i in a))
               for a in args):
            return False
        if node.op in ("getattr", "tuple", "list", "getitem"):
            return not has_lazy(args[1:]) if node.op == "getitem" else True
        if op.emit in ("binop", "unop", "attr"):
            return op.symbol.strip() not in ("not", "and", "or", "is", "is not", "in")
        if op.emit == "method":
            return hasattr(da.Array, op.symbol)
        if op.emit == "call" and op.impl is not None:
            return dask_implements(op.impl)
        return False

    @staticmethod
    def _impl(node, op):
        if node.op == "call":
            return node.attrs["fn"]
        if op.emit == "method":
            return lambda obj, *a, **k: call_method(op.symbol, obj, *a, **k)
        if node.op == "getattr":
            return lambda obj: getattr(obj, node.attrs["name"])
        return op.impl

    def _delayed(self, node, fn, args):
        pos, kw = split_inputs(node, args)
        value = dask.delayed(fn, pure=False)(*pos, **kw)
        m = node.meta
        if m.type is np.ndarray and m.dtype is not None and m.shape is not None and \
                all(isinstance(d, int) for d in m.shape):
            return da.from_delayed(value, m.shape, m.dtype)
        return value

    def _mutate(self, node, op, args):
        """An in-place op on a lazy value: the updated value replaces the old one
        everywhere in this scope (the graph's own copy; the commit writes it back)."""
        idx = op.mutates[0]
        target = args[idx]
        plain = getattr(operator, node.op[1:], None) if node.op.startswith("i") else None
        if op.emit == "binop" and plain is not None and idx == 0 and \
                isinstance(target, (np.ndarray, da.Array)) and \
                not any(isinstance(a, Delayed) for a in args):
            # x op= y is x op y cast back into x (NumPy refuses what cannot be cast)
            new = plain(*args)
            if new.shape != target.shape:
                raise ValueError(f"non-broadcastable output operand with shape "
                                 f"{target.shape} doesn't match {new.shape}")
            if new.dtype != target.dtype:
                if not np.can_cast(new.dtype, target.dtype, "same_kind"):
                    raise TypeError(f"Cannot cast {new.dtype} to {target.dtype}")
                new = new.astype(target.dtype)
        else:
            new = self._delayed(node, mutated(self._impl(node, op), idx), args)
        for k, v in list(self._env.items()):
            if v is target:
                self._env[k] = new
        return new

    def lazy_assert(self, node, args):
        self._pending.append((args[0], node.attrs["expect"], node.attrs["index"]))

    def lazy_print(self, node, args):
        pos, kw = split_inputs(node, args)
        ph = Text()
        pos[0].append(ph)
        self._prints.append((ph, pos[0], list(pos[1:]), kw))

    def lazy_type_is(self, node, args):
        if isinstance(args[0], da.Array) and not has_lazy(args[1]):
            return args[1] is np.ndarray      # it computes to an ndarray
        return self._delayed(node, get_op("type_is").impl, args)

    def lazy_unpack(self, node, args):
        n = node.attrs["n"]
        if isinstance(args[0], (tuple, list)):
            return get_op("unpack").impl(args[0], n)
        return tuple(dask.delayed(get_op("unpack").impl, nout=n, pure=False)(args[0], n))

    # -- control flow -----------------------------------------------------------------
    def op_cond(self, node, args):
        if not is_lazy(args[0]):
            return super().op_cond(node, args)
        self.report.cluster_nodes.add(node.name)
        if all(pure_branch(sub) for sub in node.subgraphs):
            return self._select(node, args)
        return super().op_cond(node, [self._compute_now(args[0])[0], *args[1:]])

    def op_errstate(self, node, args):
        """A ``with np.errstate`` region runs on values, computed now: its error state must
        hold while its ops compute, which a lazy graph computed later would not honour."""
        args = [self._compute_now(a)[0] if is_lazy(a) else a for a in args]
        return super().op_errstate(node, args)

    def _select(self, node, args):
        """Both branches built lazily, each output chosen by the predicate inside the one
        compute (no compute of its own): elementwise `da.where` for arrays of one shape and
        dtype (exact: it copies the chosen values), a delayed choice for the rest."""
        outs = [self.run_graph(sub, self._sub_env(sub, node, args)) for sub in node.subgraphs]
        pred = args[0]
        pred_arr = da.from_delayed(pred, (), bool) if isinstance(pred, Delayed) else pred
        metas = getattr(node.meta, "items", None)

        def pick(a, b, meta):
            if a is b:
                return a
            if isinstance(a, da.Array) and isinstance(b, da.Array) and \
                    a.shape == b.shape and a.dtype == b.dtype and a.chunks == b.chunks:
                return da.where(pred_arr, a, b)
            value = dask.delayed(choose, pure=False)(pred, a, b)
            if getattr(meta, "type", None) is np.ndarray and meta.dtype is not None and \
                    meta.shape is not None and all(isinstance(d, int) for d in meta.shape):
                return da.from_delayed(value, meta.shape, meta.dtype)
            return value
        if type(outs[0]) is tuple and type(outs[1]) is tuple and len(outs[0]) == len(outs[1]):
            metas = metas or (None,) * len(outs[0])
            return tuple(pick(a, b, m) for a, b, m in zip(*outs, metas))
        return pick(outs[0], outs[1], node.meta)

    def op_loop(self, node, args):
        a = node.attrs
        n = a["n_carried"]
        off = 1 if a["has_iter"] else 0
        args = list(args)
        caps = len(a["captures"])
        if a["kind"] != "for" and caps and config.DASK_PERSIST_LOOP_INPUTS:
            self._persist(args, len(args) - caps)
        carried = list(args[off:off + n])
        subs = node.subgraphs
        cond_g, body_g = (subs[0], subs[1]) if len(subs) == 2 else (None, subs[0])
        state = {}

        def value(inp):
            if inp.attrs["role"] == "carried":
                return carried[inp.attrs["index"]]
            return state["item"]

        def settle(*flags):
            """Compute the lazy flags with the small lazy carried values (one compute)."""
            small = [i for i, c in enumerate(carried) if is_lazy(c) and not is_big(c)]
            if not small and not any(is_lazy(f) for f in flags):
                return flags
            self.report.cluster_nodes.add(node.name)
            out = self._compute_now(*flags, *(carried[i] for i in small))
            metas = getattr(node.meta, "items", None) or (None,) * n
            for i, v in zip(small, out[len(flags):]):
                carried[i] = typed(v, metas[i] if i < len(metas) else None)
            return out[:len(flags)]

        def step():
            out = self.run_graph(body_g, self._sub_env(body_g, node, args, value))
            carried[:] = out[:n]
            return out[n]
        if a["kind"] == "for":
            for item in args[0]:
                state["item"] = item
                brk = step()
                if is_lazy(brk):
                    brk = settle(brk)[0]
                if brk:
                    break
        else:
            while True:
                go = self.run_graph(cond_g, self._sub_env(cond_g, node, args, value))
                if not settle(go)[0]:
                    break
                brk = step()
                if is_lazy(brk):
                    brk = settle(brk)[0]
                if brk:
                    break
        return tuple(carried)

    def _persist(self, args, start):
        """Persist the chunked arrays a data-dependent loop reads (once per call)."""
        todo = [i for i in range(start, len(args)) if isinstance(args[i], da.Array) and
                id(args[i]) not in self._persisted]
        if todo:
            done = dask.persist(*(args[i] for i in todo))
            self.report.persists += 1
            STATS["persists"] += 1
            for i, p in zip(todo, done):
                self._persisted[id(args[i])] = (args[i], p)
        for i in range(start, len(args)):
            hit = self._persisted.get(id(args[i]))
            if hit is not None and hit[0] is args[i]:
                args[i] = hit[1]


def compile_dask(graph, fn, fdef, guards):
    """An entry with the user's signature: the guards, then `DaskInterpreter`."""
    from ..frontend.errors import ConversionError
    dask_params = {g.source.describe() for g in guards
                   if g.kind == "type" and g.expected is da.Array}
    hit = dask_params & ({g.source.describe() for g in guards if g.kind == "writeable"} |
                         set(graph.mutated))
    if hit:
        raise ConversionError(f"Dask array argument {sorted(hit)[0]} is updated in place "
                              f"(Dask arrays cannot be)", getattr(fdef, "lineno", None))
    interp = DaskInterpreter(graph)
    interp.report.cluster_nodes |= static_cluster(graph, dask_params & set(graph.inputs))
    return interpreter_entry(interp, graph, fn, fdef, guards, name="__jl_graph")
