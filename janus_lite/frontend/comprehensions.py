"""List comprehensions that cannot be unrolled: over a sequence known only at run time
(``[self._classify(s) for s in X]``, ``[np.zeros(b.shape) for b in self.biases]`` when the
length changes), or with a filter on run-time data (``[x for x in xs if x.sum() > 0]``).

``[elt for target in seq if c1 if c2]`` is converted as the loop Python runs for it::

    .compN = []
    for target in seq:
        if c1:
            if c2:
                .compN.append(elt)

as a loop node appending to a graph-owned list; the comprehension's variables do not leak
into the function's scope (Python 3 semantics).
"""
from __future__ import annotations

import ast

from .loops import assigned_in
from .part import Part
from .values import Const


class ComprehensionConverter(Part):
    def comprehension_loop(self, node: ast.ListComp, iterable):
        load = ast.Load()
        return self._loop(node, iterable, lambda res: ast.Expr(ast.Call(
            func=ast.Attribute(value=ast.Name(res, load), attr="append", ctx=load),
            args=[node.elt], keywords=[])), self.cx.heap.new_box("list"))

    def short_circuit_loop(self, node: ast.GeneratorExp, iterable, stop_on: bool):
        """``any(elt for target in seq if c)`` (``stop_on`` True) or ``all(...)`` (False):
        the loop the builtin runs, stopping at the first element whose truth is
        ``stop_on`` (elements after it are never evaluated, as in Python)::

            .compN = not stop_on
            for target in seq:
                if c:
                    if elt:            # all(): if not elt:
                        .compN = stop_on
                        break
        """
        test = node.elt if stop_on else ast.UnaryOp(op=ast.Not(), operand=node.elt)
        return self._loop(node, iterable, lambda res: ast.If(
            test=test, body=[ast.Assign(targets=[ast.Name(res, ast.Store())],
                                        value=ast.Constant(stop_on)), ast.Break()],
            orelse=[]), Const(not stop_on))

    def _loop(self, node, iterable, body_of, initial):
        """Convert ``for target in seq: [if c1: [if c2: ...]] body`` as a loop node, with
        ``.compN`` bound to ``initial`` before it (``body_of(".compN")`` gives the body);
        returns ``.compN`` after it."""
        gen = node.generators[0]
        scope = self.cx.scope
        k = self.cx.n_comps
        self.cx.n_comps = k + 1
        res, it = f".comp{k}", f".iter{k}"
        targets = assigned_in([ast.Assign(targets=[gen.target], value=ast.Constant(0))])
        saved = {n: scope.env[n] for n in targets + [res, it] if n in scope.env}
        body = body_of(res)
        for cond in reversed(gen.ifs):
            body = ast.If(test=cond, body=[body], orelse=[])
        loop = ast.For(target=gen.target, iter=ast.Name(it, ast.Load()), body=[body],
                       orelse=[])
        for n in ast.walk(loop):      # new nodes take the comprehension's line
            if not hasattr(n, "lineno") or n.lineno is None:
                ast.copy_location(n, node)
        scope.env[it] = iterable
        scope.env[res] = initial
        try:
            self.loops.loop_node("for", loop, self.stmts.loop_iterable(iterable, node))
            result = scope.env[res]
        finally:
            for n in targets + [res, it]:
                scope.env.pop(n, None)
            scope.env.update(saved)
        return result
