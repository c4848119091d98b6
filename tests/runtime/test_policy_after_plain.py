"""After the plain function answered a fallback, the policy reads the state the call left to
decide what to build next. That state may no longer have the paths a graph guarded (a list
emptied by the call): the call's result must come back all the same, and any bug of ours in
that bookkeeping stops the graphs instead of raising (found by the fuzzer, seed 15)."""
import numpy as np
import pytest
from differential import differential

import janus_lite


class Obj:
    def __init__(self, mode):
        self.log = [1.5, 2.5]
        self.mode = mode


def empties_its_log(o, x):
    v = x * o.log[0] + o.log[1]
    if o.mode:
        o.log.clear()
    return v


def test_guarded_item_gone_after_the_plain_call():
    calls = [(Obj(m), np.ones(3)) for m in (0, 0, 0, 1, 1, 1, 1, 0, 0)]
    f = differential(empties_its_log, calls)
    assert f.stats["graph_calls"] >= 1, f.explain()


def test_a_bug_in_the_bookkeeping_after_the_plain_call_never_reaches_the_caller(monkeypatch):
    f = janus_lite.jit(empties_its_log)
    calls = [(Obj(m), np.ones(3)) for m in (0, 0, 0, 1)]
    for o, x in calls[:3]:
        f(o, x)
    assert f.stats["graph_calls"] == 1

    def broken(*args, **kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(f._policy, "after_fallback", broken)
    o, x = calls[3]
    with pytest.warns(janus_lite.PerformanceWarning, match="internal error KeyError"):
        out = f(o, x)
    assert np.array_equal(out, np.full(3, 4.0)) and o.log == []
    assert "internal error KeyError" in f.explain()
    o2 = Obj(0)
    assert np.array_equal(f(o2, np.ones(3)), np.full(3, 4.0))   # imperatively from now on
    assert f.stats["graph_calls"] == 1

