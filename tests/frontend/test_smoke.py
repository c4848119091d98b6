"""First differential tests of straight-line conversion."""
import numpy as np
import pytest

import janus_lite as jl
from differential import differential, steady

rng = np.random.default_rng(0)


def logreg_step(w, X, y, lr):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    g = X.T @ (p - y) / X.shape[0]
    w = w - lr * g
    loss = -np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9))
    return w, loss


def _data(n, d, dtype=np.float32):
    X = rng.standard_normal((n, d)).astype(dtype)
    y = (rng.random(n) > .5).astype(dtype)
    return np.zeros(d, dtype), X, y


def test_logreg_steady_state_served_by_graph():
    w, X, y = _data(64, 8)
    f = differential(logreg_step, [(w, X, y, 0.1)] * 6)
    steady(f, 4)
    assert f.stats["conversions"] == 1


def test_shape_change_relaxes_not_piles():
    calls = [_data(64, 8) + (0.1,) for _ in range(3)] + \
        [_data(n, 8) + (0.1,) for n in (17, 33, 5, 64, 100)]
    f = differential(logreg_step, calls)
    assert f.stats["conversions"] <= 2
    assert len(f.active_graphs) == 1
    assert f.stats["graph_calls"] >= 5


def test_dtype_change_specializes():
    calls = [_data(32, 4) + (0.1,)] * 3 + [_data(32, 4, np.float64) + (0.1,)] * 3 + \
        [_data(32, 4) + (0.1,)]
    f = differential(logreg_step, calls)
    assert len(f.active_graphs) == 2
    steady(f, 3)


def test_scalar_type_change():
    calls = [_data(32, 4) + (0.1,)] * 3 + [_data(32, 4) + (1,)] * 3 + \
        [_data(32, 4) + (np.float32(0.5),)] * 2
    f = differential(logreg_step, calls)
    assert f.stats["conversions"] <= 4
    steady(f, 2)


def test_bad_input_same_exception():
    w, X, y = _data(32, 4)
    calls = [(w, X, y, 0.1)] * 3 + [(w, X[:, :3], y, 0.1), (None, X, y, 0.1),
                                    ("a", X, y, 0.1), (w, X, y, "lr")]
    differential(logreg_step, calls)


def test_no_source_runs_imperatively():
    ns = {}
    exec("def f(x):\n    return x * 2 + 1\n", {"np": np}, ns)
    f = jl.jit(ns["f"])
    assert [f(i) for i in range(4)] == [1, 3, 5, 7]
    assert f.stats["calls"] == 4 and f.stats["imperative_calls"] == 4
    assert "no usable source" in f.explain()


def test_builtin_runs_imperatively():
    f = jl.jit(np.add)
    assert f(1, 2) == 3
    g = jl.jit(len)
    assert g([1, 2]) == 2
    assert "imperatively" in g.explain()


def test_method_descriptor_and_outside():
    class Model:
        def __init__(self):
            self.scale = 2.0

        @jl.jit
        def double(self, x):
            return x * 2

    m = Model()
    x = np.arange(4.0)
    for _ in range(4):
        np.testing.assert_array_equal(m.double(x), x * 2)
    assert Model.double.stats["graph_calls"] >= 1

    def triple(self, x):
        return x * 3
    Model.triple = jl.jit(triple)
    for _ in range(4):
        np.testing.assert_array_equal(m.triple(x), x * 3)
    assert Model.triple.stats["calls"] == 4


@pytest.mark.parametrize("kwargs", [{}, {"profile_runs": 1}, {"backend": "interpreter"},
                                    {"backend": "numpy", "max_graphs": 1}])
def test_decorator_with_arguments(kwargs):
    dec = jl.jit(**kwargs)
    f = dec(logreg_step)
    w, X, y = _data(16, 3)
    differential(logreg_step, [(w, X, y, 0.1)] * 4, decorated=f)
    steady(f, 1)
