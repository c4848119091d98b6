"""Issue 12 item 3: turning janus_lite off (JANUS_LITE_DISABLE, disabled()) and f.reset()."""
from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np

import janus_lite as jl
from differential import differential, steady


def step(w, g, lr):
    return w - lr * g


def test_disabled_block_runs_the_plain_function_and_counts_it():
    f = jl.jit(step)
    w, g = np.ones(4), np.full(4, 0.5)
    with jl.disabled():
        for _ in range(5):
            out = f(w, g, 0.1)
    np.testing.assert_array_equal(out, step(w, g, 0.1))
    s = f.stats
    assert s["calls"] == 5 and s["disabled_calls"] == 5 and s["imperative_calls"] == 5
    assert s["graph_calls"] == 0 and s["conversions"] == 0 and f.graphs == []
    for _ in range(4):                 # on again: profiles, builds, serves
        f(w, g, 0.1)
    assert f.stats["graph_calls"] >= 1 and f.stats["disabled_calls"] == 5


def test_disabled_is_differential_and_nests():
    def body(x):
        print("x sum", float(x.sum()))
        return np.sin(x) + 1
    calls = [(np.arange(3.0) + i,) for i in range(5)]
    f = jl.jit(body)
    with jl.disabled():
        with jl.disabled():
            differential(body, calls, decorated=f)
        assert f.stats["disabled_calls"] == 5
    assert f.stats["disabled_calls"] == 5


def test_disabled_is_per_thread():
    f = jl.jit(step)
    w, g = np.ones(4), np.ones(4)
    inside, leave = threading.Event(), threading.Event()

    def hold():
        with jl.disabled():
            inside.set()
            leave.wait(10)
    t = threading.Thread(target=hold)
    t.start()
    try:
        assert inside.wait(10)
        for _ in range(5):            # this thread is not inside the block
            f(w, g, 0.1)
    finally:
        leave.set()
        t.join()
    assert f.stats["disabled_calls"] == 0
    steady(f)


def test_disabled_through_config_knob():
    f = jl.jit(step)
    with jl.config.patch(DISABLE=True):
        f(np.ones(2), np.ones(2), 0.5)
    assert f.stats["disabled_calls"] == 1
    f(np.ones(2), np.ones(2), 0.5)
    assert f.stats["disabled_calls"] == 1


def test_env_variable_disables(tmp_path):
    code = ("import numpy as np, janus_lite as jl\n"
            "f = jl.jit(lambda x: x + 1)\n"
            "def g(x):\n    return x * 2\n"
            "h = jl.jit(g)\n"
            "for _ in range(6): h(np.ones(3))\n"
            "print(h.stats['disabled_calls'], h.stats['graph_calls'], jl.config.DISABLE)\n")
    env = dict(os.environ, JANUS_LITE_DISABLE="1")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["6", "0", "True"]


def test_reset_drops_graphs_profile_and_counters():
    f = jl.jit(step)
    w, g = np.ones(4), np.ones(4)
    for _ in range(5):
        f(w, g, 0.1)
    assert f.graphs and f.stats["graph_calls"] >= 1
    f.reset()
    s = f.stats
    assert all(s[k] == 0 for k in ("calls", "imperative_calls", "graph_calls", "fallbacks",
                                   "conversions", "failed_conversions", "graphs"))
    assert f.graphs == [] and list(f.events) == []
    # profiles again from scratch: the next call is a profile run, not a graph call
    f(w[:2], g[:2], 0.1)
    assert f.stats["imperative_calls"] == 1 and f.stats["graph_calls"] == 0
    differential(step, [(np.ones(3), np.ones(3), 0.1)] * 5, decorated=f)
    steady(f)


def test_reset_keeps_options():
    f = jl.jit(step, profile_runs=1, max_graphs=3, backend="interpreter")
    f(np.ones(2), np.ones(2), 0.1)
    f.reset()
    assert (f.profile_runs, f.max_graphs, f.backend) == (1, 3, "interpreter")
