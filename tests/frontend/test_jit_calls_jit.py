"""A decorated method calling another decorated method (``Net.predict`` → ``Net.transform``,
both wrapped from outside): the callee's Python function is inlined, guarded on the
decorated object's identity."""
import numpy as np

import janus_lite
from differential import assert_same, steady


class Net:
    def __init__(self):
        self.W = np.arange(9.0).reshape(3, 3)

    def transform(self, X):
        return X @ self.W

    def predict(self, X):
        return self.transform(X).sum()


class JitNet(Net):
    transform = janus_lite.jit(Net.transform)
    predict = janus_lite.jit(Net.predict)


def test_decorated_method_inlines_a_decorated_callee():
    plain, jitted = Net(), JitNet()
    for i in range(6):
        X = np.full((2, 3), float(i))
        assert_same(jitted.predict(X), plain.predict(X))
    steady(JitNet.predict, 3)


def test_rebinding_the_callee_is_noticed():
    class Local(Net):
        transform = janus_lite.jit(Net.transform)
        predict = janus_lite.jit(Net.predict)
    n = Local()
    X = np.ones((2, 3))
    for _ in range(4):
        n.predict(X)
    Local.transform = janus_lite.jit(lambda self, X: X * 2.0)
    assert_same(n.predict(X), (X * 2.0).sum())
