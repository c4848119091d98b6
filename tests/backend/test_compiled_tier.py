"""The compiled tier (numba): exact by default, tiered up in the background, falls back to
the NumPy tier for calls its code does not cover. Graphs here are compiled synchronously
(``config.TIER = "compiled"``) unless a test is about background tiering."""
import os
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

pytest.importorskip("numba")

import janus_lite as jl  # noqa: E402
from differential import assert_same, differential, steady  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tier_of(f):
    state = f.graphs[-1].tier_state
    return (state.tier, state.reason) if state is not None else (None, None)


def adam(p, g, m, v, lr, b1, b2, eps, t):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    mhat = m / (1 - b1 ** t)
    vhat = v / (1 - b2 ** t)
    p = p - lr * mhat / (np.sqrt(vhat) + eps)
    return p, m, v


def gd(A, b, x, lr, tol):
    g = A.T @ (A @ x - b)
    norm = np.sqrt(np.sum(g * g))
    while norm > tol:
        x = x - lr * g
        g = A.T @ (A @ x - b)
        norm = np.sqrt(np.sum(g * g))
    return x, norm


def clip(g, max_norm):
    norm = np.sqrt(np.sum(g * g))
    if norm > max_norm:
        g = g * (max_norm / norm)
    return g


def relu_mix(x, y):
    a = np.maximum(x, y)
    b = np.minimum(x, y)
    return np.where(a > 0.0, a - b, -a) * 0.5, np.mean(a * b)


def test_self_check_finds_every_faithful_row_faithful(compiled):
    from janus_lite.backend.compiled import selfcheck, table
    selfcheck.run()
    assert not table.DISABLED, selfcheck.table_report()
    report = selfcheck.table_report()
    assert "np.exp" in report and "exact=False only" in report


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_fused_loop_bit_identical(compiled, dtype):
    rng = np.random.default_rng(0)
    n = 1000
    p, g, m = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    v = np.abs(rng.standard_normal(n)).astype(dtype)
    calls = [(p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, t) for t in range(1, 6)]
    f = differential(adam, calls)
    steady(f, 3)
    assert tier_of(f)[0] == "compiled", f.explain()
    src = f.graphs[-1].source()
    assert "numba.njit" in src and src.count("for _i") == 1, src   # one fused loop


def test_float32_times_python_float_stays_float32(compiled):
    def f(x, a):
        return x * a + 0.1
    x = np.linspace(-3, 3, 101, dtype=np.float32)
    d = differential(f, [(x, 1.7), (x, 1.7), (x, 1.7), (x, 1e-3)])
    assert tier_of(d)[0] == "compiled"


def test_gd_while_loop_runs_whole_loop_compiled(compiled):
    rng = np.random.default_rng(1)
    A = np.eye(20) + 0.05 * rng.standard_normal((20, 20))
    calls = [(A, rng.standard_normal(20), np.zeros(20), 0.1, 1e-6) for _ in range(4)]
    f = differential(gd, calls)
    steady(f, 2)
    assert tier_of(f)[0] == "compiled"
    assert "while True:" in f.graphs[-1].tier_state.compiled_source.split("numba segments")[1]


def ew_ranks(x, m, c):
    y = (x * 2.0 - 1.0) * x                 # 1-D group
    z = (m - 0.5) * m + m * m               # 2-D group
    w = c * c + 1.0                         # 3-D group
    return y, z, w, np.sum(y * y)


def test_elementwise_loops_index_by_rank_without_ravel(compiled):
    """A fused loop over arrays of known rank indexes each array by its dims (no `ravel()`,
    which numba pays per array and per trip of an enclosing loop: the gd `while` benchmark's
    kernel ran 237 → 129 µs); bit-identical either way."""
    rng = np.random.default_rng(8)
    calls = [(rng.standard_normal(33), rng.standard_normal((7, 7)),
              rng.standard_normal((2, 3, 4))) for _ in range(4)]
    f = differential(ew_ranks, calls)
    steady(f, 2)
    assert tier_of(f)[0] == "compiled", f.explain()
    seg = f.graphs[-1].tier_state.compiled_source.split("numba segments")[1]
    seg = seg.split("their Python wrappers")[0]
    assert ".ravel()" not in seg, seg
    assert "_psum_f8(v_" in seg and "[_i" in seg


