"""Control flow the speculation cannot decide: conditional and loop nodes with subgraphs.

Paths that leave a block early (``return``/``break``/``continue``) are handled by tail
duplication (the rest of the block is converted inside each branch) and, inside loop
bodies, by flag variables (``.brk``, ``.ret``, ``.retval``) that the loop node reads.
Values defined before a construct and used inside are captured into the subgraph as
``input`` nodes with role ``capture``.
"""
from __future__ import annotations

import ast

import numpy as np

from .. import config
from ..ir import Graph, Meta
from ..ir.node import join, widened
from .errors import ConversionError
from .values import Const, Ref, TupleVal, BoundMethod, UserMethod, BoxRef

BRK, RET, RETVAL = ".brk", ".ret", ".retval"


class NeedLoopNode(Exception):
    """An unrolled loop met a run-time exit: convert it as a loop node instead."""


def same_value(a, b) -> bool:
    """Are two abstract values certainly the same value (no merge needed)?"""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, Ref):
        return a.name == b.name
    if isinstance(a, Const):
        if a.value is b.value:
            return True
        from ..runtime.spec import _same_value
        return not isinstance(a.value, np.ndarray) and _same_value(a.value, b.value)
    if isinstance(a, TupleVal):
        return len(a.items) == len(b.items) and all(same_value(x, y)
                                                    for x, y in zip(a.items, b.items))
    return False


class _Unbound:
    """Initial value of a loop variable not bound before the loop."""

    def __repr__(self):
        return "<unbound>"


UNBOUND = _Unbound()


def may_exit(stmts) -> bool:
    """Does this block contain return/break/continue that leave it (not in nested loops)?"""
    def walk(nodes, in_loop):
        for n in nodes:
            if isinstance(n, ast.Return):
                return True
            if isinstance(n, (ast.Break, ast.Continue)) and not in_loop:
                return True
            if isinstance(n, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            inner_loop = in_loop or isinstance(n, (ast.For, ast.While))
            children = [c for c in ast.iter_child_nodes(n) if isinstance(c, ast.stmt)]
            if walk(children, inner_loop):
                return True
        return False
    return walk(stmts, False)


def updated_in_place(stmts) -> set:
    """Names whose object a block updates in place (``x += …``, ``x[i] = …``, ``out=x``)."""
    out = set()
    for stmt in stmts:
        for n in ast.walk(stmt):
            if isinstance(n, ast.AugAssign):
                t = n.target.value if isinstance(n.target, ast.Subscript) else n.target
                if isinstance(t, ast.Name):
                    out.add(t.id)
            elif isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                        out.add(t.value.id)
            elif isinstance(n, ast.Call):
                for k in n.keywords:
                    if k.arg == "out" and isinstance(k.value, ast.Name):
                        out.add(k.value.id)
                if isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) \
                        and n.func.attr in ("fill", "sort", "partition", "resize", "put"):
                    out.add(n.func.value.id)
    return out


def updated_in_place_targets(stmts) -> list:
    """The expressions (names, attribute chains) whose arrays a block updates in place."""
    out, seen = [], set()

    def add(t):
        if isinstance(t, (ast.Name, ast.Attribute)):
            key = ast.dump(t)
            if key not in seen:
                seen.add(key)
                load = ast.parse(ast.unparse(t), mode="eval").body
                out.append(ast.copy_location(load, t) if hasattr(t, "lineno") else load)
                for sub in ast.walk(out[-1]):
                    ast.copy_location(sub, t)
    for stmt in stmts:
        for n in ast.walk(stmt):
            if isinstance(n, ast.AugAssign):
                add(n.target.value if isinstance(n.target, ast.Subscript) else n.target)
            elif isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, ast.Subscript):
                        add(t.value)
            elif isinstance(n, ast.Call):
                for k in n.keywords:
                    if k.arg == "out":
                        add(k.value)
    return out


def assigned_in(stmts) -> list[str]:
    """Names a block (re)binds, in first-seen order (nested function bodies excluded)."""
    out = []
    for stmt in stmts:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id not in out:
                out.append(n.id)
    return out


