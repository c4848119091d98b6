"""NumPy's own inner loops called from compiled code (`backend.compiled.ufunc_loops`): the
transcendentals (exp, log, tanh …) lower in exact mode without leaving the segment, and give
NumPy's bits, warnings and fallbacks exactly; ``exact=False`` keeps numba's fused libm."""
import warnings

import numpy as np
import pytest

pytest.importorskip("numba")

import janus_lite as jl  # noqa: E402
from differential import differential, steady  # noqa: E402


def numba_source(f):
    text = f.graphs[-1].tier_state.compiled_source
    return text.split("# -- numba segments --")[1].split("# -- their Python wrappers")[0]


def logreg(w, b, X, y, lr):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    err = p - y
    w = w - lr * (X.T @ err / X.shape[0])
    b = b - lr * np.mean(err)
    loss = -np.mean(y * np.log(p + 1e-7) + (1.0 - y) * np.log(1.0 - p + 1e-7))
    return w, b, loss


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logistic_regression_step_is_one_segment_and_bit_identical(compiled, dtype):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((64, 8)).astype(dtype)
    y = (rng.standard_normal(64) > 0).astype(dtype)
    w = np.zeros(8, dtype)
    calls = []
    for _ in range(5):
        calls.append((w, 0.0, X, y, 0.5))
        w, b, _ = logreg(w, 0.0, X, y, 0.5)
    f = differential(logreg, calls)
    steady(f, 2)
    state = f.graphs[-1].tier_state
    assert state.tier == "compiled", f.explain()
    src = numba_source(f)
    assert src.count("@numba.njit") == 1 and "_uloop_array(p0" in src, src
    assert "np.exp(" not in src and "np.log(" not in src, src


def transcendental(x):
    return np.tanh(x) * 0.5 + np.exp(-x * x) - np.sin(x) * np.cos(x) + np.expm1(x * 0.1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transcendentals_match_numpy_on_every_size(compiled, dtype):
    rng = np.random.default_rng(5)
    calls = [((rng.standard_normal(n) * 4).astype(dtype),) for n in (33, 33, 33, 1, 7, 1000)]
    specials = np.array([0.0, -0.0, 1e-30, -20.0, 20.0, 3.0, np.pi], dtype)
    calls += [(specials,)] * 3
    f = differential(transcendental, calls)
    steady(f, 3)
    assert f.graphs[0].tier_state.tier == "compiled", f.explain()
    assert "_uloop_array" in numba_source(f)


def log_of_sum(x):
    s = np.sum(x * x)
    return np.log(s) + np.log1p(s), np.exp(s * -0.5)


def test_a_scalar_goes_through_the_loop_as_numpy_runs_it(compiled):
    rng = np.random.default_rng(6)
    calls = [(rng.standard_normal(20),) for _ in range(5)]
    f = differential(log_of_sum, calls)
    steady(f, 3)
    src = numba_source(f)
    assert "_uloop_f8(p" in src, src


def overflowing(x):
    return np.exp(x) * 2.0 + np.log(x)


@pytest.mark.parametrize("action", ["always", "default", "error"])
def test_overflow_and_log_of_zero_warn_as_numpy_does(compiled, action):
    """The loop raises the floating-point flags NumPy turns into warnings: the segment
    hands such calls to the NumPy tier, which warns (or raises) exactly as NumPy."""
    good = np.array([0.5, 1.0, 2.0])
    calls = [good, good, good, np.array([1000.0, 1.0, 2.0]), good,
             np.array([0.0, 1.0, 2.0]), np.array([-1.0, 1.0, 2.0]), good]
    out = []
    jf = jl.jit(overflowing)
    for fn in (overflowing, jf):
        got = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter(action)
            for x in calls:
                try:
                    got.append(("ok", repr(fn(x).tolist())))
                except Exception as exc:       # noqa: BLE001 (part of the behaviour)
                    got.append(("raise", type(exc), str(exc)))
        out.append((got, [(w.category, str(w.message)) for w in caught]))
    assert out[0] == out[1]
    assert out[0][1] or action == "error"
    assert jf.graphs[-1].tier_state.tier == "compiled", jf.explain()


def test_inexact_mode_keeps_numbas_fused_libm(compiled):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(50)
    f = jl.jit(transcendental, exact=False)
    for _ in range(4):
        got = f(x)
    assert np.allclose(got, transcendental(x), rtol=1e-12, atol=1e-15)
    src = numba_source(f)
    assert "np.tanh(" in src and "_uloop_array(" not in src, src


def test_self_check_switches_off_a_loop_that_differs(monkeypatch):
    """Handed np.log's loop where np.exp's belongs, the start-up check finds the difference
    and switches the row off (the op then ends segments: NumPy runs it)."""
    from janus_lite.backend.compiled import selfcheck, table, ufunc_loops
    real = ufunc_loops.address

    def wrong(ufunc, dtype):
        return real(np.log if ufunc is np.exp else ufunc, dtype)

    monkeypatch.setattr(ufunc_loops, "address", wrong)
    monkeypatch.setattr(table, "DISABLED", {})
    monkeypatch.setattr(selfcheck, "DISABLED", table.DISABLED)
    selfcheck._check_numpy_loops(np.random.default_rng(0))
    assert set(table.DISABLED) == {ufunc_loops.key("np.exp")}, table.DISABLED
    assert table.lowering("np.exp") is None and table.lowering("np.log") is not None
    assert table.lowering("np.exp", exact=False).kind == "ew"


def test_the_loop_address_is_read_only_from_a_struct_that_checks_out():
    from janus_lite.backend.compiled import ufunc_loops
    assert ufunc_loops.address(np.exp, "float64") not in (None, 0)
    assert ufunc_loops.address(np.exp, "float64") != ufunc_loops.address(np.exp, "float32")
    assert ufunc_loops.address(np.add, "float64") is None          # two inputs
    assert ufunc_loops.address(np.exp, "int64") is None
