"""Arguments updated in place are written directly (no private copy, no commit) when nothing
from the first update on can abandon the run. Two rules widen that (issue 15, per-call
cost):

- a caller's array may be read after *another* array's first update, as long as it is read
  before its own (each array holds its old contents until its own update);
- a row written back to a row the same integer index already read (``P[u] += g``, ``g`` of
  the row's shape and dtype) cannot raise: the index was checked by the earlier read.

Each case compares plain and decorated calls (including out-of-range indexes, a dtype that
differs, errors raised by floating-point state); the generated code shows whether the
update is direct (``x if _q else x.copy('K')``: the caller's array itself while floating-point
errors can only warn)."""
import numpy as np
import pytest

import janus_lite
from janus_lite.runtime.held_warnings import may_abandon
from corpus.harness import load
from differential import differential, steady


@pytest.fixture(autouse=True)
def _numpy_tier():
    janus_lite.config.TIER = "off"        # the generated NumPy-tier code is checked


sgd_rating = load("matrix_factorization").sgd_rating    # the corpus program's SGD step


def _ratings(n, rng, bad=()):
    P, Q = 0.1 * rng.standard_normal((6, 3)), 0.1 * rng.standard_normal((5, 3))
    bu, bi = np.zeros(6), np.zeros(5)
    calls = []
    for k in range(n):
        u, i = int(rng.integers(6)), int(rng.integers(5))
        if k in bad:
            u = 6                                  # out of range: IndexError, nothing written
        calls.append((P, Q, bu, bi, 0.3, u, i, float(rng.standard_normal()), 0.05, 0.02))
    return calls


def test_matrix_factorisation_updates_its_rows_directly():
    f = differential(sgd_rating, _ratings(40, np.random.default_rng(3), bad=(20, 33)))
    steady(f, 30)
    code = f.active_graphs[0].source()
    for name in ("P", "Q", "bu", "bi"):        # the caller's array itself where errors warn
        assert f"= {name} if _q else {name}.copy('K')" in code, code


def test_direct_row_updates_under_raising_fp_errors_stay_exact():
    with np.errstate(all="raise"):
        differential(sgd_rating, _ratings(30, np.random.default_rng(4)))


def read_other_then_update(a, b):
    a *= 2.0
    c = b * 1.0              # b read after a's update, before its own
    b += a
    return c


def test_an_array_read_before_its_own_update_allows_direct_updates():
    rng = np.random.default_rng(5)
    f = differential(read_other_then_update, [(rng.random(3), rng.random(3)) for _ in range(8)])
    steady(f, 5)
    code = f.active_graphs[0].source()
    assert "= a if _q else a.copy('K')" in code and "= b if _q else b.copy('K')" in code, code


def read_after_own_update(P, Q, u, i):
    P[u] += Q[i]
    Q[i] += P[u]             # P read (its updated copy) after P's update
    return P[u].sum() + Q.sum()


def view_then_update(P, u):
    r = P[u]                 # a view taken before the update sees it
    P[u] += 1.0
    return r.copy()


def row_of_other_dtype(P, u, g):
    P[u] += g
    return P[u]


@pytest.mark.parametrize("fn, calls", [
    (read_after_own_update, [(np.ones((5, 3)), np.ones((4, 3)), u, i)
                             for u, i in [(0, 1), (4, 3), (5, 0), (1, 4), (-1, -1), (3, 0)]]),
    (view_then_update, [(np.ones((4, 2)), u) for u in (0, 1, 3, 5, 1, 0)]),
    (row_of_other_dtype, [(np.ones((4, 2)), u, g) for u, g in [
        (0, np.ones(2)), (1, np.ones(2)), (2, np.ones(2, np.float32)), (1, np.ones(1)),
        (0, np.ones(3)), (1, np.ones(2))]]),
])
def test_late_reads_views_and_other_dtypes_stay_exact(fn, calls):
    differential(fn, calls)


def q_update(Q, s, a, r, s2, done, alpha, gamma):
    target = r if done else r + gamma * np.max(Q[s2])
    Q[s, a] += alpha * (target - Q[s, a])
    return abs(target - Q[s, a])


def _transitions(n, rng, bad=()):
    Q = np.zeros((6, 4))
    calls = []
    for k in range(n):
        s, a, s2 = int(rng.integers(6)), int(rng.integers(4)), int(rng.integers(6))
        if k in bad:
            a = 4                                  # out of range after the max: IndexError
        calls.append((Q, s, a, float(rng.choice([-0.04, 1.0])), s2, False, 0.5, 0.95))
    return calls


def test_a_q_table_update_reads_its_element_before_the_arithmetic_that_may_warn():
    # Q[s, a] += ... reads the element from the caller's table (nothing wrote it yet), so
    # that read, which may raise, runs before the arithmetic that may warn: no warnings
    # held, the table written directly (passes.read_through, hoist_raising)
    f = differential(q_update, _transitions(40, np.random.default_rng(6), bad=(15, 30)))
    steady(f, 30)
    g = f.active_graphs[0]
    assert not may_abandon(g.graph), g.source()
    code = g.source()
    assert "= Q if _q else Q.copy('K')" in code, code
    assert code.index("Q[v_tuple") < code.index("np_max"), code


def test_a_q_table_update_under_errors_as_exceptions_stays_exact():
    calls = _transitions(30, np.random.default_rng(7), bad=(12,))
    calls[20] = calls[20][:3] + (1e308,) + calls[20][4:5] + (False, 1e308, 10.0)
    with np.errstate(all="raise"):
        differential(q_update, calls)
    differential(q_update, calls)
