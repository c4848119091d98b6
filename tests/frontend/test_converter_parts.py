"""Each converter family on its own, on hand-written snippets.

The frontend is one `ConversionContext` shared by one converter object per construct
family (`janus_lite.frontend.part.FAMILIES`). These tests make a `Converter` for a small
function, bind its parameters (`enter`) and then drive one family directly — an
expression, a statement, a branch, a deferred write — and check the graph it built, the
values it returned and the state it left in the context. The end-to-end differential
tests (everywhere else in tests/) check that the families together keep the decorated
function exact.
"""
from __future__ import annotations

import ast

import numpy as np
import pytest

from janus_lite.frontend import ConversionError
from janus_lite.frontend.context import ConversionContext
from janus_lite.frontend.convert import FAMILY_CLASSES, Converter
from janus_lite.frontend.part import FAMILIES
from janus_lite.frontend.state import Heap
from janus_lite.frontend.values import BoxRef, Const, Ref
from janus_lite.profile.records import summarize
from janus_lite.profile.source import function_ast
from janus_lite.runtime.guards import Guard, param
from janus_lite.runtime.spec import from_seen


def make(fn, **args):
    """A converter for ``fn`` with its parameters bound to specs of ``args``."""
    fdef, klass = function_ast(fn)
    specs = {name: from_seen(summarize(value)) for name, value in args.items()}
    conv = Converter(fn, fdef, klass, specs, None, fn.__name__, example=args)
    conv.enter()
    return conv


def expr(conv, text):
    return conv.exprs.expr(ast.parse(text, mode="eval").body)


def stmts(conv, text):
    conv.stmts.block(ast.parse(text).body)


def ops(conv):
    return [n.op for n in conv.cx.graph.nodes()]


def f_arrays(x, y, k):
    return x


class Model:
    def __init__(self):
        self.w = np.ones(3)
        self.n = 0


def f_model(m, x):
    return x


# -- wiring ------------------------------------------------------------------------------
def test_every_family_is_an_object_that_sees_the_others_and_shares_one_context():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    assert tuple(FAMILY_CLASSES) == FAMILIES
    parts = [getattr(conv, name) for name in FAMILIES]
    assert len({id(p) for p in parts}) == len(FAMILIES)
    for part in parts:
        assert part.cx is conv.cx
        for name in FAMILIES:
            assert getattr(part, name) is getattr(conv, name)


def test_each_ast_node_type_has_exactly_one_handler_from_its_family():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    handlers = conv.cx.expr_handlers
    assert handlers[ast.Call].__self__ is conv.calls
    assert handlers[ast.BinOp].__self__ is conv.exprs
    assert handlers[ast.ListComp].__self__ is conv.containers
    assert handlers[ast.Lambda].__self__ is conv.closures
    assert conv.cx.stmt_handlers[ast.Try].__self__ is conv.excepts
    assert conv.cx.stmt_handlers[ast.FunctionDef].__self__ is conv.closures
    assert conv.cx.stmt_handlers[ast.If].__self__ is conv.stmts
    # a construct nobody handles is refused by name, not by an AttributeError
    with pytest.raises(ConversionError, match="Await expressions are not supported"):
        conv.exprs.expr(ast.parse("async def g():\n    await x").body[0].body[0].value)


# -- the context ---------------------------------------------------------------------------
def test_context_snapshot_restore_puts_back_bindings_exit_state_and_heap():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    cx = conv.cx
    before = cx.snapshot()
    box = cx.heap.new_box("dict")
    cx.heap.box(box).entries["a"] = Const(1)
    cx.scope.env["z"] = box
    cx.scope.done = True
    cx.restore(before)
    assert "z" not in cx.scope.env and not cx.scope.done
    assert box.id not in cx.heap.boxes


def test_context_scoped_fields_come_back_when_the_construct_raises():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    cx = conv.cx
    root = cx.graph
    with pytest.raises(ConversionError):
        with cx.scoped(tail_dup=True, output_mode=True):
            assert cx.tail_dup and cx.output_mode
            raise ConversionError("inside", 1)
    assert cx.tail_dup is False and cx.output_mode is False and cx.graph is root


