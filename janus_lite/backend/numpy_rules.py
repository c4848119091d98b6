"""The numpy backend's op table: how generated Python code computes each op.

`TABLE` (an `ir.tables.OpTable`) maps op name → ``emit(codegen, node, ins)``, where
``ins`` are the code texts of the node's inputs; an emitter returns the expression text
that computes the node's value, or None when it has emitted statements of its own
(``codegen.emit(text, lineno)``; a value it defines must be ``codegen.var(node.name)``).
Values every call shares go in as closure constants: ``codegen.pool.add(value, hint)``.

Ops without a row get the default rule of their registry row's ``emit`` kind (`_DEFAULTS`):
``"call"`` calls ``impl``, ``"method"`` calls the method on the first input, ``"binop"`` /
``"unop"`` / ``"attr"`` spell the operator or attribute. ``"special"`` ops need a row. The
rows come from this file (core ops), `structured` (cond, loop), `state_ops` (commits) and
`emitters` (the ops the passes add, and the ``@out`` family of planned twins).
"""
from __future__ import annotations

import numpy as np

from ..ir import get_op
from ..ir.node import split_inputs
from ..ir.ops_core import AssumptionFailed, unpack_impl
from ..ir.tables import OpTable, register_table
from . import emitters, state_ops
from .structured import emit_cond, emit_errstate, emit_loop


def call_args(node, ins) -> tuple[list, dict, str]:
    """(positional input texts, {keyword: value text}, ``"a, b, k=c"``) for ``node``."""
    pos, kw = split_inputs(node, ins)
    return pos, kw, ", ".join(pos + [f"{k}={v}" for k, v in kw.items()])


# -- core ops ("special" or spelled better than a call) ----------------------------------
def emit_const(gen, node, ins):
    return gen.const(node.attrs["value"])


def emit_source(gen, node, ins):
    return gen.guard_code.source_expr(node.attrs["src"])


def emit_assert(gen, node, ins):
    test = f"not {ins[0]}" if node.attrs["expect"] else ins[0]
    af = gen.pool.add(AssumptionFailed, "AF")
    gen.emit(f"if {test}: raise {af}({node.attrs['index']})", node.lineno)
    return None


def emit_tuple(gen, node, ins):
    return "(" + "".join(i + ", " for i in ins) + ")"


def emit_list(gen, node, ins):
    return "[" + ", ".join(ins) + "]"


def emit_getitem(gen, node, ins):
    return f"{ins[0]}[{ins[1]}]"


def emit_setitem(gen, node, ins):
    gen.emit(f"{ins[0]}[{ins[1]}] = {ins[2]}", node.lineno)
    return ins[0]


def emit_getattr(gen, node, ins):
    return f"{ins[0]}.{node.attrs['name']}"


def emit_truth(gen, node, ins):
    return f"{gen.pool.add(bool, 'bool')}({ins[0]})"


def emit_select(gen, node, ins):
    return f"{ins[1]} if {ins[0]} else {ins[2]}"


def emit_and(gen, node, ins):
    return f"{ins[0]} and {ins[1]}"


def emit_or(gen, node, ins):
    return f"{ins[0]} or {ins[1]}"


def emit_unpack(gen, node, ins):
    return f"{gen.pool.add(unpack_impl, 'unpack')}({ins[0]}, {node.attrs['n']})"


def emit_call_node(gen, node, ins):
    return f"{gen.pool.add(node.attrs['fn'], 'fn')}({call_args(node, ins)[2]})"


# -- defaults, by the registry row's ``emit`` kind ----------------------------------------
def emit_binop(gen, node, ins):
    op = get_op(node.op)
    if op.mutates:
        gen.emit(f"{ins[0]} {op.symbol} {ins[1]}", node.lineno)
        return ins[0]
    return f"{ins[0]}{op.symbol}{ins[1]}" if op.symbol.startswith(" ") else \
        f"{ins[0]} {op.symbol} {ins[1]}"


def emit_unop(gen, node, ins):
    return f"{get_op(node.op).symbol}{ins[0]}"


def emit_method(gen, node, ins):
    pos, kw, _ = call_args(node, ins)
    rest = ", ".join(pos[1:] + [f"{k}={v}" for k, v in kw.items()])
    return f"{pos[0]}.{get_op(node.op).symbol}({rest})"


def emit_attr(gen, node, ins):
    return f"{ins[0]}.{get_op(node.op).symbol}"


def emit_impl_call(gen, node, ins):
    return f"{gen.pool.add(get_op(node.op).impl, 'f')}({call_args(node, ins)[2]})"


def emit_np_copy(gen, node, ins):
    """``np.copy(a)`` of an array known to be exactly an ndarray: the method, a third of the
    cost (``np.copy(a)`` is ``array(a, order='K', copy=True, subok=False)``, which for an
    exact ndarray is ``a.copy('K')``); anything else goes through ``np.copy``."""
    if len(ins) == 1 and not node.attrs.get("kw") and \
            emitters.node_of(gen, node.inputs[0]).meta.type is np.ndarray:
        return f"{ins[0]}.copy('K')"
    return emit_impl_call(gen, node, ins)


_DEFAULTS = {"binop": emit_binop, "unop": emit_unop, "method": emit_method,
             "attr": emit_attr, "call": emit_impl_call}


def _default(opdef):
    if opdef.emit == "call" and opdef.impl is None:
        return None
    return _DEFAULTS.get(opdef.emit)


TABLE = register_table(OpTable("numpy", {
    "const": emit_const, "source": emit_source, "assert": emit_assert,
    "tuple": emit_tuple, "list": emit_list, "getitem": emit_getitem,
    "setitem": emit_setitem, "getattr": emit_getattr, "truth": emit_truth,
    "select": emit_select, "and_": emit_and, "or_": emit_or, "unpack": emit_unpack,
    "call": emit_call_node, "np.copy": emit_np_copy,
    "cond": emit_cond, "loop": emit_loop, "errstate": emit_errstate,
    **state_ops.EMITTERS,
    **emitters.EMITTERS,
}, default=_default))
"""The numpy code generator's rules (see the module docstring)."""
