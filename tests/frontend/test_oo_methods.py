"""Model classes: `super().method(...)` (resolved along the receiver's MRO, guarded on the
method's identity), read-only properties (their getter inlined), static and class methods;
a parent method rebound between calls is seen; property setters keep the function
imperative (and exact)."""
import numpy as np

import janus_lite
from differential import differential, steady


class Base:
    def __init__(self, w):
        self.w = w
        self.calls = 0

    def transform(self, x):
        return x * self.w

    @property
    def scale(self):
        return float(self.w.sum())

    @staticmethod
    def act(z):
        return np.maximum(z, 0)


class Mid(Base):
    def transform(self, x):
        return super().transform(x) + 1.0


class Child(Mid):
    def transform(self, x):
        y = super().transform(x)
        return self.act(y) * self.scale


def use(m, x):
    return m.transform(x)


class Settable(Base):
    @property
    def gain(self):
        return self._gain

    @gain.setter
    def gain(self, v):
        self._gain = float(v)


def set_gain(m, x):
    m.gain = x.sum()
    return x * m.gain


def test_super_chain_and_property_are_graphed():
    calls = [(Child(np.arange(3.0) - k), np.arange(3.0) - 1) for k in range(5)]
    steady(differential(use, calls), 3)


def test_state_behind_a_property_read_each_call():
    m = Child(np.ones(3))
    f = janus_lite.jit(use)
    x = np.arange(3.0) - 1
    for step in range(6):
        assert np.array_equal(f(m, x), use(m, x))
        m.w = m.w * 2.0           # the property's value changes with it
    assert f.stats["graph_calls"] >= 3, f.explain()


def test_parent_method_rebound_between_calls_is_seen():
    m, x = Child(np.ones(3)), np.arange(3.0)
    f = janus_lite.jit(use)
    for _ in range(4):
        assert np.array_equal(f(m, x), use(m, x))
    original = Base.transform
    try:
        Base.transform = lambda self, x: x - self.w
        assert np.array_equal(f(m, x), use(m, x))
    finally:
        Base.transform = original
    assert np.array_equal(f(m, x), use(m, x))


def test_property_setter_stays_exact():
    class_calls = [(Settable(np.ones(2)), np.ones(2) * k) for k in range(4)]
    differential(set_gain, class_calls)
