"""Functions defined in the function: ``def`` statements and ``lambda`` expressions.

A nested function is an abstract value (`LocalFunction`) while converting: where it is
called, its body is inlined like any user function, in a scope whose free names resolve in
the enclosing scope as it is at the call (Python's late binding). Defaults are evaluated
where the ``def``/``lambda`` runs. A nested function used as a value — returned, stored,
passed to another function (``np.vectorize(lambda x: …)``, ``sorted(key=…)``) — cannot be a
graph value: the reason names it and its line.
"""
from __future__ import annotations

import ast
import inspect

from .. import config
from .errors import ConversionError
from .scope import Scope, assigned_names, global_names, nonlocal_names
from .unsupported import check_supported
from .values import LocalFunction
from .part import Part


class ClosureConverter(Part):
    def stmt_FunctionDef(self, node):
        if node.decorator_list:
            raise ConversionError(f"decorated nested function {node.name}() (the decorator "
                                  f"runs at each call)", node.lineno)
        self.cx.scope.env[node.name] = self._local_function(node, node.name)

    def expr_Lambda(self, node):
        return self._local_function(node, f"<lambda at line {node.lineno}>")

    def _local_function(self, fdef, name) -> LocalFunction:
        try:
            check_supported(fdef)
        except ConversionError as exc:
            raise ConversionError(f"in {name}: {exc.reason}", exc.lineno) from None
        args = fdef.args
        defaults = [self.exprs.expr(d) for d in args.defaults]
        kw_defaults = [self.exprs.expr(d) if d is not None else None for d in args.kw_defaults]
        P = inspect.Parameter
        params = []
        positional = args.posonlyargs + args.args
        first_default = len(positional) - len(defaults)
        for i, a in enumerate(positional):
            kind = P.POSITIONAL_ONLY if i < len(args.posonlyargs) else P.POSITIONAL_OR_KEYWORD
            default = defaults[i - first_default] if i >= first_default else P.empty
            params.append(P(a.arg, kind, default=default))
        if args.vararg is not None:
            params.append(P(args.vararg.arg, P.VAR_POSITIONAL))
        for a, d in zip(args.kwonlyargs, kw_defaults):
            params.append(P(a.arg, P.KEYWORD_ONLY, default=P.empty if d is None else d))
        if args.kwarg is not None:
            params.append(P(args.kwarg.arg, P.VAR_KEYWORD))
        return LocalFunction(fdef, self.cx.scope, inspect.Signature(params), name)

    def inline_local(self, func: LocalFunction, args, kwargs, node):
        """A call of a function defined in the function: its body, inlined."""
        lineno = node.lineno
        if len(self.cx.scopes) >= config.MAX_INLINE_DEPTH:
            raise ConversionError(f"calls nested deeper than {config.MAX_INLINE_DEPTH} "
                                  f"(recursion of {func.name})", lineno)
        try:
            bound = func.signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise ConversionError(f"call of {func.name}: {exc} (TypeError: runs "
                                  f"imperatively)", lineno) from None
        bound.apply_defaults()
        outer = func.scope
        scope = Scope(outer.fn, func.fdef, outer.klass, outer.globals, {},
                      assigned_names(func.fdef), None, parent=outer,
                      declared_globals=global_names(func.fdef),
                      declared_nonlocals=nonlocal_names(func.fdef))
        for pname, value in bound.arguments.items():
            kind = func.signature.parameters[pname].kind
            if kind is inspect.Parameter.VAR_POSITIONAL:
                value = self.calls.pack_varargs(value)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                box = self.cx.heap.new_box("dict")
                self.cx.heap.box(box).entries = dict(value)
                value = box
            scope.env[pname] = value
        self.cx.scopes.append(scope)
        saved = self.cx.lineno
        try:
            body = func.fdef.body if isinstance(func.fdef.body, list) else \
                [ast.copy_location(ast.Return(func.fdef.body), func.fdef.body)]
            self.stmts.block(body)
        finally:
            self.cx.scopes.pop()
            self.cx.lineno = saved
        from .values import Const
        return scope.returned if scope.done else Const(None)
