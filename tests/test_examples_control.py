"""The control-flow examples (issue 3) are served by graphs: the char-RNN training step (a
Python loop through time, forward and backward) and the tree-structured recursive network.
Each runs in quick mode in-process; the decorated function must be answered by graphs on
nearly every call after profiling, with few graphs built, and print its side-by-side timing.
Exactness against the plain functions is tested in tests/test_examples.py."""
import importlib
import os
import re
import sys

import numpy as np
import pytest

from differential import differential, steady

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def example(name):
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    return importlib.import_module(name)


def _served(stdout):
    m = re.search(r"graph-served calls: (\d+)/(\d+) \(([\d.]+)%\), graphs built: (\d+)", stdout)
    assert m, stdout
    return int(m[1]), int(m[2]), int(m[4])


@pytest.mark.parametrize("name, max_graphs", [("char_rnn", 2), ("tree_rnn", 24)])
def test_example_served_by_graphs(name, max_graphs, capsys):
    m = example(name)
    f = m.fast_loss_and_grads
    before = dict(f.stats)
    m.main(["--quick"])
    out = capsys.readouterr().out
    served, calls, built = _served(out)
    assert "speedup" in out and "interleaved" in out
    s = f.stats
    new_calls = s["calls"] - before["calls"]
    new_graph = s["graph_calls"] - before["graph_calls"]
    assert new_graph >= 0.8 * new_calls, f"{name}: {s}\n{f.explain()}"
    assert 1 <= s["conversions"] <= max_graphs, s
    assert served >= 0.8 * calls and built >= 1


def test_char_rnn_step_served_by_one_graph_through_time():
    m = example("char_rnn")
    V, H, T = 9, 6, 12
    params = m.init(V, H, seed=1)
    data = np.random.default_rng(1).integers(0, V, 80)
    calls = [(data[i:i + T], data[i + 1:i + T + 1], np.zeros(H), *params) for i in range(0, 60, 6)]
    f = differential(m.loss_and_grads, calls)
    s = steady(f, 7)
    assert s["conversions"] == 1 and s["fallbacks"] == 0, s


def test_tree_rnn_served_per_tree_structure():
    m = example("tree_rnn")
    params = m.init(4)
    shapes = [((0, 1), 2), (0, (1, (2, 3))), ((0, 1), (2, 3))]
    trees = [shapes[0], shapes[0]] + [((a + i) % 9, b) if isinstance(a, int) else (a, b)
                                      for i in range(4) for a, b in shapes]
    f = differential(m.loss_and_grads, [(t, i % 2, *params) for i, t in enumerate(trees)])
    s = steady(f, 7)
    # one graph per tree structure; each new structure may be relaxed once (its label seen
    # as a constant first, then as an input)
    assert s["graphs"] == len(shapes) and s["conversions"] <= 2 * len(shapes), s
