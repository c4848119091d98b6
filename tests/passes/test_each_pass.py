"""Each pass on a hand-built graph: the input graph, the pass, the expected printed graph
(the deterministic printer, `ir.format_graph`), `verify()` after the pass, and the same
values from the reference interpreter before and after (bit for bit)."""
import copy
import textwrap

import numpy as np
import pytest

from janus_lite import config
from janus_lite.backend import Interpreter
from janus_lite.ir import Graph, Meta, format_graph, verify
from janus_lite.passes import (cse, dce, fold, fuse, hoist_asserts, hoist_raising, lower,
                               plan_memory, simplify)

F32, F64 = np.dtype("float32"), np.dtype("float64")
A = np.ndarray


def new(*params):
    g = Graph("f")
    for name, meta in params:
        g.add("input", attrs={"name": name}, meta=meta, name=name)
    return g


def const(g, value, meta=None):
    return g.add("const", attrs={"value": value},
                 meta=meta or Meta(type(value), value=value)).name


def check(g, run, expected_count, expected_text, *args):
    """Run pass ``run`` on ``g``: its report, the printed result, verify(), and the values
    the interpreter computes from ``args`` before and after."""
    verify(g)
    before = Interpreter(copy.deepcopy(g)).run(*copy.deepcopy(args)) if args else None
    assert run(g) == expected_count
    verify(g)
    assert format_graph(g) == textwrap.dedent(expected_text).strip()
    if args:
        after = Interpreter(g).run(*copy.deepcopy(args))
        for a, b in zip(before if isinstance(before, tuple) else (before,),
                        after if isinstance(after, tuple) else (after,)):
            assert type(a) is type(b)
            if isinstance(a, np.ndarray):
                assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
            else:
                assert a == b


X = Meta(A, F64, (3,))
x3 = np.array([0.5, -1.25, 2.0])


def test_fold_computes_constant_ops_but_not_one_that_raises():
    g = new(("x", X))
    a, b = const(g, 2), const(g, 3)
    s = g.add("add", (a, b), meta=Meta(int), lineno=2).name
    d = g.add("floordiv", (a, const(g, 0)), meta=Meta(int), lineno=3).name
    m = g.add("mul", ("x", s), meta=X, lineno=4).name
    g.output = g.add("tuple", (m, d), meta=Meta(tuple), lineno=5).name
    check(g, fold.run, 1, """
        graph f(%x: float64(3,)) {
          %const_0 = const(){value=2} : int
          %const_1 = const(){value=3} : int
          %const_7 = const(){value=5} : int  # line 2
          %add_2 = add(%const_0, %const_1) : int  # line 2
          %const_3 = const(){value=0} : int
          %floordiv_4 = floordiv(%const_0, %const_3) : int  # line 3
          %mul_5 = mul(%x, %const_7) : float64(3,)  # line 4
          %tuple_6 = tuple(%mul_5, %floordiv_4) : tuple  # line 5
          return %tuple_6
        }""")


def test_simplify_drops_times_one_and_squares_with_np_square():
    g = new(("x", X))
    m = g.add("mul", ("x", const(g, 1.0)), meta=X, lineno=2).name
    p = g.add("pow", (m, const(g, 2)), meta=X, lineno=3).name
    g.output = g.add("np.exp", (p,), meta=X, lineno=4).name
    check(g, simplify.run, 2, """
        graph f(%x: float64(3,)) {
          %pow_3 = np.square(%x) : float64(3,)  # line 3
          %np_exp_4 = np.exp(%pow_3) : float64(3,)  # line 4
          return %np_exp_4
        }""", x3)


def test_simplify_keeps_a_value_the_user_sees():
    g = new(("x", X))
    m = g.add("mul", ("x", const(g, 1.0)), meta=X, lineno=2).name
    g.output = m          # returned: x * 1.0 is a new array, not x itself
    text = format_graph(g)
    check(g, simplify.run, 0, text, x3)


