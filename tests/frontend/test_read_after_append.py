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


def set_then_append_then_len(lst, v):
    lst[0] = v
    lst.append(v * 2)
    return len(lst)


def append_then_count(lst, v):
    lst.append(v)
    return len(lst), lst[-1] is v


def test_length_of_an_argument_list_the_call_appends_to_is_the_length_it_came_with():
    """The conversion reads its example after the profiled call ran: the list argument had
    3 items there, while the guard (from the arguments as they came) says 2. The graph read
    a third item that a fresh 2-item list does not have (IndexError on every call: never
    served) and would have returned 4. The length now comes from the arguments' spec."""
    f = differential(set_then_append_then_len, [([1.0, 2.0], np.ones(2)) for _ in range(6)])
    steady(f, 3)
    g = differential(append_then_count, [([0.5], np.ones(2)) for _ in range(6)])
    steady(g, 3)


def test_two_guards_on_one_value_that_disagree_stop_the_conversion():
    """One place decides what a value is assumed to be: a second reading of the same value
    that disagrees with the first (a length before and after the call) fails the conversion
    instead of building a graph whose model contradicts its guards."""
    import pytest
    from janus_lite.frontend.context import ConversionContext
    from janus_lite.frontend.errors import ConversionError
    from janus_lite.runtime.guards import Guard, param
    cx = ConversionContext.__new__(ConversionContext)
    cx._guarded, cx.guards, cx.filename = {}, [], "x.py"
    cx.add_guard(Guard("len", param("lst"), 2, 3))
    cx.add_guard(Guard("len", param("lst"), 2, 4))         # the same: kept once
    assert len(cx.guards) == 1
    with pytest.raises(ConversionError, match="inconsistent assumptions"):
        cx.add_guard(Guard("len", param("lst"), 3, 5))


class History:
    def __init__(self):
        self.losses = []
        self.stats = {"n": 0}

    def record(self, loss):
        self.losses.append(loss)
        self.stats["n"] += 1
        return len(self.losses), self.losses[-1]


def count_after_append(log, x):
    log.append(x.sum())
    log.append(x.min())
    return len(log) * 1.0, x / len(log)


def len_twice(log, x):
    n0 = len(log)
    log.append(x.sum())
    return n0, len(log)


def counted(x, memo={}, seen=[]):
    """A mutable default dict counter and list (both change every call)."""
    key = x.shape
    memo[key] = memo.get(key, 0) + 1
    seen.append(x.sum())
    return memo[key], len(seen)


def test_len_after_append_is_read_at_run_time_without_a_length_guard():
    h = History()
    f = differential(History.record, [(h, float(i)) for i in range(10)])
    steady(f, 7)
    assert f.stats["fallbacks"] == 0, f.explain()
    assert "len(self.losses) ==" not in f.explain()


def test_len_of_a_list_argument_after_appends():
    for fn in (count_after_append, len_twice):
        log = []
        f = differential(fn, [(log, np.arange(3.0) + i) for i in range(8)])
        steady(f, 5)
        assert f.stats["fallbacks"] == 0, f.explain()


def test_a_mutable_default_counter_and_history_do_not_thrash():
    """The dict counter is relaxed after its first miss; the default list, which grows,
    merges with the relaxed spec (it used to be 'a new signature' every call: one graph
    per call, none serving, until max_graphs)."""
    f = janus_lite.jit(counted)
    plain_memo, plain_seen = {}, []
    for i in range(12):
        x = np.ones(3) * i
        want = counted(x, plain_memo, plain_seen)
        assert f(x) == want
    assert f.stats["conversions"] <= 3, f.explain()
    assert f.stats["graph_calls"] >= 8, f.explain()
    assert counted.__defaults__[0] == plain_memo and len(counted.__defaults__[1]) == 12
