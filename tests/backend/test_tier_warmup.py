"""``TIER=auto``: a graph tiers up only once its calls took ``config.TIER_HOT_S`` seconds
(a short run never pays for a compile it could not earn back). The numba compile is not
needed to see it: a cold graph stays on the NumPy tier and says why; a hot one starts the
tier-up (its reason then starts with "compiling", or names why nothing was compiled)."""
import numpy as np
import pytest

import janus_lite as jl
from differential import differential

pytest.importorskip("numba")


def step(w, g, lr):
    return w - lr * g * g + 0.5 * w


def _calls(n):
    rng = np.random.default_rng(3)
    return [(rng.standard_normal(200), rng.standard_normal(200), 0.1) for _ in range(n)]


@pytest.fixture
def auto(tmp_path):
    old = jl.config.TIER, jl.config.TIER_HOT_S, jl.config.CACHE_DIR
    jl.config.TIER, jl.config.CACHE_DIR = "auto", str(tmp_path)
    yield
    jl.config.TIER, jl.config.TIER_HOT_S, jl.config.CACHE_DIR = old


def test_a_cold_graph_stays_on_the_numpy_tier(auto):
    jl.config.TIER_HOT_S = 3600.0
    f = differential(step, _calls(40))
    g = f.graphs[-1]
    assert g.tier_state.tier == "numpy"
    assert g.tier_state.reason.startswith("NumPy tier while the graph is cold"), g.tier_state
    assert g.tier_state.hot_s is None
    assert f.stats["graph_calls"] >= 35
    assert "cold" in f.explain()


def test_a_hot_graph_starts_its_tier_up(auto):
    jl.config.TIER_HOT_S = 1e-9          # hot after its first timed call
    f = differential(step, _calls(40))
    g = f.graphs[-1]
    assert g.tier_state.hot_s is not None, g.tier_state
    assert not g.tier_state.reason.startswith("NumPy tier while the graph is cold")
    assert any(e.kind == "tier" and "is hot" in e.text for e in f.events), list(f.events)


def test_a_cold_graphs_calls_go_straight_to_its_numpy_entry(auto):
    """No wrapper per call while cold: the dispatch counts the graph's hits and, at the
    record's ``tick_at``, times a window of calls (the estimate of the time spent so far)."""
    jl.config.TIER_HOT_S = 3600.0
    f = differential(step, _calls(40))
    g = f.graphs[-1]
    assert getattr(g.entry, "__wrapped__", None) is None, g.entry     # the generated entry
    assert "<locals>" not in g.entry.__qualname__, g.entry.__qualname__
    assert g.tick is not None and g.tick_at > g.hits, (g.tick_at, g.hits)
    assert g.tier_state.hot_s is None


def test_the_windows_estimate_finds_the_graph_hot_after_enough_calls(auto):
    jl.config.TIER_HOT_S = 0.002
    f = jl.jit(step)
    calls = _calls(8)
    for k in range(4000):
        f(*calls[k % 8])
        if f.graphs and f.graphs[-1].tier_state.hot_s is not None:
            break
    g = f.graphs[-1]
    assert g.tier_state.hot_s is not None and g.tier_state.hot_s >= 0.002, g.tier_state
    assert g.tick_at == 0                       # no more windows once hot
    assert any(e.kind == "tier" and "is hot" in e.text for e in f.events)
