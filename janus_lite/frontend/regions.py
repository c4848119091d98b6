"""``with np.errstate(divide="ignore"): ...``: the block's nodes in a region node.

The block is converted into one subgraph, which the region node runs under that error
state (``with np.errstate(**kw):`` around its code); the passes do not optimize inside
subgraphs, so no node moves into or out of the region. Held: keyword arguments naming
categories (``all``, ``divide``, ``over``, ``under``, ``invalid``) with the actions
``"ignore"`` or ``"warn"`` known while converting — the error state under which nothing
raises, so no run is abandoned where the plain function's would not be. The block may
bind and rebind local names; a block that writes state (an attribute, an item, an
argument's array in place), returns, breaks or continues keeps the function imperative,
as do other context managers.
"""
from __future__ import annotations

import numpy as np

from ..ir import Graph, Meta
from .control import may_exit
from .errors import ConversionError
from .part import Part
from .unsupported import errstate_shaped
from .values import Const, Ref, same_value

_CATEGORIES = frozenset({"all", "divide", "over", "under", "invalid"})
_ACTIONS = frozenset({"ignore", "warn"})
_HELD = "only `with np.errstate(...)` (categories set to \"ignore\" or \"warn\", no `as`) " \
    "is held in graphs"


class RegionConverter(Part):
    def stmt_With(self, node):
        kw = self._errstate_kwargs(node)
        if may_exit(node.body):
            raise ConversionError("return, break or continue inside `with np.errstate(...)` "
                                  "(kept imperative)", node.lineno)
        self.region(kw, node)

    def _errstate_kwargs(self, node) -> dict:
        call = node.items[0].context_expr if errstate_shaped(node) else None
        func = self.exprs.expr(call.func) if call is not None else None
        if not (isinstance(func, Const) and func.value is np.errstate):
            raise ConversionError(f"with statement: {_HELD}", node.lineno)
        kw = {}
        for k in call.keywords:
            value = self.exprs.expr(k.value) if k.arg in _CATEGORIES else None
            if not isinstance(value, Const) or value.value not in _ACTIONS:
                raise ConversionError(f"np.errstate({k.arg or '**'}=...): {_HELD}",
                                      node.lineno)
            kw[k.arg] = value.value
        return kw

    def region(self, kw: dict, node) -> None:
        """Convert ``node.body`` into a region node run under ``np.errstate(**kw)``; the
        names it binds are the region's outputs."""
        cx = self.cx
        scope = cx.scope
        before = cx.snapshot()
        cow, identity = dict(cx.heap.cow), dict(cx.heap.identity)
        outer = cx.graph
        sub = Graph(f"{outer.name}.with{node.lineno}", parent=outer)
        with cx.scoped(graph=sub):
            self.stmts.block(node.body)
        env, done, _, loop_exit, _ = cx.snapshot()
        if done or loop_exit or not cx.heap.unchanged(before[4]) or \
                cx.heap.cow != cow or cx.heap.identity != identity:
            raise ConversionError("state written inside `with np.errstate(...)` (kept "
                                  "imperative)", node.lineno)
        names = [n for n, v in env.items()
                 if n not in before[0] or not same_value(v, before[0][n])]
        outs = self.control._branch_output(sub, [env[n] for n in names], node.lineno)
        captured = list(sub.captures)
        inputs = [self.control.capture(c) if c not in outer.nx else c for c in captured]
        metas = tuple(sub[o].meta for o in outs)
        rnode = outer.add("errstate", inputs,
                          attrs={"captures": tuple(captured), "n_out": len(metas),
                                 "errstate": tuple(sorted(kw.items()))},
                          meta=Meta(tuple, items=metas), lineno=node.lineno, subgraphs=(sub,))
        cx.aliases.roots[rnode.name] = frozenset({rnode.name})
        known = cx.aliases.roots
        for i, n in enumerate(names):
            item = outer.add("getitem", (rnode.name, cx.const_node(i)), meta=metas[i],
                             lineno=node.lineno)
            known[item.name] = known.get(outs[i]) or frozenset({item.name})
            scope.env[n] = Ref(item.name)
