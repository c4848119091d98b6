"""Ops that raise on some *values* although shapes and types fit: a graph run that drew from
the global stream, or showed a warning, before such an op must stay abandonable (its stream
saved, its warnings held), or the imperative rerun draws again and warns twice.

Each function below does something the rerun would repeat (a draw, a warning) and then an
op that raises only for some values: an integer power with a negative exponent, ``np.sqrt``
of a negative NumPy scalar (lowered to ``math.sqrt``, which raises), a Python int beyond an
integer array's range (NumPy 2: OverflowError), an op on object arrays."""
import warnings

import numpy as np
import pytest

import janus_lite as jl
from janus_lite.runtime.held_warnings import may_abandon
from differential import differential, steady


def draw_then_int_power(x, y):
    r = np.random.rand(3)
    return r, x ** y


def draw_then_scalar_sqrt(x):
    r = np.random.rand()
    return r, np.sqrt(x.sum())


def warn_then_int_power(x, y):
    a = x / 0.0
    return a, x ** y


def warn_then_reverse_power(x):
    a = x / 0.0
    return a, 2 ** x


def warn_then_python_int(x, n):
    a = x.astype(np.float64) / 0.0
    return a, x + n


def warn_then_object_add(x, y):
    a = np.ones(2) / 0.0
    return a, x + y


def warn_then_float_power(x, y):
    a = x / 0.0
    return a, x ** 2.0 + y


INTS = np.array([1, 2])


def _outcomes(fn, calls):
    """(outcome, warnings shown) of each call, every warning shown ("always")."""
    out = []
    np.random.seed(3)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        for args in calls:
            n = len(caught)
            try:
                outcome = repr(fn(*args))
            except Exception as exc:                  # noqa: BLE001
                outcome = repr(exc)
            out.append((outcome, [str(w.message) for w in caught[n:]]))
    return out, np.random.get_state()[1][:4].tolist()


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
@pytest.mark.parametrize("fn,calls", [
    (draw_then_int_power, [(INTS, np.array([1, 2]))] * 5 + [(INTS, np.array([1, -2]))] +
     [(INTS, np.array([2, 1]))]),
    (draw_then_scalar_sqrt, [(np.array([1.0, 2.0]),)] * 5 + [(np.array([1.0, -3.0]),)] +
     [(np.array([4.0, 5.0]),)]),
])
def test_a_draw_before_an_op_that_raises_on_values_is_not_repeated(fn, calls):
    f = differential(fn, calls)
    steady(f, 3)


@pytest.mark.parametrize("fn,calls", [
    (warn_then_int_power, [(INTS, np.array([1, 2]))] * 5 + [(INTS, np.array([1, -2]))]),
    (warn_then_reverse_power, [(INTS,)] * 5 + [(np.array([1, -2]),)]),
    (warn_then_python_int, [(np.array([1, 2], dtype=np.uint8), n) for n in range(3, 12)] +
     [(np.array([1, 2], dtype=np.uint8), 300)]),
    (warn_then_object_add, [(np.array([1, 2], dtype=object), np.array([1, 2], dtype=object))]
     * 5 + [(np.array([1, 2], dtype=object), np.array([None, 2], dtype=object))]),
])
def test_a_warning_before_an_op_that_raises_on_values_is_shown_once(fn, calls):
    want = _outcomes(fn, calls)
    f = jl.jit(fn)
    assert _outcomes(f, calls) == want
    steady(f, 2)
    assert any(g.hits for g in f.graphs)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_ops_that_cannot_raise_on_values_still_run_unheld():
    """An integer base with a float exponent gives floats (never the negative-power error):
    the graph holds no warnings (a run of it cannot be abandoned)."""
    calls = [(INTS, np.array([0.5, 1.5]))] * 4
    f = differential(warn_then_float_power, calls)
    steady(f, 1)
    assert not any(may_abandon(g.graph) for g in f.graphs)


def scale_and_shift(x, lr, n):
    return x * lr + n


def test_a_python_int_read_at_run_time_is_guarded_to_64_bits():
    """A Python int that varies between calls is read at run time; its range is guarded
    (-2**63 <= n < 2**63), so ``x * lr + n`` on floats cannot raise and holds no warnings,
    and an int beyond the range misses the graph (``10**400`` raises OverflowError beside
    a float array; 2**70 converts): the plain function answers both."""
    x = np.linspace(-1.0, 1.0, 5)
    calls = [(x, 0.1 * (k + 1), k) for k in range(8)] + [(x, 0.5, 2 ** 70), (x, 0.5, 10 ** 400),
                                                          (x, 0.5, 3)]
    f = differential(scale_and_shift, calls)
    steady(f, 3)
    assert not any(may_abandon(g.graph) for g in f.active_graphs)
    assert "fits in 64 bits" in f.explain()