def test_cse_reuses_the_first_of_two_equal_pure_nodes():
    g = new(("x", X))
    a = g.add("getattr", ("x",), attrs={"name": "T"}, meta=X, lineno=2).name
    b = g.add("getattr", ("x",), attrs={"name": "T"}, meta=X, lineno=3).name
    g.output = g.add("add", (a, b), meta=X, lineno=4).name
    check(g, cse.run, 1, """
        graph f(%x: float64(3,)) {
          %getattr_0 = getattr(%x){name='T'} : float64(3,)  # line 2
          %getattr_1 = getattr(%x){name='T'} : float64(3,)  # line 3
          %add_2 = add(%getattr_0, %getattr_0) : float64(3,)  # line 4
          return %add_2
        }""", x3)


def test_cse_never_merges_two_places_that_may_warn():
    # np.exp(x) on line 2 and on line 3: on an overflow the plain code warns twice
    g = new(("x", X))
    a = g.add("np.exp", ("x",), meta=X, lineno=2).name
    b = g.add("np.exp", ("x",), meta=X, lineno=3).name
    g.output = g.add("add", (a, b), meta=X, lineno=4).name
    check(g, cse.run, 0, format_graph(g), x3)


def test_cse_never_merges_random_draws():
    g = new(("rng", Meta(np.random.Generator)))
    a = g.add("Generator.random", ("rng",), meta=Meta(float), lineno=2).name
    b = g.add("Generator.random", ("rng",), meta=Meta(float), lineno=3).name
    g.output = g.add("add", (a, b), meta=Meta(float), lineno=4).name
    text = format_graph(g)
    check(g, cse.run, 0, text)


def test_dce_drops_unused_nodes_but_keeps_assertions_and_the_keep_set():
    g = new(("x", X), ("flag", Meta(bool)))
    g.add("np.exp", ("x",), meta=X, lineno=2)
    g.add("assert", ("flag",), attrs={"expect": True, "index": 0}, meta=Meta(type(None)),
          lineno=3)
    r = g.add("np.log", ("x",), meta=X, lineno=4).name
    g.keep = {g.add("np.sqrt", ("x",), meta=X, lineno=5).name}
    g.output = r
    check(g, dce.run, 1, """
        graph f(%x: float64(3,), %flag: bool) {
          %assert_1 = assert(%flag){expect=True, index=0} : NoneType  # line 3
          %np_log_2 = np.log(%x) : float64(3,)  # line 4
          %np_sqrt_3 = np.sqrt(%x) : float64(3,)  # line 5
          return %np_log_2
        }""", np.abs(x3), True)


def test_hoist_asserts_moves_an_assertion_right_after_its_inputs():
    g = new(("x", X), ("flag", Meta(bool)))
    a = g.add("np.exp", ("x",), meta=X, lineno=2).name
    b = g.add("np.log", (a,), meta=X, lineno=3).name
    g.add("assert", ("flag",), attrs={"expect": True, "index": 0}, meta=Meta(type(None)),
          lineno=4)
    g.output = b
    check(g, hoist_asserts.run, 1, """
        graph f(%x: float64(3,), %flag: bool) {
          %assert_2 = assert(%flag){expect=True, index=0} : NoneType  # line 4
          %np_exp_0 = np.exp(%x) : float64(3,)  # line 2
          %np_log_1 = np.log(%np_exp_0) : float64(3,)  # line 3
          return %np_log_1
        }""", x3, True)


def test_hoist_asserts_stops_at_an_in_place_update():
    g = new(("x", X), ("flag", Meta(bool)))
    a = g.add("np.exp", ("x",), meta=X, lineno=2).name
    g.add("setitem", ("x", const(g, 0), a), meta=X, lineno=3)
    b = g.add("np.log", (a,), meta=X, lineno=4).name
    g.add("assert", ("flag",), attrs={"expect": True, "index": 0}, meta=Meta(type(None)),
          lineno=5)
    g.output = b
    check(g, hoist_asserts.run, 1, """
        graph f(%x: float64(3,), %flag: bool) {
          %np_exp_0 = np.exp(%x) : float64(3,)  # line 2
          %const_1 = const(){value=0} : int
          %setitem_2 = setitem(%x, %const_1, %np_exp_0) : float64(3,)  # line 3
          %assert_4 = assert(%flag){expect=True, index=0} : NoneType  # line 5
          %np_log_3 = np.log(%np_exp_0) : float64(3,)  # line 4
          return %np_log_3
        }""")


