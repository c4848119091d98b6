"""A Trainer object whose step appends the loss to self.history and then reads
self.history[-1] for a smoothed value, gradients of frozen parameters are None and are
filtered out by a comprehension with a run-time condition."""
import numpy as np


class Trainer:
    def __init__(self, params, frozen, lr):
        self.params = params
        self.frozen = frozen
        self.lr = lr
        self.history = []
        self.smoothed = None

    def grads(self, X, y):
        W, b, scale = self.params
        pred = (X @ W + b) * scale
        err = pred - y
        gW = X.T @ err * scale / len(y)
        gb = err.mean(axis=0) * scale
        gs = np.array([np.mean(err * (X @ W + b))])
        out = [gW, gb, gs]
        return [None if f else g for g, f in zip(out, self.frozen)], float(np.mean(err ** 2))

    def step(self, X, y):
        grads, loss = self.grads(X, y)
        live = [(p, g) for p, g in zip(self.params, grads) if g is not None]
        for p, g in live:
            p -= self.lr * g
        self.history.append(loss)
        last = self.history[-1]
        self.smoothed = last if self.smoothed is None else 0.9 * self.smoothed + 0.1 * last
        return len(live)


def run(jit):
    Trainer.step = jit(Trainer.step)
    rng = np.random.default_rng(74)
    X = rng.standard_normal((80, 3))
    y = X @ np.array([[0.5], [1.0], [-1.5]]) + 0.25
    params = [np.zeros((3, 1)), np.zeros(1), np.ones(1)]
    tr = Trainer(params, [False, False, True], 0.1)
    counts = []
    for phase in range(2):
        for it in range(120):
            counts.append(tr.step(X, y))
        print(f"phase {phase}: smoothed loss {tr.smoothed:.6f}")
        tr.frozen = [False, True, False]
    return tr, counts
