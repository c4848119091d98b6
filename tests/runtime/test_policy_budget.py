"""Issue 15: a conversion budget. A naive 4-deep convolution backward unrolls into a loop
node past MAX_UNROLLED_NODES (it took 37 s to convert 18,968 unrolled nodes); after the
first graph, conversion time is bounded by the function's own run time."""
import numpy as np
import policy_programs as P
from policy_helpers import run_both

import janus_lite


def test_nested_convolution_loops_stay_loop_nodes_and_are_exact():
    (f,), _ = run_both(P.conv, calls=4)
    assert f.stats["graph_calls"] == 2, f.explain()
    g = f.active_graphs[0]
    assert len(g) < janus_lite.config.MAX_UNROLLED_NODES, len(g)
    assert any(n.op == "loop" for n in g.nodes())


def test_conversion_budget_stops_new_conversions_and_says_so(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "CONVERSION_FREE_S", 0.0)
    monkeypatch.setattr(janus_lite.config, "CONVERSION_TIME_SHARE", 0.0)

    def scale(x, a):
        return x * a

    import warnings
    f = janus_lite.jit(scale)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(2, 12):                      # a new dtype-changing signature each time
            x = np.ones(3, dtype=[np.float32, np.float64, np.int32, np.int64][n % 4])
            assert np.array_equal(f(x, 2), scale(x, 2))
    s = f.stats
    assert s["conversions"] == 1, f.explain()
    assert "conversion budget" in f.explain()
    perf = [w for w in caught if w.category is janus_lite.PerformanceWarning]
    assert len(perf) == 1 and "conversion took" in str(perf[0].message)
    assert perf[0].filename == __file__
