"""Guards on Dask arguments (type, dtype, shape, chunks), the imperative path's gathering,
the result rule, inspection, and the example's training steps."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from conftest import assert_close, run, to_dask

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

import janus_lite as jl  # noqa: E402
from janus_lite.backend.dask_args import STATS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def scaled_sum(w, X, k):
    return (X @ w).sum() * k, X * k


def inplace_on_dask(X, s):
    X -= s
    return X.sum()


@pytest.fixture(autouse=True)
def threads():
    with dask.config.set(scheduler="threads"):
        yield


def test_guards_check_chunks_and_shape():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    w = np.ones(3)
    f = jl.jit(scaled_sum)
    for rows in [100, 100, 100, 50, 50, 100, 400]:
        a, b = scaled_sum(w, X, 2.0), f(w, to_dask(X, rows), 2.0)
        assert_close(a, b, -(-400 // rows))
    g = f.graphs[0]
    kinds = {a.kind for a in g.assumptions if a.is_guard} if hasattr(
        g.assumptions[0], "is_guard") else set()
    assert "chunks" in {gd.kind for gd in g.guards}, kinds
    assert f.stats["graph_calls"] >= 3, f.explain()
    # a NumPy argument where a Dask array was: a guard miss, the right (exact) answer
    assert scaled_sum(w, X, 2.0)[0] == f(w, X, 2.0)[0]
    # another row count: still right
    assert_close(scaled_sum(w, X[:300], 2.0), f(w, to_dask(X[:300], 100), 2.0), 3)
    assert "chunks ==" in f.explain()


def test_result_rule_big_dimension_stays_dask():
    X = np.arange(60.0).reshape(20, 3)
    f = jl.jit(scaled_sum)
    for _ in range(3):
        s, big = f(np.ones(3), to_dask(X, 5), 3.0)
        assert type(s) is np.float64 and isinstance(big, da.Array)
        assert big.chunks[0] == (5, 5, 5, 5)
    s, small = f(np.ones(3), to_dask(X, 20), 3.0)       # one chunk: not big
    assert isinstance(small, np.ndarray) and np.array_equal(small, X * 3.0)


def test_dask_argument_updated_in_place_stays_imperative():
    X = np.arange(12.0).reshape(4, 3)
    f = jl.jit(inplace_on_dask)
    for _ in range(4):
        Xd = to_dask(X, 2)
        r, _ = run(f, Xd, 1.0)
        assert isinstance(r, np.float64) and r == inplace_on_dask(X.copy(), 1.0)
    assert f.stats["graph_calls"] == 0
    assert "updated in place" in f.explain()


def test_gather_counts_and_summary_marks():
    X = np.arange(60.0).reshape(20, 3)
    f = jl.jit(scaled_sum)
    before = STATS["gathers"]
    for _ in range(3):
        f(np.ones(3), to_dask(X, 5), 3.0)
    assert STATS["gathers"] - before == 2            # the two profiling runs
    g = f.graphs[-1]
    text = g.summary()
    assert "matmul_0 *" in text and "runs on the Dask cluster" in text
    assert "On Dask: 1 compute in 1 run" in f.explain()


def test_example_steps_match_plain_numpy():
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    try:
        import dask_logistic_regression as ex
    finally:
        sys.path.pop(0)
    X, y = ex.make_data(2000, 4, 500)
    Xn, yn = dask.compute(X, y)
    w_plain, w_jit = np.zeros(4), np.zeros(4)
    for _ in range(4):
        a = ex.logreg_step.__wrapped__(w_plain, Xn, yn, 0.5)
        b = ex.logreg_step(w_jit, X, y, 0.5)
        assert_close(a, b, 4)
        assert_close(w_plain, w_jit, 4)
    rng = np.random.default_rng(0)
    pa = [rng.normal(size=(4, 16)), np.zeros(16), rng.normal(size=16), np.zeros(1)]
    pb = [p.copy() for p in pa]
    for _ in range(4):
        assert_close(ex.mlp_step.__wrapped__(pa, Xn, yn, 1.0), ex.mlp_step(pb, X, y, 1.0), 4)
        assert_close(pa, pb, 4)
    assert ex.logreg_step.stats["graph_calls"] == 2
    assert ex.mlp_step.stats["graph_calls"] == 2, ex.mlp_step.explain()