def test_context_adds_each_guard_once():
    fdef, _ = function_ast(f_arrays)
    cx = ConversionContext(f_arrays, fdef, None, {}, None, "g")
    g = Guard("type", param("x"), np.ndarray, 1)
    cx.add_guard(g)
    cx.add_guard(Guard("type", param("x"), np.ndarray, 5))
    cx.add_guard(Guard("type", param("y"), np.ndarray, 1))
    assert [x.source.key for x in cx.guards] == [param("x").key, param("y").key]


# -- alias tracker --------------------------------------------------------------------------
def test_alias_tracker_owns_op_results_but_not_arguments():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    aliases = conv.cx.aliases
    product = expr(conv, "x * y")
    view = expr(conv, "x[1:]")
    assert aliases.fresh(product.name)
    assert not aliases.fresh("x") and not aliases.fresh(view.name)
    aliases.mark_mutated(product.name, 1)          # fine: nobody outside sees it
    assert product.name in aliases.mutated
    conv.cx.current_stmt = ast.parse("x[1:] += 1").body[0]
    with pytest.raises(ConversionError, match=r"in-place update `x\[1:\] \+= 1` of a "
                                              r"ndarray that may be an argument"):
        aliases.mark_mutated(view.name, 1)


# -- heap ---------------------------------------------------------------------------------------
def test_heap_snapshot_tells_a_written_box_from_an_untouched_one():
    heap = Heap()
    mirrored = heap.mirror("obj", "object")
    snap = heap.snapshot()
    assert heap.unchanged(snap)
    made = heap.new_box("list")          # a new container made here changes nothing outside
    heap.box(made).items.append(Const(1))
    assert heap.unchanged(snap)
    mirrored.entries["w"] = Const(2.0)
    mirrored.dirty.append("w")
    assert not heap.unchanged(snap)
    heap.restore(snap)
    assert heap.unchanged(snap) and heap.mirror("obj", "object").dirty == []


# -- expressions, calls ----------------------------------------------------------------------
def test_expressions_fold_constants_and_add_nodes_for_arrays():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    assert expr(conv, "2 * 3 + 1") == Const(7)
    assert ops(conv) == ["input", "input", "input"]
    v = expr(conv, "x * k + y")
    assert isinstance(v, Ref)
    node = conv.cx.graph[v.name]
    assert node.op == "add" and node.meta.dtype == np.float64 and node.meta.shape == (3,)
    assert ops(conv).count("mul") == 1


def test_calls_lower_numpy_functions_and_fold_static_builtins():
    conv = make(f_arrays, x=np.ones((2, 3)), y=np.ones(3), k=2.0)
    assert expr(conv, "len(x)") == Const(2)
    v = expr(conv, "np.maximum(x, 0.0)")
    assert conv.cx.graph[v.name].op == "np.maximum"
    assert conv.cx.graph[v.name].meta.shape == (2, 3)
    with pytest.raises(ConversionError):
        expr(conv, "undefined_name + 1")


# -- containers, dicts ------------------------------------------------------------------
def test_containers_made_in_the_function_are_boxes_read_statically():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    stmts(conv, "d = {'a': x, 'b': 1}\nv = d.get('c', 5)\nw = d['a']")
    env = conv.cx.scope.env
    assert isinstance(env["d"], BoxRef)
    assert env["v"] == Const(5)
    assert env["w"] == Ref("x")                   # the very value stored: no node
    assert "getitem" not in ops(conv)


# -- statements, state --------------------------------------------------------------------
def test_an_argument_updated_in_place_is_written_in_a_private_copy_until_the_commit():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    stmts(conv, "x -= k * y")
    cx = conv.cx
    assert "x" in cx.heap.cow                     # the working copy of the argument
    copy = cx.graph[cx.heap.cow["x"]]
    assert copy.op == "np.copy"
    assert not any(op.startswith("commit") for op in ops(conv))
    conv.state.emit_commits(3)
    assert "commit_final" in ops(conv)


def test_attribute_writes_are_deferred_to_the_commit():
    conv = make(f_model, m=Model(), x=np.ones(3))
    stmts(conv, "m.n = m.n + 1\nm.w = m.w * 2")
    assert not any(op.startswith("commit") for op in ops(conv))
    box = conv.cx.heap.mirror("m", "object")
    assert box.dirty == ["n", "w"]
    assert expr(conv, "m.n") == box.entries["n"]      # reads see the pending write
    conv.state.emit_commits(3)
    written = [n.attrs["name"] for n in conv.cx.graph.nodes() if n.op == "commit_setattr"]
    assert written == ["n", "w"]


