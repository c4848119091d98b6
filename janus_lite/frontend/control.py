"""Control flow the speculation cannot decide: conditional nodes with subgraphs, and what
conditionals and loops (frontend/loops.py) share.

Paths that leave a block early (``return``/``break``/``continue``) are handled by tail
duplication (the rest of the block is converted inside each branch) and, inside loop
bodies, by flag variables (``.brk``, ``.ret``, ``.retval``) that the loop node reads.
Values defined before a construct and used inside are captured into the subgraph as
``input`` nodes with role ``capture``.
"""
from __future__ import annotations

import ast

from ..ir import Graph, Meta
from ..ir.node import join
from .errors import ConversionError
from ..ir.ops_state import ABSENT
from .state import Box
from .values import Const, Ref, TupleVal, BoundMethod, UserMethod, Splat, same_value
from .part import Part

BRK, RET, RETVAL = ".brk", ".ret", ".retval"


class NeedLoopNode(Exception):
    """An unrolled loop met a run-time exit: convert it as a loop node instead."""


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


class ControlConverter(Part):
    # -- plumbing -----------------------------------------------------------------------
    def capture(self, name: str) -> str:
        """The name under which the current (sub)graph sees outer node ``name``."""
        chain, g = [], self.cx.graph
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
                               meta=self.cx.graph[name].meta, name=sub.fresh_name("cap"))
                sub.captures[outer] = inner = node.name
                self.cx.aliases.roots[inner] = self.cx.aliases.roots.get(name, frozenset({name}))
            outer = inner
        return outer

    def in_loop_node(self) -> bool:
        return any(loop != "unroll" for loop in self.cx.scope.loops)

    def do_return(self, value) -> None:
        scope = self.cx.scope
        if self.in_loop_node():
            if scope is self.cx.top:
                value = self.state.committed_value(value)   # returned after the commit
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
        if dup and self.in_unrolled_loop():
            raise NeedLoopNode()
        self.cond_with_tail(test, lambda: self.stmts.block(then_stmts),
                            lambda: self.stmts.block(else_stmts), node.lineno, dup)
        return dup

    def in_unrolled_loop(self) -> bool:
        """Is the innermost enclosing loop one being unrolled (so the rest of the function
        after it is not at hand for tail duplication)?"""
        return bool(self.cx.scope.loops) and self.cx.scope.loops[-1] == "unroll"

    def cond_with_tail(self, test, then_fn, else_fn, lineno, tail_dup: bool) -> None:
        """`cond`, where ``tail_dup`` says the branches carry the rest of the block."""
        with self.cx.scoped(tail_dup=tail_dup):
            self.cond(test, then_fn, else_fn, lineno)

    def cond(self, test, then_fn, else_fn, lineno) -> None:
        scope = self.cx.scope
        before = self.cx.snapshot()
        truth = self.nodes.emit("truth", [test], lineno=lineno)
        results = []
        for label, fn in (("then", then_fn), ("else", else_fn)):
            self.cx.restore(before)
            prev = self.cx.graph
            sub = Graph(f"{prev.name}.{label}{lineno}", parent=prev)
            with self.cx.scoped(graph=sub):
                fn()
                if self.cx.tail_dup and not self.in_loop_node() and not scope.done \
                        and not scope.loop_exit:
                    self.do_return(Const(None))     # fell off the end of the function
            results.append((sub, self.cx.snapshot()))
        (g_then, s_then), (g_else, s_else) = results
        env_t, done_t, ret_t, exit_t, heap_t = s_then
        env_e, done_e, ret_e, exit_e, heap_e = s_else
        names = [n for n in env_t if n in env_e and not same_value(env_t[n], env_e[n])]
        both_done = done_t and done_e
        heap, heap_slots, hv_t, hv_e = self.merge_heaps(heap_t, heap_e, g_then, g_else, lineno)
        # a value the function returns is seen after the commit: the caller's own array,
        # not the graph's private copy of it (inlined calls return into the graph instead)
        final = self.state.committed_value if scope is self.cx.top else (lambda v: v)
        slots_t = [env_t[n] for n in names] + ([final(ret_t)] if both_done else []) + hv_t
        slots_e = [env_e[n] for n in names] + ([final(ret_e)] if both_done else []) + hv_e
        if done_t != done_e:
            raise ConversionError("internal: a branch returned and the other did not", lineno)
        # each branch's outputs are made with that branch's heap (a list it made); a
        # container made in the function becomes one object per branch, however many
        # outputs hold it, and may not change (or be made again) after the branch
        made_t, made_e = {}, {}
        self.cx.heap.restore(heap_t)
        with self.cx.scoped(branch_objects=made_t):
            outs_t = self._branch_output(g_then, slots_t, lineno)
        self.cx.heap.restore(heap_e)
        with self.cx.scoped(branch_objects=made_e):
            outs_e = self._branch_output(g_else, slots_e, lineno)
        captured = list(dict.fromkeys(list(g_then.captures) + list(g_else.captures)))
        inputs = [truth.name] + [self.capture(c) if c not in self.cx.graph.nx else c
                                 for c in captured]
        metas = tuple(join(g_then[a].meta, g_else[b].meta) for a, b in zip(outs_t, outs_e))
        cnode = self.cx.graph.add("cond", inputs, attrs={"captures": tuple(captured),
                                                         "n_out": len(metas)},
                                  meta=Meta(tuple, items=metas), lineno=lineno,
                                  subgraphs=(g_then, g_else))
        self.cx.aliases.roots[cnode.name] = frozenset({cnode.name})
        merged = {}
        labels = names + (["<ret>"] if both_done else []) + [("heap", b, k) for b, k in heap_slots]
        for i, n in enumerate(labels):
            item = self.cx.graph.add("getitem", (cnode.name, self.cx.const_node(i)), meta=metas[i],
                                     lineno=lineno)
            known = self.cx.aliases.roots
            roots = known.get(outs_t[i], frozenset()) | known.get(outs_e[i], frozenset())
            self.cx.aliases.roots[item.name] = roots or frozenset({item.name})
            merged[n] = Ref(item.name)
            orig_t, orig_e = self.state.original_in(g_then, outs_t[i]), \
                self.state.original_in(g_else, outs_e[i])
            if orig_t == orig_e and orig_t != outs_t[i]:
                self.cx.heap.identity[item.name] = orig_t     # both: the argument's array, updated
        env = {n: v for n, v in env_t.items() if n in env_e and same_value(v, env_e[n])}
        env.update({n: merged[n] for n in names})
        scope.env = env
        for (bid, key) in heap_slots:
            box = heap[0][bid]
            value = merged[("heap", bid, key)]
            if key == "<appended>":
                box.appended[-1] = Splat(value)
            elif box.kind == "list" and box.origin is None:
                box.items[key] = value
            else:
                box.entries[key] = value
        for bid in list(made_t) + list(made_e):
            if bid in heap[0]:
                self.cx.escaped_boxes[bid] = heap[0][bid].copy()
            elif bid in self.cx.branch_tuples:
                self.cx.escaped_boxes[bid] = None
        self.cx.heap.boxes, self.cx.heap.box_of = heap
        scope.done = both_done
        scope.returned = merged.get("<ret>") if both_done else None
        scope.loop_exit = None

    def merge_heaps(self, heap_t, heap_e, g_then, g_else, lineno):
        """Join the boxes two branches left: entries that differ become cond outputs."""
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
                untouched = Box(only.kind, only.origin)
                a, b = (a, untouched) if b is None else (untouched, b)
                box_of[only.origin] = bid
            box = a.copy()
            box.dirty = list(dict.fromkeys(a.dirty + b.dirty))
            box.maybe_absent |= b.maybe_absent
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
                    if x is None or y is None:
                        # untouched on one path: what the real object holds on entry (no
                        # write came before the branch), read with its guards like any read
                        held = self._entry_on_entry(box, key, lineno)
                        if held is None:
                            box.maybe_absent.add(key)    # no static answer to `key in d`
                        x = x if x is not None else held if held is not None else \
                            self._current_entry(box, key, g_then, ABSENT)
                        y = y if y is not None else held if held is not None else \
                            self._current_entry(box, key, g_else, ABSENT)
                    if _deleted(x) or _deleted(y):
                        box.maybe_absent.add(key)
                    slots.append((bid, key))
                    vt.append(x)
                    ve.append(y)
            merged[bid] = box
        return (merged, box_of), slots, vt, ve

    def _entry_on_entry(self, box, key, lineno):
        """The value attribute/key ``key`` of mirrored object ``box.origin`` has when the
        graph starts (a guarded read), or None where it may not exist."""
        if box.origin is None:
            return None
        origin = Ref(box.origin)
        if box.kind == "dict":
            self.dicts.note_key(box.origin, key)      # whether it exists decides the value
        try:
            if box.kind == "object":
                owner = self.cx.graph.root()[box.origin].meta.type
                if owner is None or box.origin not in self.cx.sources:
                    return None
                value = self.external.object_attribute(origin, owner, key, lineno)
            elif box.kind == "dict" and key in self.cx.known_keys.get(box.origin, ()) or \
                    box.kind == "list" and isinstance(key, int):
                value = self.containers.read_item(origin, self.cx.sources[box.origin], key, lineno)
            else:
                return None
        except (ConversionError, KeyError):
            return None
        return value if isinstance(value, (Const, Ref, TupleVal)) else None

    def _current_entry(self, box, key, sub, absent):
        """Inside branch ``sub``: the entry's value as the real object holds it now."""
        with self.cx.scoped(graph=sub):
            getter = getattr if box.kind == "object" else (lambda o, k, d: o.get(k, d))
            return self.nodes.emit("call", [Ref(box.origin), Const(key), Const(absent)],
                                   attrs={"fn": getter}, lineno=self.cx.lineno)

    def _branch_output(self, sub, slots, lineno) -> list[str]:
        with self.cx.scoped(graph=sub):
            names = [self.nodes.materialize(v) for v in slots]
            out = sub.add("tuple", names, meta=Meta(tuple, items=tuple(sub[n].meta
                                                                       for n in names)),
                          lineno=lineno)
            sub.output = out.name
        return names


def check_escaped(cx) -> None:
    """At the end of the function's code: a container a branch output kept (an object
    from then on) must hold what the function left in it, or the object the commit stores
    would lack the later changes (``d = []; if c: self.a = d`` then ``d.append(x)``)."""
    for bid, kept in cx.escaped_boxes.items():
        now = cx.heap.boxes.get(bid)
        if now is not None and not same_contents(now, kept):
            raise ConversionError("a list or dict made in the function is kept by a branch "
                                  "on a run-time condition and changed after it", cx.lineno)


def same_contents(a: Box, b: Box) -> bool:
    return len(a.items) == len(b.items) and all(same_value(x, y) for x, y in
                                                zip(a.items, b.items)) and \
        list(a.entries) == list(b.entries) and all(same_value(a.entries[k], b.entries[k])
                                                   for k in a.entries)


def _deleted(v) -> bool:
    from ..ir.ops_state import DELETED
    return isinstance(v, Const) and v.value is DELETED


_ = (BoundMethod, UserMethod)
