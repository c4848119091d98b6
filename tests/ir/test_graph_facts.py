"""The facts the pipeline records on a graph are typed attributes (guards, keep, mutated,
written, pass_reports, memory, fused, code, backend, tier_state, dask_report); ``meta``
only shows them under the dict keys earlier versions used, read-only."""
import numpy as np
import pytest

import janus_lite as jl
from janus_lite.ir import Graph


def step(w, x, lr):
    y = w @ x
    w -= lr * np.outer(y, x)
    return float(y.sum())


def test_each_stage_records_its_facts_as_attributes():
    f = jl.jit(step)
    w, x = np.ones((3, 3)), np.arange(3.0)
    for _ in range(4):
        f(w, x, 0.01)
    g = f.graphs[-1].graph
    assert [gd.kind for gd in g.guards] and g.guards == f.graphs[-1].guards
    assert g.backend == "numpy" and g.code == f.graphs[-1].source() == g.source()
    assert {"fold", "cse", "dce"} <= set(g.pass_reports)
    assert "imperative_peak_bytes" in g.memory and "planned_peak_bytes" in g.memory
    assert g.mutated and all(g[n].op == "np.copy" for n in g.mutated)   # w's private copy
    assert isinstance(g.fused, int)


def test_meta_is_a_read_only_view_of_the_attributes():
    g = Graph("g")
    g.backend, g.fused = "numpy", 3
    g.keep = {"n1"}
    view = g.meta
    assert view["backend"] == "numpy" and view["fused"] == 3 and view["keep"] == {"n1"}
    assert "dask" not in view and "tier" not in view
    with pytest.raises(TypeError):
        view["backend"] = "dask"