def dead_where(x, s):
    a = x + x
    np.where((a + a) > s, (a - a), a)       # unused: kept only for what it may warn
    return a * 2.0


def test_an_unused_value_still_warns_as_numpy_does(compiled):
    """Dead-code elimination keeps an unused op that may warn (inf - inf); compiled into a
    segment, LLVM dropped the unused subtraction and its floating-point flag, so the call
    did not warn (found by the compiled-tier fuzzer, seed 48). Such a node stays in NumPy;
    its operands become the segment's outputs, computed, their flags tested."""
    f = jl.jit(dead_where)
    for k in range(4):
        f(np.full(3, float(k)), 12.0)
    x = np.array([1.0, np.inf, -np.inf])
    got = []
    for fn in (dead_where, f):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = fn(x, 12.0)
        got.append((out, [(w.category, str(w.message)) for w in caught]))
    assert np.array_equal(got[0][0], got[1][0])
    assert got[0][1] == got[1][1] and got[0][1], got
    assert tier_of(f)[0] == "compiled", f.explain()
    reasons = f.graphs[-1].tier_state.segments.reasons
    assert any("unused" in why for why in reasons.values()), reasons


def test_summary_and_source_show_the_compiled_segments(compiled):
    rng = np.random.default_rng(1)
    A = np.eye(20) + 0.05 * rng.standard_normal((20, 20))
    f = jl.jit(gd)
    for _ in range(3):
        f(A, rng.standard_normal(20), np.zeros(20), 0.1, 1e-6)
    g = f.graphs[-1]
    text = g.summary()
    assert "Tier: compiled" in text
    assert "compiled segment 0:" in text and "loop" in text.split("compiled segment 0:")[1]
    src = g.source()
    assert "def seg0(" in src and "_psum_f8" in src and "run_seg0" in src
    assert "Tier: compiled" in f.explain()


def test_clip_by_norm_both_branches_and_assertion_fallback(compiled):
    rng = np.random.default_rng(2)
    g = rng.standard_normal(256)
    # first only the small branch (speculated, asserted), then the other: the assertion
    # fails inside compiled code, the call falls back, nothing is committed
    calls = [(g, 100.0)] * 3 + [(g * 100, 100.0)] * 3 + [(g, 100.0)] * 3
    f = differential(clip, calls)
    assert f.stats["fallbacks"] >= 1
    steady(f, 2)


def test_nan_inf_signed_zero_semantics(compiled):
    x = np.array([np.nan, 1.0, -0.0, 0.0, np.inf, -np.inf, 2.0, 3.0])
    y = np.array([1.0, np.nan, 0.0, -0.0, np.inf, 5.0, -1.0, 3.0])
    f = differential(relu_mix, [(x, y)] * 4 + [(y, x)] * 2)
    assert tier_of(f)[0] == "compiled"


def test_nan_inputs_to_comparisons(compiled):
    # NaN reaching a vectorized comparison raises the invalid flag in compiled code (NumPy's
    # quiet compares do not): such calls are answered by the NumPy tier. The lowering's own
    # NaN semantics are checked bit for bit by the start-up self-check (NaN samples).
    from janus_lite.backend.compiled.tier import COUNTS

    def f(x, y):
        a = np.maximum(x, y)
        b = np.minimum(x, y)
        return np.where(a > b, a, b * 2.0), a == b
    x = np.array([np.nan, 1.0, -0.0, 0.0, np.inf, -np.inf, 2.0, 3.0, np.nan])
    y = np.array([1.0, np.nan, 0.0, -0.0, np.inf, 5.0, -1.0, 3.0, np.nan])
    before = COUNTS["numpy_tier_calls"]
    d = differential(f, [(x, y)] * 4 + [(y, x)] * 2 + [(x[1:8], y[1:8])] * 2)
    assert tier_of(d)[0] == "compiled"
    steady(d, 4)
    assert COUNTS["numpy_tier_calls"] > before


def test_integer_wraparound(compiled):
    def f(a, b):
        return a * b + a - b, a < b
    big = np.array([2 ** 31 - 1, -2 ** 31, 7, -3], dtype=np.int32)
    d = differential(f, [(big, big[::-1].copy())] * 4)
    assert tier_of(d)[0] == "compiled"


