"""Warnings a graph run emits are shown only if its answer is kept; an abandoned run's
warnings are taken back (filters' registries included), so the imperative rerun shows them
exactly as the plain function does — under the default filters (once per location), under
"always", under "error" (the same exception), and through catch_warnings(record=True)."""
import warnings

import numpy as np
import pytest

import janus_lite as jl


def log_then_pick(p, y):
    logp = np.log(p)                       # warns for p == 0
    return logp[np.arange(len(y)), y]      # IndexError for an out-of-range label


P = np.array([[0.5, 0.5], [0.0, 1.0]])
CALLS = [(P, np.array([0, 1]))] * 4 + [(P, np.array([0, 5]))] + [(P, np.array([1, 1]))] * 2


def _record(fn, action, calls=CALLS):
    """(outcome, warnings shown) of each call, under the warnings filter ``action``."""
    out = []
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter(action)
        for args in calls:
            n = len(caught)
            try:
                fn(*args)
                outcome = "ok"
            except Exception as exc:                  # noqa: BLE001
                outcome = repr(exc)
            out.append((outcome, [(w.category, str(w.message), w.lineno)
                                  for w in caught[n:]]))
    return out


def _fresh_jit():
    # a fresh function object per test: the module's warning registry is shared, so each
    # run starts from a registry the filters have just reset (catch_warnings does that)
    return jl.jit(log_then_pick)


@pytest.mark.parametrize("action", ["always", "default", "once", "module"])
def test_warnings_match_the_plain_function(action):
    want = _record(log_then_pick, action)
    f = _fresh_jit()
    got = _record(f, action)
    assert got == want
    assert f.stats["graph_calls"] >= 2 and f.stats["fallbacks"] >= 1, f.stats


def test_error_filter_raises_the_same_warning():
    with np.errstate(all="warn"), warnings.catch_warnings():
        warnings.simplefilter("error")
        f = _fresh_jit()
        for args in CALLS[:4]:
            with pytest.raises(RuntimeWarning):
                log_then_pick(*args)
            with pytest.raises(RuntimeWarning):
                f(*args)


def test_showwarning_is_restored_after_every_call():
    before = warnings.showwarning
    f = _fresh_jit()
    with np.errstate(all="ignore"):
        for args in CALLS:
            try:
                f(*args)
            except IndexError:
                pass
    assert warnings.showwarning is before


def plain_log(x):
    return np.log(x) * 2.0              # cannot be abandoned once it computes


def speculated_log(x):
    y = np.log(x)
    if y.sum() > -100.0:                # one direction seen: an assertion after the warning
        y = y + 1.0
    return y


def test_only_graphs_that_can_be_abandoned_hold_warnings():
    from janus_lite.runtime.held_warnings import may_abandon
    f, g = jl.jit(plain_log), jl.jit(speculated_log)
    for _ in range(4):
        f(np.ones(3))
        g(np.ones(3))
    assert not may_abandon(f.graphs[-1])
    assert may_abandon(g.graphs[-1])


@pytest.mark.parametrize("action", ["always", "default"])
def test_unheld_graph_warnings_match(action):
    calls = [(np.array([0.0, 1.0]),)] * 5
    assert _record(jl.jit(plain_log), action, calls) == _record(plain_log, action, calls)
    calls = [(np.array([v, 1.0]),) for v in (1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0)]
    assert _record(jl.jit(speculated_log), action, calls) == \
        _record(speculated_log, action, calls)
