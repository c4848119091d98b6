"""An item of an argument array read again inside a branch or a loop body (``if x[i] < 0:
continue ... s += x[i]``), and Python int arithmetic repeated there (``x[i - 1]`` three
times), are computed once: the branch captures the value read before it (the passes do
not optimize subgraphs). Never when the array was updated in between (the update goes to
a copy, read under another name)."""
import numpy as np

from benchmarks.percall import scan, while_loop as while_scan   # the measured probes
from differential import differential, steady

rng = np.random.default_rng(75)


def read_write_read(x, k):
    a = x[k]
    x[k] = a * 2
    if x[k] > 1:
        return a + x[k]
    return a - x[k]


def loop_update_between(x, n):
    t = 0.0
    for i in range(n):
        before = x[i % 4]
        x[i % 4] += 1.0
        if x[i % 4] > before:
            t += x[i % 4] - before
    return t


def test_item_read_in_branches_is_read_once():
    calls = [(rng.standard_normal(8) * 2,) for _ in range(8)] + [(np.full(8, 3.0),)]
    f = differential(scan, calls)
    steady(f, 5)
    body = f.graphs[-1].source()
    assert body.count("x[") == 1, body


def test_while_index_arithmetic_and_read_once():
    calls = [(rng.standard_normal(8) * 2,) for _ in range(8)]
    f = differential(while_scan, calls)
    steady(f, 5)
    body = f.graphs[-1].source()
    assert body.count("x[") == 1 and body.count("- (1)") == 1, body


def test_reads_after_an_update_are_not_reused():
    f = differential(read_write_read, [(rng.standard_normal(4), i % 4) for i in range(8)])
    steady(f, 3)
    g = differential(loop_update_between, [(rng.standard_normal(4), 6) for i in range(6)])
    steady(g, 3)
