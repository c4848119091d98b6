"""A model object passed as an argument and called (`net(x)`, a `Sequential` of layers
with `__call__`): inlined through `__call__`, its attributes read at call time, so
weights rebound or updated in place between calls are seen; another model object gets its
own graph."""
import numpy as np

import janus_lite
from differential import differential, steady


class Dense:
    def __init__(self, n_in, n_out, act="relu", seed=0):
        r = np.random.default_rng(seed)
        self.W = r.standard_normal((n_in, n_out)) * 0.1
        self.b = np.zeros(n_out)
        self.act = act

    def __call__(self, x):
        z = x @ self.W + self.b
        if self.act == "relu":
            return np.maximum(z, 0)
        elif self.act == "tanh":
            return np.tanh(z)
        return z


class Sequential:
    def __init__(self, *layers):
        self.layers = list(layers)

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def loss_fn(net, x, y):
    out = net(x)
    return float(((out - y) ** 2).mean())


def _net(seed=0):
    return Sequential(Dense(4, 8, seed=seed), Dense(8, 8, "tanh", seed + 1),
                      Dense(8, 2, None, seed + 2))


def test_model_object_called_is_graphed():
    net, rng = _net(), np.random.default_rng(0)
    calls = [(net, rng.standard_normal((5, 4)), rng.standard_normal((5, 2))) for _ in range(5)]
    steady(differential(loss_fn, calls), 3)


def test_weights_changed_between_calls_are_seen():
    net, rng = _net(), np.random.default_rng(1)
    f = janus_lite.jit(loss_fn)
    x, y = rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    for step in range(8):
        assert f(net, x, y) == loss_fn(net, x, y)
        net.layers[0].W -= 0.01                           # in place
        net.layers[2].b = net.layers[2].b + 0.1           # rebound
        if step == 4:
            net.layers[1].act = "relu"                    # a branch taken differently
    assert f.stats["graph_calls"] >= 4, f.explain()


def test_another_model_object_gets_its_own_graph():
    a, b = _net(0), _net(10)
    rng = np.random.default_rng(2)
    calls = [(m, rng.standard_normal((5, 4)), rng.standard_normal((5, 2)))
             for m in (a, a, a, b, a, b, b)]
    steady(differential(loss_fn, calls), 4)
