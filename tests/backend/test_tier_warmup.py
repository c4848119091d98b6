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