class ControlConverter:
    # -- plumbing -----------------------------------------------------------------------
    def capture(self, name: str) -> str:
        """The name under which the current (sub)graph sees outer node ``name``."""
        chain, g = [], self.graph
        while name not in g.nx:
            chain.append(g)
            g = g.parent
            if g is None:
                raise ConversionError(f"internal: value {name} is not in any enclosing graph")
        outer = name
        for sub in reversed(chain):
            inner = sub.captures.get(outer)
            if inner is None:
                node = sub.add("input", attrs={"name": outer, "role": "capture", "outer": outer},
                               meta=self.graph[name].meta, name=sub.fresh_name("cap"))
                sub.captures[outer] = inner = node.name
                self.roots[inner] = self.roots.get(name, frozenset({name}))
            outer = inner
        return outer

    def _state(self):
        s = self.scope
        return dict(s.env), s.done, s.returned, s.loop_exit, self.heap_snapshot()

    def _set_state(self, state):
        s = self.scope
        s.env, s.done, s.returned, s.loop_exit = dict(state[0]), state[1], state[2], state[3]
        self.heap_restore(state[4])

    def in_loop_node(self) -> bool:
        return any(loop != "unroll" for loop in self.scope.loops)

    def do_return(self, value) -> None:
        scope = self.scope
        if self.in_loop_node():
            if scope is self.top:
                value = self.committed_value(value)   # returned after the commit
            scope.env[RET], scope.env[RETVAL], scope.env[BRK] = Const(True), value, Const(True)
            scope.loop_exit = "return"     # leaves unrolled loops too, up to the loop node
        else:
            scope.returned = value
            scope.done = True

    # -- conditionals ---------------------------------------------------------------------
    def dynamic_if(self, test: Ref, node: ast.If, rest: list) -> bool:
        """Both directions seen: a cond node. Returns True when ``rest`` was consumed."""
        dup = may_exit(node.body) or may_exit(node.orelse)
        then_stmts = node.body + (rest if dup else [])
        else_stmts = node.orelse + (rest if dup else [])
        if dup and self.scope.loops and self.scope.loops[-1] == "unroll":
            raise NeedLoopNode()
        saved, self.tail_dup = self.tail_dup, dup
        try:
            self.cond(test, lambda: self.block(then_stmts), lambda: self.block(else_stmts),
                      node.lineno)
        finally:
            self.tail_dup = saved
        return dup

    def cond(self, test, then_fn, else_fn, lineno) -> None:
        scope = self.scope
        before = self._state()
        truth = self.emit("truth", [test], lineno=lineno)
        results = []
        for label, fn in (("then", then_fn), ("else", else_fn)):
            self._set_state(before)
            prev = self.graph
            sub = Graph(f"{prev.name}.{label}{lineno}", parent=prev)
            self.graph = sub
            try:
                fn()
                if self.tail_dup and not self.in_loop_node() and not scope.done \
                        and not scope.loop_exit:
                    self.do_return(Const(None))     # fell off the end of the function
            finally:
                self.graph = prev
            results.append((sub, self._state()))
        (g_then, s_then), (g_else, s_else) = results
        env_t, done_t, ret_t, exit_t, heap_t = s_then
        env_e, done_e, ret_e, exit_e, heap_e = s_else
        names = [n for n in env_t if n in env_e and not same_value(env_t[n], env_e[n])]
        both_done = done_t and done_e
        heap, heap_slots, hv_t, hv_e = self.merge_heaps(heap_t, heap_e, g_then, g_else, lineno)
        # a value the function returns is seen after the commit: the caller's own array,
        # not the graph's private copy of it (inlined calls return into the graph instead)
        final = self.committed_value if scope is self.top else (lambda v: v)
        slots_t = [env_t[n] for n in names] + ([final(ret_t)] if both_done else []) + hv_t
        slots_e = [env_e[n] for n in names] + ([final(ret_e)] if both_done else []) + hv_e
        if done_t != done_e:
            raise ConversionError("internal: a branch returned and the other did not", lineno)
        # each branch's outputs are made with that branch's heap (a list it made)
        self.heap_restore(heap_t)
        outs_t = self._branch_output(g_then, slots_t, lineno)
        self.heap_restore(heap_e)
        outs_e = self._branch_output(g_else, slots_e, lineno)
        captured = list(dict.fromkeys(list(g_then.captures) + list(g_else.captures)))
        inputs = [truth.name] + [self.capture(c) if c not in self.graph.nx else c
                                 for c in captured]
        metas = tuple(join(g_then[a].meta, g_else[b].meta) for a, b in zip(outs_t, outs_e))
        cnode = self.graph.add("cond", inputs, attrs={"captures": tuple(captured),
                                                     "n_out": len(metas)},
                               meta=Meta(tuple, items=metas), lineno=lineno,
                               subgraphs=(g_then, g_else))
        self.roots[cnode.name] = frozenset({cnode.name})
        merged = {}
        labels = names + (["<ret>"] if both_done else []) + [("heap", b, k) for b, k in heap_slots]
        for i, n in enumerate(labels):
            item = self.graph.add("getitem", (cnode.name, self.const_node(i)), meta=metas[i],
                                  lineno=lineno)
            roots = self.roots.get(outs_t[i], frozenset()) | self.roots.get(outs_e[i],
                                                                            frozenset())
            self.roots[item.name] = roots or frozenset({item.name})
            merged[n] = Ref(item.name)
            orig_t, orig_e = self.original_in(g_then, outs_t[i]), \
                self.original_in(g_else, outs_e[i])
            if orig_t == orig_e and orig_t != outs_t[i]:
                self.identity[item.name] = orig_t     # both: the argument's array, updated
        env = {n: v for n, v in env_t.items() if n in env_e and same_value(v, env_e[n])}
        env.update({n: merged[n] for n in names})
        scope.env = env
        for (bid, key) in heap_slots:
            box = heap[0][bid]
            value = merged[("heap", bid, key)]
            if key == "<appended>":
                from .values import Splat
                box.appended[-1] = Splat(value)
            elif box.kind == "list" and box.origin is None:
                box.items[key] = value
            else:
                box.entries[key] = value
        self.heap, self.box_of = heap
        scope.done = both_done
        scope.returned = merged.get("<ret>") if both_done else None
        scope.loop_exit = None

    def merge_heaps(self, heap_t, heap_e, g_then, g_else, lineno):
        """Join the boxes two branches left: entries that differ become cond outputs."""
        from .state import ABSENT
        boxes_t, box_of = heap_t[0], dict(heap_t[1])
        boxes_e = heap_e[0]
        merged = {}
        slots, vt, ve = [], [], []
        for bid in list(dict.fromkeys(list(boxes_t) + list(boxes_e))):
            a, b = boxes_t.get(bid), boxes_e.get(bid)
            if a is None or b is None:
                only = a or b
                if only.origin is None:      # made in one branch: local to it
                    merged[bid] = only.copy()
                    continue
                # state first touched in one branch: the other branch left it as it was
                from .state import Box
                untouched = Box(only.kind, only.origin)
                a, b = (a, untouched) if b is None else (untouched, b)
                box_of[only.origin] = bid
            box = a.copy()
            box.dirty = list(dict.fromkeys(a.dirty + b.dirty))
            if len(a.appended) != len(b.appended) or not all(
                    same_value(x, y) for x, y in zip(a.appended, b.appended)):
                # appended differently: keep the common prefix, the rest becomes a run-time
                # tuple each branch outputs, extended at commit
                n = 0
                while n < min(len(a.appended), len(b.appended)) and \
                        same_value(a.appended[n], b.appended[n]):
                    n += 1
                box.appended = list(a.appended[:n]) + [("splat",)]
                slots.append((bid, "<appended>"))
                vt.append(TupleVal(tuple(a.appended[n:])))
                ve.append(TupleVal(tuple(b.appended[n:])))
            if box.kind == "list" and box.origin is None:
                if len(a.items) != len(b.items):
                    raise ConversionError("a list grows differently in two branches of a "
                                          "run-time condition", lineno)
                for i, (x, y) in enumerate(zip(a.items, b.items)):
                    if not same_value(x, y):
                        slots.append((bid, i))
                        vt.append(x)
                        ve.append(y)
            else:
                for key in dict.fromkeys(list(a.entries) + list(b.entries)):
                    x, y = a.entries.get(key), b.entries.get(key)
                    if x is not None and y is not None and same_value(x, y):
                        continue
                    if box.origin is None and (x is None or y is None):
                        raise ConversionError(f"key {key!r} set in only one branch of a "
                                              f"run-time condition", lineno)
                    if x is None:
                        x = self._current_entry(box, key, g_then, ABSENT)
                    if y is None:
                        y = self._current_entry(box, key, g_else, ABSENT)
                    slots.append((bid, key))
                    vt.append(x)
                    ve.append(y)
            merged[bid] = box
        return (merged, box_of), slots, vt, ve

    def _current_entry(self, box, key, sub, absent):
        """Inside branch ``sub``: the entry's value as the real object holds it now."""
        prev, self.graph = self.graph, sub
        try:
            getter = getattr if box.kind == "object" else (lambda o, k, d: o.get(k, d))
            return self.emit("call", [Ref(box.origin), Const(key), Const(absent)],
                             attrs={"fn": getter}, lineno=self.lineno)
        finally:
            self.graph = prev

    def _branch_output(self, sub, slots, lineno) -> list[str]:
        prev = self.graph
        self.graph = sub
        try:
            names = [self.materialize(v) for v in slots]
            out = sub.add("tuple", names, meta=Meta(tuple, items=tuple(sub[n].meta
                                                                       for n in names)),
                          lineno=lineno)
            sub.output = out.name
        finally:
            self.graph = prev
        return names

    # -- loops ------------------------------------------------------------------------------
    def loop_node(self, kind: str, node, iterable=None) -> None:
        """A loop node for ``for target in iterable`` or ``while test``."""
        scope = self.scope
        lineno = node.lineno
        if node.orelse:
            raise ConversionError("loop else-clause on a run-time loop is not supported yet",
                                  lineno)
        names = assigned_in(node.body) + ([n for n in assigned_in([ast.Assign(
            targets=[node.target], value=ast.Constant(0))])] if kind == "for" else [])
        names = list(dict.fromkeys(names))
        exits = may_exit(node.body)
        returns = any(isinstance(n, ast.Return) for s in node.body for n in ast.walk(s))
        carried = names + ([RET, RETVAL] if returns else [])
        self.escape_grown_lists(node.body)
        self.copy_updated_state(node.body)
        init_env = dict(scope.env)
        init_env.setdefault(RET, Const(False))
        init_env.setdefault(RETVAL, Const(None))
        inits = [init_env.get(n, Const(UNBOUND)) for n in carried]
        updated = updated_in_place(node.body)
        for i, n in enumerate(carried):
            # an argument's array updated in place inside the loop: copy it once, before
            if n in updated and isinstance(inits[i], Ref) and \
                    self.graph[inits[i].name].meta.type is np.ndarray:
                inits[i] = self.writable(inits[i], node.lineno)
        init_names = [self.materialize(v) for v in inits]
        owned = [self.roots.get(i, frozenset({i})) if self.fresh(i) else None
                 for i in init_names]
        metas = [widened(self.graph[i].meta) for i in init_names]
        iter_name = self.materialize(iterable) if iterable is not None else None
        n_asserts = len(self.asserts)
        # slots whose value stays the initial object on every trip (the carried input passed
        # through or updated in place): assumed for all, dropped where a trip rebinds it
        origins = [self.original(i) for i in init_names]
        same = set(range(len(carried)))
        for attempt in range(4 + len(carried)):
            del self.asserts[n_asserts:]
            result = self._loop_body(kind, node, carried, metas, iter_name, exits, updated,
                                     owned, {i: origins[i] for i in same})
            cond_g, body_g, out_metas, kept, flow = result
            new = [join(m, o) for m, o in zip(metas, out_metas)]
            if all(_same(a, b) for a, b in zip(new, metas)) and kept == same:
                break
            metas, same = new, kept
        else:
            raise ConversionError("loop variables keep changing type", lineno)
        captured = list(dict.fromkeys(list(body_g.captures) +
                                      (list(cond_g.captures) if cond_g is not None else [])))
        inputs = ([iter_name] if iter_name else []) + init_names + \
            [self.capture(c) if c not in self.graph.nx else c for c in captured]
        subs = (cond_g, body_g) if cond_g is not None else (body_g,)
        lnode = self.graph.add("loop", inputs, attrs={
            "kind": kind, "n_carried": len(carried), "carried": tuple(carried),
            "captures": tuple(captured), "has_iter": iter_name is not None},
            meta=Meta(tuple, items=tuple(metas)), lineno=lineno, subgraphs=subs)
        self.roots[lnode.name] = frozenset({lnode.name})
        out_roots = self._loop_out_roots(init_names, flow)
        env = dict(scope.env)
        for i, n in enumerate(carried):
            item = self.graph.add("getitem", (lnode.name, self.const_node(i)), meta=metas[i],
                                  lineno=lineno)
            self.roots[item.name] = frozenset({item.name}) if _immutable_meta(metas[i]) else \
                frozenset().union(out_roots[i], frozenset({item.name}))
            env[n] = Ref(item.name)
            if i in same and origins[i] != item.name:
                self.identity[item.name] = origins[i]
            if isinstance(inits[i], Const) and inits[i].value is UNBOUND:
                self.maybe_unbound.add(item.name)
        scope.env = env
        if returns:
            ret_flag, ret_val = env.pop(RET), env.pop(RETVAL)
            self.pending_return = (ret_flag, ret_val)
            if self.in_loop_node():
                # an enclosing loop node's own flags: no return has happened on this path
                env[RET], env[RETVAL] = Const(False), Const(None)

    def copy_updated_state(self, body) -> None:
        """Arrays of arguments or state the loop updates in place get their private copy
        before the loop, so that every trip reads the updated copy."""
        for target in updated_in_place_targets(body):
            try:
                value = self.expr(target)
            except ConversionError:
                continue
            if isinstance(value, Ref) and self.graph[value.name].meta.type is np.ndarray \
                    and not self.fresh(self.cow.get(value.name, value.name)):
                self.writable(value, target.lineno)

    def escape_grown_lists(self, body) -> None:
        """Lists made in the function and appended to inside a run-time loop cannot stay
        static: make them real lists (graph-owned) before the loop."""
        grown = set()
        for stmt in body:
            for n in ast.walk(stmt):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                        isinstance(n.func.value, ast.Name) and \
                        n.func.attr in ("append", "extend", "pop", "insert"):
                    grown.add(n.func.value.id)
        for name in grown:
            value = self.scope.env.get(name)
            if not isinstance(value, BoxRef) or self.box(value).kind != "list" or \
                    self.box(value).origin is not None:
                continue
            real = Ref(self.materialize(value))
            for scope in self.scopes:
                for k, v in list(scope.env.items()):
                    if v == value:
                        scope.env[k] = real

    def _loop_body(self, kind, node, carried, metas, iter_name, exits, updated, owned,
                   origins):
        scope = self.scope
        outer_state = self._state()
        prev = self.graph
        cond_g = None
        lineno = node.lineno
        inputs: list = []          # the body's carried input nodes, by slot

        def bind_carried(sub):
            inputs.clear()
            for i, (n, m) in enumerate(zip(carried, metas)):
                inp = sub.add("input", attrs={"name": n, "role": "carried", "index": i}, meta=m,
                              name=sub.fresh_name("c"))
                # graph-owned on entry stays graph-owned (checked on the body's output below)
                self.roots[inp.name] = owned[i] if owned[i] is not None else \
                    frozenset({inp.name})
                if i in origins:
                    self.identity[inp.name] = origins[i]
                scope.env[n] = Ref(inp.name)
                inputs.append(inp.name)
        try:
            if kind == "while":
                cond_g = Graph(f"{prev.name}.while{lineno}", parent=prev)
                self.graph = cond_g
                bind_carried(cond_g)
                test = self.expr(node.test)
                t = self.emit("truth", [test], lineno=lineno)
                cond_g.output = self.materialize(t)
                self._set_state(outer_state)
            body_g = Graph(f"{prev.name}.body{lineno}", parent=prev)
            self.graph = body_g
            bind_carried(body_g)
            if kind == "for":
                item = body_g.add("input", attrs={"name": "item", "role": "item"},
                                  meta=self._iter_item_meta(prev, iter_name),
                                  name=body_g.fresh_name("item"))
                self.roots[item.name] = self.roots.get(iter_name, frozenset({iter_name}))
                self.assign(node.target, Ref(item.name))
            scope.env[BRK] = Const(False)
            scope.loops.append(node)
            heap_before = self.heap_snapshot()
            try:
                self.block(node.body)
            finally:
                scope.loops.pop()
            if not self.heap_unchanged(heap_before):
                raise ConversionError("state written inside a run-time loop (object attributes, "
                                      "containers) is not supported yet", lineno)
            env = scope.env
            if any(isinstance(env.get(n), BoxRef) for n in carried):
                raise ConversionError("a container made in the function is rebound inside a "
                                      "run-time loop", lineno)
            outs = [self.materialize(env.get(n, Const(UNBOUND))) for n in carried]
            brk = self.materialize(env.get(BRK, Const(False)))
            out = body_g.add("tuple", outs + [brk], meta=Meta(tuple), lineno=lineno)
            body_g.output = out.name
            out_metas = [body_g[o].meta for o in outs]
            kept = {i for i in origins if self.original(outs[i]) == origins[i]}
            # what each slot's output may alias, in terms of the carried inputs
            flow = (list(inputs), [self.roots.get(o, frozenset({o})) for o in outs])
            for i, o in enumerate(outs):
                if carried[i] in updated and owned[i] is not None and \
                        metas[i].type is np.ndarray and \
                        not self.fresh(o):
                    raise ConversionError(f"loop variable {carried[i]!r} is updated in place and "
                                          f"may be rebound to an argument's array", lineno)
        finally:
            self.graph = prev
            self._set_state(outer_state)
        return cond_g, body_g, out_metas, kept, flow

    def _loop_out_roots(self, init_names, flow) -> list:
        """What each loop output may alias: its initial value, or what a trip's output
        aliases, where a carried input stands for what that slot may hold (a fixed point:
        ``x = y`` inside the loop makes the output alias the argument ``y``)."""
        inputs, outs = flow
        slot = {name: i for i, name in enumerate(inputs)}
        roots = [set(self.roots.get(n, frozenset({n}))) for n in init_names]
        changed = True
        while changed:
            changed = False
            for i, out in enumerate(outs):
                for r in out:
                    new = roots[slot[r]] if r in slot else {r}
                    if not new <= roots[i]:
                        roots[i] |= new
                        changed = True
        return [frozenset(r) for r in roots]

    def _iter_item_meta(self, graph, name) -> Meta:
        """Meta of the items a for loop gets from node ``name`` (range/enumerate/zip aware)."""
        node = graph[name]
        ins = [graph[i] for i in node.inputs]
        kw = node.attrs.get("kw", ())
        if node.op in ("builtin.range",):
            return Meta(int)
        if node.op == "builtin.enumerate" and ins and not kw:
            return Meta(tuple, items=(Meta(int), self._iter_item_meta(graph, node.inputs[0])))
        if node.op == "builtin.zip" and not kw:
            return Meta(tuple, items=tuple(self._iter_item_meta(graph, i) for i in node.inputs))
        if node.op == "builtin.reversed" and ins:
            return self._iter_item_meta(graph, node.inputs[0])
        return self._item_meta(node.meta)

    def _item_meta(self, m: Meta) -> Meta:
        if m.type is np.ndarray and m.shape:
            if len(m.shape) == 1:
                return Meta(m.dtype.type if m.dtype is not None else None, m.dtype, ())
            return Meta(np.ndarray, m.dtype, m.shape[1:])
        if m.type is range:
            return Meta(int)
        if m.type in (tuple, list) and m.items:
            out = m.items[0]
            for x in m.items[1:]:
                out = join(out, x)
            return widened(out)
        return Meta()

    def after_loop_return(self, rest: list) -> bool:
        """After a loop whose body may return: ``if ret: return retval`` + rest."""
        pending = getattr(self, "pending_return", None)
        if pending is None:
            return False
        self.pending_return = None
        if self.scope.loops and self.scope.loops[-1] == "unroll":
            # the rest to duplicate is the rest of the function, past the unrolled loop's
            # other trips: not at hand here, so the unrolled loop becomes a loop node
            raise NeedLoopNode()
        flag, value = pending
        saved, self.tail_dup = self.tail_dup, True
        try:
            self.cond(flag, lambda: self.do_return(value), lambda: self.block(rest),
                      self.lineno)
        finally:
            self.tail_dup = saved
        return True


def _same(a: Meta, b: Meta) -> bool:
    return a.type is b.type and a.dtype == b.dtype and a.shape == b.shape and \
        (a.items is None) == (b.items is None)


def _immutable_meta(m: Meta) -> bool:
    return m.type in (bool, int, float, complex, str, type(None), tuple) or \
        (m.type is not None and issubclass(m.type, np.generic))


_ = (TupleVal, BoundMethod, UserMethod, config)
