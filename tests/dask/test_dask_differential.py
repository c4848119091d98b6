"""Differential tests: the plain function on NumPy data vs the decorated one on the same
data as Dask arrays in several chunkings (straight line, branches, loops, state), on Dask's
threaded scheduler and on a 2-process LocalCluster. Results within the documented bound,
printed output, exceptions, RNG draws and state updates as on NumPy data."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from conftest import assert_close, assert_same_text, run, to_dask

da = pytest.importorskip("dask.array")

import janus_lite as jl  # noqa: E402
from janus_lite.backend.dask_backend import STATS  # noqa: E402

ROWS = 600
CHUNKINGS = [600, 200, 150, 97]


def _data(seed=0, d=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(ROWS, d))
    y = (X @ np.arange(1.0, d + 1) + rng.normal(size=ROWS) > 0).astype(np.float64)
    return X, y


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logreg_step(w, X, y, lr):
    p = _sigmoid(X @ w)
    grad = X.T @ (p - y) / X.shape[0]
    loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
    w -= lr * grad
    if loss > 10.0:
        print("diverging", loss)
    return loss


def branchy(w, X):
    s = (X @ w).sum()
    if s > 0:
        out = X * 2.0
        t = s * 3
    else:
        out = X - 1.0
        t = -s
    return out, t, X.mean(axis=0)


def mixed_branch(w, X):
    s = (X @ w).sum()
    if s > 0:
        t = s * 3
        m = X.mean(axis=0)
    else:
        t = 1.5
        m = w
    return t, m


def fit_until(w, X, y, lr, tol):
    loss = 1e9
    trips = 0
    while loss > tol:
        p = _sigmoid(X @ w)
        grad = X.T @ (p - y) / X.shape[0]
        loss = float(np.mean((p - y) ** 2))
        w = w - lr * grad
        trips += 1
    print("trips", trips, "loss", loss)
    return w, loss


class Model:
    def __init__(self, d):
        self.w = np.zeros(d)
        self.b = 0.0
        self.history = []

    def step(self, X, y, lr):
        z = X @ self.w + self.b
        err = _sigmoid(z) - y
        self.w -= lr * (X.T @ err) / X.shape[0]
        self.b = self.b - lr * float(err.mean())
        loss = float((err ** 2).mean())
        self.history.append(loss)
        print("loss", round(loss, 6))
        return loss


def noisy_step(w, X, y, lr):
    grad = X.T @ (_sigmoid(X @ w) - y) / X.shape[0]
    w -= lr * (grad + 0.01 * np.random.randn(w.shape[0]))
    return w.sum()


def _compare(plain, decorated, numpy_args, dask_args, rows, state=()):
    a, out_a = run(plain, *numpy_args)
    b, out_b = run(decorated, *dask_args)
    chunks = -(-ROWS // rows)
    if isinstance(a, Exception):
        assert type(a) is type(b) and str(a) == str(b)
    else:
        assert_close(a, b, chunks)
    assert_same_text(out_a, out_b, chunks)
    for x, y in state:
        assert_close(x, y, chunks, "state")
    return b


@pytest.mark.parametrize("rows", CHUNKINGS)
def test_straight_line_state_update(scheduler, rows):
    X, y = _data()
    Xd, yd = to_dask(X, rows), to_dask(y, rows)
    f = jl.jit(logreg_step)
    wa, wb = np.zeros(4), np.zeros(4)
    before = STATS["computes"]
    for i in range(5):
        _compare(logreg_step, f, (wa, X, y, 0.5), (wb, Xd, yd, 0.5), rows, [(wa, wb)])
    s = f.stats
    assert s["graph_calls"] == 3 and s["fallbacks"] == 0, f.explain()
    assert f.graphs[-1].backend == "dask"
    report = f.graphs[-1].dask_report
    assert report.computes == report.runs == 3      # one compute per graph run
    assert STATS["computes"] - before == 3


@pytest.mark.parametrize("rows", [200, 97])
def test_branch_both_directions_and_big_result(scheduler, rows):
    X, _ = _data(1)
    Xd = to_dask(X, rows)
    f = jl.jit(branchy)
    for sign in [1, -1, 1, -1, 1, -1]:
        w = sign * np.arange(1.0, 5.0)
        out = _compare(branchy, f, (w, X), (w, Xd), rows)
        assert isinstance(out[0], da.Array) and isinstance(out[2], np.ndarray)
    assert f.stats["graph_calls"] == 4 and f.stats["fallbacks"] == 0, f.explain()
    assert f.graphs[-1].dask_report.computes == 4    # predicate selected inside the one compute


def test_branch_with_different_kinds_of_results(scheduler):
    X, _ = _data(9)
    Xd = to_dask(X, 150)
    f = jl.jit(mixed_branch)
    for sign in [1, -1, 1, -1, 1, -1]:
        w = sign * np.arange(1.0, 5.0)
        _compare(mixed_branch, f, (w, X), (w, Xd), 150)
    assert f.stats["graph_calls"] == 4 and f.stats["fallbacks"] == 0, f.explain()
    assert f.graphs[-1].dask_report.computes == 4


@pytest.mark.parametrize("rows", [600, 150, 97])
def test_while_loop_data_dependent(scheduler, rows):
    X, y = _data(2)
    Xd, yd = to_dask(X, rows), to_dask(y, rows)
    f = jl.jit(fit_until)
    for tol in [0.2, 0.19, 0.18, 0.17, 0.16]:
        _compare(fit_until, f, (np.zeros(4), X, y, 0.5, tol), (np.zeros(4), Xd, yd, 0.5, tol),
                 rows)
    assert f.stats["graph_calls"] == 3 and f.stats["fallbacks"] == 0, f.explain()
    report = f.graphs[-1].dask_report
    assert report.persists == 3                  # X and y once per call
    # one compute per trip, for the predicate after it (the first one, loss = 1e9, is
    # known); the loop's carried values come back with it, so nothing is left for the end
    trips = sum(int(run(fit_until, np.zeros(4), X, y, 0.5, t)[1].split()[1])
                for t in [0.18, 0.17, 0.16])
    assert report.computes == trips


@pytest.mark.parametrize("rows", [200, 97])
def test_object_state_and_printing(scheduler, rows):
    X, y = _data(3)
    Xd, yd = to_dask(X, rows), to_dask(y, rows)
    ma, mb = Model(4), Model(4)
    step = jl.jit(Model.step)
    for _ in range(5):
        _compare(Model.step, step, (ma, X, y, 0.3), (mb, Xd, yd, 0.3), rows,
                 [(ma.w, mb.w), (ma.b, mb.b), (ma.history, mb.history)])
    assert step.stats["graph_calls"] == 3 and step.stats["fallbacks"] == 0, step.explain()
    assert step.graphs[-1].dask_report.computes == 3


def test_rng_draws_as_on_numpy(scheduler):
    X, y = _data(4)
    Xd, yd = to_dask(X, 150), to_dask(y, 150)
    f = jl.jit(noisy_step)
    wa, wb = np.zeros(4), np.zeros(4)
    for seed in range(4):
        np.random.seed(seed)
        a = noisy_step(wa, X, y, 0.5)
        state_a = np.random.get_state()[1].copy()
        np.random.seed(seed)
        b = f(wb, Xd, yd, 0.5)
        assert np.array_equal(state_a, np.random.get_state()[1])
        assert_close(a, b, 4)
        assert_close(wa, wb, 4)
    assert f.stats["graph_calls"] == 2, f.explain()


def test_exception_as_on_numpy(scheduler):
    X, y = _data(5)
    Xd, yd = to_dask(X, 150), to_dask(y, 150)
    f = jl.jit(logreg_step)
    for _ in range(3):
        f(np.zeros(4), Xd, yd, 0.1)
    wa, wb = np.zeros(4), np.zeros(4)
    _compare(logreg_step, f, (wa, X, y[:10], 0.1), (wb, Xd, yd[:10], 0.1), 150,
             [(wa, wb)])
    assert isinstance(run(f, wb, Xd, yd[:10], 0.1)[0], ValueError)
    assert np.array_equal(wb, np.zeros(4))         # nothing half-committed


def test_numpy_inputs_unchanged_path():
    X, y = _data(6)
    f = jl.jit(logreg_step)
    wa, wb = np.zeros(4), np.zeros(4)
    for _ in range(4):
        assert logreg_step(wa, X, y, 0.5) == f(wb, X, y, 0.5)
        assert np.array_equal(wa, wb)
    assert f.graphs[-1].backend == "numpy"


def test_backend_dask_on_numpy_inputs_is_exact():
    X, y = _data(7)
    f = jl.jit(logreg_step, backend="dask")
    wa, wb = np.zeros(4), np.zeros(4)
    for _ in range(4):
        a, b = logreg_step(wa, X, y, 0.5), f(wb, X, y, 0.5)
        assert type(a) is type(b) and a == b and np.array_equal(wa, wb)
    assert f.graphs[-1].backend == "dask" and f.stats["graph_calls"] == 2
    assert f.graphs[-1].dask_report.computes == 0


def test_copy_of_module_data_is_untouched():
    X, y = _data(8)
    Xd = to_dask(X, 100)
    X0 = copy.deepcopy(X)
    f = jl.jit(logreg_step)
    for _ in range(4):
        f(np.zeros(4), Xd, to_dask(y, 100), 0.5)
    assert np.array_equal(X, X0)


def errstate_block(w, X):
    z = X @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        logz = np.log(z)
        r = 1.0 / z
    return np.where(np.isfinite(logz), logz, 0.0).sum(), np.where(np.isfinite(r), r, 0.0).mean()


def test_errstate_block_runs_on_values(scheduler):
    """A ``with np.errstate`` region runs on computed values (its error state holds while
    its ops compute): the same results as the plain function on NumPy data."""
    X, _ = _data(3)
    X[:5] = 0.0
    Xd = to_dask(X, 150)
    f = jl.jit(errstate_block)
    for k in range(5):
        w = np.arange(1.0, 5.0) - k
        _compare(errstate_block, f, (w, X), (w, Xd), 150)
    assert f.stats["graph_calls"] == 3, f.explain()
