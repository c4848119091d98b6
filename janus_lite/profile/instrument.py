"""AST instrumentation: a copy of the function that records what each site evaluates to.

Every expression evaluated in a load context becomes ``__jl_rec(key, expr)``; conditions
of ``if``/``while``/``assert``/conditional expressions become ``__jl_truth(key, test)``
(one ``bool()`` call, as Python makes); ``for`` iterables become ``__jl_iter(key, it)``,
which counts trips. Keys are ``site_key(node)``: the node's type and source span, which
the converter computes again on its own parse. Nested functions, lambdas and
comprehensions are not instrumented inside (their results are).
"""
from __future__ import annotations

import ast

import astor

from .astcopy import copy_ast

REC, TRUTH, ITER = "__jl_rec", "__jl_truth", "__jl_iter"


def site_key(node: ast.AST) -> tuple:
    return (type(node).__name__, node.lineno, node.col_offset,
            getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None))


def _call(name, key, value, like):
    """``name(key, value)``, every new node placed at ``like`` (so the tree needs no
    ``ast.fix_missing_locations`` walk: `source.locate_new` skips located subtrees)."""
    fn = ast.copy_location(ast.Name(name, ast.Load()), like)
    call = ast.Call(fn, [ast.copy_location(ast.Constant(key), like), value], [])
    return ast.copy_location(call, like)


class Instrumenter(ast.NodeTransformer):
    def __init__(self):
        self.keys: list[tuple] = []
        self._index: dict[tuple, int] = {}

    def _key(self, node) -> int:
        k = site_key(node)
        if k not in self._index:
            self._index[k] = len(self.keys)
            self.keys.append(k)
        return self._index[k]

    # nested scopes: keep as they are
    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node):
        return self._wrap(node)

    def _scoped(self, node):
        return self._wrap(node)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _scoped

    def _wrap(self, node):
        return _call(REC, self._key(node), node, node)

    def generic_visit(self, node):
        super().generic_visit(node)
        return node

    def visit(self, node):
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Constant, ast.Slice,
                                                                ast.Starred, ast.FormattedValue)):
            if isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
                method = getattr(self, "visit_" + type(node).__name__, None)
                if method is not None:
                    return method(node)
                self.generic_visit(node)
                return self._wrap(node)
        return super().visit(node)

    def visit_Call(self, node):
        self.generic_visit(node)
        return self._wrap(node)

    def visit_NamedExpr(self, node):
        node.value = self.visit(node.value)
        return self._wrap(node)

    def _truth(self, test):
        key = self._key(test)
        return _call(TRUTH, key, self.visit(test), test)

    def visit_If(self, node):
        node.test = self._truth(node.test)
        node.body = [self.visit(s) for s in node.body]
        node.orelse = [self.visit(s) for s in node.orelse]
        return node

    visit_While = visit_If

    def visit_IfExp(self, node):
        node.test = self._truth(node.test)
        node.body = self.visit(node.body)
        node.orelse = self.visit(node.orelse)
        return self._wrap(node)

    def visit_Assert(self, node):
        node.test = self._truth(node.test)
        if node.msg is not None:
            node.msg = self.visit(node.msg)
        return node

    def visit_For(self, node):
        key = self._key(node)
        node.iter = _call(ITER, key, self.visit(node.iter), node.iter)
        node.body = [self.visit(s) for s in node.body]
        node.orelse = [self.visit(s) for s in node.orelse]
        return node


def instrument(fdef: ast.AST) -> tuple[ast.AST, list[tuple]]:
    """An instrumented copy of ``fdef`` and the site keys its integer keys stand for."""
    tree = copy_ast(fdef)
    ins = Instrumenter()
    if isinstance(tree, ast.Lambda):
        tree.body = ins.visit(tree.body)
    else:
        tree.body = [ins.visit(s) for s in tree.body]
        for default in tree.args.defaults + [d for d in tree.args.kw_defaults if d]:
            pass   # defaults were evaluated at definition time; the copy reuses them
    return tree, ins.keys


def to_source(tree: ast.AST) -> str:
    return astor.to_source(tree)
