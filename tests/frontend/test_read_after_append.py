"""Reading back what this call appended to a list argument or attribute
(``self.history.append(loss); last = self.history[-1]``): the appended value itself, with
no guard on the list's length (it grows every call; corpus program trainer_history)."""
import numpy as np

import janus_lite

from differential import differential, steady

rng = np.random.default_rng(74)


class Tracker:
    def __init__(self):
        self.history = []
        self.smoothed = None

    def step(self, w, g, lr):
        w -= lr * g
        loss = float(np.sum(w * w))
        self.history.append(loss)
        last = self.history[-1]
        self.smoothed = last if self.smoothed is None else 0.9 * self.smoothed + 0.1 * last
        return last


def two_appends(log, x):
    log.append(x.sum())
    log.append(x.max())
    return log[-1] - log[-2]


def extend_then_read(log, x):
    log.extend([x.min(), x.max()])
    return log[-1]


def read_before_the_appends(log, x):
    log.append(x.sum())
    return log[-2]


def test_history_grows_and_is_read_back():
    def run(step):
        t, w = Tracker(), np.ones(3)
        out = [step(t, w, rng_g, 0.1) for rng_g in grads]
        return out, t.history, t.smoothed, w
    grads = [rng.standard_normal(3) for _ in range(30)]
    f = janus_lite.jit(Tracker.step)
    a, b = run(Tracker.step), run(f)
    assert a[0] == b[0] and a[1] == b[1] and a[2] == b[2] and np.array_equal(a[3], b[3])
    assert f.stats["graph_calls"] >= 25 and f.stats["conversions"] <= 2, f.explain()


def test_two_appends_read_back():
    log = []
    calls = [((log, rng.standard_normal(4)), {}) for _ in range(8)]
    f = differential(two_appends, calls)
    steady(f, 5)


def test_extend_and_read_past_the_appends_stay_exact():
    differential(extend_then_read, [([], rng.standard_normal(3)) for _ in range(5)])
    calls = [([1.0] * k, rng.standard_normal(3)) for k in (0, 1, 2, 3, 3, 3, 0)]
    differential(read_before_the_appends, calls)
