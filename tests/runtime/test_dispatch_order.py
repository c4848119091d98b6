"""Several graphs of one function (one per layer, per parameter) are tried in the order the
calls came round last time: after graph i served, the graph that followed i before is tried
first, so a cycle over layers meets no guard miss once learned. The results are the same
whichever graph answers (each is exact where its guards hold); what is checked here is
that, and that the misses are gone. (The layers' weights differ in dtype: layers that
differ only in shape share one graph, see test_state_dims.py.)"""
import numpy as np

import janus_lite
from differential import differential


class Layer:
    def __init__(self, n_in, n_out, seed, dtype=np.float64):
        self.W = np.random.default_rng(seed).standard_normal((n_in, n_out)).astype(dtype)
        self.b = np.zeros(n_out, dtype)

    def forward(self, x):
        self.x = x
        return np.tanh(x @ self.W + self.b)


def _calls(rounds):
    layers = [Layer(4, 6, 0), Layer(6, 5, 1, np.float32), Layer(5, 3, 2, np.float16)]
    x0 = np.random.default_rng(9).standard_normal((8, 4))
    calls = []
    for _ in range(rounds):
        shapes = [x0]
        for layer in layers:
            calls.append((layer, shapes[-1]))
            shapes.append(np.zeros((8, layer.W.shape[1])) + 0.5)
    return calls


def test_a_cycle_over_layers_meets_no_misses_once_learned():
    f = differential(Layer.forward, _calls(40))
    assert len(f.active_graphs) == 3, f.explain()
    misses = sum(sum(g.guard_misses) for g in f.active_graphs)
    assert f.stats["graph_calls"] >= 110, f.explain()
    # without the learned order: layer 2 misses graph 1, layer 3 misses graphs 1 and 2
    assert misses <= 12, (misses, f.explain())


def test_misses_reach_the_policy_in_the_graphs_own_order():
    # a call that fits no graph is reported with every graph's miss, in install order,
    # whatever order the dispatch tried them in
    f = janus_lite.jit(Layer.forward)
    calls = _calls(10)
    for layer, x in calls:
        f(layer, x)
    seen = []
    orig = f._policy.on_fallback

    def spy(args, kwargs, cg, misses, assertion, error):
        seen.append([m[0] for m in misses or ()])
        return orig(args, kwargs, cg, misses, assertion, error)

    f._policy.on_fallback = spy
    odd = Layer(4, 6, 3)
    f(odd, np.zeros((8, 4), dtype=np.float32))      # a new dtype: no graph fits
    active = list(f._policy.active)
    assert seen and seen[0] == active[:len(seen[0])], (seen, active)
