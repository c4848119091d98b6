"""Issue 11.4/12.6: one typed object per built graph; numbers and statuses agree between
the log, explain(), f.graphs, f.active_graphs and the repr."""
import logging

import numpy as np

import janus_lite
from janus_lite.runtime.compiled import CompiledGraph, Status


def scale(x, a):
    return x * a


def test_numbers_and_statuses_agree_everywhere(caplog):
    f = janus_lite.jit(scale)
    with caplog.at_level(logging.INFO, logger="janus_lite"):
        for n in (4, 4, 4, 5, 6, 6):
            f(np.ones(n, np.float32), 2.0)
        for _ in range(2):
            f(np.ones(3), 2.0)
    graphs = f.graphs
    assert all(isinstance(g, CompiledGraph) for g in graphs)
    assert [g.number for g in graphs] == list(range(1, len(graphs) + 1))
    built = [r.getMessage() for r in caplog.records if "built (" in r.getMessage()]
    assert len(built) == len(graphs) == f.stats["conversions"]
    for g, msg in zip(graphs, built):
        assert f"graph #{g.number} built" in msg
    text = f.explain()
    for g in graphs:
        assert f"#{g.number}" in repr(g) and f"({g.status})" in repr(g)
        if g.status is Status.ACTIVE:
            assert g in f.active_graphs and f"Graph #{g.number} — active" in text
        else:
            assert g not in f.active_graphs and f"graph #{g.number} (" in text
    assert f.stats["graphs"] == len(f.active_graphs)
    assert any(g.status is Status.REPLACED for g in graphs)


def test_compiled_graph_answers_the_graph_views():
    f = janus_lite.jit(scale)
    for _ in range(3):
        f(np.ones(4), 2.0)
    g = f.graphs[-1]
    assert g.to_networkx().number_of_nodes() == len(g)
    assert "mul" in g.summary() or "multiply" in g.summary()
    assert g.source() and "def" in g.source()
    assert g.assumptions and g.assumptions[0].is_guard
    assert g.tier == "numpy" and g.hits == 1 and g.guards
