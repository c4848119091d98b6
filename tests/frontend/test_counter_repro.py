"""Issue 12 item 1: ``self.hits += 1`` under a data-dependent branch inside a short loop.
The attribute untouched on one path is read as the object holds it on entry (typed and
guarded), so the branches merge into an int and the next trip's ``+=`` is a plain add."""
import inspect

import numpy as np

import janus_lite
from differential import assert_same, differential, steady


class Counter:
    def __init__(self):
        self.hits = 0

    def step(self, x):
        for _ in range(2):
            if x.sum() > 0:
                self.hits += 1
        return x * 2


class Stats:
    def __init__(self):
        self.total = 0.0
        self.best = None

    def record(self, loss):
        if loss < 1.0:
            self.total += loss
        else:
            self.total -= 1.0
        return self.total


def step(c, x):
    return c.step(x)


SIGNS = [1, 1, 1, -1, -1, -1, 1, 1, -1, 1]


def test_counter_repro_stays_on_graphs():
    c = Counter()
    f = differential(step, [((c, np.full(3, float(s))), {}) for s in SIGNS])
    steady(f, 5)


def test_counter_repro_decorated_in_the_class_body():
    class C(Counter):
        step = janus_lite.jit(Counter.step)
    plain, jitted = Counter(), C()
    for s in SIGNS:
        x = np.full(3, float(s))
        assert_same(jitted.step(x), plain.step(x))
        assert jitted.hits == plain.hits
    assert C.step.stats["graph_calls"] >= 5, C.step.explain()


def test_float_attribute_updated_on_both_paths():
    s = Stats()
    f = differential(Stats.record, [((s, v), {}) for v in [0.5, 2.0, 0.25, 3.0, 0.5, 0.1]])
    steady(f, 2)


def grow_list_arg(lst, x):
    lst += [x]
    return x * 2


def test_reason_names_the_statement_and_line():
    f = differential(grow_list_arg, [(([], np.ones(2)), {}) for _ in range(4)])
    text = f.explain()
    line = inspect.getsourcelines(grow_list_arg)[1] + 1
    assert "`lst += [x]`" in text and f"line {line}" in text, text
