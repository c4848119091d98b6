"""A relaxation that fails to convert because of a value it would read at run time (a dict
key: ``self.m[key]`` needs the key folded) is not tried again for that value: the next
parameter's call gets its specialized graph at once, without the conversion that would fail
again. Results stay exact either way; what is checked is the number of failed attempts."""
import numpy as np

from differential import differential, steady


class Adam:
    def __init__(self):
        self.m, self.v, self.t = {}, {}, 1

    def update(self, key, param, grad):
        if key not in self.m:
            self.m[key] = np.zeros_like(param)
            self.v[key] = np.zeros_like(param)
        self.m[key] = 0.9 * self.m[key] + 0.1 * grad
        self.v[key] = 0.999 * self.v[key] + 0.001 * grad * grad
        param -= 0.01 * (self.m[key] / (1 - 0.9 ** self.t)) / \
            (np.sqrt(self.v[key] / (1 - 0.999 ** self.t)) + 1e-8)


def _calls(steps):
    opt = Adam()
    params = {(0, "W"): np.ones((3, 4)), (0, "b"): np.ones(4), (1, "W"): np.ones((4, 2)),
              (1, "b"): np.ones(2)}
    calls = []
    for _ in range(steps):
        for key, p in params.items():
            calls.append((opt, key, p, np.full(p.shape, 0.5)))
    return calls


def test_a_dict_key_that_cannot_be_relaxed_is_not_tried_again():
    f = differential(Adam.update, _calls(15))
    steady(f, 40)
    assert f.stats["failed_conversions"] <= 1, f.explain()
    assert f.stats["graph_calls"] >= 50, f.explain()
