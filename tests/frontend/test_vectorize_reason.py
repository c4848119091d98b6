"""np.vectorize objects stay imperative, and explain() says precisely why and where:
their Python function runs once per element, and NumPy takes the result dtype from the
first element's result (corpus program binned_naive_bayes: ``self.to_bin =
np.vectorize(lambda v: ...)`` called in a method)."""
import inspect

import numpy as np

import janus_lite

from differential import differential

rng = np.random.default_rng(72)


class Binner:
    def __init__(self, n):
        self.to_bin = np.vectorize(lambda v: min(int(v), n - 1))

    def binned(self, X):
        return self.to_bin(np.clip(X * 3.0, 0, None))


TO_BIN = np.vectorize(lambda v: v * 2 if v > 0 else 0)


def module_level(x):
    return TO_BIN(x)


def made_inside(x):
    return np.vectorize(lambda v: v + 1)(x)


def test_attribute_vectorize_named_with_its_lambda():
    b = Binner(4)
    f = janus_lite.jit(Binner.binned)
    for _ in range(5):
        X = rng.random((3, 2))
        assert np.array_equal(f(b, X), Binner.binned(b, X))
    text = f.explain()
    assert f.stats["graph_calls"] == 0
    line = inspect.getsourcelines(Binner.__init__)[1] + 1
    assert f"np.vectorize object calls Binner.__init__.<locals>.<lambda> (line {line})" in text, \
        text
    assert "result dtype" in text


def test_global_and_local_vectorize_exact_and_named():
    f = differential(module_level, [(rng.standard_normal(4),) for _ in range(5)])
    assert f.stats["graph_calls"] == 0 and "np.vectorize" in f.explain()
    f = differential(made_inside, [(rng.standard_normal(4),) for _ in range(5)])
    assert f.stats["graph_calls"] == 0 and "np.vectorize" in f.explain()