# -- control ------------------------------------------------------------------------------------
def test_a_branch_on_data_becomes_a_cond_node_merging_both_sides():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    test = expr(conv, "x.sum() > 0")
    conv.control.cond(test, lambda: stmts(conv, "z = x + 1"),
                      lambda: stmts(conv, "z = y - 1"), 1)
    assert "cond" in ops(conv)
    cond = next(n for n in conv.cx.graph.nodes() if n.op == "cond")
    assert [g.name.rsplit(".", 1)[1] for g in cond.subgraphs] == ["then1", "else1"]
    merged = conv.cx.graph[conv.cx.scope.env["z"].name]
    assert merged.op == "getitem" and merged.meta.shape == (3,)
    assert conv.cx.graph is cond.subgraphs[0].parent      # back in the outer graph


def test_a_branch_that_writes_state_on_one_side_only_merges_the_deferred_write():
    conv = make(f_model, m=Model(), x=np.ones(3))
    test = expr(conv, "x.sum() > 0")
    conv.control.cond(test, lambda: stmts(conv, "m.n = 5"), lambda: None, 1)
    box = conv.cx.heap.mirror("m", "object")
    assert box.dirty == ["n"]
    assert isinstance(box.entries["n"], Ref)         # chosen at run time by the cond node


# -- loops ----------------------------------------------------------------------------------
def test_a_loop_over_a_known_range_is_unrolled_and_a_loop_on_data_is_a_loop_node():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    stmts(conv, "acc = x\nfor i in range(3):\n    acc = acc + y")
    assert ops(conv).count("add") == 3 and "loop" not in ops(conv)
    stmts(conv, "s = x\nwhile s.sum() < 10:\n    s = s * 2")
    loop = next(n for n in conv.cx.graph.nodes() if n.op == "loop")
    assert len(loop.subgraphs) == 2                      # the test and the body
    assert conv.cx.graph[conv.cx.scope.env["s"].name].meta.shape == (3,)
    assert conv.cx.active_slots == []                    # put back after the loop


# -- closures, comprehensions, draws, try, globals -------------------------------------------
def test_lambdas_and_nested_functions_are_inlined_where_called():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    stmts(conv, "g = lambda a: a * 2\nz = g(x)\ndef h(a):\n    return a + k\nw = h(y)")
    assert ops(conv).count("mul") == 1 and ops(conv).count("add") == 1
    assert "call" not in ops(conv)


def test_a_comprehension_over_a_static_sequence_makes_a_list_box():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    stmts(conv, "z = [v * 2 for v in (x, y)]")
    box = conv.cx.heap.box(conv.cx.scope.env["z"])
    assert box.kind == "list" and len(box.items) == 2
    assert "v" not in conv.cx.scope.env                  # the loop variable does not leak


def test_a_draw_from_the_global_stream_is_a_node_in_program_order():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    stmts(conv, "a = np.random.rand(3)\nb = np.random.rand(3)\nz = b - a")
    draws = [n for n in conv.cx.graph.nodes() if n.op == "np.random.rand"]
    assert len(draws) == 2                               # never merged by CSE-like folding
    assert conv.cx.graph.order.index(draws[0].name) < conv.cx.graph.order.index(draws[1].name)


def test_try_converts_the_body_by_speculation_without_the_handler():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    stmts(conv, "try:\n    z = x / y\nexcept ZeroDivisionError:\n    z = x * 0")
    assert ops(conv)[-1] == "truediv" and "mul" not in ops(conv)


G_ARRAY = np.zeros(3)


def test_a_global_array_is_read_at_run_time_under_guards():
    conv = make(f_arrays, x=np.ones(3), y=np.ones(3), k=2.0)
    v = expr(conv, "G_ARRAY + x")
    assert "source" in ops(conv) and conv.cx.graph[v.name].op == "add"
    guarded = {(g.source.key, g.kind) for g in conv.cx.guards}
    assert any("G_ARRAY" in str(key) for key, kind in guarded)
