"""verify() catches each broken invariant; format_graph() text is exact and deterministic."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import janus_lite as jl
from janus_lite.ir import Graph, Meta, Node, VerifyError, format_graph, verify
from janus_lite.ir.printer import short_repr

F32, F64 = np.dtype("float32"), np.dtype("float64")
ARR = np.ndarray


def build():
    """x: float32(N, 3) → (x * 2.0).sum(axis=1), a small well-formed graph."""
    g = Graph("f")
    x = g.add("input", attrs={"name": "x"}, meta=Meta(ARR, F32, ("N", 3)), name="x")
    two = g.add("const", attrs={"value": 2.0}, meta=Meta(float, value=2.0))
    m = g.add("mul", (x.name, two.name), meta=Meta(ARR, F32, ("N", 3)), lineno=3)
    one = g.add("const", attrs={"value": 1}, meta=Meta(int, value=1))
    s = g.add("ndarray.sum", (m.name, one.name), attrs={"kw": ("axis",)},
              meta=Meta(ARR, F32, ("N",)), lineno=4)
    g.output = s.name
    return g


def with_cond():
    """A cond node whose branches capture an outer value."""
    g = build()
    flag = g.add("input", attrs={"name": "flag"}, meta=Meta(bool), name="flag")
    branches = []
    for label in ("then", "else"):
        sub = Graph(f"f.{label}5", parent=g)
        cap = sub.add("input", attrs={"name": "mul_1", "role": "capture", "outer": "mul_1"},
                      meta=g["mul_1"].meta, name=sub.fresh_name("cap"))
        sub.captures["mul_1"] = cap.name
        op = "neg" if label == "then" else "pos"
        y = sub.add(op, (cap.name,), meta=cap.meta, lineno=6 if label == "then" else 8)
        out = sub.add("tuple", (y.name,), meta=Meta(tuple, items=(y.meta,)), lineno=5)
        sub.output = out.name
        branches.append(sub)
    c = g.add("cond", (flag.name, "mul_1"), attrs={"captures": ("mul_1",), "n_out": 1},
              meta=Meta(tuple, items=(g["mul_1"].meta,)), lineno=5, subgraphs=tuple(branches))
    zero = g.add("const", attrs={"value": 0}, meta=Meta(int, value=0))
    item = g.add("getitem", (c.name, zero.name), meta=g["mul_1"].meta, lineno=5)
    g.output = item.name
    return g


def test_well_formed_graphs_verify():
    verify(build())
    verify(with_cond())


# -- each invariant, broken by hand ---------------------------------------------------------
def _dup_schedule(g):
    g.order.append("mul_1")


def _node_missing_from_schedule(g):
    g.order.remove("const_2")


def _wrong_vertex_payload(g):
    g.nx.nodes["mul_1"]["node"] = Node("other", "mul", ("x", "const_0"))


def _cycle(g):
    g.nx.add_edge("ndarray_sum_3", "mul_1")


def _unknown_op(g):
    g["mul_1"].op = "no_such_op"


def _missing_input(g):
    g["mul_1"].inputs = ("x", "ghost")


def _input_after_user(g):
    g.order.remove("const_0")
    g.order.append("const_0")


def _edges_differ(g):
    g.nx.remove_edge("const_0", "mul_1")


def _const_without_value(g):
    del g["const_0"].attrs["value"]


def _input_not_listed(g):
    g.inputs.remove("x")


def _listed_non_input(g):
    g.inputs.append("mul_1")


def _input_listed_twice(g):
    g.inputs.append("x")


def _output_missing(g):
    g.output = "ghost"


def _assert_arity(g):
    g.add("assert", ("x", "mul_1"), attrs={"expect": True, "index": 0})


def _assert_without_expect(g):
    g.add("assert", ("mul_1",), attrs={"index": 0})


def _assert_expect_not_bool(g):
    g.add("assert", ("mul_1",), attrs={"expect": 1, "index": 0})


def _getattr_without_name(g):
    g.add("getattr", ("x",))


def _unpack_negative(g):
    g.add("unpack", ("x",), attrs={"n": -1})


def _call_not_callable(g):
    g.add("call", ("x",), attrs={"fn": 3})


def _kw_longer_than_inputs(g):
    g["mul_1"].attrs["kw"] = ("a", "b", "c")


def _kw_repeated(g):
    g["ndarray_sum_3"].attrs["kw"] = ("axis", "axis")


def _meta_not_meta(g):
    g["mul_1"].meta = (F32, (3,))


def _negative_dim(g):
    g["mul_1"].meta = Meta(ARR, F32, (-1, 3))


def _lineno_not_int(g):
    g["mul_1"].lineno = "3"


def _subgraph_without_output(g):
    g[g.output].inputs  # noqa: B018
    cond = next(n for n in g.nodes() if n.op == "cond")
    cond.subgraphs[0].output = None


def _subgraph_name_clash(g):
    cond = next(n for n in g.nodes() if n.op == "cond")
    cond.subgraphs[1].add("const", attrs={"value": 1}, name="mul_1")


def _capture_not_an_input(g):
    cond = next(n for n in g.nodes() if n.op == "cond")
    sub = cond.subgraphs[0]
    sub.captures["mul_1"] = sub.order[-1]


def _capture_of_unknown_value(g):
    cond = next(n for n in g.nodes() if n.op == "cond")
    sub = cond.subgraphs[0]
    sub.captures["ghost"] = sub.inputs[0]


def _subgraph_of_another_parent(g):
    cond = next(n for n in g.nodes() if n.op == "cond")
    cond.subgraphs[0].parent = Graph("elsewhere")


BREAKS = [
    (build, _dup_schedule, "schedule and node set differ"),
    (build, _node_missing_from_schedule, "schedule and node set differ"),
    (build, _wrong_vertex_payload, "does not hold a Node"),
    (build, _cycle, "cycle"),
    (build, _unknown_op, "unknown op"),
    (build, _missing_input, "input ghost missing"),
    (build, _input_after_user, "scheduled after its user"),
    (build, _edges_differ, "edges do not match inputs"),
    (build, _const_without_value, "without attribute 'value'"),
    (build, _input_not_listed, "not listed in graph.inputs"),
    (build, _listed_non_input, "is not an input node"),
    (build, _input_listed_twice, "listed twice"),
    (build, _output_missing, "output ghost missing"),
    (build, _assert_arity, "exactly 1 input"),
    (build, _assert_without_expect, "without attribute 'expect'"),
    (build, _assert_expect_not_bool, "'expect' must be a bool"),
    (build, _getattr_without_name, "without attribute 'name'"),
    (build, _unpack_negative, "'n' must be an int >= 0"),
    (build, _call_not_callable, "'fn' must be callable"),
    (build, _kw_longer_than_inputs, "'kw'"),
    (build, _kw_repeated, "'kw'"),
    (build, _meta_not_meta, "meta is not a Meta"),
    (build, _negative_dim, "is not a tuple of dims"),
    (build, _lineno_not_int, "lineno"),
    (with_cond, _subgraph_without_output, "has no output"),
    (with_cond, _subgraph_name_clash, "reuses the name"),
    (with_cond, _capture_not_an_input, "is not an input"),
    (with_cond, _capture_of_unknown_value, "not a node of an enclosing graph"),
    (with_cond, _subgraph_of_another_parent, "another parent"),
]


@pytest.mark.parametrize("make, breaker, message", BREAKS,
                         ids=[b.__name__.strip("_") for _, b, _ in BREAKS])
def test_verify_catches(make, breaker, message):
    g = make()
    verify(g)
    breaker(g)
    with pytest.raises(VerifyError, match=message.replace("(", r"\(")):
        verify(g)


def test_verify_error_names_the_node_and_line():
    g = build()
    g["mul_1"].op = "no_such_op"
    with pytest.raises(VerifyError, match=r"f:mul_1 \(no_such_op, line 3\)"):
        verify(g)


def test_graph_add_refuses_unknown_ops_and_inputs():
    g = build()
    with pytest.raises(KeyError, match="closed"):
        g.add("no_such_op")
    with pytest.raises(KeyError, match="ghost"):
        g.add("neg", ("ghost",))


# -- golden text ----------------------------------------------------------------------------
def test_golden_small_graph():
    assert format_graph(build()) == textwrap.dedent("""\
        graph f(%x: float32(N, 3)) {
          %const_0 = const(){value=2.0} : float
          %mul_1 = mul(%x, %const_0) : float32(N, 3)  # line 3
          %const_2 = const(){value=1} : int
          %ndarray_sum_3 = ndarray.sum(%mul_1, %const_2){kw=('axis',)} : float32(N,)  # line 4
          return %ndarray_sum_3
        }""")


def test_golden_structured_graph():
    assert format_graph(with_cond()) == textwrap.dedent("""\
        graph f(%x: float32(N, 3), %flag: bool) {
          %const_0 = const(){value=2.0} : float
          %mul_1 = mul(%x, %const_0) : float32(N, 3)  # line 3
          %const_2 = const(){value=1} : int
          %ndarray_sum_3 = ndarray.sum(%mul_1, %const_2){kw=('axis',)} : float32(N,)  # line 4
          %cond_10 = cond(%flag, %mul_1){captures=('mul_1',), n_out=1} : tuple(float32(N, 3),)  # line 5
            graph f.then5(%cap_4: float32(N, 3)) {
              %neg_5 = neg(%cap_4) : float32(N, 3)  # line 6
              %tuple_6 = tuple(%neg_5) : tuple(float32(N, 3),)  # line 5
              return %tuple_6
            }
            graph f.else5(%cap_7: float32(N, 3)) {
              %pos_8 = pos(%cap_7) : float32(N, 3)  # line 8
              %tuple_9 = tuple(%pos_8) : tuple(float32(N, 3),)  # line 5
              return %tuple_9
            }
          %const_11 = const(){value=0} : int
          %getitem_12 = getitem(%cond_10, %const_11) : float32(N, 3)  # line 5
          return %getitem_12
        }""")


def test_golden_attribute_values():
    g = Graph("g")
    x = g.add("input", attrs={"name": "x"}, meta=Meta(ARR, F64, (4,)), name="x")
    g.add("const", attrs={"value": np.zeros((2, 3), np.int32)},
          meta=Meta(ARR, np.dtype("int32"), (2, 3)))
    g.add("call", (x.name,), attrs={"fn": slice}, meta=Meta(slice))
    g.add("const", attrs={"value": frozenset({"b", "a", "c"})}, meta=Meta(frozenset))
    g.add("const", attrs={"value": {"z": 1, "a": (2,)}}, meta=Meta(dict))
    g.add("getattr", (x.name,), attrs={"name": "T"}, meta=Meta())
    g.add("const", attrs={"value": object()}, meta=Meta(object))
    g.add("const", attrs={"value": "x" * 60}, meta=Meta(str))
    assert format_graph(g) == textwrap.dedent("""\
        graph g(%x: float64(4,)) {
          %const_0 = const(){value=array<int32[2, 3]>} : int32(2, 3)
          %call_1 = call(%x){fn=slice} : slice
          %const_2 = const(){value=frozenset({'a', 'b', 'c'})} : frozenset
          %const_3 = const(){value={'a': (2,), 'z': 1}} : dict
          %getattr_4 = getattr(%x){name='T'}
          %const_5 = const(){value=<object object>} : object
          %const_6 = const(){value='xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...} : str
        }""")


def test_short_repr_has_no_addresses_or_hash_order():
    class Thing:
        pass

    assert "0x" not in short_repr(Thing())
    assert short_repr({3, 1, 2}) == "set({1, 2, 3})"
    assert short_repr(set()) == "set()"
    assert short_repr((1,)) == "(1,)"


# -- deterministic names --------------------------------------------------------------------
def test_node_names_are_deterministic():
    a, b = build(), build()
    assert a.order == b.order == ["x", "const_0", "mul_1", "const_2", "ndarray_sum_3"]
    assert format_graph(with_cond()) == format_graph(with_cond())
    g = Graph("h")
    assert g.fresh_name("np.linalg.norm") == "np_linalg_norm_0"
    assert g.fresh_name("") == "v_1"


def _source():
    return textwrap.dedent("""\
        import numpy as np
        import janus_lite as jl

        def f(x, y):
            z = np.tanh(x @ y) + 1.0
            return z.sum(axis=0), z.T.shape

        g = jl.jit(f)
        x, y = np.ones((4, 3)), np.ones((3, 2))
        for _ in range(4):
            g(x, y)
        print(g.graphs[-1].text())
        """)


def test_printed_graphs_are_identical_across_processes(tmp_path):
    """Hash randomization and addresses must not leak into the text."""
    script = tmp_path / "print_graph.py"
    script.write_text(_source())
    outs = []
    for seed in ("1", "2"):
        env = {"PYTHONHASHSEED": seed, "PATH": ""}
        run = subprocess.run([sys.executable, str(script)], capture_output=True,
                             text=True, env=env, timeout=120)
        assert run.returncode == 0, run.stderr
        outs.append(run.stdout)
    assert outs[0] == outs[1] and "graph f(" in outs[0]


def test_converted_graph_text_is_stable_within_a_process():
    def f(x, y):
        z = np.tanh(x @ y) + 1.0
        return z.sum(axis=0), z.T.shape

    texts = []
    for _ in range(2):
        g = jl.jit(f)
        for _ in range(4):
            g(np.ones((4, 3)), np.ones((3, 2)))
        texts.append(g.graphs[-1].text())
        verify(g.graphs[-1])
    assert texts[0] == texts[1]
