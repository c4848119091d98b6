"""One converter method per Python statement construct (single speculated path)."""
from __future__ import annotations

import ast
import types

import numpy as np

from .. import config
from .control import BRK, NeedLoopNode
from .errors import ConversionError
from .expressions import BINOPS
from .values import DICTS, BoxRef, Const, Ref, TupleVal
from .part import Part

IMMUTABLE_TYPES = (bool, int, float, complex, str, bytes, tuple, type(None), frozenset)


class _LoopExit(Exception):
    pass


class StatementConverter(Part):
    def block(self, stmts) -> None:
        """Convert statements in order; a statement handler given ``rest`` may convert the
        rest of the block itself (inside branches) and return True."""
        scope = self.cx.scope
        stmts = list(stmts)
        for i, stmt in enumerate(stmts):
            if scope.done or scope.loop_exit:
                return
            self.cx.lineno = stmt.lineno
            self.cx.current_stmt = stmt
            method = self.cx.stmt_handlers.get(type(stmt))
            if method is None:
                raise ConversionError(f"{type(stmt).__name__} statements are not supported in "
                                      f"graphs yet", stmt.lineno)
            if isinstance(stmt, (ast.If, ast.For, ast.While, ast.Try)):
                if method(stmt, stmts[i + 1:]):
                    return
                if self.loops.after_loop_return(stmts[i + 1:]):
                    return
            else:
                method(stmt)

    # -- simple statements ------------------------------------------------------------
    def stmt_Pass(self, node):
        pass

    def stmt_Expr(self, node):
        if isinstance(node.value, ast.Constant):
            return   # docstring or bare constant
        self.exprs.expr(node.value)

    def stmt_Return(self, node):
        value = self.exprs.expr(node.value) if node.value is not None else Const(None)
        self.control.do_return(value)

    def stmt_Assign(self, node):
        if isinstance(node.value, ast.GeneratorExp) and \
                all(isinstance(t, (ast.Tuple, ast.List)) for t in node.targets):
            # ``i, f, o = (g(k) for k in range(3))``: unpacking exhausts the generator
            # before anything is bound, as for a list comprehension
            value = self.containers.expr_ListComp(node.value)
        else:
            value = self.exprs.expr(node.value)
        for target in node.targets:
            self.assign(target, value)

    def stmt_AnnAssign(self, node):
        if node.value is not None:
            self.assign(node.target, self.exprs.expr(node.value))

    def stmt_Delete(self, node):
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                base = self.exprs.expr(target.value)
                key = self.exprs.index_value(target.slice)
                if self.dicts.static_in("in_", key, base) is not None:   # a dict, key known
                    what = f"del of a dict item (line {node.lineno})"
                    if not self.dicts.dict_contains(base, key.value, what, node.lineno):
                        raise ConversionError(f"{what}: key {key.value!r} is missing "
                                              f"(KeyError: runs imperatively)", node.lineno)
                    self.dicts.delete_key(base, key.value, what, node.lineno)
                    continue
                raise ConversionError("del of an item of anything but a dict with known keys",
                                      node.lineno)
            if not isinstance(target, ast.Name) or target.id not in self.cx.scope.env:
                raise ConversionError("del of anything but a bound local name or a dict item",
                                      node.lineno)
            del self.cx.scope.env[target.id]

    def stmt_Assert(self, node):
        if not __debug__:
            return
        test = self.exprs.expr(node.test)
        if isinstance(test, Const):
            if not test.value:
                raise ConversionError("assert that always fails", node.lineno)
            return
        cond = self.nodes.emit("truth", [test], lineno=node.lineno)
        self.cx.add_assert(cond, True, "user-assert", f"{ast.unparse(node.test)} holds",
                           node.lineno)

    def stmt_Raise(self, node):
        raise ConversionError("raise on the speculated path (the call raises: runs "
                              "imperatively)", node.lineno)

    # -- assignment -------------------------------------------------------------------
    def assign(self, target, value) -> None:
        if isinstance(target, ast.Name) and target.id in self.cx.scope.declared_globals:
            self.assign_global(target.id, value, target.lineno)
        elif isinstance(target, ast.Name) and target.id in self.cx.scope.declared_nonlocals:
            self.assign_nonlocal(target.id, value, target.lineno)
        elif isinstance(target, ast.Name):
            self.cx.scope.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if any(isinstance(e, ast.Starred) for e in target.elts):
                raise ConversionError("starred assignment targets are not supported",
                                      target.lineno)
            items = self.exprs.static_items(value, target.lineno)
            if len(items) != len(target.elts):
                raise ConversionError(f"unpacking {len(items)} values into "
                                      f"{len(target.elts)} targets", target.lineno)
            for t, v in zip(target.elts, items):
                self.assign(t, v)
        elif isinstance(target, ast.Subscript):
            base = self.exprs.expr(target.value)
            index = self.exprs.index_value(target.slice)
            self.set_item(base, index, value, target)
        elif isinstance(target, ast.Attribute):
            self.state.write_attr(self.exprs.expr(target.value), target.attr, value, target.lineno)
        else:
            raise ConversionError(f"assignment to {type(target).__name__} is not supported",
                                  target.lineno)

    def assign_global(self, name, value, lineno) -> None:
        """``global name; name = value``: a deferred write into the module's globals dict,
        committed with the call's other state."""
        gdict = self.cx.scope.globals
        self.set_item(self.exprs.global_dict(gdict, lineno), Const(name), value,
                      types.SimpleNamespace(lineno=lineno))

    def assign_nonlocal(self, name, value, lineno) -> None:
        """``nonlocal name; name = value``: a deferred write into the closure cell
        (``cell.cell_contents = value`` at the commit)."""
        ref = self.exprs.cell_ref(self.cx.scope, name, lineno)
        box = self.cx.heap.mirror(ref.name, "object")
        box.entries["cell_contents"] = value
        if "cell_contents" not in box.dirty:
            box.dirty.append("cell_contents")

    def stmt_Nonlocal(self, node):
        pass         # declared up front (scope.nonlocal_names)

    def stmt_Global(self, node):
        pass         # declared up front (scope.global_names)

    def set_item(self, base, index, value, node):
        """``base[index] = value``: into a container, or into an array (the graph's own, or
        a private copy of an argument's that the commit copies back)."""
        if self.containers.container_setitem(base, index, value, node):
            return
        if not isinstance(base, Ref):
            raise ConversionError("item assignment into a constant or tuple", node.lineno)
        base = self.state.writable(base, node.lineno)
        result = self.nodes.emit("setitem", [base, index, value], lineno=node.lineno)
        self.rebind(base, result)

    def rebind(self, old: Ref, new: Ref) -> None:
        """After an in-place update, names bound to the updated object read the new node."""
        for scope in self.cx.scopes:
            for k, v in scope.env.items():
                if isinstance(v, Ref) and v.name == old.name:
                    scope.env[k] = new

    def stmt_AugAssign(self, node):
        op = BINOPS[type(node.op)]
        target = node.target
        if isinstance(target, ast.Name):
            current = self.exprs.load_name(target.id, node.lineno)
            self.assign(target, self.augmented(op, current, self.exprs.expr(node.value), node))
        elif isinstance(target, ast.Subscript):
            base = self.exprs.expr(target.value)
            index = self.exprs.index_value(target.slice)
            if isinstance(base, Ref) and \
                    self.cx.graph[base.name].meta.type not in (list,) + DICTS:
                base = self.state.writable(base, node.lineno)
            current = self.exprs.subscript(base, index, target)
            new = self.augmented(op, current, self.exprs.expr(node.value), node)
            if self._updated_item_in_place(base, current, new):
                return      # `params[k] -= g`: the caller's item array itself, updated
            self.set_item(base, index, new, target)
        elif isinstance(target, ast.Attribute):
            obj = self.exprs.expr(target.value)
            current = self.exprs.attribute(obj, target.attr, target)
            new = self.augmented(op, current, self.exprs.expr(node.value), node)
            self.state.write_attr(obj, target.attr, new, node.lineno)
        else:
            raise ConversionError(f"augmented assignment to {type(target).__name__} (object "
                                  f"state is not supported yet)", node.lineno)

    def _updated_item_in_place(self, base, current, new) -> bool:
        """Is ``new`` the very array a list/dict argument's item held (read from the caller,
        updated in place through its private copy)? Then storing it back changes nothing."""
        if not (isinstance(base, Ref) and isinstance(current, Ref) and isinstance(new, Ref)):
            return False
        if self.cx.graph[base.name].meta.type not in (list,) + DICTS:
            return False
        item = self.state.outer_name(current.name)
        return item in self.cx.sources and \
            self.cx.aliases.op_of(item) in ("getitem", "source") and \
            self.state.original(new.name) == item

    def augmented(self, op, current, rhs, node):
        """``current op= rhs``: a plain op on immutable values, an in-place op otherwise."""
        if isinstance(current, (Const, TupleVal)):
            if isinstance(current, Const) and not isinstance(current.value, IMMUTABLE_TYPES) \
                    and not _is_scalar(current.value):
                raise ConversionError("in-place update of a mutable constant", node.lineno)
            return self.exprs.binop(op, current, rhs, node)
        if not isinstance(current, Ref):
            raise ConversionError("in-place update of this kind of value", node.lineno)
        meta = self.cx.graph[current.name].meta
        if meta.type is not None and (issubclass(meta.type, IMMUTABLE_TYPES) or
                                      _is_numpy_scalar_type(meta.type)):
            return self.nodes.emit(op, [current, rhs], lineno=node.lineno, site=node)
        working = self.cx.heap.cow.get(current.name, current.name)
        if meta.type is None and not self.cx.aliases.fresh(working):
            # a value of unknown type the graph does not own (an item of a list argument,
            # ``posterior = self.priors[i]; posterior *= p``): assert at run time that it is
            # an immutable scalar, for which ``x op= y`` is ``x = x op y``; an array there
            # (whose in-place update the caller would see) abandons the run
            check = self.nodes.emit("call", [current], attrs={"fn": _immutable_scalar},
                                    lineno=node.lineno)
            self.cx.add_assert(check, True, "type", f"{ast.unparse(node.target)} is an "
                               f"immutable scalar (int, float, bool, complex or a NumPy scalar)",
                               node.lineno)
            return self.nodes.emit(op, [current, rhs], lineno=node.lineno, site=node)
        target = self.state.writable(current, node.lineno) if meta.type is np.ndarray else current
        result = self.nodes.emit("i" + op, [target, rhs], lineno=node.lineno, site=node)
        if meta.type is None:
            # unknown type: the result is the same object only if it is mutable; claim
            # nothing (a float ``loss += s`` carried by a loop is a new object each trip)
            self.cx.heap.identity.pop(result.name, None)
        self.rebind(current, result)
        self.rebind(target, result)
        return result

    # -- control flow ------------------------------------------------------------------
    def stmt_If(self, node, rest):
        """Constant test: one branch. Profiled one-way test: that branch plus an assertion.
        Otherwise a cond node. The chosen branch takes the rest of the block with it."""
        test = self.exprs.expr(node.test)
        if isinstance(test, TupleVal):
            test = Const(bool(test.items))
        if isinstance(test, Const):
            self.block((node.body if test.value else node.orelse) + rest)
            return True
        truth = None if self._loop_exit_test(node) else \
            self.exprs.speculate_truth(test, node.test)
        if truth is not None:
            self.block((node.body if truth else node.orelse) + rest)
            return True
        mark = self._mark()
        try:
            return self.control.dynamic_if(test, node, rest)
        except ConversionError as exc:
            if type(exc) is not ConversionError:
                raise
            failed = exc
        # a branch no graph holds (a log call every N steps, a warning): one direction
        # speculated, the one most calls took first; the calls taking the other fall back
        counts = self.exprs.truth_counts(node.test) or {}
        for truth in sorted((t for t, n in counts.items() if n), key=lambda t: -counts[t]):
            self._back_to(mark)
            mark = self._mark()
            try:
                self.exprs.speculate_truth(test, node.test, forced=truth,
                                           other_fails=str(failed))
                self.block((node.body if truth else node.orelse) + rest)
                return True
            except ConversionError as exc:
                if type(exc) is not ConversionError:
                    raise
        self._back_to(mark)
        raise failed

    def _mark(self):
        """What `_back_to` needs to undo a conversion attempt in the current graph."""
        return (set(self.cx.graph.order), len(self.cx.asserts), self.cx.snapshot(),
                set(self.cx.maybe_unbound), self.cx.pending_return)

    def _back_to(self, mark) -> None:
        before, n_asserts, state, n_unbound, pending = mark
        self.roll_back(before, n_asserts)
        self.cx.maybe_unbound, self.cx.pending_return = n_unbound, pending
        self.cx.restore(state)

    def _loop_exit_test(self, node) -> bool:
        """``if test: break`` (or ``continue``, either branch) right in a loop node's body:
        not speculated, even where the profile saw one direction only. The exit costs a
        flag the loop node already carries, where an assertion inside the loop would make
        the call fall back, and the graph be rebuilt, when the exit is taken (a convergence
        test met late)."""
        loops = self.cx.scope.loops
        if not loops or loops[-1] == "unroll":
            return False
        return any(b and isinstance(b[-1], (ast.Break, ast.Continue)) and
                   all(getattr(x, "jl_break_flag", False) for x in b[:-1])
                   for b in (node.body, node.orelse))

    def stmt_For(self, node, rest):
        iterable = self.exprs.expr(node.iter)
        keys = self.containers.iterated_dict_keys(iterable, node.lineno)
        done = self._for(node, iterable)
        if keys is not None and self.containers.iterated_dict_keys(iterable, node.lineno) != keys:
            raise ConversionError("a dict changes its keys while a loop iterates over it "
                                  "(RuntimeError in Python: runs imperatively)", node.lineno)
        return done

    def _for(self, node, iterable):
        items = self.static_loop_items(iterable)
        if items is not None and len(items) <= config.MAX_UNROLL:
            done = self.unroll(node, items, config.LOOP_NODE_AFTER_NODES, nested=True)
            if done:
                return False
            if done is None:
                # too long to unroll cheaply: a loop node converts in a fraction of the
                # time and runs as fast; where it cannot hold the body, unroll after all
                if self.try_loop_node(node, iterable):
                    return False
                if self.unroll(node, items, config.MAX_UNROLLED_NODES):
                    return False
        self.loops.loop_node("for", node, self.loop_iterable(iterable, node))
        return False

    def try_loop_node(self, node, iterable) -> bool:
        """A loop node for ``node``, or False with nothing emitted when it cannot be one."""
        mark = self._mark()
        try:
            self.loops.loop_node("for", node, self.loop_iterable(iterable, node))
            return True
        except ConversionError:
            self._back_to(mark)
            return False

    def unroll(self, node, items, limit: int, nested: bool = False) -> bool | None:
        """Unroll a loop over a sequence known while converting. Nothing is emitted when
        it returns False (a run-time exit inside needs a loop node instead) or None (it
        would emit more than ``limit`` nodes, extrapolated from the trips so far; with
        ``nested``, nodes inside the trips' conditional and loop nodes count too)."""
        scope = self.cx.scope
        graph = self.cx.graph
        before, state = set(graph.order), self.cx.snapshot()
        n_asserts, n_unbound = len(self.cx.asserts), set(self.cx.maybe_unbound)
        # nested: only the nodes emitted since ``before`` are walked into (the finished
        # subgraphs of earlier nodes do not change while the loop unrolls)
        size = (lambda: sum(1 + sum(1 for s in graph[n].subgraphs for _ in s.all_nodes())
                            for n in graph.order if n not in before)) if nested else \
            (lambda: len(graph.order))
        start = size()
        too_big = False
        scope.loops.append("unroll")
        try:
            for trip, item in enumerate(items, 1):
                self.assign(node.target, item)
                self.block(node.body)
                # too big unrolled (by the trips so far, extrapolated): a loop node instead
                if (size() - start) * len(items) > limit * trip:
                    too_big = True
                    raise NeedLoopNode
                if scope.done or scope.loop_exit == "return":   # leaves the loop node too
                    return True
                if scope.loop_exit == "break":
                    scope.loop_exit = None
                    return True
                scope.loop_exit = None
            self.block(node.orelse)
            return True
        except NeedLoopNode:
            self.roll_back(before, n_asserts)
            self.cx.maybe_unbound = n_unbound
            self.cx.restore(state)
            return None if too_big else False
        finally:
            scope.loops.pop()

    def roll_back(self, before: set, n_asserts: int) -> None:
        """Remove what was emitted into the current graph since it held the nodes
        ``before``. By membership, not position: reads of state and the print outbox are
        inserted at the front of the root graph, and they stay (they are cached)."""
        graph = self.cx.graph
        removed = set()
        for name in graph.order[::-1]:
            if name not in before and graph[name].op not in ("input", "source") \
                    and name != self.cx.heap.outbox:
                graph.nx.remove_node(name)
                removed.add(name)
        graph.order = [n for n in graph.order if n in graph.nx]
        del self.cx.asserts[n_asserts:]
        self.cx.heap.forget(removed)

    def static_loop_items(self, iterable):
        """Items of a loop's sequence when its length is known while converting: constants,
        static tuples, and tuple/list arguments whose length is guarded."""
        if isinstance(iterable, Const) and isinstance(iterable.value, (range, tuple, list, str)):
            return [Const(v) for v in iterable.value]
        if isinstance(iterable, TupleVal):
            return list(iterable.items)
        if isinstance(iterable, BoxRef):
            return self.containers.container_items(iterable, self.cx.lineno)
        if isinstance(iterable, Ref):
            node = self.cx.graph[iterable.name]
            boxed = self.containers.container_items(iterable, node.lineno)
            if boxed is not None:
                return boxed
            if node.meta.items is not None and len(node.meta.items) <= config.MAX_UNROLL and \
                    (node.op in ("input", "source") or self.calls._spec_item(node)) and \
                    iterable.name not in self.cx.aliases.mutated:
                return self.exprs.static_items(iterable, node.lineno)
        return None

    def loop_iterable(self, iterable, node):
        if isinstance(iterable, (Const, TupleVal)):
            return iterable
        if isinstance(iterable, Ref):
            return iterable
        raise ConversionError("loop over this kind of value is not supported", node.lineno)

    def stmt_While(self, node, rest):
        # a look at the test decides whether the loop runs at all; otherwise what it
        # emitted goes (the loop node evaluates the test itself, once per trip: a random
        # draw or a print in the test must not happen one extra time)
        before, n_asserts, state = set(self.cx.graph.order), len(
            self.cx.asserts), self.cx.snapshot()
        test = self.exprs.expr(node.test)
        if isinstance(test, Const) and not test.value:
            self.block(node.orelse)
            return False
        self.roll_back(before, n_asserts)
        self.cx.restore(state)
        self.loops.loop_node("while", node)
        return False

    def stmt_Break(self, node):
        if self.control.in_unrolled_loop():
            self.cx.scope.loop_exit = "break"
            return
        self.cx.scope.env[BRK] = Const(True)
        self.cx.scope.loop_exit = "break"

    def stmt_Continue(self, node):
        self.cx.scope.loop_exit = "continue"



def _immutable_scalar(value) -> bool:
    """Is ``value`` a number whose augmented assignment rebinds (never updates) it?"""
    import numpy as np
    return type(value) in (int, float, bool, complex) or isinstance(value, np.generic)


def _is_scalar(value) -> bool:
    return isinstance(value, np.generic)


def _is_numpy_scalar_type(t) -> bool:
    return isinstance(t, type) and issubclass(t, np.generic)
