"""Issue 15's policy repros as programs: each ``run(jit)`` builds its classes, decorates
them with ``jit`` (None: plain), drives them with its own training loop and returns
``(decorated functions, observables)`` — shared by tests/runtime/test_policy_*.py and
benchmarks/policy_repros.py."""
from __future__ import annotations

import numpy as np


def _deco(jit, fn, **kw):
    return fn if jit is None else jit(fn, **kw)


# -- 1. polymorphic receivers: one method, layers whose act_fn differs in type -------------
class ReLU:
    def __call__(self, x):
        return np.maximum(x, 0.0)


class Identity:
    def __call__(self, x):
        return x


def _layer_class():
    class Layer:
        def __init__(self, n_in, n_out, act, rng):
            self.W = rng.standard_normal((n_in, n_out)) * 0.1
            self.b = np.zeros(n_out)
            self.act_fn = act

        def forward(self, x):
            return self.act_fn(x @ self.W + self.b)
    return Layer


def polymorphic(jit, steps=100):
    Layer = _layer_class()
    Layer.forward = _deco(jit, Layer.forward)
    rng = np.random.default_rng(0)
    layers = [Layer(8, 16, ReLU(), rng), Layer(16, 4, Identity(), rng)]
    x = rng.standard_normal((16, 8))
    outs = []
    for _ in range(steps):
        h = x
        for layer in layers:
            h = layer.forward(h)
        outs.append(h)
    return ([Layer.forward] if jit else []), outs


# -- 1b. an attribute whose shape differs between receivers (models of two degrees) ---------
def _reg_class():
    class Regression:
        def __init__(self, degree):
            self.w = np.linspace(0.5, 1.5, degree + 1)

        def predict(self, X):
            return X @ self.w
    return Regression


def receiver_shapes(jit, steps=100):
    Regression = _reg_class()
    Regression.predict = _deco(jit, Regression.predict)
    models = [Regression(1), Regression(3)]
    rng = np.random.default_rng(4)
    outs = []
    for i in range(steps):
        m = models[i % 2]
        outs.append(m.predict(rng.standard_normal((5, m.w.size))))
    return ([Regression.predict] if jit else []), outs


# -- 2. lazily initialised optimizer state, a fresh optimizer per fold ---------------------
def _adam_class():
    class Adam:
        def __init__(self, lr=0.01):
            self.lr = lr
            self.m = None
            self.v = None
            self.t = 0

        def update(self, w, g):
            if self.m is None:
                self.m = np.zeros_like(g)
                self.v = np.zeros_like(g)
            self.t += 1
            self.m = 0.9 * self.m + 0.1 * g
            self.v = 0.999 * self.v + 0.001 * g * g
            mhat = self.m / (1 - 0.9 ** self.t)
            vhat = self.v / (1 - 0.999 ** self.t)
            return w - self.lr * mhat / (np.sqrt(vhat) + 1e-8)
    return Adam


def lazy_state(jit, folds=6, steps=30):
    Adam = _adam_class()
    Adam.update = _deco(jit, Adam.update)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((64, 5))
    y = X @ np.arange(5.0)
    ws = []
    for _ in range(folds):
        opt = Adam()
        w = np.zeros(5)
        for _ in range(steps):
            g = X.T @ (X @ w - y) / len(X)
            w = opt.update(w, g)
        ws.append(w)
    return ([Adam.update] if jit else []), ws


# -- 3. a short last mini-batch -------------------------------------------------------------
def _sgd_step(W, X, y, lr):
    p = X @ W
    err = p - y
    loss = float((err * err).mean())
    g = X.T @ err / X.shape[0]
    W -= lr * g
    return loss


def _sgd_step_rows(W, X, y, lr):
    # a per-row loop: its trip count is the batch size (unrolled for the full batch)
    total = 0.0
    for i in range(X.shape[0]):
        e = X[i] @ W - y[i]
        total += e * e
    g = X.T @ (X @ W - y) / X.shape[0]
    W -= lr * g
    return total / X.shape[0]


def short_batch(jit, epochs=8, step=_sgd_step):
    f = _deco(jit, step)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((100, 6))
    y = X @ np.linspace(-1, 1, 6)
    W = np.zeros(6)
    losses = []
    for _ in range(epochs):
        for i in range(0, 100, 32):                  # batches of 32, 32, 32, 4
            losses.append(f(W, X[i:i + 32], y[i:i + 32], 0.05))
    return ([f] if jit else []), (W, losses)


def short_batch_rows(jit, epochs=8):
    return short_batch(jit, epochs, _sgd_step_rows)


# -- 4. a naive 4-deep convolution backward (unrolls into tens of thousands of nodes) -------
def conv_backward(dout, x, w):
    N, C, H, Wd = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            db[f] += dout[n, f].sum()
            for i in range(Ho):
                for j in range(Wo):
                    dw[f] += x[n, :, i:i + HH, j:j + WW] * dout[n, f, i, j]
                    dx[n, :, i:i + HH, j:j + WW] += w[f] * dout[n, f, i, j]
    return dx, dw, db


