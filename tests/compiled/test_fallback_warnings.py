"""A compiled run handed to the NumPy tier (`TierFallback`) after NumPy ops of the same
entry warned: the warnings it showed are taken back, so the call warns exactly as the plain
function does (corpus decision_tree_entropy under ``JANUS_LITE_TIER=auto``: each call on a
class with no samples showed its ``divide by zero encountered in log2`` twice)."""
import warnings

import numpy as np
import pytest

pytest.importorskip("numba")

import janus_lite as jl  # noqa: E402


def entropy(y, n_classes):
    p = np.bincount(y, minlength=n_classes) / len(y)
    return float(np.nan_to_num(-p * np.log2(p)).sum())


def _run(fn, calls, action):
    out = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        for args in calls:
            try:
                out.append(("ok", fn(*args)))
            except Exception as exc:       # noqa: BLE001 (part of the behaviour)
                out.append(("raise", type(exc), str(exc)))
    return out, [(w.category, str(w.message), w.lineno) for w in caught]


@pytest.mark.parametrize("action", ["always", "default", "error"])
def test_warnings_before_a_segment_that_falls_back_are_not_shown_twice(compiled, action):
    ys = [np.array([0, 1, 1, 2]), np.array([0, 0, 1]), np.array([2, 2, 1, 1, 0]),
          np.array([1, 1])] * 3
    calls = [(y, 3) for y in ys]
    jf = jl.jit(entropy)
    plain = _run(entropy, calls, action)
    jitted = _run(jf, calls, action)
    assert jitted == plain
    g = jf.graphs[-1].graph
    assert g.tier_state.tier == "compiled", g.tier_state.reason
    assert jf.stats["graph_calls"] >= 4


def test_fallback_after_a_draw_redraws_nothing_twice(compiled):
    def f(x, n):
        noise = np.random.standard_normal(n)
        y = np.log(x)                      # NumPy op (warns for x == 0)
        return (-x * y + noise) * 2.0      # segment: invalid for x == 0 -> NumPy tier

    calls = [(np.array([0.5, 1.0, 2.0]), 3), (np.array([0.0, 1.0, 2.0]), 3)] * 3
    jf = jl.jit(f)
    np.random.seed(1)
    plain = _run(f, calls, "always")
    plain_state = np.random.get_state()[1].copy()
    np.random.seed(1)
    jitted = _run(jf, calls, "always")
    assert np.array_equal(np.random.get_state()[1], plain_state)
    assert [w for w in jitted[1]] == [w for w in plain[1]]
    for a, b in zip(plain[0], jitted[0]):
        assert a[0] == b[0] and np.array_equal(a[1], b[1], equal_nan=True)
    assert jf.graphs[-1].graph.tier_state.tier == "compiled"
