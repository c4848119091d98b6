"""More object idioms: two-argument ``super(Cls, self)``, property setters (inlined,
guarded on the property), and item assignment into a list argument or attribute
(``grads[0] = dW``: a deferred, all-or-nothing write)."""
import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(69)


def _r(*shape):
    return rng.standard_normal(shape)


class Layer:
    def __init__(self):
        self.W = _r(3, 3)

    def forward(self, x):
        return x @ self.W


class Scaled(Layer):
    def forward(self, x):
        return super(Scaled, self).forward(x) * 2.0


class Twice(Scaled):
    def forward(self, x):
        return super(Scaled, self).forward(x) + super(Twice, self).forward(x)


class Param:
    def __init__(self):
        self._value = np.zeros(3)
        self.updates = 0

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, v):
        self._value = v
        self.updates += 1


def step_param(p, g):
    p.value = p.value - 0.1 * g
    return p.value.sum()


def set_grads(grads, x):
    grads[0] = x * 2
    grads[-1] = grads[0] + 1
    return grads[1] + grads[0]


def set_then_branch(grads, x):
    grads[1] = x
    if x.sum() > 0:
        return grads[1] * 2
    return grads[0]


def test_two_argument_super():
    for cls in (Scaled, Twice):
        obj = cls()
        f = differential(cls.forward, [((obj, _r(2, 3)), {}) for _ in range(5)])
        steady(f, 3)


def test_property_setter_inlined():
    p = Param()
    f = differential(step_param, [((p, _r(3)), {}) for _ in range(6)])
    steady(f, 3)


def test_property_setter_state_after_calls():
    plain, jitted = Param(), Param()
    f = janus_lite.jit(step_param)
    for _ in range(5):
        g = _r(3)
        assert_same(f(jitted, g), step_param(plain, g))
        assert_same(vars(jitted), vars(plain))
    steady(f, 2)


def test_item_assignment_into_a_list_argument():
    f = differential(set_grads, [(([np.zeros(2), np.ones(2), np.zeros(2)], _r(2)), {})
                                 for _ in range(6)])
    steady(f, 3)


def test_list_item_write_undone_when_a_branch_flips():
    calls = [(([np.zeros(2), np.ones(2)], np.full(2, float(s))), {})
             for s in (1, 1, 1, -1, 1, -1, -1)]
    f = differential(set_then_branch, calls)
    steady(f, 2)


def test_list_index_out_of_range_raises_like_python():
    calls = [(([np.zeros(2), np.ones(2), np.ones(2)], _r(2)), {}) for _ in range(4)]
    calls.append((([np.zeros(2)], _r(2)), {}))
    differential(set_grads, calls)
