"""``with np.errstate(...)`` blocks: held in graphs as a region node whose code runs under
that error state (categories set to "ignore" or "warn"); other context managers, and a
block that writes state or leaves early, keep the function imperative. Differential: the
same results, warnings and exceptions as the plain function, under the caller's own
error state too."""
import warnings

import numpy as np
import pytest

import janus_lite

from differential import differential, steady

rng = np.random.default_rng(72)


def safe_xent(p, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.log(p)
        ratio = y / p
    return -(y * np.nan_to_num(logp)).sum(), ratio


def rebinds(x, y):
    z = x * 2.0
    with np.errstate(all="ignore"):
        z = z / y
        w = np.sqrt(z - 1.0)
    return z + w


def warn_inside(x):
    with np.errstate(divide="warn"):
        r = 1.0 / x
    return r, np.log(x)          # outside: the caller's error state


def in_loop(xs, n):
    out = 0.0
    for i in range(n):
        with np.errstate(divide="ignore"):
            v = np.log(xs[i])
        out = out + np.where(np.isfinite(v), v, 0.0).sum()
    return out


def nested(x):
    with np.errstate(divide="ignore"):
        a = np.log(x)
        with np.errstate(invalid="ignore"):
            b = np.sqrt(x - 2.0)
    return a + b


class Holder:
    def __init__(self):
        self.last = None


def writes_state(h, x):
    with np.errstate(divide="ignore"):
        h.last = np.log(x)
    return h.last


def other_manager(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = np.log(x)
    return r


def _probs(i):
    p = np.array([0.0, 0.25, 0.75, 1.0 + i])
    return p, np.array([0.0, 1.0, 0.0, 1.0])


def test_errstate_block_is_a_region_node():
    f = differential(safe_xent, [_probs(i) for i in range(6)])
    steady(f, 3)
    ops = {n["op"] for _, n in f.graphs[-1].to_networkx().nodes(data=True)}
    assert "errstate" in ops
    assert "with " in f.graphs[-1].source()


def test_rebinding_nested_and_loops():
    calls = [(np.arange(4.0) - 1.0, np.array([0.0, 1.0, 2.0, 0.5])) for _ in range(6)]
    steady(differential(rebinds, calls), 3)
    steady(differential(nested, [(np.arange(5.0) - i,) for i in range(6)]), 3)
    xs = rng.random((5, 4))
    xs[1, 2] = 0.0
    steady(differential(in_loop, [(xs, k % 3 + 3) for k in range(8)]), 3)


def test_warnings_inside_and_outside_match():
    calls = [(np.array([0.0, 1.0, -1.0 + i]),) for i in range(6)]
    steady(differential(warn_inside, calls), 3)


def test_the_callers_raise_state_applies_outside_the_region():
    """Under the caller's errstate(all="raise"), the block's "ignore" still holds inside it,
    and the op after it raises FloatingPointError, as the plain function's does."""
    f = janus_lite.jit(safe_xent)
    for i in range(4):
        f(*_probs(i))
    for fn in (safe_xent, f):
        with np.errstate(all="raise"):
            out = fn(*_probs(1))            # inside only: no error
            assert np.isnan(out[1][0])
            with pytest.raises(FloatingPointError):
                fn(np.array([0.0, 0.5]), np.array([2.0, 1.0]))   # 2 * -1.8e308 overflows
    assert f.stats["graph_calls"] >= 2


def test_state_writes_and_other_managers_stay_imperative():
    f = differential(writes_state, [(Holder(), np.arange(3.0)) for _ in range(4)])
    assert f.stats["graph_calls"] == 0 and "errstate" in f.explain()
    g = differential(other_manager, [(np.arange(3.0),) for _ in range(4)])
    assert g.stats["graph_calls"] == 0 and "with statement" in g.explain()
