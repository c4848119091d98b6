"""Loops the speculation cannot unroll: loop nodes with a body (and a condition) subgraph.

The loop carries every name its body assigns (plus the return flags ``.ret``/``.retval``
when the body returns); arrays the body updates in place are copied once before the loop;
carried slots keep an argument's identity only when no trip rebinds them, and a loop output
aliases whatever any trip's output aliases (a fixed point over the carried slots).
"""
from __future__ import annotations

import ast
import copy

import numpy as np

from ..ir import Graph, Meta
from ..ir.node import join, same_dtype, widened
from .control import BRK, RET, RETVAL, UNBOUND, NeedLoopNode, may_exit
from .errors import ConversionError
from .values import Const, Ref, BoxRef, TupleVal
from .part import Part


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


class LoopConverter(Part):
    # -- loops ------------------------------------------------------------------------------
    def loop_node(self, kind: str, node, iterable=None) -> None:
        """A loop node for ``for target in iterable`` or ``while test``."""
        scope = self.cx.scope
        lineno = node.lineno
        if node.orelse:
            self._loop_with_else(kind, node, iterable)
            return
        names = assigned_in(node.body) + ([n for n in assigned_in([ast.Assign(
            targets=[node.target], value=ast.Constant(0))])] if kind == "for" else [])
        names = list(dict.fromkeys(names))
        exits = may_exit(node.body)
        returns = any(isinstance(n, ast.Return) for s in node.body for n in ast.walk(s))
        self.escape_grown_lists(node.body)
        rebound = self.escape_rebound_lists(node.body, names)
        self.copy_updated_state(node.body)
        slots = self.loop_state.loop_state_slots(node.body, set(names))
        carried = names + [s.name for s in slots] + ([RET, RETVAL] if returns else [])
        init_env = dict(scope.env)
        init_env.setdefault(RET, Const(False))
        init_env.setdefault(RETVAL, Const(None))
        inits = [init_env.get(n, Const(UNBOUND)) for n in carried]
        updated = updated_in_place(node.body)
        for i, n in enumerate(carried):
            # an argument's array updated in place inside the loop: copy it once, before
            if n in updated and isinstance(inits[i], Ref) and \
                    self.cx.graph[inits[i].name].meta.type is np.ndarray:
                inits[i] = self.state.writable(inits[i], node.lineno)
        init_names = [self.nodes.materialize(v) for v in inits]
        owned = [self.cx.aliases.roots.get(i, frozenset({i})) if self.cx.aliases.fresh(i) else None
                 for i in init_names]
        metas = [widened(self.cx.graph[i].meta) for i in init_names]
        iter_name = self.nodes.materialize(iterable) if iterable is not None else None
        n_asserts = len(self.cx.asserts)
        # slots whose value stays the initial object on every trip (the carried input passed
        # through or updated in place): assumed for all, dropped where a trip rebinds it
        origins = [self.state.original(i) for i in init_names]
        same = set(range(len(carried)))
        for attempt in range(4 + len(carried)):
            del self.cx.asserts[n_asserts:]
            result = self._loop_body(kind, node, carried, metas, iter_name, exits, updated,
                                     owned, {i: origins[i] for i in same}, slots, rebound)
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
            [self.control.capture(c) if c not in self.cx.graph.nx else c for c in captured]
        subs = (cond_g, body_g) if cond_g is not None else (body_g,)
        lnode = self.cx.graph.add("loop", inputs, attrs={
            "kind": kind, "n_carried": len(carried), "carried": tuple(carried),
            "captures": tuple(captured), "has_iter": iter_name is not None},
            meta=Meta(tuple, items=tuple(metas)), lineno=lineno, subgraphs=subs)
        self.cx.aliases.roots[lnode.name] = frozenset({lnode.name})
        out_roots = self._loop_out_roots(init_names, flow)
        env = dict(scope.env)
        for i, n in enumerate(carried):
            item = self.cx.graph.add("getitem", (lnode.name, self.cx.const_node(i)), meta=metas[i],
                                     lineno=lineno)
            self.cx.aliases.roots[item.name] = frozenset({item.name}) \
                if _immutable_meta(metas[i]) else \
                frozenset().union(out_roots[i], frozenset({item.name}))
            env[n] = Ref(item.name)
            if i in same and origins[i] != item.name:
                self.cx.heap.identity[item.name] = origins[i]
            if isinstance(inits[i], Const) and inits[i].value is UNBOUND:
                self.cx.maybe_unbound.add(item.name)
        scope.env = env
        self.loop_state.exit_state_slots(slots)
        if returns:
            ret_flag, ret_val = env.pop(RET), env.pop(RETVAL)
            self.cx.pending_return = (ret_flag, ret_val)
            if self.control.in_loop_node():
                # an enclosing loop node's own flags: no return has happened on this path
                env[RET], env[RETVAL] = Const(False), Const(None)

    def _loop_with_else(self, kind, node, iterable) -> None:
        """``for ... else`` / ``while ... else`` as a loop node: a flag of ours, False
        before the loop and set True right before each of its own ``break``s, then ``if
        not flag:`` the else-block (it runs when no break left the loop). An else-block
        that returns, breaks or continues is refused (it would decide the rest of the
        block, which this ``if`` does not hold)."""
        if any(isinstance(n, (ast.Return, ast.Break, ast.Continue))
               for s in node.orelse for n in ast.walk(s)):
            raise ConversionError("loop else-clause that returns, breaks or continues on a "
                                  "run-time loop", node.lineno)
        flag = f"<no break: line {node.lineno} col {node.col_offset}>"
        self.cx.scope.env[flag] = Const(False)
        loop = copy.copy(node)
        loop.body, loop.orelse = _flag_breaks(copy.deepcopy(node.body), flag), []
        self.loop_node(kind, loop, iterable)
        test = ast.copy_location(ast.UnaryOp(ast.Not(), ast.copy_location(
            ast.Name(flag, ast.Load()), node)), node)
        self.stmts.block([ast.copy_location(ast.If(test, node.orelse, []), node)])
        self.cx.scope.env.pop(flag, None)

    def copy_updated_state(self, body) -> None:
        """Arrays of arguments or state the loop updates in place get their private copy
        before the loop, so that every trip reads the updated copy."""
        for target in updated_in_place_targets(body):
            try:
                value = self.exprs.expr(target)
            except ConversionError:
                continue
            if isinstance(value, Ref) and self.cx.graph[value.name].meta.type is np.ndarray \
                    and not self.cx.aliases.fresh(self.cx.heap.cow.get(value.name, value.name)):
                self.state.writable(value, target.lineno)

    def escape_grown_lists(self, body) -> None:
        """Lists made in the function and appended to inside a run-time loop cannot stay
        static: make them real lists (graph-owned) before the loop."""
        grown = {}         # first-seen order (a set's would follow the strings' hash seed)
        for stmt in body:
            for n in ast.walk(stmt):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                        isinstance(n.func.value, ast.Name) and \
                        n.func.attr in ("append", "extend", "pop", "insert"):
                    grown[n.func.value.id] = None
        for name in grown:
            value = self.cx.scope.env.get(name)
            if not self._made_list(value):
                continue
            real = self.nodes.grown(Ref(self.nodes.materialize(value)))
            for scope in self.cx.scopes:
                for k, v in list(scope.env.items()):
                    if v == value:
                        scope.env[k] = real

    def escape_rebound_lists(self, body, names) -> list:
        """Lists made in the function that the body only rebinds (``grads = [g + d for g, d
        in zip(grads, new)]``, ``db, dw = self.backprop(x, y)``) and reads item by item:
        each trip's list becomes a real (graph-owned) list, carried by the loop node like an
        array. Only where nothing else holds the list (`_sole_holder`), so that it being a
        real object changes nothing observable. Returns the names treated so, in the
        order of ``names`` (graphs must not depend on the hash seed)."""
        loads = _whole_uses(body)
        out = []
        for name in names:
            if name in loads:
                continue
            value = self.cx.scope.env.get(name)
            if isinstance(value, BoxRef):
                if not self._sole_holder(name, value):
                    continue
                self.cx.scope.env[name] = Ref(self.nodes.materialize(value))
            out.append(name)
        return out

    def _made_list(self, value) -> bool:
        """Is ``value`` a list made in the function (a box mirroring no real object)?"""
        if not isinstance(value, BoxRef):
            return False
        box = self.cx.heap.box(value)
        return box.kind == "list" and box.origin is None

    def _sole_holder(self, name, value) -> bool:
        """Is ``value`` a list made in the function that only the name ``name`` holds?"""
        if not self._made_list(value):
            return False
        for other in self.cx.heap.boxes.values():
            if value in other.entries.values() or value in other.items or \
                    value in other.appended:
                return False
        return sum(_count(v, value) for s in self.cx.scopes for v in s.env.values()) == 1

    def _loop_body(self, kind, node, carried, metas, iter_name, exits, updated, owned,
                   origins, slots=(), rebound=()):
        scope = self.cx.scope
        outer_state = self.cx.snapshot()
        prev = self.cx.graph
        cond_g = None
        lineno = node.lineno
        inputs: list = []          # the body's carried input nodes, by slot

        def bind_carried(sub):
            inputs.clear()
            for i, (n, m) in enumerate(zip(carried, metas)):
                inp = sub.add("input", attrs={"name": n, "role": "carried", "index": i}, meta=m,
                              name=sub.fresh_name("c"))
                # graph-owned on entry stays graph-owned (checked on the body's output below)
                self.cx.aliases.roots[inp.name] = owned[i] if owned[i] is not None else \
                    frozenset({inp.name})
                if i in origins:
                    self.cx.heap.identity[inp.name] = origins[i]
                scope.env[n] = Ref(inp.name)
                inputs.append(inp.name)
            self.loop_state.bind_state_slots(slots)
        try:
            if kind == "while":
                cond_g = Graph(f"{prev.name}.while{lineno}", parent=prev)
                self.cx.graph = cond_g
                bind_carried(cond_g)
                test = self.exprs.expr(node.test)
                t = self.nodes.emit("truth", [test], lineno=lineno)
                cond_g.output = self.nodes.materialize(t)
                self.cx.restore(outer_state)
            body_g = Graph(f"{prev.name}.body{lineno}", parent=prev)
            self.cx.graph = body_g
            bind_carried(body_g)
            if kind == "for":
                item = body_g.add("input", attrs={"name": "item", "role": "item"},
                                  meta=self._iter_item_meta(prev, iter_name),
                                  name=body_g.fresh_name("item"))
                self.cx.aliases.roots[item.name] = self.cx.aliases.roots.get(
                    iter_name, frozenset({iter_name}))
                self.stmts.assign(node.target, Ref(item.name))
            scope.env[BRK] = Const(False)
            scope.loops.append(node)
            heap_before = self.cx.heap.snapshot()
            bound = {s.name: scope.env[s.name] for s in slots}
            try:
                with self.cx.scoped(active_slots=self.cx.active_slots + list(slots)):
                    self.stmts.block(node.body)
            finally:
                scope.loops.pop()
            self.loop_state.collect_state_slots(slots, bound)
            if not self.cx.heap.unchanged(heap_before):
                raise ConversionError("state written inside a run-time loop (object attributes, "
                                      "containers) is not supported yet", lineno)
            env = scope.env
            for n in rebound:
                value = env.get(n)
                if isinstance(value, BoxRef) and self._sole_holder(n, value):
                    env[n] = Ref(self.nodes.materialize(value))
            if any(isinstance(env.get(n), BoxRef) for n in carried):
                raise ConversionError("a container made in the function is rebound inside a "
                                      "run-time loop", lineno)
            outs = [self.nodes.materialize(env.get(n, Const(UNBOUND))) for n in carried]
            brk = self.nodes.materialize(env.get(BRK, Const(False)))
            out = body_g.add("tuple", outs + [brk], meta=Meta(tuple), lineno=lineno)
            body_g.output = out.name
            out_metas = [body_g[o].meta for o in outs]
            kept = {i for i in origins if self.state.original(outs[i]) == origins[i]}
            # what each slot's output may alias, in terms of the carried inputs
            flow = (list(inputs), [self.cx.aliases.roots.get(o, frozenset({o})) for o in outs])
            for i, o in enumerate(outs):
                if carried[i] in updated and owned[i] is not None and \
                        metas[i].type is np.ndarray and \
                        not self.cx.aliases.fresh(o):
                    raise ConversionError(f"loop variable {carried[i]!r} is updated in place and "
                                          f"may be rebound to an argument's array", lineno)
        finally:
            self.cx.graph = prev
            self.cx.restore(outer_state)
        return cond_g, body_g, out_metas, kept, flow

    def _loop_out_roots(self, init_names, flow) -> list:
        """What each loop output may alias: its initial value, or what a trip's output
        aliases, where a carried input stands for what that slot may hold (a fixed point:
        ``x = y`` inside the loop makes the output alias the argument ``y``)."""
        inputs, outs = flow
        slot = {name: i for i, name in enumerate(inputs)}
        roots = [set(self.cx.aliases.roots.get(n, frozenset({n}))) for n in init_names]
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
        pending = self.cx.pending_return
        if pending is None:
            return False
        self.cx.pending_return = None
        if self.control.in_unrolled_loop():
            # the rest to duplicate is the rest of the function, past the unrolled loop's
            # other trips: not at hand here, so the unrolled loop becomes a loop node
            raise NeedLoopNode()
        flag, value = pending
        self.control.cond_with_tail(flag, lambda: self.control.do_return(value),
                                    lambda: self.stmts.block(rest), self.cx.lineno, True)
        return True


