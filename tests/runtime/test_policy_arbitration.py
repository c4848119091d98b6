"""Issue 15: never slower than the plain function. Once graphs serve a function, calls are
timed both ways; where the graph is not faster, the plain function serves the calls (the
graph stays built), re-measured now and then. Speed is never asserted here: the graphs are
made slow (or the plain function slow) by a test hook, and what is checked is that every
observable stays the plain function's and that stats/explain()/events say what happened."""
import time
import warnings

import numpy as np
import pytest
from differential import differential

import janus_lite
from janus_lite.api import SpeculativeFunction


@pytest.fixture
def arbitrate(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "ARBITRATE", True)
    monkeypatch.setattr(janus_lite.config, "ARBITRATE_SAMPLES", 3)
    monkeypatch.setattr(janus_lite.config, "ARBITRATE_RECHECK_CALLS", 10)


@pytest.fixture
def slow_graphs(monkeypatch):
    """Every installed graph entry sleeps 2 ms before running (the graph is slower)."""
    real = SpeculativeFunction._install

    def install(self, active):
        real(self, active)

        def slow(entry):
            def run(*a, **k):
                time.sleep(0.002)
                return entry(*a, **k)
            return run
        # the dispatch tries ``_cur`` (and, with several graphs, the orders in ``_plan``):
        # all of them must run the slowed entries, or the sleep never happens and the test
        # depends on the graph being slower by itself
        slowed = tuple((cg, slow(e), *rest) for cg, e, *rest in self._entries)
        self._entries = self._cur = slowed
        if self._plan is not None:
            self._plan = ([(e,) + slowed[:i] + slowed[i + 1:] for i, e in enumerate(slowed)],
                          {})
    monkeypatch.setattr(SpeculativeFunction, "_install", install)


def sgd_step(w, g, lr):
    noise = np.random.normal(size=w.shape)       # global RNG: the same draws either way
    w -= lr * g + 0.01 * noise                   # an argument updated in place
    return np.log(w).sum()                       # a RuntimeWarning once w goes negative


def test_slower_graph_is_not_used_and_everything_stays_exact(arbitrate, slow_graphs):
    w = np.linspace(0.5, 1.5, 6)
    calls = [((w.copy(), np.full(6, 0.1 * (i % 3)), 0.5), {}) for i in range(40)]
    f = differential(sgd_step, calls)
    s = f.stats
    assert s["plain_calls"] > 20, (s, f.explain())
    assert s["calls"] == 40
    assert s["calls"] == s["graph_calls"] + s["imperative_calls"] + s["plain_calls"], s
    assert s["graphs"] == 1 and f.active_graphs, f.explain()          # kept, not dropped
    assert f.arbitration[0] == "plain"
    assert f._arbiter.graph_us > 2000, f.explain()     # the slowed entry did run
    text = f.explain()
    assert "plain function is faster here" in text and "graph #1 kept but not used" in \
        text.replace("by graph #1; graph kept", "graph #1 kept"), text
    # re-measured every ARBITRATE_RECHECK_CALLS calls (then doubled): several decisions
    assert sum(e.count for e in f.events if e.kind == "arbitrated") >= 2, text


def test_warnings_and_state_identical_while_the_plain_function_serves(arbitrate,
                                                                       slow_graphs):
    def run(fn):
        np.random.seed(3)
        w = np.linspace(0.02, 0.3, 5)
        out, caught_all = [], []
        for i in range(30):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out.append(fn(w, np.full(5, 0.01 * i), 0.1))
            caught_all.append([(w_.category, str(w_.message)) for w_ in caught])
        return out, caught_all, w, np.random.get_state()[1][:5].copy()

    plain = run(sgd_step)
    f = janus_lite.jit(sgd_step)
    ours = run(f)
    assert f.stats["plain_calls"] > 0, f.explain()
    np.testing.assert_array_equal(np.array(plain[0]), np.array(ours[0]))
    assert plain[1] == ours[1] and any(plain[1])
    np.testing.assert_array_equal(plain[2], ours[2])
    np.testing.assert_array_equal(plain[3], ours[3])


def test_faster_graph_keeps_serving(arbitrate, monkeypatch):
    def axpy(a, x, y):
        return a * x + y

    f = janus_lite.jit(axpy)
    real = f.__wrapped__

    def slow_plain(*a, **k):           # the plain side of the measurement is slow
        time.sleep(0.002)
        return real(*a, **k)
    x, y = np.arange(4.0), np.ones(4)
    for _ in range(3):
        f(2.0, x, y)                   # profiled, then the graph is built and serves
    f.__wrapped__ = slow_plain
    calls = [((2.0, x + i, y), {}) for i in range(30)]
    differential(axpy, calls, decorated=f)
    assert f.arbitration[0] == "graph", f.explain()
    assert type(f) is SpeculativeFunction          # the measuring dispatch is gone
    s = f.stats
    assert s["plain_calls"] == janus_lite.config.ARBITRATE_SAMPLES, s
    assert s["graph_calls"] == s["calls"] - 2 - s["plain_calls"], s
    assert "Measured: graph #1 is faster than the plain function" in f.explain()


def test_errors_disabled_calls_and_reset_while_the_plain_function_serves(arbitrate,
                                                                        slow_graphs):
    def affine(x, w):
        return x @ w

    w = np.ones((3, 2))
    bad = np.ones((4, 4))
    calls = [((np.full((2, 3), float(i)), w), {}) for i in range(25)] + \
        [((bad, w), {})] + [((np.ones((2, 3)), w), {})]
    f = differential(affine, calls)          # the bad call raises the plain ValueError
    assert f.arbitration[0] == "plain", f.explain()
    try:
        f(bad, w)
    except ValueError as exc:
        tb, files = exc.__traceback__, []
        while tb is not None:
            files.append(tb.tb_frame.f_code.co_filename)
            tb = tb.tb_next
        assert not any("janus_lite" in p and "tests" not in p for p in files), files
    with janus_lite.disabled():
        f(np.ones((2, 3)), w)
    assert f.stats["disabled_calls"] == 1
    f.reset()
    assert type(f) is SpeculativeFunction and f.stats["plain_calls"] == 0
    assert f.arbitration is None


def test_off_means_graphs_only(monkeypatch, slow_graphs):
    monkeypatch.setattr(janus_lite.config, "ARBITRATE", False)
    f = differential(sgd_step, [((np.linspace(1, 2, 4), np.zeros(4), 0.1), {})] * 12)
    assert f.stats["plain_calls"] == 0 and f.stats["graph_calls"] == 10
    assert f.arbitration is None