def conv(jit, calls=4):
    f = _deco(jit, conv_backward)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 8, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    dout = rng.standard_normal((2, 4, 6, 6))
    outs = [f(dout, x, w) for _ in range(calls)]
    return ([f] if jit else []), outs


# -- 5. issue 12's Counter: an attribute update in a loop under a data-dependent branch -----
def _counter_class():
    class Counter:
        def __init__(self):
            self.hits = 0

        def step(self, x):
            for _ in range(2):
                if x.sum() > 0:
                    self.hits += 1
            return x * 2
    return Counter


def counter(jit, rounds=3):
    Counter = _counter_class()
    Counter.step = _deco(jit, Counter.step)
    c = Counter()
    outs = []
    for _ in range(rounds):
        for s in [1, 1, 1, -1, -1, -1, 1, 1, -1, 1]:
            outs.append(c.step(np.full(3, float(s))))
    return ([Counter.step] if jit else []), (outs, c.hits)


PROGRAMS = {"polymorphic": polymorphic, "receiver_shapes": receiver_shapes,
            "lazy_state": lazy_state,
            "short_batch": short_batch, "short_batch_rows": short_batch_rows,
            "conv_backward": conv, "counter": counter}


# -- 2b. lazy state per parameter, one graph per parameter -----------------------------------
def _corpus_module(name):
    """A corpus program's module, fresh each time: decorating its functions touches no
    other run's."""
    import importlib.util
    import os
    import sys
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus",
                        "programs", f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"policy_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod           # inspect finds the source of its functions
    spec.loader.exec_module(mod)
    return mod


def _nesterov_class():
    """The corpus's Nesterov optimizer (velocities made lazily per parameter index)."""
    return _corpus_module("nesterov_optimizer").Nesterov


def lazy_state_per_parameter(jit, runs=5, steps=20):
    """A fresh optimizer per run whose velocities are made lazily per parameter index, for
    two parameters of different shapes (one graph each): the first call for parameter 1
    misses parameter 0's graph on the shape before it misses its own on the velocity."""
    Nesterov = _nesterov_class()
    Nesterov.apply = _deco(jit, Nesterov.apply)
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.25
    out = []
    for r in range(runs):
        opt = Nesterov(0.05)
        W, b = np.zeros(4), np.zeros(1)
        for _ in range(steps):
            err = X @ W + b - y
            opt.apply(0, W, X.T @ err / len(X))
            opt.apply(1, b, np.array([err.mean()]))
        out.append((W.copy(), b.copy(), opt.velocity))
    return ([Nesterov.apply] if jit else []), out


# -- 7. a config dict per parameter, filled by the update rule's first call ---------------------
def config_dicts(jit, runs=3, steps=25):
    """Course-assignment update rules: each parameter has its own config dict, fresh per
    run, that the rule's first call fills (``setdefault``): those first calls find keys the
    dict never has again."""
    update = _deco(jit, _corpus_module("cs231n_optim_config").sgd_momentum)
    rng = np.random.default_rng(7)
    shapes = [(5, 12), (12,), (12, 2), (2,)]
    out = []
    for r in range(runs):
        params = [rng.standard_normal(s) for s in shapes]
        configs = [{"learning_rate": 5e-3} for _ in shapes]
        for _ in range(steps):
            for i, p in enumerate(params):
                params[i], configs[i] = update(p, 0.1 * p, configs[i])
        out.append((params, configs))
    return ([update] if jit else []), out


# -- 8. lazy per-key moments in dicts, with a step counter the graphs first fold ------------------
def _keyed_adam_class():
    class Adam:
        def __init__(self, lr=0.01):
            self.lr, self.m, self.v, self.t = lr, {}, {}, 0

        def update(self, key, param, grad):
            if key not in self.m:
                self.m[key] = np.zeros_like(param)
                self.v[key] = np.zeros_like(param)
            self.m[key] = 0.9 * self.m[key] + 0.1 * grad
            self.v[key] = 0.999 * self.v[key] + 0.001 * grad * grad
            m_hat = self.m[key] / (1 - 0.9 ** self.t)
            v_hat = self.v[key] / (1 - 0.999 ** self.t)
            param -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return Adam


def lazy_dict_state_with_counter(jit, runs=3, steps=12):
    """An Adam whose moments are made lazily per (layer, name) key in dicts, fresh per run;
    ``opt.t`` is bumped every step, so the first graphs (which fold it) are replaced by ones
    that read it: the lazily initialised state must be recognised on the replacements too."""
    Adam = _keyed_adam_class()
    Adam.update = _deco(jit, Adam.update)
    rng = np.random.default_rng(8)
    shapes = {(0, "W"): (3, 4), (0, "b"): (4,), (1, "W"): (4, 1)}
    out = []
    for r in range(runs):
        opt = Adam()
        params = {k: rng.standard_normal(s) for k, s in shapes.items()}
        for _ in range(steps):
            opt.t += 1
            for key, p in params.items():
                opt.update(key, p, 0.1 * p + 0.01)
        out.append((params, opt.m, opt.v, opt.t))
    return ([Adam.update] if jit else []), out
