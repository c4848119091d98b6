"""What each pass does to the graph (with the default knobs), on top of the differential
tests in test_pipeline.py that show it changes no result."""
import numpy as np

import janus_lite
from janus_lite.backend.kernels import Program
from janus_lite.passes import PIPELINE, run_passes

import workloads as W


def _graph(fn, *args, runs=3):
    f = janus_lite.jit(fn)
    for _ in range(runs):
        f(*args)
    assert f.stats["graph_calls"] >= 1, f.explain()
    return f.graphs[-1]


def _ops(g):
    return [n.op for n in g.nodes()]


def test_pipeline_order_is_written_once():
    names = [n for n, _ in PIPELINE]
    assert names.index("lower") < names.index("fuse") < names.index("plan_memory")
    assert names[-1] == "plan_memory"


def test_chain_becomes_one_kernel_and_halves_memory():
    x = np.random.default_rng(0).standard_normal(1_000_000).astype(np.float32)
    g = _graph(W.chain, x)
    assert _ops(g).count("fused") == 1 and "np.tanh" not in _ops(g)
    mem = g.memory
    assert mem["planned_peak_bytes"] <= 0.5 * mem["imperative_peak_bytes"], mem
    kernel = next(n.attrs["value"] for n in g.nodes() if isinstance(n.attrs.get("value"), Program))
    assert "tanh" in kernel.describe()


def test_adam_is_one_kernel_with_three_outputs():
    rng = np.random.default_rng(0)
    p, gr, m, v = (rng.random(300_000).astype(np.float32) for _ in range(4))
    g = _graph(W.adam, p, gr, m, v, 0.001, 0.9, 0.999, 1e-8, 3)
    assert _ops(g).count("fused") == 1 and _ops(g).count("fused.item") == 3


def test_classic_example_reuses_buffers():
    big = _graph(W.classic, np.ones((1000, 1000)))      # fused: a and d, tiles for b and c
    mem = big.memory
    assert mem["planned_peak_bytes"] < 0.7 * mem["imperative_peak_bytes"], mem
    g = _graph(W.classic, np.ones(300))               # small: b and c in reused buffers
    assert sum(op.endswith("@out") for op in _ops(g)) == 2     # b and c; d is returned
    pool = next(n.attrs["value"] for n in g.nodes() if n.op == "const" and
                type(n.attrs["value"]).__name__ == "BufferPool")
    assert len(pool.slots) == 2


def test_small_chains_are_not_fused_but_planned():
    g = _graph(W.chain, np.ones(100, np.float32))
    assert "fused" not in _ops(g) and any(op.endswith("@out") for op in _ops(g))


def test_tiny_static_arrays_get_no_buffers_by_default(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "PLAN_MIN_BYTES", 1024)
    small = _graph(W.classic, np.ones(100))           # 800 bytes: NumPy's own cache is faster
    assert not any(op.endswith("@out") for op in _ops(small))
    g = _graph(W.classic, np.ones(300))               # 2400 bytes: reused buffers
    assert sum(op.endswith("@out") for op in _ops(g)) == 2


def test_simplify_removes_exact_identities_only():
    x = np.random.default_rng(0).standard_normal((30, 40))
    g = _graph(W.identities, x, 2.0)
    ops = _ops(g)
    assert "neg" not in ops and "truediv" not in ops and "pow" not in ops
    g2 = _graph(W.signed_zero, x)
    assert _ops(g2).count("add") + _ops(g2).count("add@out") >= 1     # x + 0.0 stays
    g3 = _graph(W.int_chain, np.arange(10, dtype=np.int32))
    assert "mul" in [op.replace("@out", "") for op in _ops(g3)]       # x * 1.0 changes dtype


def test_cse_merges_no_computation_that_may_warn():
    # four np.exp(x) warn four times on an overflow in the plain function: all four stay
    g = _graph(W.duplicates, np.ones(50))
    ops = [op.replace("@out", "") for op in _ops(g)]
    assert ops.count("np.exp") == 4
    g = _graph(W.transposed_twice, np.ones((3, 4)))
    assert [op.replace("@out", "") for op in _ops(g)].count("getattr") == 1


def test_no_array_is_folded_into_a_constant():
    x = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    for fn, args in [(W.chain, (x,)), (W.python_scalars, (x, 0.5, 3))]:
        for node in _graph(fn, *args).nodes():
            v = node.attrs.get("value") if node.op == "const" else None
            if isinstance(v, np.ndarray):
                assert v.shape == () and not v.flags.writeable


def test_lower_turns_reductions_into_ufunc_reduce():
    g = _graph(W.reductions, np.ones((5, 7)))
    assert not any(op in ("np.mean", "np.sum", "ndarray.sum", "ndarray.mean") for op in _ops(g))
    assert "reduce.mean" in _ops(g)


def test_hoisted_assert_follows_its_input():
    g = _graph(W.asserted, np.ones(50))
    order = list(g.order)
    a = next(n for n in order if g[n].op == "assert")
    assert order.index(a) == order.index(g[a].inputs[0]) + 1


def test_passes_can_be_switched_off_and_report():
    x = np.ones(100, np.float32)
    f = janus_lite.jit(W.chain)
    for _ in range(3):
        f(x)
    g = f.graphs[-1]
    assert set(g.pass_reports) >= {"fold", "cse", "fuse", "plan_memory"}
    janus_lite.config.PASSES = ("dce",)
    try:
        f2 = janus_lite.jit(W.chain)
        for _ in range(3):
            f2(x)
        assert set(f2.graphs[-1].pass_reports) == {"dce"}
        assert not any(op.endswith("@out") for op in _ops(f2.graphs[-1]))
    finally:
        janus_lite.config.PASSES = None
    assert run_passes is not None


def test_generated_code_shows_buffers_and_kernels():
    g = _graph(W.asserted, np.ones(300_000, np.float32))
    src = g.source()
    assert "acquire" in src and "kernel" in src
