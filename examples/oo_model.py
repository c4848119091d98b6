"""An object-oriented model trained by unchanged methods decorated with janus_lite.jit.

Run: python examples/oo_model.py [--quick]

A small `Model` class holds its layers (`Dense` objects with `W` and `b`), an activation
(a callable object), a `Momentum` optimizer with per-layer velocity state, a step counter
and a loss history. `Model.train_step` — which reads ``self.layers[i].W``, calls
``self.act``, updates every weight in place through the optimizer, bumps ``self.steps``,
appends to ``self.history`` and prints a log line every ``log_every`` steps — is decorated
from outside, unchanged: ``Model.train_step = janus_lite.jit(Model.train_step)``.
`Model.accuracy` is decorated in the class body. The script trains, checks that the
decorated step leaves a twin model in exactly the state the plain step leaves, then prints
the speedup against the plain method (interleaved rounds, medians) and the graph-served share.
"""
import argparse
import contextlib
import copy
import io
import time

import numpy as np

import janus_lite
from janus_lite.inspect.timing import BusyMeter, comparison, report_lines


class Dense:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        self.b = np.zeros(n_out)

    def __call__(self, x):
        return x @ self.W + self.b


class ReLU:
    def __call__(self, x):
        return np.maximum(x, 0.0)


class Slot:
    """The optimizer's state for one layer."""

    def __init__(self, layer):
        self.vW = np.zeros_like(layer.W)
        self.vb = np.zeros_like(layer.b)


class Momentum:
    def __init__(self, layers, lr=0.05, mu=0.9):
        self.lr, self.mu = lr, mu
        self.slots = [Slot(layer) for layer in layers]
        self.updates = 0

    def update(self, i, layer, gW, gb):
        slot = self.slots[i]
        slot.vW = self.mu * slot.vW - self.lr * gW
        slot.vb = self.mu * slot.vb - self.lr * gb
        layer.W += slot.vW                 # in place: every alias of layer.W sees it
        layer.b += slot.vb
        self.updates += 1


class Model:
    def __init__(self, sizes, lr=0.05, mu=0.9, log_every=50, seed=0):
        rng = np.random.default_rng(seed)
        self.layers = [Dense(a, b, rng) for a, b in zip(sizes[:-1], sizes[1:])]
        self.act = ReLU()
        self.opt = Momentum(self.layers, lr, mu)
        self.log_every = log_every
        self.steps = 0
        self.history = []

    def forward(self, x):
        hs = [x]
        for i in range(len(self.layers) - 1):
            x = self.act(self.layers[i](x))
            hs.append(x)
        return self.layers[-1](x), hs

    def train_step(self, x, y):
        """One step of softmax cross-entropy; y holds one-hot rows."""
        logits, hs = self.forward(x)
        logits = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p = p / p.sum(axis=1, keepdims=True)
        n = x.shape[0]
        loss = float(-np.sum(y * np.log(p + 1e-12)) / n)
        d = (p - y) / n
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            gW = hs[i].T @ d
            gb = d.sum(axis=0)
            if i > 0:
                d = (d @ layer.W.T) * (hs[i] > 0)
            self.opt.update(i, layer, gW, gb)
        self.steps += 1
        self.history.append(loss)
        if self.steps % self.log_every == 0:
            print(f"step {self.steps:5d}  loss {loss:.4f}")
        return loss

    @janus_lite.jit
    def accuracy(self, x, labels):
        logits, _ = self.forward(x)
        return float(np.mean(np.argmax(logits, axis=1) == labels))


plain_train_step = Model.train_step
Model.train_step = janus_lite.jit(Model.train_step)     # decorated from outside, unchanged


def blobs(n, d, classes, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, d)) * 0.5
    labels = rng.integers(0, classes, n)
    x = centers[labels] + rng.standard_normal((n, d))
    return x, np.eye(classes)[labels], labels


def _per_call(step, model, x, y, reps):
    with contextlib.redirect_stdout(io.StringIO()):        # the log lines are not timed
        t0 = time.perf_counter()
        for _ in range(reps):
            step(model, x, y)
        return (time.perf_counter() - t0) / reps


def speedup(model, x, y, rounds, reps):
    """Median seconds per step of the plain and the decorated method, interleaved rounds,
    each on its own copy of the model."""
    plain_m, jit_m = copy.deepcopy(model), copy.deepcopy(model)
    plain_t, jit_t = [], []
    meter = BusyMeter()
    for _ in range(rounds):
        plain_t.append(_per_call(plain_train_step, plain_m, x, y, reps))
        jit_t.append(_per_call(Model.train_step, jit_m, x, y, reps))
    return comparison(plain_t, jit_t, reps, meter.stop())


def check_twin(model, x, y, steps):
    """The decorated step leaves a twin in exactly the state the plain step leaves."""
    a, b = copy.deepcopy(model), copy.deepcopy(model)
    with contextlib.redirect_stdout(io.StringIO()) as out_a:
        la = [plain_train_step(a, x, y) for _ in range(steps)]
    with contextlib.redirect_stdout(io.StringIO()) as out_b:
        lb = [b.train_step(x, y) for _ in range(steps)]
    same = la == lb and out_a.getvalue() == out_b.getvalue() and a.steps == b.steps and \
        a.history == b.history and a.opt.updates == b.opt.updates and \
        all(np.array_equal(p.W, q.W) and np.array_equal(p.b, q.b)
            for p, q in zip(a.layers, b.layers)) and \
        all(np.array_equal(s.vW, t.vW) and np.array_equal(s.vb, t.vb)
            for s, t in zip(a.opt.slots, b.opt.slots))
    return same


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", "--small", dest="quick", action="store_true",
                    help="small sizes and few steps (tests); --small is the old name")
    opts = ap.parse_args(argv)
    if opts.quick:
        n, sizes, steps, log_every, rounds, reps = 64, [8, 16, 16, 3], 60, 20, 5, 5
    else:
        n, sizes, steps, log_every, rounds, reps = 256, [16, 64, 64, 4], 400, 50, 11, 20
    x, y, labels = blobs(n, sizes[0], sizes[-1])
    model = Model(sizes, log_every=log_every)
    for _ in range(steps):
        model.train_step(x, y)
    acc = model.accuracy(x, labels)
    for _ in range(3):
        model.accuracy(x, labels)
    print(f"after {model.steps} steps: loss {model.history[-1]:.4f}, accuracy {acc:.3f}")
    print(f"twin models in the same state after 10 more steps (plain vs decorated): "
          f"{check_twin(model, x, y, 10)}")
    cmp = speedup(model, x, y, rounds, reps)
    print()
    print("\n".join(report_lines("train_step", cmp, Model.train_step)))
    a = Model.accuracy.stats
    print(f"accuracy:   graph-served calls: {a['graph_calls']}/{a['calls']}")
    print()
    print(Model.train_step.explain())


if __name__ == "__main__":
    main()
