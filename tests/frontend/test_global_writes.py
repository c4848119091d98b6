"""``global`` statements: a declared global is read through its module's globals dict (a
state dict: each read guarded, each write deferred and committed with the call's other
state, all or nothing); an inlined callee reading a global after the call wrote it sees
the new value. A declared global bound other than by assignment (a loop target, ``:=``,
a nested ``def``) keeps the function imperative; a comprehension variable named like one
stays the comprehension's own."""
import copy

import numpy as np

from differential import assert_same, steady

step = 0
best = float("inf")
W = np.ones(3)
k = 10


def _reset():
    global step, best, W, k
    step, best, W, k = 0, float("inf"), np.ones(3), 10


def scaled(x):
    return x * step


def train(w, g, lr):
    global step, best
    step += 1
    w -= lr * g
    loss = float((w ** 2).sum())
    if loss < best:
        best = loss
    return loss + scaled(1.0), step


def sgd_global(g):
    global W
    W -= 0.1 * g
    return W.sum(), W


def loop_target(x):
    global k
    s = 0.0
    for k in range(3):
        s += float(x[k])
    return s + k


def comprehension_var(xs):
    global k
    k += 1
    zs = [k * 2 for k in range(3)]
    return [x * k for x in xs], zs, k


def _globals_after(fn, calls):
    """Run ``calls`` through ``fn`` from fresh globals; what it returned and the globals it
    leaves (the differential harness shares one module, so globals are compared here)."""
    _reset()
    out = [fn(*copy.deepcopy(c)) for c in calls]
    return out, (step, best, W.tolist(), k)


def _same(fn, calls):
    import janus_lite
    jitted = janus_lite.jit(fn)
    plain, jit = _globals_after(fn, calls), _globals_after(jitted, calls)
    assert_same(plain[0], jit[0])
    assert plain[1] == jit[1]
    return jitted


def test_counter_and_best_loss_written_through_globals():
    calls = [(np.ones(3), np.full(3, 0.1 * (i % 3)), 0.5) for i in range(8)]
    f = _same(train, calls)
    steady(f, 3)
    assert [r[1] for r in _globals_after(f, calls)[0]] == list(range(1, 9))


def test_global_array_updated_in_place_keeps_its_identity():
    import janus_lite
    _reset()
    f = janus_lite.jit(sgd_global)
    alias = W
    for _ in range(6):
        s, w = f(np.ones(3))
        assert w is alias and W is alias
    assert np.allclose(alias, 1.0 - 0.6) and f.stats["graph_calls"] >= 3


def test_loop_target_global_stays_imperative_and_comprehension_vars_are_local():
    calls = [(np.arange(3.0) + i,) for i in range(5)]
    f = _same(loop_target, calls)
    assert f.stats["graph_calls"] == 0 and "bound other than by assignment" in f.explain()
    xs = [np.arange(2.0)] * 2
    g = _same(comprehension_var, [(xs,)] * 5)
    assert _globals_after(g, [(xs,)] * 5)[1][3] == 15
    steady(g, 2)