def test_hoist_raising_moves_a_raising_scalar_op_and_its_constants_ahead_of_array_math():
    # m / (1 - 0.9 ** t): the power may raise (OverflowError) but never warns; ahead of
    # the array ops that may warn, a run cannot be abandoned once it may have warned
    g = new(("m", X), ("t", Meta(int)))
    e = g.add("np.exp", ("m",), meta=X, lineno=2).name
    p = g.add("pow", (const(g, 0.9), "t"), meta=Meta(float), lineno=3).name
    d = g.add("sub", (const(g, 1), p), meta=Meta(float), lineno=3).name
    g.output = g.add("truediv", (e, d), meta=X, lineno=3).name
    check(g, hoist_raising.run, 1, """
        graph f(%m: float64(3,), %t: int) {
          %const_1 = const(){value=0.9} : float
          %pow_2 = pow(%const_1, %t) : float  # line 3
          %np_exp_0 = np.exp(%m) : float64(3,)  # line 2
          %const_3 = const(){value=1} : int
          %sub_4 = sub(%const_3, %pow_2) : float  # line 3
          %truediv_5 = truediv(%np_exp_0, %sub_4) : float64(3,)  # line 3
          return %truediv_5
        }""", x3, 7)


def test_hoist_raising_stops_at_an_in_place_update_and_leaves_arrays_in_place():
    g = new(("x", X), ("t", Meta(int)))
    g.add("setitem", ("x", const(g, 0), const(g, 1.5)), meta=X, lineno=2)
    e = g.add("np.exp", ("x",), meta=X, lineno=3).name
    p = g.add("pow", (const(g, 0.9), "t"), meta=Meta(float), lineno=4).name
    q = g.add("floordiv", ("x", const(g, 0.0)), meta=X, lineno=5).name   # an array: stays
    g.output = g.add("tuple", (e, p, q), meta=Meta(tuple), lineno=6).name
    check(g, hoist_raising.run, 1, """
        graph f(%x: float64(3,), %t: int) {
          %const_0 = const(){value=0} : int
          %const_1 = const(){value=1.5} : float
          %setitem_2 = setitem(%x, %const_0, %const_1) : float64(3,)  # line 2
          %const_4 = const(){value=0.9} : float
          %pow_5 = pow(%const_4, %t) : float  # line 4
          %np_exp_3 = np.exp(%x) : float64(3,)  # line 3
          %const_6 = const(){value=0.0} : float
          %floordiv_7 = floordiv(%x, %const_6) : float64(3,)  # line 5
          %tuple_8 = tuple(%np_exp_3, %pow_5, %floordiv_7) : tuple  # line 6
          return %tuple_8
        }""")


def test_lower_spells_sum_as_the_ufunc_reduction_and_scalars_as_0d_arrays():
    M = Meta(A, F32, (4,))
    g = new(("x", Meta(A, F32, (4, 3))))
    s = g.add("np.sum", ("x", const(g, 1)), attrs={"kw": ("axis",)}, meta=M, lineno=2).name
    g.output = g.add("mul", (s, const(g, 0.5)), meta=M, lineno=3).name
    check(g, lower.run, 2, """
        graph f(%x: float32(4, 3)) {
          %const_0 = const(){value=1} : int
          %const_4 = const(){value=1} : int
          %const_5 = const(){value=False} : bool
          %np_sum_1 = reduce.sum(%x, %const_4, %const_5){via='np'} : float32(4,)  # line 2
          %const_2 = const(){value=0.5} : float
          %const_6 = const(){value=array<float32[]>} : float32()
          %mul_3 = mul(%np_sum_1, %const_6) : float32(4,)  # line 3
          return %mul_3
        }""", np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))


