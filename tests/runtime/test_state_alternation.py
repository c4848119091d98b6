"""State the function reads (an attribute's type, a config object's optional field) that
alternates between calls gets a graph per variant, kept side by side, instead of one graph
rebuilt on every call."""
from dataclasses import dataclass

import numpy as np

import janus_lite

from differential import differential, steady


@dataclass
class Config:
    lr: float = 0.1
    momentum: float = 0.9
    clip: float | None = None


def update(w, g, v, cfg):
    if cfg.clip is not None:
        g = np.clip(g, -cfg.clip, cfg.clip)
    v *= cfg.momentum
    v -= cfg.lr * g
    w += v
    return w


def test_optional_config_field_alternating_keeps_a_graph_per_variant():
    calls = [(np.ones(3), np.ones(3) * i, np.zeros(3), Config(clip=0.5 if i % 2 else None))
             for i in range(12)]
    f = differential(update, calls)
    s = steady(f, 8)
    assert s["conversions"] <= 3, f.explain()
    assert s["graphs"] == 2, f.explain()


class Frozen:
    def __init__(self, frozen):
        self.frozen = frozen
        self.params = [np.zeros(2), np.zeros(2), np.ones(2)]


def live_step(m, g):
    grads = [None if f else g * (i + 1) for i, f in enumerate(m.frozen)]
    live = [(p, d) for p, d in zip(m.params, grads) if d is not None]
    for p, d in live:
        p -= 0.1 * d
    return len(live)


def test_flag_that_decides_a_lists_length_gets_a_graph_per_value_when_it_cannot_be_read_at_run_time():
    # relaxing self.frozen[1] to a run-time value cannot be converted (the live list's
    # length would be unknown): the flag stays folded, and the new value gets its own graph
    # beside the first instead of every later call running the plain function
    calls = [(Frozen([False, False, True]), np.ones(2)) for _ in range(6)] + \
            [(Frozen([False, True, False]), np.ones(2)) for _ in range(8)]
    f = differential(live_step, calls)
    s = f.stats
    assert s["graphs"] == 2 and s["graph_calls"] >= 10, f.explain()


class Stepper:
    def __init__(self):
        self.t = 0
        self.v = np.zeros(3)

    def bump(self):
        self.t += 1


def stepped_update(opt, g, loss):
    lr = 0.1 / (1 + opt.t) + 0.0 * loss
    opt.v = 0.9 * opt.v + lr * g
    return opt.v * 2.0


def test_an_argument_and_a_counter_changed_between_calls_are_relaxed_together():
    # the float argument and the step counter (bumped outside the function) change on every
    # call: relaxing the argument alone would give a graph that misses on the counter next
    # call, rebuilding one graph per call
    opt = Stepper()
    calls = []
    for i in range(30):            # two updates per step (a weight and a bias), one loss
        calls.append((np.full(3, 1.0 + i), np.full(3, 2.0 - i), 5.0 / (i + 1)))
    f = janus_lite.jit(stepped_update)
    out_j, out_p = [], []
    import copy
    opt_p = copy.deepcopy(opt)
    for fn, o, out in ((f, opt, out_j), (stepped_update, opt_p, out_p)):
        for g1, g2, loss in calls:
            out.append(fn(o, g1, loss))
            out.append(fn(o, g2, loss))
            o.bump()
    assert all(np.array_equal(a, b) for a, b in zip(out_j, out_p))
    assert opt.t == opt_p.t and np.array_equal(opt.v, opt_p.v)
    assert f.stats["conversions"] <= 4 and f.stats["graph_calls"] >= 50, f.explain()
