"""Issue 15: a short last mini-batch gets a relaxed or second graph; when its conversion
fails, the graph serving the full batches is kept, and explain() lists only live graphs."""
import policy_programs as P
import pytest
from policy_helpers import run_both

import janus_lite
from janus_lite import api
from janus_lite.frontend import ConversionError


@pytest.mark.parametrize("program", [P.short_batch, P.short_batch_rows])
def test_short_last_batch_is_served(program):
    (f,), _ = run_both(program, epochs=8)
    s = f.stats
    assert s["conversions"] <= 3, f.explain()
    assert s["graph_calls"] >= 28, f.explain()            # 32 calls, 2 profiled


def test_failed_conversion_for_the_short_batch_keeps_the_working_graph(monkeypatch):
    real = api.convert

    def convert(fn, fdef, klass, specs, *a, **k):      # only full batches convert
        if specs["X"].shape[0] != 32:
            raise ConversionError("refused for the test", fdef.lineno + 1)
        return real(fn, fdef, klass, specs, *a, **k)

    monkeypatch.setattr(api, "convert", convert)
    (f,), _ = run_both(P.short_batch, epochs=10)
    s = f.stats
    assert f.imperative_reason is None, f.explain()
    assert len(f.active_graphs) == 1 and f.active_graphs[0].number == 1
    assert s["graph_calls"] >= 3 * 10 - 3, f.explain()    # every full batch but the profiled
    assert s["failed_conversions"] <= janus_lite.config.MAX_FAILED_CONVERSIONS
    text = f.explain()
    assert "Graph #1 — active" in text
    assert "no graph could be built for such calls" in text, text
    assert "then a relaxed or specialized graph serves it" not in text, text


def test_explain_does_not_list_retired_graphs_as_active():
    import numpy as np

    def positive(x):
        if x.sum() > 0:
            return x * 2
        return x

    f = janus_lite.jit(positive)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", janus_lite.PerformanceWarning)
        for s in [1, 1, 1, -1, -1, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1]:
            assert np.array_equal(f(np.full(2, float(s))), positive(np.full(2, float(s))))
    text = f.explain()
    for g in f.graphs:
        if not g.active:
            assert f"Graph #{g.number} — active" not in text
            assert f"graph #{g.number}" in text
    for g in f.active_graphs:
        assert f"Graph #{g.number} — active" in text
