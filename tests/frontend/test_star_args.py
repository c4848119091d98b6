"""``*args`` / ``**kwargs`` in callees and at call sites: a scheduler's
``learning_rate(self, step=None, **kwargs)``, keywords passed through a wrapper,
``f(*xs)``, ``np.clip(x, **opts)`` with a dict made in the function or read from state."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(62)


def _r(*shape):
    return rng.standard_normal(shape)


class Schedule:
    def __init__(self, base):
        self.base = base

    def learning_rate(self, step=None, **kwargs):
        decay = kwargs.get("decay", 0.5)
        if step is None:
            return self.base
        return self.base / (1.0 + decay * step)


class Optimizer:
    def __init__(self):
        self.schedule = Schedule(0.1)
        self.opts = {"a_min": -1.0, "a_max": 1.0}

    def update(self, w, g, step):
        lr = self.schedule.learning_rate(step=step, decay=0.25, unused=1)
        return np.clip(w - lr * g, **self.opts)

    def update_no_step(self, w, g):
        return w - self.schedule.learning_rate() * g


def opt_update(opt, w, g, step):
    return opt.update(w, g, step)


def opt_update_no_step(opt, w, g):
    return opt.update_no_step(w, g)


def affine(x, w, b=0.0, scale=1.0):
    return (x * w + b) * scale


def wrapper(x, *args, **kwargs):
    extra = kwargs.pop("extra", 0.0)
    return affine(x, *args, **kwargs) + extra + len(args)


def splat_local(x, w):
    opts = {"b": 1.5}
    opts["scale"] = 2.0
    pair = (x, w)
    return affine(*pair, **opts) + np.concatenate([*pair]).sum()


def sum_all(*xs):
    total = 0.0
    for x in xs:
        total = total + x.sum()
    return total


def call_sum_all(a, b):
    return sum_all(a, b, a * 2)


def duplicate_keyword(x):
    opts = {"b": 1.0}
    return affine(x, 2.0, b=3.0, **opts)       # TypeError, like Python


def test_kwargs_in_a_scheduler_method():
    opt = Optimizer()
    f = differential(opt_update, [((opt, _r(4), _r(4), s), {}) for s in [3, 3, 3, 4, 5, 6]])
    steady(f, 3)
    f = differential(opt_update_no_step, [((opt, _r(4), _r(4)), {}) for _ in range(5)])
    steady(f, 3)


def test_star_args_and_kwargs_passed_through_a_wrapper():
    calls = [((_r(3), 2.0), {"b": 1.0, "extra": 0.5}) for _ in range(5)]
    f = differential(wrapper, calls)
    steady(f, 3)
    calls = [((_r(3), 2.0, 0.5, 3.0), {}) for _ in range(5)]
    f = differential(wrapper, calls)
    steady(f, 3)


def test_splat_of_a_local_dict_and_tuple():
    f = differential(splat_local, [((_r(3), _r(3)), {}) for _ in range(5)])
    steady(f, 3)


def test_star_args_callee_loops_over_its_tuple():
    f = differential(call_sum_all, [((_r(3), _r(2)), {}) for _ in range(5)])
    steady(f, 3)


def test_a_keyword_given_twice_raises_like_python():
    f = differential(duplicate_keyword, [((_r(3),), {}) for _ in range(4)])
    assert f.stats["graph_calls"] == 0
