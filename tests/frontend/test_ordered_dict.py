"""An ``OrderedDict`` reads, writes and iterates as a dict (numpy-ml keeps a model's layers
in one, and its hyperparameters): graphs read it as a dict, guarded on its exact type and
keys. What differs from a dict (``copy()`` keeps the type, ``move_to_end``, ``popitem``)
keeps the function imperative, still exact. Before, any OrderedDict kept the function
imperative ("OrderedDict customizes attribute access", "keys of a dict not known")."""
from collections import OrderedDict

import numpy as np

from differential import differential, steady


class Dense:
    def __init__(self, n, m, seed):
        self.W = np.random.default_rng(seed).standard_normal((n, m)) * 0.3
        self.b = np.zeros(m)
        self.X = None

    def forward(self, X):
        self.X = X
        return np.tanh(X @ self.W + self.b)

    def backward(self, dY, Y):
        dZ = dY * (1 - Y ** 2)
        self.dW, self.db = self.X.T @ dZ, dZ.sum(axis=0)
        return dZ @ self.W.T


class Model:
    def __init__(self):
        self.layers = OrderedDict()
        self.layers["L1"] = Dense(4, 6, 0)
        self.layers["L2"] = Dense(6, 3, 1)
        self.hyper = OrderedDict(lr=0.1)
        self.outs = OrderedDict()

    def forward(self, X):
        for name, layer in self.layers.items():
            X = layer.forward(X)
            self.outs[name] = X
        return X

    def train_batch(self, X, y):
        out = self.forward(X)
        d = 2 * (out - y) / out.size
        for name in reversed(list(self.layers.keys())):
            d = self.layers[name].backward(d, self.outs[name])
        lr = self.hyper.get("lr", 0.01)
        for layer in self.layers.values():
            layer.W -= lr * layer.dW
            layer.b -= lr * layer.db
        self.hyper["steps"] = self.hyper.get("steps", 0) + 1
        self.outs.pop("L1")
        return float(((out - y) ** 2).mean()), "L2" in self.outs, len(self.layers)

    def types(self, X):
        return (type(self.layers) is OrderedDict, isinstance(self.hyper, OrderedDict),
                type(self.hyper).__name__, float(X.sum()))

    def copied(self, X):
        c = self.hyper.copy()                 # an OrderedDict again, not a dict
        c["x"] = float(X.sum())
        return c

    def moved(self, X):
        self.hyper["x"] = float(X.sum())
        self.hyper.move_to_end("lr")
        return list(self.hyper)


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((5, 4)), rng.standard_normal((5, 3))) for _ in range(n)]


def test_a_model_whose_layers_are_an_ordered_dict_is_graphed():
    m = Model()
    f = differential(Model.train_batch, [(m,) + xy for xy in _data(8)])
    steady(f, 5)
    g = differential(Model.forward, [(Model(), X) for X, _ in _data(6, 1)])
    steady(g, 3)


def test_its_type_is_kept_and_what_differs_from_dict_stays_exact():
    data = [(Model(), X) for X, _ in _data(6, 2)]
    steady(differential(Model.types, data), 3)
    for method in (Model.copied, Model.moved):
        f = differential(method, [(Model(), X) for X, _ in _data(5, 3)])
        assert f.stats["graph_calls"] == 0 and "OrderedDict." in f.explain()


def sgd(params, grads, lr):
    for k, p in params.items():
        p -= lr * grads[k]
    return list(params)


def test_an_ordered_dict_argument_is_guarded_on_its_type():
    rng = np.random.default_rng(4)

    def fresh(kind):
        return (kind(W=rng.standard_normal(3), b=rng.standard_normal(2)),
                kind(W=rng.standard_normal(3), b=rng.standard_normal(2)), 0.1)

    calls = [fresh(OrderedDict) for _ in range(5)] + [fresh(dict) for _ in range(3)]
    f = differential(sgd, calls)
    steady(f, 3)
    assert any(g.guards and any("OrderedDict" in a.text for a in g.assumptions)
               for g in f.graphs)
