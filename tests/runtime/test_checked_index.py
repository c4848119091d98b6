"""An index an earlier access checked cannot raise (`passes.checked_index`), and an
argument's array is written in place from its first update on (`backend.aborts.first_write`):
a tabular Q-learning update (read ``Q[s, a]``, write it, read it again) updates the caller's
array directly, and stays exact when an index is out of range, when the value written
cannot be converted, and when the first access sits in a branch.
"""
import numpy as np
import pytest

import janus_lite
from janus_lite.runtime.held_warnings import may_abandon
from differential import differential, steady


@pytest.fixture(autouse=True)
def _numpy_tier():
    """The generated code's text is checked: the NumPy tier's (the conftest fixture puts
    config.TIER back)."""
    janus_lite.config.TIER = "off"


def q_update(Q, s, a, r, s2, alpha, gamma):
    target = r + gamma * np.max(Q[s2])
    Q[s, a] += alpha * (target - Q[s, a])
    return abs(target - Q[s, a])


def update_cell(Q, s, a, lr):
    old = Q[s, a]                        # may raise: nothing is written yet
    Q[s, a] = old + lr * (1.0 - old)
    return Q[s, a] - old


def set_from_int(x, i, k):
    old = x[i]
    x[i] = k                             # a Python int: 10**400 does not convert
    return old


def read_in_branch_then_write(x, i, t):
    if t > 0:
        v = x[i]
    else:
        v = 0.5
    x[i] = v + 1.0
    return x[i]


def pick(Q, s, eps):
    if np.random.rand() < eps:
        return np.random.randint(4)
    return int(np.argmax(Q[s]))


def _q_calls(bad):
    rng = np.random.default_rng(5)
    calls = [(rng.standard_normal((6, 4)), np.int64(k % 6), k % 4, -0.04, np.int64((3 * k) % 6),
              0.5, 0.95) for k in range(6)]
    return calls + [bad] + calls[:2]


@pytest.mark.parametrize("bad", ["s", "a", "s2", "negative"])
def test_q_update_writes_the_callers_array_and_stays_exact(bad):
    Q = np.linspace(-1.0, 1.0, 24).reshape(6, 4)
    args = {"s": (Q, np.int64(6), 1, -0.04, np.int64(2), 0.5, 0.95),
            "a": (Q, np.int64(1), 4, -0.04, np.int64(2), 0.5, 0.95),
            "s2": (Q, np.int64(1), 1, -0.04, np.int64(-7), 0.5, 0.95),
            "negative": (Q, np.int64(-1), -4, -0.04, np.int64(-6), 0.5, 0.95)}[bad]
    f = differential(q_update, _q_calls(args))
    steady(f, 4)
    g = f.graphs[-1]
    assert g.pass_reports["checked_index"] == 3, g.source()
    assert "Q if _q else" in g.source() and "_wrote = _q" in g.source()


def test_an_exception_before_the_first_write_leaves_the_array():
    Q = np.ones((3, 3))
    calls = [(Q.copy(), np.int64(k % 3), k % 3, 0.1) for k in range(5)]
    calls += [(Q.copy(), np.int64(3), 0, 0.1), (Q.copy(), np.int64(0), -4, 0.1)] + calls[:2]
    f = differential(update_cell, calls)
    steady(f, 4)
    src = f.graphs[-1].source()
    # the caller's array is written directly; the run can still be abandoned before that
    assert "Q if _q else" in src
    assert src.index("_wrote = _q") > src.index("Q if _q else")


def test_a_value_that_may_not_convert_keeps_the_private_copy():
    calls = [(np.zeros(4), k % 4, k) for k in range(5)] + [(np.zeros(4), 1, 10 ** 400)] + \
        [(np.zeros(4), 2, 7)]
    f = differential(set_from_int, calls)
    steady(f, 3)
    assert f.graphs[-1].pass_reports["checked_index"] == 0


def test_an_access_in_a_branch_does_not_check_the_write_after_it():
    calls = [(np.arange(5.0), k % 5, (-1) ** k) for k in range(8)] + \
        [(np.arange(5.0), 5, 1), (np.arange(5.0), -6, -1), (np.arange(5.0), 2, 1)]
    f = differential(read_in_branch_then_write, calls)
    steady(f, 3)
    src = f.graphs[-1].source()
    # the write is not checked by the read in the branch (it may not have run): it may
    # raise, so it goes into a private copy; the read after the write is checked by it
    assert "x if _q else" not in src and "x.copy(" in src, src
    assert f.graphs[-1].pass_reports["checked_index"] == 1


def test_a_draw_then_argmax_holds_no_warnings_and_keeps_the_stream():
    Q = np.arange(24.0).reshape(6, 4) % 5
    calls = [(Q, np.int64(k % 6), 0.3) for k in range(12)] + [(Q, np.int64(6), 0.0)] + \
        [(Q, np.int64(2), 0.3)] * 3
    f = differential(pick, calls)
    steady(f, 8)
    assert not may_abandon(f.graphs[-1].graph)


def zero_where(x, y, v):
    x[y < 0] = v
    return x * 2.0


def first_column(out, x):
    for i in range(3):
        out[i, 0] = x[i]              # constant indices inside out's shape, same dtype
    return out.sum()


def test_a_mask_of_the_arrays_own_shape_writes_in_place():
    rng = np.random.default_rng(2)
    calls = [(rng.standard_normal(6), rng.standard_normal(6), 0.0) for _ in range(5)]
    calls += [(rng.standard_normal(6), rng.standard_normal(7), 0.0),     # IndexError
              (rng.standard_normal(6), rng.standard_normal(6), 0.0)]
    f = differential(zero_where, calls)
    steady(f, 3)
    assert "x if _q else" in f.graphs[0].source(), f.graphs[0].source()


def test_constant_indices_inside_the_shape_write_in_place():
    calls = [(np.zeros((3, 2)), np.arange(3.0) + k) for k in range(5)] + \
        [(np.zeros((2, 2)), np.arange(3.0))]                        # IndexError at i == 2
    f = differential(first_column, calls)
    steady(f, 3)
    assert "out if _q else" in f.graphs[0].source(), f.graphs[0].source()


def store_const_uint8(x):
    y = x[0]
    x[0] = -1                         # OverflowError in NumPy 2: not a uint8
    return y


def store_big(x):
    y = x[0]
    x[0] = 10 ** 40                   # fits a float64, not a float32 within 2**31
    return y


@pytest.mark.parametrize("fn, dtype", [(store_const_uint8, np.uint8),
                                       (store_big, np.float64), (store_big, np.float32)])
def test_constants_that_may_not_convert_stay_exact(fn, dtype):
    calls = [(np.arange(4).astype(dtype),)] * 5
    f = differential(fn, calls)
    for g in f.graphs:        # the write may raise: a private copy, committed at the end
        assert "x if _q else" not in g.source(), g.source()