def test_fuse_groups_an_elementwise_chain_on_a_large_array():
    n = 1 << 19
    B = Meta(A, F32, (n,))
    g = new(("x", B))
    a = g.add("np.tanh", ("x",), meta=B, lineno=2).name
    h = const(g, np.array(0.5, F32), Meta(A, F32, ()))
    b = g.add("mul", (a, h), meta=B, lineno=3).name
    g.output = g.add("np.exp", (b,), meta=B, lineno=4).name
    check(g, fuse.run, 1, f"""
        graph f(%x: float32({n},)) {{
          %const_1 = const(){{value=array<float32[]>}} : float32()
          %const_4 = const(){{value=<fused float32 np.tanh → mul → np.exp>}} : Program
          %fused_5 = fused(%const_4, %x){{n_out=1}} : float32({n},)  # line 4
          return %fused_5
        }}""", np.linspace(-3, 3, n, dtype=np.float32))


def test_plan_memory_gives_intermediates_reused_buffers_but_not_the_result():
    S = Meta(A, F64, (1000,))
    g = new(("x", S))
    a = g.add("np.exp", ("x",), meta=S, lineno=2).name
    b = g.add("np.sin", (a,), meta=S, lineno=3).name
    c = g.add("np.cos", (b,), meta=S, lineno=4).name
    g.output = g.add("add", (c, "x"), meta=S, lineno=5).name
    planned = "kind='ufunc', check=None, n_operands=1"
    check(g, plan_memory.run, 3, f"""
        graph f(%x: float64(1000,)) {{
          %const_4 = const(){{value=<BufferPool 2 slots, 16000 B>}} : BufferPool
          %buffers_acquire_5 = buffers.acquire(%const_4) : list
          %np_exp_0 = np.exp@out(%x){{ufunc=numpy.exp, {planned}, slot=0, buffers='buffers_acquire_5'}} : float64(1000,)  # line 2
          %np_sin_1 = np.sin@out(%np_exp_0){{ufunc=numpy.sin, {planned}, slot=1, buffers='buffers_acquire_5'}} : float64(1000,)  # line 3
          %np_cos_2 = np.cos@out(%np_sin_1){{ufunc=numpy.cos, {planned}, slot=0, buffers='buffers_acquire_5'}} : float64(1000,)  # line 4
          %add_3 = add(%np_cos_2, %x) : float64(1000,)  # line 5
          %buffers_release_6 = buffers.release(%const_4, %buffers_acquire_5) : NoneType
          return %add_3
        }}""", np.linspace(-2, 2, 1000))  # noqa: E501


@pytest.mark.parametrize("small", [100, 10])
def test_plan_memory_leaves_small_arrays_alone(small, monkeypatch):
    monkeypatch.setattr(config, "PLAN_MIN_BYTES", 1024)    # the default (tests set 0)
    S = Meta(A, F64, (small,))
    g = new(("x", S))
    a = g.add("np.exp", ("x",), meta=S, lineno=2).name
    g.output = g.add("np.sin", (a,), meta=S, lineno=3).name
    text = format_graph(g)
    check(g, plan_memory.run, 0, text, np.linspace(0, 1, small))



def _sum_of_squares(x):
    return np.sum(x ** 2)


def test_square_keeps_numpys_overflow_warning_text():
    """``x ** 2`` overflowing warns "... in square" plain; the graph must say the same
    (it once rewrote the power to ``x * x``, which warns "... in multiply")."""
    import warnings

    import janus_lite as jl
    line = _sum_of_squares.__code__.co_firstlineno + 1
    g = jl.jit(_sum_of_squares)
    x = np.full(3, 1e200)
    seen = []
    for _ in range(4):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            g(x)
        seen.append([(str(i.message), i.lineno) for i in w])
    assert g.stats["graph_calls"] >= 1
    assert all(s == [("overflow encountered in square", line)] for s in seen), seen
