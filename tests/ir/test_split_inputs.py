"""`ir.node.split_inputs`: a call node's inputs split into positional and keyword parts by
``attrs["kw"]``, the one place the backends, passes and shape rules do it."""
import numpy as np

from janus_lite.backend.interpreter import Interpreter
from janus_lite.backend.numpy_rules import call_args
from janus_lite.ir import Graph, Meta
from janus_lite.ir.node import Node, split_inputs, split_values
from janus_lite.ir.rules import split_kw
from janus_lite.passes.analysis import mutated_roots


def test_no_keywords_returns_the_values_themselves():
    node = Node("n", "np.add", ("a", "b"))
    args = [1, 2]
    pos, kw = split_inputs(node, args)
    assert pos is args and kw == {}
    assert split_inputs(Node("m", "np.add", ("a", "b"), {"kw": ()}), args)[0] is args


def test_the_last_inputs_are_the_keywords_in_their_order():
    node = Node("n", "np.sum", ("x", "ax", "kd"), {"kw": ("keepdims", "axis")})
    pos, kw = split_inputs(node, ["X", "AX", "KD"])
    assert pos == ["X"]
    assert kw == {"keepdims": "AX", "axis": "KD"}
    assert list(kw) == ["keepdims", "axis"]        # ordered like attrs["kw"]


def test_a_tuple_stays_a_tuple_and_all_keywords_leave_nothing_positional():
    pos, kw = split_values(("a", "b"), ("x", "y"))
    assert pos == () and kw == {"x": "a", "y": "b"}
    pos, kw = split_values((1, 2, 3), ("z",))
    assert pos == (1, 2) and kw == {"z": 3}


def test_the_metas_version_keeps_returning_a_list():
    metas = (Meta(int), Meta(float), Meta(bool))
    pos, kw = split_kw(metas, {"kw": ("flag",)})
    assert pos == [Meta(int), Meta(float)] and isinstance(pos, list)
    assert kw == {"flag": Meta(bool)}
    pos, kw = split_kw(metas, {})
    assert pos == list(metas) and isinstance(pos, list) and kw == {}


def test_generated_call_text_and_interpreter_call_agree():
    g = Graph("f")
    x = g.add("input", attrs={"name": "x"}, meta=Meta(np.ndarray, np.dtype("float64"), (3,)))
    ax = g.add("const", attrs={"value": 0})
    kd = g.add("const", attrs={"value": True})
    node = g.add("np.sum", (x.name, ax.name, kd.name), attrs={"kw": ("axis", "keepdims")})
    assert call_args(node, ["x", "0", "True"]) == (
        ["x"], {"axis": "0", "keepdims": "True"}, "x, axis=0, keepdims=True")
    out = Interpreter(g).op_impl(node, [np.arange(3.0), 0, True])
    assert out.shape == (1,) and out[0] == 3.0


def test_an_out_keyword_marks_its_input_as_mutated():
    g = Graph("f")
    a = g.add("input", attrs={"name": "a"}, meta=Meta(np.ndarray, np.dtype("float64"), (3,)))
    b = g.add("input", attrs={"name": "b"}, meta=Meta(np.ndarray, np.dtype("float64"), (3,)))
    g.add("np.negative", (a.name, b.name), attrs={"kw": ("out",)})
    assert mutated_roots(g) == {b.name}          # the out= input, not the operand
