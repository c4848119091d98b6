"""Clock reads (``time.perf_counter()``, ``time.time()``...) in a function: read when the
graph runs, in program order, never folded into a constant or merged with another read.
Before, any function that timed itself ran imperatively ("call of unknown function")."""
import time

import numpy as np

from differential import differential, steady

rng = np.random.default_rng(71)


def timed_epoch(w, X, y, lr):
    t0 = time.perf_counter()
    for _ in range(3):
        w = w - lr * (X.T @ (X @ w - y)) / len(y)
    dt = time.perf_counter() - t0
    return w, dt >= 0.0, type(dt)


def two_reads(x):
    a = time.perf_counter_ns()
    y = x * 2.0
    b = time.perf_counter_ns()
    return y, b > a, type(b), time.time() > 1e9


def test_a_function_that_times_itself_gets_a_graph():
    X = rng.standard_normal((40, 5))
    calls = [(np.zeros(5), X, X @ np.ones(5), 0.1) for _ in range(6)]
    f = differential(timed_epoch, calls)
    steady(f, 3)
    assert any(n["op"] == "time.perf_counter" for _, n in f.graphs[-1].to_networkx().nodes(data=True))


def test_each_clock_read_is_its_own_reading():
    """Two reads of a nanosecond clock around work are not merged into one (b > a on every
    graph run) nor folded to the value seen while converting."""
    f = differential(two_reads, [(np.arange(4.0),) for _ in range(8)])
    steady(f, 5)
    firsts = {f(np.arange(4.0))[1] for _ in range(5)}
    assert firsts == {True}
