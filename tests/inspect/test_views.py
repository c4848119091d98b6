"""Issue 12 item 7: summary and drawing at the user's level by default (no memory-plan
bookkeeping, constants as arguments/edge labels), verbose views with everything, loops
collapsible, a size cap for large graphs, one node count for title and summary; item 8:
graphs display as SVG in notebooks, summary() is a Report."""
from __future__ import annotations

import re

import numpy as np
import pytest

from differential import differential, steady


def mlp_step(W, b, X, Y, lr):
    h = np.maximum(X @ W + b, 0.0)
    e = np.exp(h - h.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.sum(Y * np.log(p + 1e-12)) / X.shape[0]
    return W - lr * (X.T @ (p - Y)), loss


def newton(x, tol):
    y = x
    while np.abs(y * y - x).max() > tol:
        y = 0.5 * (y + x / y)
    return y


def long_chain(x):
    for _ in range(36):                 # unrolled: ~4 nodes per trip
        x = np.tanh(x * 1.01 + 0.1) - 0.05
    return x


def _graph(fn, calls, at_least=1):
    f = differential(fn, calls)
    steady(f, at_least)
    return f.graphs[-1]


@pytest.fixture
def mlp_graph():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((6, 3)).astype(np.float32)
    b = np.zeros(3, np.float32)
    X = rng.standard_normal((64, 6)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 64)]
    return _graph(mlp_step, [(W, b, X, Y, 0.1)] * 5)


def _nodes_line(text):
    return int(re.search(r"^Nodes: (\d+)", text, re.M).group(1))


def test_summary_hides_bookkeeping_by_default(mlp_graph):
    text = mlp_graph.summary()
    full = mlp_graph.summary(verbose=True)
    assert "BufferPool" not in text and "buffers.acquire" not in text
    assert "buffers.release" not in text and "@out" not in text
    assert "buffers.acquire" in full and "buffers.release" in full
    assert "const None" not in text and "const False" not in text
    assert "reduce.max(axis=1, keepdims=True)" in text
    assert "reduce.sum(axis=1, keepdims=True)" in text
    assert re.search(r"const (None|False)", full)
    assert "np.maximum(·, 0.0)" in text
    assert "input, folded in = 0.1" in text          # lr: folded, said so
    assert "more not shown" in text and "summary(verbose=True)" in text
    assert _nodes_line(full) > _nodes_line(text)
    assert mlp_graph.summary(show_internal=True) == full


def test_summary_is_a_report(mlp_graph):
    text = mlp_graph.summary()
    assert isinstance(text, str) and repr(text) == str(text)
    assert text._repr_html_().startswith("<pre")


def test_dot_constants_are_edge_labels(mlp_graph):
    dot = mlp_graph.to_dot()
    assert re.search(r'-> "\w+" \[label="axis=1, keepdims=True"', dot)
    assert "BufferPool" not in dot and "buffers." not in dot
    assert 'label="None"' not in dot and 'label="False"' not in dot
    full = mlp_graph.to_dot(show_internal=True)
    assert "buffers.acquire" in full and 'label="None"' in full


def test_title_and_summary_count_the_same_nodes(mlp_graph):
    for opts in ({}, {"show_internal": True}):
        dot = mlp_graph.to_dot(**opts)
        title = int(re.search(r'label="mlp_step: (\d+) nodes', dot).group(1))
        summary = mlp_graph.summary(verbose=bool(opts))
        assert title == _nodes_line(summary)
        drawn = len(re.findall(r'^\s+"[^"]+" \[label=', dot, re.M))
        assert drawn == title


def test_loops_collapse():
    g = _graph(newton, [(np.arange(1.0, 5.0), 1e-6)] * 5)
    assert any(n.subgraphs for n in g.nodes())
    open_ = g.to_dot(collapse=False)
    closed = g.to_dot(collapse=True)
    assert "subgraph cluster" in open_ and "subgraph cluster" not in closed
    assert re.search(r"loop \(while\).*while\d*: \d+ nodes \| .*body\d*: \d+ nodes", closed)
    assert "collapsed" in closed


def test_large_graph_is_capped_and_readable(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import janus_lite.config as config
    monkeypatch.setattr(config, "LOOP_NODE_AFTER_NODES", 10_000)   # unrolled, not a loop node
    g = _graph(long_chain, [(np.linspace(0, 1, 8),)] * 5)
    n = _nodes_line(g.summary(verbose=True))
    assert n >= 140                                   # the 144-node case
    dot = g.to_dot()
    assert 'size="24,24"' in dot
    path = tmp_path / "big.png"
    g.draw(str(path), engine="matplotlib")
    from matplotlib.image import imread
    h, w = imread(str(path)).shape[:2]
    assert max(w, h) <= 24 * 110 + 2, (w, h)
    assert min(w, h) >= 200


def test_graph_repr_svg_for_notebooks(mlp_graph):
    pytest.importorskip("matplotlib")
    svg = mlp_graph._repr_svg_()
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "mlp_step" in svg


def test_unknown_view_options_are_errors(mlp_graph):
    with pytest.raises(TypeError):
        mlp_graph.summary(verbos=True)
    with pytest.raises(TypeError):
        mlp_graph.to_dot(show_internals=True)