def _same(a: Meta, b: Meta) -> bool:
    return a.type is b.type and (a.dtype is b.dtype or same_dtype(a.dtype, b.dtype)) and \
        a.shape == b.shape and \
        (a.items is None) == (b.items is None)


def _immutable_meta(m: Meta) -> bool:
    return m.type in (bool, int, float, complex, str, type(None), tuple) or \
        (m.type is not None and issubclass(m.type, np.generic))


def _count(v, box) -> int:
    """How many times abstract value ``v`` holds ``box`` (itself, or inside static tuples)."""
    if v == box:
        return 1
    if isinstance(v, TupleVal):
        return sum(_count(x, box) for x in v.items)
    return 0


_ITEMWISE = ("zip", "len", "enumerate", "reversed")


def _whole_uses(body) -> set:
    """Names a block uses other than item by item: anything but ``name[i]``, ``for _ in
    name``, ``zip/len/enumerate/reversed(name, ...)`` (passed on, stored, returned,
    compared, appended: the list object itself could be seen)."""
    itemwise = set()
    for stmt in body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and \
                    isinstance(n.ctx, ast.Load):
                itemwise.add(id(n.value))
            elif isinstance(n, (ast.For, ast.comprehension)) and isinstance(n.iter, ast.Name):
                itemwise.add(id(n.iter))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and \
                    n.func.id in _ITEMWISE:
                itemwise.update(id(a) for a in n.args if isinstance(a, ast.Name))
    return {n.id for stmt in body for n in ast.walk(stmt)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in itemwise}


def _flag_breaks(body, flag) -> list:
    """``body`` with ``flag = True`` before each ``break`` of this loop (not of the loops
    nested in it, nor in functions defined in it)."""
    out = []
    for stmt in body:
        if isinstance(stmt, ast.Break):
            mark = ast.copy_location(ast.Assign(
                [ast.copy_location(ast.Name(flag, ast.Store()), stmt)],
                ast.copy_location(ast.Constant(True), stmt)), stmt)
            mark.jl_break_flag = True      # part of the break (statements._loop_exit_test)
            out.append(mark)
            out.append(stmt)
            continue
        if not isinstance(stmt, (ast.For, ast.While, ast.AsyncFor, ast.FunctionDef,
                                 ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(stmt, field, None)
                if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                    setattr(stmt, field, _flag_breaks(block, flag))
            for handler in getattr(stmt, "handlers", ()):
                handler.body = _flag_breaks(handler.body, flag)
        out.append(stmt)
    return out
