"""A list or dict made in the function is one object, as in Python, wherever it goes:
stored under two names, in a state container and an attribute, returned and stored; and it
holds the caller's own arrays, not the private copies that in-place updates work on. Where
a branch on a run-time condition keeps it and the function changes it after the branch, no
graph can make one object of both (the function runs imperatively). Each case fails
before (found by a probe battery: a recurrent layer's reset() keeping ``states`` twice, early
stopping keeping ``{'W': W}`` without a copy)."""
import numpy as np

import janus_lite
from differential import differential


class Layer:
    def __init__(self):
        self.W = np.array([[0.5, -0.2], [0.1, 0.3]])
        self.states = None
        self.cache = {}
        self.best = None
        self.log = []

    def reset(self, h0):
        states = [h0]
        self.states = states
        self.cache["states"] = states
        return states

    def step(self, g):
        self.W -= 0.1 * g
        if g[0, 0] > 0:
            self.best = {"W": self.W}
            self.log.append([self.W])
        return float(self.W.sum())

    def kept_in_branch_then_changed(self, g):
        d = {"g": g}
        if g[0, 0] > 0:
            self.best = d
        d["after"] = 1.0
        return 0.0

    def kept_in_branch_twice(self, g):
        d = [g]
        if g[0, 0] > 0:
            self.best = d
            self.cache["best"] = d
        return len(d)


def _identities(layer, result):
    return (layer.states is layer.cache.get("states"), result is layer.states,
            layer.best is not None and layer.best.get("W") is layer.W
            if isinstance(layer.best, dict) else None,
            bool(layer.log) and layer.log[-1][0] is layer.W,
            layer.best is layer.cache.get("best"))


def _both(method, args_of, n=8):
    out = []
    for fn in (method, janus_lite.jit(method)):
        layer, seen = Layer(), []
        for i in range(n):
            result = fn(layer, *args_of(i))
            seen.append(_identities(layer, result))
        out.append((seen, fn))
    (plain, _), (jitted, f) = out
    assert jitted == plain
    return f


def test_one_list_stored_twice_and_returned():
    f = _both(Layer.reset, lambda i: (np.full(2, float(i)),))
    assert f.stats["graph_calls"] >= 4
    layer = Layer()
    calls = [(layer, np.full(2, float(i))) for i in range(6)]
    differential(Layer.reset, calls)


def test_a_container_keeps_the_array_updated_in_place():
    sign = lambda i: (np.full((2, 2), 1.0 if i % 3 else -1.0),)   # noqa: E731
    f = _both(Layer.step, sign)
    assert f.stats["graph_calls"] >= 4
    layer = Layer()
    differential(Layer.step, [(layer,) + sign(i) for i in range(8)])


def test_a_branch_that_keeps_a_container_changed_after_it_stays_exact():
    sign = lambda i: (np.full((2, 2), (-1.0) ** i),)   # noqa: E731
    _both(Layer.kept_in_branch_then_changed, sign)
    f = _both(Layer.kept_in_branch_twice, sign)
    assert f.stats["graph_calls"] >= 4
    layer = Layer()
    differential(Layer.kept_in_branch_then_changed, [(layer,) + sign(i) for i in range(8)])


class Fit:
    def __init__(self):
        self.W = np.ones(2)
        self.hist = []
        self.n_iterations = 40          # past the unrolling limit: a loop node

    def fit(self, g):
        for _ in range(self.n_iterations):
            self.W -= 0.01 * g
            self.hist.append(self.W)
        return float(self.W.sum())

    def fit_while(self, g, n):
        k = 0
        while k < n:
            self.W -= 0.01 * g
            self.hist.append([self.W])
            k += 1
        return k


def test_a_loop_node_appends_the_array_itself():
    for method, args_of in ((Fit.fit, lambda i: (np.full(2, 1.0),)),
                            (Fit.fit_while, lambda i: (np.full(2, 1.0), 3 + i % 2))):
        seen = []
        for fn in (method, janus_lite.jit(method)):
            m, out = Fit(), []
            for i in range(6):
                fn(m, *args_of(i))
                last = m.hist[-1]
                out.append(((last if isinstance(last, np.ndarray) else last[0]) is m.W,
                            len(m.hist), float(m.W.sum())))
            seen.append(out)
        assert seen[0] == seen[1]
        assert fn.stats["graph_calls"] >= 3
