"""One converter method per Python statement construct (single speculated path)."""
from __future__ import annotations

import ast

from .. import config
from .errors import ConversionError
from .expressions import BINOPS
from .values import Const, Ref, TupleVal

IMMUTABLE_TYPES = (bool, int, float, complex, str, bytes, tuple, type(None), frozenset)


class _LoopExit(Exception):
    pass


class StatementConverter:
    def block(self, stmts) -> None:
        scope = self.scope
        for stmt in stmts:
            if scope.done or scope.loop_exit:
                return
            self.lineno = stmt.lineno
            method = getattr(self, "stmt_" + type(stmt).__name__, None)
            if method is None:
                raise ConversionError(f"{type(stmt).__name__} statements are not supported in "
                                      f"graphs yet", stmt.lineno)
            method(stmt)

    # -- simple statements ------------------------------------------------------------
    def stmt_Pass(self, node):
        pass

    def stmt_Expr(self, node):
        if isinstance(node.value, ast.Constant):
            return   # docstring or bare constant
        self.expr(node.value)

    def stmt_Return(self, node):
        value = self.expr(node.value) if node.value is not None else Const(None)
        self.scope.returned = value
        self.scope.done = True

    def stmt_Assign(self, node):
        value = self.expr(node.value)
        for target in node.targets:
            self.assign(target, value)

    def stmt_AnnAssign(self, node):
        if node.value is not None:
            self.assign(node.target, self.expr(node.value))

    def stmt_Delete(self, node):
        for target in node.targets:
            if not isinstance(target, ast.Name) or target.id not in self.scope.env:
                raise ConversionError("del of anything but a bound local name", node.lineno)
            del self.scope.env[target.id]

    def stmt_Assert(self, node):
        if not __debug__:
            return
        test = self.expr(node.test)
        if isinstance(test, Const):
            if not test.value:
                raise ConversionError("assert that always fails", node.lineno)
            return
        cond = self.emit("truth", [test], lineno=node.lineno)
        self.add_assert(cond, True, "user-assert", f"{ast.unparse(node.test)} holds",
                        node.lineno)

    def stmt_Raise(self, node):
        raise ConversionError("raise on the speculated path (the call raises: runs "
                              "imperatively)", node.lineno)

    # -- assignment -------------------------------------------------------------------
    def assign(self, target, value) -> None:
        if isinstance(target, ast.Name):
            self.scope.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if any(isinstance(e, ast.Starred) for e in target.elts):
                raise ConversionError("starred assignment targets are not supported",
                                      target.lineno)
            items = self.static_items(value, target.lineno)
            if len(items) != len(target.elts):
                raise ConversionError(f"unpacking {len(items)} values into "
                                      f"{len(target.elts)} targets", target.lineno)
            for t, v in zip(target.elts, items):
                self.assign(t, v)
        elif isinstance(target, ast.Subscript):
            base = self.expr(target.value)
            index = self.index_value(target.slice)
            if not isinstance(base, Ref):
                raise ConversionError("item assignment into a constant or tuple", target.lineno)
            self.emit("setitem", [base, index, value], lineno=target.lineno)
        else:
            raise ConversionError(f"assignment to {type(target).__name__} (object state is "
                                  f"not supported yet)", target.lineno)

    def stmt_AugAssign(self, node):
        op = BINOPS[type(node.op)]
        target = node.target
        if isinstance(target, ast.Name):
            current = self.load_name(target.id, node.lineno)
            self.scope.env[target.id] = self.augmented(op, current, self.expr(node.value), node)
        elif isinstance(target, ast.Subscript):
            base = self.expr(target.value)
            index = self.index_value(target.slice)
            if not isinstance(base, Ref):
                raise ConversionError("item update of a constant or tuple", node.lineno)
            current = self.subscript(base, index, target)
            new = self.augmented(op, current, self.expr(node.value), node)
            self.emit("setitem", [base, index, new], lineno=node.lineno)
        else:
            raise ConversionError(f"augmented assignment to {type(target).__name__} (object "
                                  f"state is not supported yet)", node.lineno)

    def augmented(self, op, current, rhs, node):
        """``current op= rhs``: a plain op on immutable values, an in-place op otherwise."""
        if isinstance(current, (Const, TupleVal)):
            if isinstance(current, Const) and not isinstance(current.value, IMMUTABLE_TYPES) \
                    and not _is_scalar(current.value):
                raise ConversionError("in-place update of a mutable constant", node.lineno)
            return self.binop(op, current, rhs, node)
        meta = self.graph[current.name].meta
        if meta.type is not None and (issubclass(meta.type, IMMUTABLE_TYPES) or
                                      _is_numpy_scalar_type(meta.type)):
            return self.emit(op, [current, rhs], lineno=node.lineno, site=node)
        return self.emit("i" + op, [current, rhs], lineno=node.lineno, site=node)

    # -- control flow on one speculated path -----------------------------------------
    def stmt_If(self, node):
        test = self.expr(node.test)
        if isinstance(test, TupleVal):
            test = Const(bool(test.items))
        if isinstance(test, Const):
            self.block(node.body if test.value else node.orelse)
            return
        truth = self.speculate_truth(test, node.test)
        if truth is None:
            raise ConversionError("branch on a run-time value that went both ways (conditional "
                                  "nodes are not supported yet)", node.lineno)
        self.block(node.body if truth else node.orelse)

    def stmt_For(self, node):
        iterable = self.expr(node.iter)
        items = self.loop_items(iterable, node)
        scope = self.scope
        for item in items:
            self.assign(node.target, item)
            self.block(node.body)
            if scope.done:
                return
            if scope.loop_exit == "break":
                scope.loop_exit = None
                return
            scope.loop_exit = None
        self.block(node.orelse)

    def loop_items(self, iterable, node) -> list:
        if isinstance(iterable, Const):
            value = iterable.value
            if isinstance(value, (range, tuple, list, str)):
                if len(value) > config.MAX_UNROLL:
                    raise ConversionError(f"loop of {len(value)} trips is longer than "
                                          f"MAX_UNROLL (loop nodes are not supported yet)",
                                          node.lineno)
                return [Const(v) for v in value]
        if isinstance(iterable, TupleVal):
            return list(iterable.items)
        raise ConversionError("loop over a run-time sequence (loop nodes are not supported "
                              "yet)", node.lineno)

    def stmt_While(self, node):
        scope = self.scope
        for _ in range(config.MAX_UNROLL + 1):
            test = self.expr(node.test)
            if isinstance(test, TupleVal):
                test = Const(bool(test.items))
            if not isinstance(test, Const):
                raise ConversionError("while loop on a run-time condition (loop nodes are not "
                                      "supported yet)", node.lineno)
            if not test.value:
                self.block(node.orelse)
                return
            self.block(node.body)
            if scope.done:
                return
            if scope.loop_exit == "break":
                scope.loop_exit = None
                return
            scope.loop_exit = None
        raise ConversionError("while loop longer than MAX_UNROLL", node.lineno)

    def stmt_Break(self, node):
        self.scope.loop_exit = "break"

    def stmt_Continue(self, node):
        self.scope.loop_exit = "continue"

    def stmt_FunctionDef(self, node):
        raise ConversionError("nested function definitions are not supported in graphs yet",
                              node.lineno)


def _is_scalar(value) -> bool:
    import numpy as np
    return isinstance(value, np.generic)


def _is_numpy_scalar_type(t) -> bool:
    import numpy as np
    return isinstance(t, type) and issubclass(t, np.generic)
