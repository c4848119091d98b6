"""A NumPy function passed as an argument (``layer(x, act=np.tanh)``, ``pool(x, np.max)``):
a constant of the graph, guarded by identity, so a call with another function takes
another graph (or the plain function), never the first one's op."""
import functools

import numpy as np

import janus_lite
from differential import differential, steady


def layer(x, w, act):
    return act(x @ w) * 2.0


def pool(x, reduce_fn, axis):
    return reduce_fn(x, axis=axis) + 1.0


def test_a_ufunc_argument_is_graphed():
    rng = np.random.default_rng(0)
    calls = [(rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), np.tanh)
             for _ in range(6)]
    steady(differential(layer, calls), 3)


def test_a_numpy_function_argument_is_graphed():
    rng = np.random.default_rng(1)
    calls = [(rng.standard_normal((3, 4)), np.mean, 1) for _ in range(6)]
    steady(differential(pool, calls), 3)


def test_another_function_is_not_served_by_the_first_ones_graph():
    rng = np.random.default_rng(2)
    acts = [np.tanh] * 4 + [np.exp, np.tanh, np.sin, np.exp]
    calls = [(rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), a) for a in acts]
    f = differential(layer, calls)
    assert f.stats["graph_calls"] >= 2
    reducers = [np.mean] * 4 + [np.max, np.sum, np.mean, np.max]
    differential(pool, [(rng.standard_normal((3, 4)), r, 0) for r in reducers])


def test_a_ufunc_argument_keeps_its_errors():
    """np.add needs two operands and np.isnan's bool result makes ``* 2.0`` fine but
    np.invert has no float loop: each raises (or not) as the plain call does."""
    rng = np.random.default_rng(3)
    acts = [np.tanh] * 4 + [np.add, np.invert, np.isnan, np.tanh, np.add]
    f = differential(layer, [(rng.standard_normal((2, 2)), np.ones((2, 2)), a) for a in acts])
    assert f.stats["graph_calls"] >= 2


def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, alpha * z)


class Net:
    def __init__(self, act):
        self.act = act
        self.W = np.linspace(-1.0, 1.0, 12).reshape(4, 3)

    def forward(self, x):
        return self.act(x @ self.W)


def test_a_functools_partial_is_called_through():
    """``self.act = functools.partial(leaky_relu, alpha=0.05)``: its function, bound
    arguments and keywords are read and guarded, so a changed keyword (the partial's own
    dict, updated in place) or another partial takes another graph."""
    import functools
    rng = np.random.default_rng(4)
    net = Net(functools.partial(leaky_relu, alpha=0.05))
    f = janus_lite.jit(Net.forward)
    for i in range(12):
        x = rng.standard_normal((2, 4))
        if i == 6:
            net.act.keywords["alpha"] = 0.2
        if i == 9:
            net.act = functools.partial(np.clip, a_min=-0.5, a_max=0.5)
        assert np.array_equal(f(net, x), Net.forward(net, x))
    assert f.stats["graph_calls"] >= 6
    calls = [(rng.standard_normal((3, 4)), rng.standard_normal((4, 2)),
              functools.partial(np.clip, a_min=-0.1, a_max=0.3)) for _ in range(5)]
    differential(layer, calls)


def partial_made_here(x, lo):
    clip = functools.partial(np.clip, a_min=lo)
    scale = functools.partial(lambda v, k, shift=0.0: v * k + shift, k=2.0)
    twice = functools.partial(scale, shift=1.0)         # a partial of a partial
    return clip(x, a_max=0.5), twice(x), scale(x, k=3.0)


def partial_kept(x):
    f = functools.partial(np.add, 1.0)
    return f(x), f                                      # the partial object itself: kept


def test_a_functools_partial_made_in_the_function_is_called_through():
    # before: "creating a partial object (object state is not supported yet)"
    rng = np.random.default_rng(5)
    calls = [(rng.standard_normal((2, 3)), -0.2 * (i % 2)) for i in range(8)]
    f = differential(partial_made_here, calls)
    assert f.stats["graph_calls"] >= 5
    g = janus_lite.jit(partial_kept)
    for i in range(5):
        out, p = g(np.full(2, float(i)))
        assert np.array_equal(out, np.full(2, i + 1.0)) and p.args == (1.0,)
    assert g.stats["graph_calls"] == 0 and "used as a value" in g.explain()
