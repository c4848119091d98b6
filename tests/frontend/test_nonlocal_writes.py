"""``nonlocal`` statements: a closure variable the function declares nonlocal is read from
its cell (guarded, read at run time once it changes) and written back into the cell at the
commit, with the call's other state (all or nothing); a callee reading the same cell after
the write sees the new value. Its name bound other than by assignment keeps the function
imperative; a comprehension variable named like it stays the comprehension's own; a
function defined in the function declaring nonlocal runs imperatively."""
import numpy as np

import janus_lite

from differential import assert_same


def make_trainer(lr):
    step = 0
    best = float("inf")

    def seen():
        return step * 1.0

    def train(w, g):
        nonlocal step, best
        step += 1
        w -= lr * g
        loss = float((w ** 2).sum())
        if loss < best:
            best = loss
        return loss + seen(), step

    return train, lambda: (step, best)


def make_counter():
    n = 0

    def bump(x):
        nonlocal n
        n = n + x.size
        doubled = [n * 2 for n in range(3)]
        return x * n, doubled

    return bump, lambda: n


def make_loop_target():
    i = 0

    def f(x):
        nonlocal i
        for i in range(2):
            x = x + i
        return x

    return f, lambda: i


def outer_with_nested(x):
    count = 0

    def bump():
        nonlocal count
        count += 1
    bump()
    bump()
    return x + count


def _both(make, calls, decorate=True):
    """Run ``calls`` through a fresh closure, plain and decorated; (results, state) each."""
    out = []
    for jit in (False, True):
        fn, state = make()
        f = janus_lite.jit(fn) if jit else fn
        res = [(f(*[a.copy() if isinstance(a, np.ndarray) else a for a in c]), state())
               for c in calls]
        out.append((res, f))
    assert_same(out[0][0], out[1][0])
    return out[1][1]


def test_closure_counter_and_best_written_through_cells():
    calls = [(np.ones(3), np.full(3, 0.1 * (i % 3))) for i in range(8)]
    f = _both(lambda: make_trainer(0.5), calls)
    assert f.stats["graph_calls"] >= 3, f.explain()


def test_comprehension_variable_named_like_a_nonlocal_is_its_own():
    f = _both(make_counter, [(np.ones(i % 3 + 1),) for i in range(8)])
    assert f.stats["graph_calls"] >= 3, f.explain()


def test_loop_target_and_nested_functions_stay_imperative():
    f = _both(make_loop_target, [(np.ones(2),) for _ in range(5)])
    assert f.stats["graph_calls"] == 0 and "bound other than by assignment" in f.explain()
    g = janus_lite.jit(outer_with_nested)
    for _ in range(4):
        assert_same(g(np.ones(2)), outer_with_nested(np.ones(2)))
    assert g.stats["graph_calls"] == 0
