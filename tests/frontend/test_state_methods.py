"""Differential tests: methods (decorated in the class body and applied from outside) that
read ``self.lr``, ``self.act`` (a callable object), ``self.layers[i].W`` and write
``self.w = ...``, ``self.w += ...``, ``self.steps += 1``, ``self.history.append(loss)``; a
``fit`` method over several epochs; an optimizer with momentum state. The harness compares
every object's final state deeply (``vars()``), after every call."""
import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(41)


def _r(*shape):
    return rng.standard_normal(shape)


# -- helpers: callable objects and layers -------------------------------------------------------
class Comparable:
    """The harness compares callable objects with ==: compare their state."""

    def __eq__(self, other):
        return type(self) is type(other) and vars(self).keys() == vars(other).keys() and \
            all(_same(a, b) for a, b in zip(vars(self).values(), vars(other).values()))

    __hash__ = None


def _same(a, b):
    try:
        assert_same(a, b)
        return True
    except AssertionError:
        return False


class Tanh(Comparable):
    def __call__(self, x):
        return np.tanh(x)


class LeakyReLU(Comparable):
    def __init__(self, alpha):
        self.alpha = alpha

    def __call__(self, x):
        return np.where(x > 0, x, self.alpha * x)


class Dense:
    def __init__(self, n_in, n_out):
        self.W = _r(n_in, n_out) * 0.3
        self.b = np.zeros(n_out)


# -- 1. a method decorated in the class body ---------------------------------------------------
class LinearModel:
    def __init__(self, d, lr=0.05):
        self.w = np.zeros(d)
        self.lr = lr
        self.steps = 0
        self.history = []

    @janus_lite.jit
    def step(self, X, y):
        err = X @ self.w - y
        loss = float(np.mean(err ** 2))
        self.w = self.w - self.lr * (X.T @ err) / len(y)
        self.steps += 1
        self.history.append(loss)
        return loss


def _data(n=16, d=4):
    X = _r(n, d)
    return X, X @ np.arange(1.0, d + 1) + 0.1 * _r(n)


def test_method_decorated_in_class_body():
    m = LinearModel(4)
    X, y = _data()
    calls = [(m, X, y)] * 8
    differential(LinearModel.step.__wrapped__, calls,
                 decorated=lambda obj, X, y: obj.step(X, y))
    steady(LinearModel.step, 4)


# -- 2. applied from outside to an existing class attribute -----------------------------------
class Regressor:
    def __init__(self, d):
        self.w = np.zeros(d)
        self.b = 0.0
        self.lr = 0.1
        self.steps = 0

    def train_step(self, X, y):
        pred = X @ self.w + self.b
        g = pred - y
        self.w = self.w - self.lr * X.T @ g / X.shape[0]
        self.b = self.b - self.lr * float(g.mean())
        self.steps += 1
        return float(np.mean(g * g))


_plain_train_step = Regressor.train_step
Regressor.train_step = janus_lite.jit(Regressor.train_step)


def test_method_jitted_from_outside():
    m = Regressor(4)
    X, y = _data()
    differential(_plain_train_step, [(m, X, y)] * 8,
                 decorated=lambda obj, X, y: obj.train_step(X, y))
    steady(Regressor.train_step, 4)
    assert isinstance(Regressor.__dict__["train_step"], janus_lite.api.SpeculativeFunction)


