"""``copy.copy`` / ``copy.deepcopy`` of an array (the early-stopping idiom
``self.best_w = copy.deepcopy(self.w)``) convert to ``np.copy``: a new array in the same
memory order; of a Python number or string, the object itself. A container or an object
array keeps the call (its copy keeps aliases between items), still exact."""
import copy

import numpy as np

import janus_lite
from differential import differential, steady


class Trainer:
    def __init__(self, w):
        self.w = w
        self.best_w = None
        self.best = np.inf


def keep_best(tr, g, lr):
    tr.w = tr.w - lr * g
    loss = float((tr.w ** 2).sum())
    if loss < tr.best:
        tr.best = loss
        tr.best_w = copy.deepcopy(tr.w)
    return loss


def copies(x, scale):
    a = copy.copy(x)
    b = copy.deepcopy(x)
    a *= copy.deepcopy(scale)
    return a, b, copy.deepcopy("tag")


def test_early_stopping_with_deepcopy_is_graphed():
    rng = np.random.default_rng(0)
    tr = Trainer(rng.standard_normal(5))
    calls = [(tr, rng.standard_normal(5) * (1 if i % 3 else -1), 0.1) for i in range(10)]
    f = differential(keep_best, calls)
    steady(f, 5)


def test_copies_keep_memory_order_and_never_alias():
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((3, 4)), np.asfortranarray(rng.standard_normal((3, 4))),
          rng.standard_normal((4, 6))[::2, 1::2], np.arange(12).reshape(3, 4)]
    calls = [(x, 2) for x in xs for _ in range(3)]
    f = differential(copies, calls)
    assert f.stats["graph_calls"] >= 4
    plain = copies(xs[1], 2)
    jitted = janus_lite.jit(copies)
    for _ in range(4):
        out = jitted(xs[1], 2)
    assert out[1].flags.f_contiguous and out[1].strides == plain[1].strides
    assert out[2] is plain[2]
    assert not np.shares_memory(out[0], xs[1]) and not np.shares_memory(out[1], xs[1])


def deep_dict(params):
    best = copy.deepcopy(params)
    best["W"] += 1.0
    return best


def test_a_container_copy_stays_exact():
    shared = np.ones(3)
    calls = [({"W": np.ones(3) * i, "b": np.zeros(2)},) for i in range(3)] + \
        [({"W": shared, "b": shared},)] * 3
    differential(deep_dict, calls)


class Snapshots:
    def __init__(self):
        self.params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
        self.layers = [np.ones(2), np.full(2, 2.0)]
        self.saved = None

    def snapshot(self, g):
        params = copy.copy(self.params)         # a new dict holding the same arrays
        layers = copy.copy(self.layers)         # a new list holding the same arrays
        pair = copy.copy((g, 1.0))              # a tuple: itself
        params["W"] = params["W"] - g.sum()     # the copy rebinds; the original keeps W
        layers.append(g)
        self.saved = (params, layers)
        return (params is self.params, params["b"] is self.params["b"],
                layers[0] is self.layers[0], len(self.layers), pair[0] is g,
                float(params["W"].sum()))


def test_a_shallow_copy_of_a_list_or_dict_is_a_new_container_of_the_same_items():
    # before: copy.copy of a list or dict inlined copy.py and gave up ("keys of a dict not
    # known while converting"), keeping the function imperative
    rng = np.random.default_rng(2)
    s = Snapshots()
    calls = [(s, rng.standard_normal(2)) for _ in range(8)]
    f = differential(Snapshots.snapshot, calls)
    steady(f, 5)
