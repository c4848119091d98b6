"""Lowered reductions (``x.sum()``, ``np.sum(x)``, ``x.mean()``, ``np.max(x)``, ...) warn
exactly where the plain call does: the generated code calls the NumPy function the call's
form reaches (``_methods._sum`` for the method, ``fromnumeric._wrapreduction`` for the
function), so an overflow or an ``inf - inf`` inside the reduction names the same file and
line, once per occurrence, as in the plain function (the fuzzer's --warnings found one
named at the user's line instead, and a mean's at janus_lite's own file)."""
import warnings

import numpy as np
import pytest

import janus_lite as jl


def method_forms(x):
    return x.sum() + x.max() - x.min() + x.mean() + x.sum(axis=0)


def function_forms(x):
    return np.sum(x) + np.max(x) - np.min(x) + np.mean(x, axis=1, keepdims=True)


def _seen(fn, x):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(x)
    return out, [(w.category, str(w.message), w.filename, w.lineno) for w in caught]


@pytest.mark.parametrize("fn", [method_forms, function_forms])
def test_reduction_warnings_name_numpys_own_line(fn):
    jf = jl.jit(fn)
    good = np.arange(6.0).reshape(2, 3)
    bad = np.array([[np.inf, -np.inf, 1.0], [1e308, 1e308, 2.0]])
    for x in [good, good, good, bad, good, bad]:
        want, warned = _seen(fn, x)
        got, jwarned = _seen(jf, x)
        assert np.array_equal(want, got, equal_nan=True)
        assert warned == jwarned
    assert jf.stats["graph_calls"] >= 3, jf.explain()
    assert "_red" in jf.active_graphs[0].source(), "the reductions were lowered"


class _Obj:
    def __init__(self):
        self.w = np.full(4, 1e200)


def _squares(obj, flag):
    for _ in range(3):
        if not flag:
            obj.w = np.square(obj.w)


def test_interpreter_backend_warns_at_the_users_line():
    # backend="interpreter" ran each op from its own frame: the overflow was named
    # interpreter.py's line (fuzz seed 26, kinds 0 and 1)
    jf = jl.jit(_squares, backend="interpreter")
    for _ in range(5):
        want = _seen(lambda o: _squares(o, False), _Obj())[1]
        got = _seen(lambda o: jf(o, False), _Obj())[1]
        assert want == got
    assert jf.stats["graph_calls"] >= 2, jf.explain()


def mean_forms(x):
    return float(np.mean(x)) + float(x.mean(axis=0)) if x.ndim == 1 else 0.0


@pytest.mark.parametrize("backend", ["numpy", "interpreter"])
def test_mean_of_an_empty_array_warns_where_numpy_does(backend):
    # "Mean of empty slice" is raised one frame above NumPy's _mean: for np.mean(x) that is
    # fromnumeric.mean, for x.mean() the caller (fuzz seed 31 found np.mean's named at the
    # user's line)
    jf = jl.jit(mean_forms, backend=backend)
    for x in [np.ones(4), np.ones(4), np.ones(0), np.ones(3), np.ones(0)]:
        want, warned = _seen(mean_forms, x)
        got, jwarned = _seen(jf, x)
        assert np.array_equal(want, got, equal_nan=True)
        assert warned == jwarned
    assert jf.stats["graph_calls"] >= 2, jf.explain()
