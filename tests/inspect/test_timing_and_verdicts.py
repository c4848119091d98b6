"""Issue 12 items 2 and 10: timings print their spread, a word for what they show, why a
graph-served function is not faster, and a warning when the machine was busy; the verdict
says "graph-served" (what was measured), never "fast"; shares never round 99.7% up to
100%; a callable object is not called "a builtin or C function"."""
from __future__ import annotations

import numpy as np

import janus_lite as jl
from janus_lite.inspect import timing
from janus_lite.inspect.explain import _pct
from differential import differential, steady


def small_step(w, g, lr):
    return w - lr * g


def _served():
    f = differential(small_step, [(np.ones(8), np.ones(8), 0.1)] * 5)
    steady(f)
    return f


def test_report_has_spread_word_and_why_not():
    f = _served()
    cmp = timing.comparison([1e-5, 1.1e-5, 0.9e-5, 1e-5], [1.2e-5, 1.3e-5, 1.1e-5, 1.2e-5],
                            reps=10, busy=0.0)
    lines = timing.report_lines("small_step", cmp, f)
    assert "speedup 0.83x (slower; median of 4 interleaved rounds, middle half of rounds" \
        in lines[0]
    why = [line for line in lines if "why not faster" in line]
    assert why and "the call is short" in why[0] and "FUSE_MIN_ELEMENTS" in why[0]
    assert not any("busy" in line for line in lines)


def test_report_warns_when_busy_and_is_quiet_when_faster():
    f = _served()
    cmp = timing.comparison([2e-3] * 5, [1e-3] * 5, reps=3, busy=1.5)
    lines = timing.report_lines("small_step", cmp, f)
    assert "(faster;" in lines[0]
    assert not any("why not faster" in line for line in lines)
    assert any("warning: the machine was busy" in line and "1.5 CPUs" in line for line in lines)


def test_speed_words():
    same = timing.comparison([1.0] * 4, [1.0, 1.01, 0.99, 1.0], reps=1)
    noisy = timing.comparison([1.0] * 4, [0.3, 3.0, 0.5, 2.0], reps=1)
    assert timing.speed_word(same) == "about the same speed"
    assert timing.speed_word(noisy) == "too noisy to tell"


def test_compare_measures_rounds_and_busy():
    f = _served()
    cmp = timing.compare(small_step, f, (np.ones(8), np.ones(8), 0.1), rounds=5, reps=3)
    assert len(cmp.plain_rounds) == len(cmp.jit_rounds) == 5 and cmp.spread() is not None
    assert cmp.busy is None or cmp.busy >= 0.0


def test_verdict_word_says_graph_served():
    f = _served()
    text = f.explain()
    assert "Verdict: graph-served" in text and "Verdict: fast" not in text


def test_percentages_do_not_round_to_100_or_0():
    assert _pct(997, 1000) == "99.7%"
    assert _pct(1999, 2000) == "99.9%"
    assert _pct(99999, 100000) == "99.9%"
    assert _pct(1000, 1000) == "100%"
    assert _pct(1, 1000) == "0.1%" and _pct(1, 100000) == "<0.1%"
    assert _pct(3, 5) == "60%" and _pct(0, 5) == "0%"
    f = _served()
    assert timing.served_line(f).startswith("graph-served calls: 3/5 (60.0%)")


def test_served_line_does_not_round_up():
    class Fake:
        stats = {"calls": 10000, "graph_calls": 9998, "conversions": 1}
    assert "(99.98%)" in timing.served_line(Fake())


class Scale:
    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return x * self.k


def test_callable_object_is_not_called_a_builtin():
    f = jl.jit(Scale(2.0))
    differential(Scale(2.0), [(np.ones(3),)] * 3, decorated=f)
    text = f.explain()
    assert "builtin or C function" not in text
    assert "callable object (a Scale instance)" in text
    assert "Scale.__call__ = janus_lite.jit(Scale.__call__)" in text
    assert "decorate the class's __call__ method" in text
    g = jl.jit(len)
    g([1, 2])
    assert "builtin or C function" in g.explain()