# -- 3. reads of self.act (callable object) and self.layers[i].W -------------------------------
class MLP:
    def __init__(self, sizes, act):
        self.layers = [Dense(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        self.act = act

    def forward(self, x):
        h = x
        for i in range(len(self.layers) - 1):
            h = self.act(h @ self.layers[i].W + self.layers[i].b)
        return h @ self.layers[-1].W + self.layers[-1].b


def test_reads_self_act_callable_object():
    m = MLP([4, 6, 3], Tanh())
    f = differential(MLP.forward, [(m, _r(5, 4))] * 6)
    steady(f, 3)


def test_reads_self_act_callable_with_own_state():
    m = MLP([4, 6, 5, 2], LeakyReLU(0.1))
    f = differential(MLP.forward, [(m, _r(5, 4))] * 6)
    steady(f, 3)


def test_callable_attribute_rebound_between_calls():
    """self.act replaced by another callable object: the graph must not keep the old one."""
    m = MLP([4, 6, 3], Tanh())
    f = janus_lite.jit(MLP.forward)
    x = _r(5, 4)
    for i in range(10):
        if i == 5:
            m.act = LeakyReLU(0.2)
        if i == 7:
            m.act.alpha = 0.5               # the callable's own state changes
        assert_same(f(m, x), MLP.forward(m, x), f"call {i}")
    steady(f, 3)


def test_layer_weights_updated_in_place_between_calls():
    """self.layers[i].W is read at call time (never folded as a constant)."""
    m = MLP([4, 6, 3], Tanh())
    f = janus_lite.jit(MLP.forward)
    x = _r(5, 4)
    for i in range(8):
        m.layers[0].W *= 0.9
        m.layers[1].b += 1.0
        assert_same(f(m, x), MLP.forward(m, x), f"call {i}")
    steady(f, 4)


# -- 4. attribute writes: =, += (in place on the attribute array), counters, history --------
class Accumulator:
    def __init__(self, d):
        self.total = np.zeros(d)
        self.count = 0
        self.mean_loss = 0.0
        self.history = []

    def add(self, x):
        self.total += x.sum(axis=0)          # in place: aliases of self.total see it
        self.count += x.shape[0]
        loss = float(np.abs(x).mean())
        self.mean_loss += (loss - self.mean_loss) / (len(self.history) + 1)
        self.history.append(loss)
        return self.total / self.count


def test_attribute_augmented_writes_and_history():
    a = Accumulator(3)
    f = differential(Accumulator.add, [(a, _r(4, 3)) for _ in range(8)])
    steady(f, 4)


def test_attribute_inplace_update_seen_by_alias():
    plain, jitted = Accumulator(3), Accumulator(3)
    f = janus_lite.jit(Accumulator.add)
    alias_p, alias_j = plain.total, jitted.total
    for i in range(8):
        x = _r(4, 3)
        assert_same(f(jitted, x), Accumulator.add(plain, x), f"call {i}")
        assert jitted.total is alias_j and plain.total is alias_p
        assert_same(alias_j, alias_p, f"alias after call {i}")
    assert_same(vars(jitted), vars(plain))
    steady(f, 4)


class Lazy:
    def __init__(self):
        self.scale = 2.0

    def run(self, x):
        y = x * self.scale
        self.last = y                         # an attribute that does not exist at first
        self.peak = float(np.max(y))
        return y.sum()


def test_attribute_created_by_the_method():
    objs = Lazy()
    f = differential(Lazy.run, [(objs, _r(6))] * 6)
    steady(f, 3)


# -- 5. a method calling other methods (inlined), with writes in both ------------------------
class TwoLayer:
    def __init__(self):
        self.l1, self.l2 = Dense(4, 8), Dense(8, 2)
        self.lr = 0.05
        self.steps = 0
        self.losses = []

    def forward(self, x):
        self.h = np.maximum(x @ self.l1.W + self.l1.b, 0)
        return self.h @ self.l2.W + self.l2.b

    def backward(self, x, dout):
        dW2 = self.h.T @ dout
        dh = (dout @ self.l2.W.T) * (self.h > 0)
        self.l2.W = self.l2.W - self.lr * dW2
        self.l2.b = self.l2.b - self.lr * dout.sum(axis=0)
        self.l1.W = self.l1.W - self.lr * (x.T @ dh)
        self.l1.b = self.l1.b - self.lr * dh.sum(axis=0)

    def train_step(self, x, y):
        out = self.forward(x)
        d = out - y
        loss = float((d ** 2).mean())
        self.backward(x, 2 * d / d.size)
        self.steps += 1
        self.losses.append(loss)
        return loss

    def fit(self, x, y, epochs):
        for epoch in range(epochs):
            loss = self.train_step(x, y)
        return loss


def test_method_inlining_other_methods_with_writes():
    m = TwoLayer()
    x, y = _r(6, 4), _r(6, 2)
    f = differential(TwoLayer.train_step, [(m, x, y)] * 8)
    steady(f, 4)


def test_fit_over_several_epochs():
    m = TwoLayer()
    x, y = _r(6, 4), _r(6, 2)
    f = differential(TwoLayer.fit, [(m, x, y, 5)] * 6)
    steady(f, 3)
    assert len(m.losses) == 0          # the harness ran on deep copies


def test_fit_epochs_change():
    m = TwoLayer()
    x, y = _r(6, 4), _r(6, 2)
    differential(TwoLayer.fit, [(m, x, y, e) for e in (3, 3, 3, 4, 2, 3, 3, 1)])


# -- 6. optimizer with momentum state (a dict of velocities per parameter) -------------------
class Momentum:
    def __init__(self, params, lr=0.1, mu=0.9):
        self.lr, self.mu = lr, mu
        self.v = {k: np.zeros_like(p) for k, p in params.items()}
        self.t = 0

    def update(self, params, grads):
        self.t += 1
        for k in params:
            self.v[k] = self.mu * self.v[k] - self.lr * grads[k]
            params[k] += self.v[k]
        return self.t


def test_momentum_optimizer_state_and_params_in_place():
    params = {"W": _r(3, 2), "b": _r(2)}
    opt = Momentum(params)
    calls = [(opt, params, {"W": _r(3, 2), "b": _r(2)}) for _ in range(8)]
    f = differential(Momentum.update, calls)
    steady(f, 4)


# -- 7. two objects of one class: writes through one visible through the other --------------
class Vec:
    def __init__(self, w):
        self.w = w
        self.n = 0

    def blend(self, other, a):
        self.w = a * self.w + (1 - a) * other.w
        self.n += 1
        other.n += 10
        return self.w.sum() + other.w.sum()


def test_two_objects_of_one_class_then_aliased():
    a, b = Vec(_r(3)), Vec(_r(3))
    calls = [(a, b, 0.5)] * 5 + [(a, a, 0.5)] * 3 + [(b, a, 0.25)] * 3
    f = differential(Vec.blend, calls)
    steady(f, 3)


# -- 8. an optimizer whose velocities live in a dict attribute, keyed per parameter ---------------
class Params:
    def __init__(self):
        self.W, self.b = _r(3, 2), _r(2)
        self.dW, self.db = _r(3, 2), _r(2)


class DictMomentum:
    def __init__(self, p):
        self.v = {"W": np.zeros_like(p.W), "b": np.zeros_like(p.b)}
        self.lr, self.mu, self.t = 0.1, 0.9, 0

    def update(self, p):
        self.t += 1
        self.v["W"] = self.mu * self.v["W"] - self.lr * p.dW
        p.W += self.v["W"]
        self.v["b"] = self.mu * self.v["b"] - self.lr * p.db   # read after another key's write
        p.b += self.v["b"]
        return self.t


def test_dict_attribute_velocities_read_after_other_key_written():
    p = Params()
    opt = DictMomentum(p)
    f = differential(DictMomentum.update, [(opt, p)] * 8)
    steady(f, 4)


# -- 9. iterating over a slice of a list attribute ---------------------------------------------------
class Stack:
    def __init__(self):
        self.layers = [Dense(4, 5), Dense(5, 5), Dense(5, 2)]

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = np.tanh(x @ layer.W + layer.b)
        return x @ self.layers[-1].W


def test_loop_over_a_slice_of_a_list_attribute():
    s = Stack()
    differential(Stack.forward, [(s, _r(3, 4))] * 6)


def test_loop_over_a_slice_of_a_list_attribute_graph_served():
    s = Stack()
    f = differential(Stack.forward, [(s, _r(3, 4))] * 6)
    steady(f, 3)
