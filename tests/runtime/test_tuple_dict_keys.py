"""Optimizer state kept in dicts keyed by ``(layer index, parameter name)`` tuples, created
lazily on first use (a model library's Adam): the tuple key is a constant of the graph, the
dict's keys are guarded, so ``key not in self.m`` is decided while converting and each key
gets a graph for its steady state."""
import numpy as np
from differential import differential


class Adam:
    def __init__(self):
        self.m, self.v, self.t = {}, {}, 3

    def update(self, key, param, grad):
        if key not in self.m:
            self.m[key] = np.zeros_like(param)
            self.v[key] = np.zeros_like(param)
        self.m[key] = 0.9 * self.m[key] + 0.1 * grad
        self.v[key] = 0.999 * self.v[key] + 0.001 * grad * grad
        m_hat = self.m[key] / (1 - 0.9 ** self.t)
        v_hat = self.v[key] / (1 - 0.999 ** self.t)
        param -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)


def test_tuple_keyed_lazy_state_is_served_by_graphs():
    opt = Adam()
    shapes = {(0, "W"): (3, 2), (0, "b"): (2,), (2, "W"): (2, 1)}
    params = {k: np.linspace(-1, 1, int(np.prod(s))).reshape(s) for k, s in shapes.items()}
    calls = [(opt, k, params[k], params[k] * 0.5 + i) for i in range(12) for k in shapes]
    f = differential(Adam.update, calls)
    assert f.stats["graph_calls"] >= 24, f.explain()


def test_a_tuple_key_indexes_an_array_like_its_value():
    def pick(a, idx):
        return a[idx] * 2.0
    a = np.arange(12.0).reshape(3, 4)
    differential(pick, [(a, (1, 2))] * 4 + [(a, (0, 3))] * 4 + [(a, (5, 0))])


def test_a_dict_key_that_cannot_be_relaxed_is_not_tried_again():
    # relaxing the key (read at run time) fails to convert: ``self.m[key]`` needs it
    # folded. The policy remembers it, so the next parameters' calls get their specialized
    # graphs at once instead of one failed relaxation each (policy._hopeless)
    opt = Adam()
    shapes = {(0, "W"): (3, 4), (0, "b"): (4,), (1, "W"): (4, 2), (1, "b"): (2,)}
    params = {k: np.ones(s) for k, s in shapes.items()}
    calls = [(opt, k, params[k], np.full(s, 0.5)) for _ in range(15) for k, s in shapes.items()]
    f = differential(Adam.update, calls)
    assert f.stats["failed_conversions"] <= 1, f.explain()
    assert f.stats["graph_calls"] >= 50, f.explain()