def test_fp_warnings_and_errstate_answered_by_numpy_tier(compiled):
    def f(x, y):
        return x / y * 2.0 + 1.0
    x, y = np.ones(16), np.ones(16)
    jf = jl.jit(f)
    for _ in range(3):
        jf(x, y)
    assert tier_of(jf)[0] == "compiled"
    z = np.zeros(16)
    for mode in ("warn", "raise", "ignore"):
        with np.errstate(all=mode):
            outcomes = []
            for fn in (f, jf):
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    try:
                        res = ("ok", fn(x, z))
                    except FloatingPointError as exc:
                        res = ("raise", str(exc))
                outcomes.append((res, [str(m.message) for m in w]))
            (p, pw), (s, sw) = outcomes
            assert p[0] == s[0] and pw == sw, (mode, outcomes)
            if p[0] == "ok":
                assert_same(p[1], s[1])


def test_noncontiguous_and_broadcasting_calls_use_numpy_tier(compiled):
    def f(x, y):
        return (x * 2.0 - y) * y
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((8, 6)), rng.standard_normal((8, 6))
    calls = [(a, b), (a, b), (a, b), (a.T, b.T), (a[:, ::2], b[:, ::2]), (a, b[:1])]
    d = differential(f, calls)
    assert d.stats["graph_calls"] >= 2


def test_inplace_update_print_and_state_commit(compiled):
    class Opt:
        def __init__(self):
            self.steps = 0

    def step(opt, w, g, lr):
        upd = lr * g * g + g * 0.5
        w -= upd
        opt.steps += 1
        print("step", opt.steps)
        return w

    rng = np.random.default_rng(4)
    calls = [(Opt(), rng.standard_normal(32), rng.standard_normal(32), 0.01) for _ in range(4)]
    differential(step, calls)


def test_backend_numpy_turns_the_tier_off(compiled):
    f = jl.jit(adam, backend="numpy")
    x = np.ones(64, np.float32)
    for _ in range(3):
        f(x, x, x, x, 1e-3, 0.9, 0.999, 1e-8, 1)
    assert tier_of(f) == ("numpy", "compiled tier off (backend='numpy')")


def test_reasons_for_what_stays_in_numpy(compiled):
    def f(x):
        return np.log2(x) + 1.0
    jf = jl.jit(f)
    for _ in range(3):
        jf(np.ones(8))
    tier, why = tier_of(jf)
    assert tier == "numpy" and "np.log2" in why
    assert "tier" in jf.explain().lower()


def _gd_decided():
    """``gd`` under ``TIER="auto"``: served on the NumPy tier while numba compiles, then
    called until the first measurement decided (every answer checked against plain)."""
    rng = np.random.default_rng(5)
    A = np.eye(20) + 0.05 * rng.standard_normal((20, 20))
    args = (A, rng.standard_normal(20), np.zeros(20), 0.1, 1e-6)
    f = jl.jit(gd)
    want = gd(*args)
    for _ in range(3):
        assert_same(f(*args), want)
    g = f.graphs[-1]
    assert g.tier_state.tier == "numpy"          # serving while numba compiles
    deadline = time.time() + 600
    while g.tier_state.compile_s is None and time.time() < deadline:
        assert_same(f(*args), want)
        time.sleep(0.05)
    for _ in range(2 * 256 + 2):      # measuring: both tiers answer, alternating
        assert_same(f(*args), want)
        if not g.tier_state.reason.startswith("compiling"):
            break
    return f, g, args, want


def test_background_tier_up_switches_only_after_measuring():
    with jl.config.patch(TIER="auto"):
        f, g, _, _ = _gd_decided()
        assert g.tier_state.reason.startswith(("measured", "compiled not faster")), \
            g.tier_state.reason
        assert f.stats["fallbacks"] == 0


