"""Issue 15: the conversion budget before the first graph (config.CONVERSION_PAYBACK) and
lazy set-up. A function too cheap or too short-lived for its conversion to pay runs the
plain function (timed, unprofiled, its source not even parsed) until its own run time has
paid for the predicted conversion; explain() says it waits. Decorating parses and checks
the source (what cannot run as graphs is said there, as before) but instruments nothing."""
import warnings

import numpy as np
import pytest
from differential import differential

import janus_lite
from janus_lite.runtime import budget


def momentum_step(w, v, g, lr):
    v *= 0.9
    v += g
    w -= lr * v
    return float(np.sum(w * w))


def _calls(n):
    w, v = np.linspace(-1, 1, 5), np.zeros(5)
    return [((w, v, np.full(5, 0.1 * i), 0.05), {}) for i in range(n)]


def test_waiting_function_runs_plainly_and_says_why(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PAYBACK", 1e9)
    f = janus_lite.jit(momentum_step)
    assert not f._set_up                       # decorating instrumented nothing
    differential(momentum_step, _calls(12), decorated=f)
    s = f.stats
    assert s["calls"] == 12 and s["imperative_calls"] == 12 and s["conversions"] == 0, s
    assert not f._set_up and f.graphs == []
    text = f.explain()
    assert "waiting for its conversion budget" in text and "CONVERSION_PAYBACK" in text, text
    assert f.budget_wait is not None


def test_function_converts_once_its_run_time_pays(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PAYBACK", 1.0)
    monkeypatch.setattr(budget.COST, "seconds", 0.0)
    monkeypatch.setattr(budget.COST, "size", 0.0)
    monkeypatch.setattr(budget.COST_PER_RECORD, "seconds", 0.0)
    monkeypatch.setattr(budget.COST_PER_RECORD, "size", 0.0)
    # a prediction of ~0: the first timed call pays for it
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PRIOR_US_PER_BYTE", 1e-9)
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PRIOR_US_PER_RECORD", 1e-9)
    f = differential(momentum_step, _calls(10))
    s = f.stats
    assert s["conversions"] == 1 and s["graph_calls"] >= 6, (s, f.explain())
    assert f.budget_wait is None
    assert budget.COST.size > 0                # the conversion taught the cost model


def test_profiled_function_waits_again_when_its_recorded_size_says_so(monkeypatch):
    """Bytecode predicts a cheap conversion; what the profiled runs recorded (every trip of
    an unrolled loop) predicts an expensive one: the function waits again, said so."""
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PAYBACK", 1.0)
    monkeypatch.setattr(budget.COST, "seconds", 0.0)
    monkeypatch.setattr(budget.COST, "size", 0.0)
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PRIOR_US_PER_BYTE", 1e-9)
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PRIOR_US_PER_RECORD", 1e9)
    f = differential(momentum_step, _calls(10))
    s = f.stats
    assert s["conversions"] == 0 and s["imperative_calls"] == 10, s
    assert f._profiler.profile.runs == 2              # profiled once, then waiting again
    assert "waiting for its conversion budget" in f.explain()


def test_switching_off_and_reset_while_waiting(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PAYBACK", 1e9)
    f = janus_lite.jit(momentum_step)
    args = _calls(1)[0][0]
    f(*args)
    with janus_lite.disabled():
        f(*args)
    assert f.stats["disabled_calls"] == 1 and f.stats["calls"] == 2
    f.reset()
    assert f.stats["calls"] == 0
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PAYBACK", 0.0)
    f.reset()
    differential(momentum_step, _calls(5), decorated=f)
    assert f.stats["graph_calls"] == 3, f.explain()


def test_errors_while_waiting_are_the_plain_ones(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PAYBACK", 1e9)

    def bad(x):
        return x @ np.ones((3, 3))
    calls = [((np.ones((2, 3)),), {}), ((np.ones((2, 2)),), {}), ((np.ones(3),), {})]
    differential(bad, calls)


def test_strict_does_not_wait(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PAYBACK", 1e9)
    f = differential(momentum_step, _calls(4), jit_kwargs={"strict": True})
    assert f.stats["graph_calls"] == 2, f.explain()


def test_lazy_setup_keeps_what_is_said_about_unsupported_code():
    def gen(n):
        yield from range(n)

    ns = {}
    exec("def nosrc(x):\n    return x + 1\n", {}, ns)
    with warnings.catch_warnings(record=True) as caught:   # said at decoration, as before
        warnings.simplefilter("always")
        g, h = janus_lite.jit(gen), janus_lite.jit(ns["nosrc"])
    assert any(w.category is janus_lite.PerformanceWarning for w in caught)
    assert not g._set_up                      # instrumenting waits for a profiled call
    assert list(g(3)) == [0, 1, 2] and h(1) == 2
    assert "no usable source" in h.explain()
    assert g.imperative_reason is not None and h.imperative_reason is not None
    with pytest.raises(TypeError):
        janus_lite.jit(momentum_step, profile_runs="2")    # options: still at decoration