def test_the_recheck_can_overturn_the_first_measurement():
    # the first measurement runs right after the compile; once the compiled entry has
    # served TIER_RECHECK_CALLS calls it is measured again and that verdict stands: here
    # the bar is raised in between, so the re-check puts the NumPy tier back
    with jl.config.patch(TIER="auto", TIER_RECHECK_CALLS=8):
        f, g, args, want = _gd_decided()
        if g.tier_state.tier != "compiled":
            pytest.skip(f"the compiled entry did not win here: {g.tier_state.reason}")
        assert g.tier_state.recheck
        with jl.config.patch(TIER_MIN_GAIN=0.999):       # no entry is 1000x faster
            for _ in range(8 + 2 * 256 + 2):
                assert_same(f(*args), want)
                if not g.tier_state.recheck:
                    break
        assert g.tier_state.tier == "numpy", g.tier_state.reason
        assert "re-checked" in g.tier_state.reason
        assert g.source() == g.tier_state.numpy_source
        for _ in range(3):
            assert_same(f(*args), want)
        assert f.stats["fallbacks"] == 0


def test_exact_false_within_documented_bound(compiled):
    def chain(x):
        y = np.tanh(x) * 0.5 + 0.5
        z = np.exp(-y * y)
        return z * x + y
    rng = np.random.default_rng(6)
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        x = (rng.standard_normal(5000) * 3).astype(dtype)
        f = jl.jit(chain, exact=False)
        for _ in range(3):
            got = f(x)
        assert tier_of(f)[0] == "compiled", tier_of(f)
        want = chain(x)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=rtol, atol=0)
        exact = jl.jit(chain)
        for _ in range(3):
            exact(x)
        assert_same(exact(x), want)


def test_second_process_loads_from_disk_cache(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        import numpy as np, janus_lite as jl
        jl.config.TIER = "compiled"
        jl.config.CACHE_DIR = {str(tmp_path)!r}
        from benchmarks.workloads import adam_update, adam_args
        f = jl.jit(adam_update)
        args = adam_args(np.random.default_rng(0), n=1000)
        for _ in range(3):
            f(*args)
        g = f.graphs[-1]
        assert g.tier_state.tier == "compiled", g.tier_state.reason
        import gc
        print("HITS", sum(len(d.stats.cache_hits) for d in gc.get_objects()
                          if type(d).__name__ == "CPUDispatcher"
                          and d.__module__.startswith("jl_")))
    """)
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             timeout=900)
        assert out.returncode == 0, out.stderr
        runs.append(int(out.stdout.split("HITS")[1]))
    assert runs[0] == 0 and runs[1] > 0, runs
    assert any(n.endswith(".nbi") for n in os.listdir(tmp_path / "__pycache__"))


def test_a_fresh_process_runs_a_compiled_matmul_segment(tmp_path):
    """The first BLAS call of a compiled segment in a process makes numba import scipy's
    BLAS through the calling frame's builtins; the segment wrapper once had none and the
    process died ('BLAS wrapper returned with an error'), in the benchmark's gd row only,
    since the suite had loaded them before."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        import numpy as np, janus_lite as jl
        jl.config.TIER = "compiled"
        jl.config.CACHE_DIR = {str(tmp_path)!r}
        from benchmarks.workloads import gradient_descent, gd_args
        f = jl.jit(gradient_descent)
        args = gd_args(np.random.default_rng(0))
        plain = gradient_descent(*gd_args(np.random.default_rng(0)))
        for _ in range(4):
            out = f(*gd_args(np.random.default_rng(0)))
        assert f.graphs[-1].tier_state.tier == "compiled", f.graphs[-1].tier_state.reason
        assert all(np.array_equal(a, b) for a, b in zip(out, plain)), (out, plain)
        print("OK")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0 and "OK" in out.stdout, out.stderr[-2000:]


def test_core_works_without_numba():
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "numba" or name.startswith("numba."):
                    raise ImportError("numba hidden")
        sys.meta_path.insert(0, Block())
        import numpy as np, janus_lite as jl
        jl.config.TIER = "compiled"
        from benchmarks.workloads import gradient_descent, gd_args
        f = jl.jit(gradient_descent)
        args = gd_args(np.random.default_rng(0))
        want = gradient_descent(*args)
        for _ in range(4):
            got = f(*args)
        assert np.array_equal(got[0], want[0]) and got[1] == want[1]
        assert f.stats["graph_calls"] == 2, f.stats
        g = f.graphs[-1]
        assert g.tier_state.tier == "numpy" and "numba is not installed" in g.tier_state.reason
        assert "numba" not in sys.modules
        print("OK")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and "OK" in out.stdout, out.stderr
