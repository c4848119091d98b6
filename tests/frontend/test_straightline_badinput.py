"""Differential tests: bad input gives the same exception as NumPy (wrong shapes, None,
strings, nested lists); shape, dtype and scalar-type changes give a correct answer on every
call with a bounded number of graphs; in-place updates of arguments and aliasing behave
exactly as in Python; warnings (np.log(0)) are the same; shapes that depend on values
(boolean masks, np.nonzero, run-time sizes) are never folded as constants."""
import warnings

import numpy as np
import pytest

import janus_lite as jl
from differential import differential, steady

rng = np.random.default_rng(6)


def _r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def mlp_forward(x, W1, b1, W2):
    h = np.maximum(x @ W1 + b1, 0)
    return h @ W2, h.mean(axis=0)


def normalize(x, eps):
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    return (x - mu) / (sd + eps)


# -- bad input --------------------------------------------------------------------------------
def _good():
    return _r(5, 4), _r(4, 3), _r(3), _r(3, 2)


BAD = {
    "wrong inner dim": lambda x, W1, b1, W2: (x[:, :3], W1, b1, W2),
    "bias does not broadcast": lambda x, W1, b1, W2: (x, W1, _r(4), W2),
    "None": lambda x, W1, b1, W2: (None, W1, b1, W2),
    "string": lambda x, W1, b1, W2: ("x", W1, b1, W2),
    "nested list": lambda x, W1, b1, W2: (x.tolist(), W1, b1, W2),
    "ragged list": lambda x, W1, b1, W2: ([[1.0, 2.0], [3.0]], W1, b1, W2),
    "1-d input": lambda x, W1, b1, W2: (x[0], W1, b1, W2),
    "3-d input": lambda x, W1, b1, W2: (x[None], W1, b1, W2),
    "int dtype": lambda x, W1, b1, W2: ((x * 10).astype(np.int64), W1, b1, W2),
    "complex": lambda x, W1, b1, W2: (x + 1j, W1, b1, W2),
    "object array": lambda x, W1, b1, W2: (x.astype(object), W1, b1, W2),
    "empty batch": lambda x, W1, b1, W2: (x[:0], W1, b1, W2),
}


@pytest.mark.parametrize("what", list(BAD))
def test_bad_input_same_result_or_exception(what):
    good = _good()
    calls = [good] * 3 + [BAD[what](*good)] * 2 + [good] * 3
    f = differential(mlp_forward, calls)
    steady(f, 2)


def test_bad_scalar_arguments():
    x = _r(6, 3)
    calls = [(x, 1e-5)] * 3 + [(x, None), (x, "eps"), (x, [1e-5]), (x, (1e-5, 1e-5)),
                               (x, np.ones(2)), (x, 1e-5), (x, 1e-5)]
    f = differential(normalize, calls)
    steady(f, 2)


def test_wrong_number_of_arguments_and_bad_keywords():
    x = _r(6, 3)
    calls = [((x, 1e-5), {})] * 3 + [((x,), {}), ((x, 1e-5, 3), {}), ((x,), {"eps": 1e-5}),
                                     ((x,), {"epsilon": 1.0}), ((x, 1e-5), {"eps": 1.0}),
                                     ((), {"x": x, "eps": 1e-5}), ((x, 1e-5), {})]
    f = differential(normalize, calls)
    steady(f, 2)


def test_error_in_the_middle_of_a_graph_is_the_genuine_one():
    """A guard cannot see an out-of-range label: the graph raises, the call reruns
    imperatively and the user gets NumPy's own IndexError."""
    def nll(logits, y):
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(y)), y].mean()
    x = _r(4, 3)
    calls = [(x, np.array([0, 1, 2, 0]))] * 3 + [(x, np.array([0, 1, 5, 0]))] + \
        [(x, np.array([0, 1, 2, 1]))] * 2 + [(x, np.array([0, -4, 2, 1]))]
    f = differential(nll, calls)
    steady(f, 2)


# -- signature changes -------------------------------------------------------------------------
def test_shape_change_every_call_bounded_graphs():
    calls = [(_r(n, 4), _r(4, 3), _r(3), _r(3, 2)) for n in (5, 5, 5, 7, 2, 9, 1, 16, 5, 3)]
    f = differential(mlp_forward, calls)
    assert f.stats["graphs"] <= 2 and f.stats["conversions"] <= 3, f.explain()
    steady(f, 5)


def test_all_dims_change_bounded_graphs():
    calls = [(_r(n, d), _r(d, h), _r(h), _r(h, 2)) for n, d, h in
             [(5, 4, 3)] * 3 + [(6, 2, 8), (3, 7, 1), (9, 9, 9), (2, 3, 4), (5, 4, 3)]]
    f = differential(mlp_forward, calls)
    assert f.stats["graphs"] <= 3, f.explain()
    steady(f, 3)


def test_dtype_changes_bounded_graphs():
    base = _good()
    calls = []
    for dt in (np.float64, np.float32, np.float64, np.float16, np.float32, np.int64):
        calls += [tuple(a.astype(dt) for a in base)] * 2
    f = differential(mlp_forward, calls)
    assert f.stats["graphs"] <= 4, f.explain()
    assert f.stats["graphs"] <= f.max_graphs
    steady(f, 3)


def test_mixed_dtypes_across_arguments():
    x, W1, b1, W2 = _good()
    calls = [(x, W1, b1, W2)] * 3 + [(x.astype(np.float32), W1, b1, W2)] * 3 + \
        [(x.astype(np.float32), W1.astype(np.float32), b1, W2.astype(np.float32))] * 3
    f = differential(mlp_forward, calls)
    steady(f, 3)


def test_scalar_type_changes_bounded_graphs():
    x = _r(6, 3)
    calls = [(x, 1e-5)] * 3 + [(x, 1)] * 2 + [(x, np.float32(1e-3))] * 2 + \
        [(x, np.float64(1e-3))] * 2 + [(x, True)] * 2 + [(x, 2e-5), (x, 3e-5)]
    f = differential(normalize, calls)
    assert f.stats["graphs"] <= f.max_graphs and f.stats["conversions"] <= 8, f.explain()
    steady(f, 4)


def test_max_graphs_bounds_the_cache():
    calls = [(_r(4, 3).astype(dt), 1e-5) for dt in
             (np.float64, np.float64, np.float32, np.float16, np.int8, np.int16, np.int32,
              np.int64, np.uint8, np.float64, np.float32)]
    f = differential(normalize, calls, jit_kwargs={"max_graphs": 2})
    assert f.stats["graphs"] <= 2, f.explain()


# -- in-place updates of arguments, aliasing ---------------------------------------------------
def add_one_in_place(x):
    x += 1
    return x


def sgd_in_place(w, g, lr):
    w -= lr * g
    return float((w * w).sum())


def alias_then_update(X):
    a = X
    a += 1
    return X.sum()


def view_of_argument_updated(x):
    v = x[0:2]
    v += 1
    return x


def setitem_on_argument(x, i):
    x[i] = 0.0
    return x.sum()


def test_inplace_on_argument_matches_python():
    """``x += 1`` on an argument: the caller's array changes, the result IS the argument."""
    calls = [(_r(3),) for _ in range(6)]
    differential(add_one_in_place, calls)


def test_inplace_result_is_the_argument_object():
    f = jl.jit(add_one_in_place)
    for _ in range(5):
        x = _r(3)
        before = x.copy()
        out = f(x)
        assert out is x
        np.testing.assert_array_equal(x, before + 1)


@pytest.mark.parametrize("fn,make", [
    (sgd_in_place, lambda: (_r(4), _r(4), 0.1)),
    (alias_then_update, lambda: (_r(2, 3),)),
    (view_of_argument_updated, lambda: (_r(5),)),
    (setitem_on_argument, lambda: (_r(5), 2)),
])
def test_mutation_of_arguments_is_exact(fn, make):
    differential(fn, [make() for _ in range(6)])


def test_mutation_of_a_shared_argument_twice():
    """The same array passed twice: both names see every update."""
    def f2(a, b):
        a += 1
        b *= 2
        return a + b
    x = _r(3)
    differential(f2, [(x, x)] * 5)


def test_mutation_explain_or_graph():
    f = differential(sgd_in_place, [(_r(4), _r(4), 0.1) for _ in range(6)])
    if f.stats["graph_calls"] == 0:
        assert "in-place" in f.explain(), f.explain()


# -- warnings -----------------------------------------------------------------------------------
def log_loss(p):
    return -np.log(p).mean(), np.log(p)


def _record(fn, calls):
    out = []
    for args in calls:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
            warnings.simplefilter("always")
            fn(*args)
        out.append([(w.category, str(w.message)) for w in caught])
    return out


def test_runtime_warnings_match():
    calls = [(np.array([0.5, 0.25]),)] * 3 + [(np.array([0.0, 0.5]),), (np.array([-1.0, 1.0]),),
                                             (np.array([0.5, 0.25]),), (np.zeros(2),)]
    f = jl.jit(log_loss)
    plain = _record(log_loss, calls)
    jitted = _record(f, calls)
    assert plain == jitted
    assert any(plain), "the calls must produce warnings"
    differential(log_loss, calls)
    steady(f, 2)


def log_then_pick(p, y):
    logp = np.log(p)
    return logp[np.arange(len(y)), y]


def test_warning_before_a_graph_error_is_emitted_once():
    p = np.array([[0.5, 0.5], [0.0, 1.0]])
    calls = [(p, np.array([0, 1]))] * 4 + [(p, np.array([0, 5]))]
    f = jl.jit(log_then_pick)
    assert _record_exc(log_then_pick, calls) == _record_exc(f, calls)


def _record_exc(fn, calls):
    out = []
    for args in calls:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
            warnings.simplefilter("always")
            try:
                fn(*args)
                outcome = "ok"
            except Exception as exc:
                outcome = repr(exc)
        out.append((outcome, [(w.category, str(w.message)) for w in caught]))
    return out


def log_of_constant_zero(x):
    return x * np.log(0.0)


def test_constant_folding_keeps_floating_point_warnings():
    f = jl.jit(log_of_constant_zero)
    calls = [(np.ones(2),)] * 5
    assert _record_exc(log_of_constant_zero, calls) == _record_exc(f, calls)
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            f(np.ones(2))


def test_warnings_as_errors_raise_the_same():
    calls = [(np.array([0.5, 0.25]),)] * 3 + [(np.array([0.0, 0.5]),), (np.array([0.5, 0.1]),)]
    f = jl.jit(log_loss)
    for args in calls:
        outcomes = []
        for fn in (log_loss, f):
            with np.errstate(divide="raise"):
                try:
                    outcomes.append(("ok", fn(*args)[0]))
                except FloatingPointError as exc:
                    outcomes.append(("raise", str(exc)))
        assert outcomes[0] == outcomes[1]


def test_division_by_zero_warning_with_python_scalar_raises_the_same():
    def f(x, d):
        return x / d, 1.0 / d
    calls = [(_r(3), 2.0)] * 3 + [(_r(3), 0.0), (_r(3), 0), (_r(3), 4.0)]
    differential(f, calls)


# -- shapes that depend on values ---------------------------------------------------------------
def masked_mean(x):
    k = x[x > 0]
    return k.sum() / k.shape[0], len(k), k.size


def nonzero_count(x):
    return np.nonzero(x > 0)[0].shape[0], np.flatnonzero(x).size, np.unique(x).shape


def arange_of_dim(x):
    n = x.shape[0]
    a = np.arange(n)
    return a.shape[0], len(a), a.size


def reshape_runtime(x, n):
    y = x.reshape(n, -1)
    return y.shape, y.shape[1] * 2


def slice_runtime(x, n):
    return x[:n].shape, x[n:].size


@pytest.mark.parametrize("fn,calls", [
    (masked_mean, [(_r(8),) for _ in range(8)]),
    (nonzero_count, [(rng.integers(0, 3, 8).astype(float),) for _ in range(8)]),
    (arange_of_dim, [(np.ones(k),) for k in (3, 3, 3, 4, 5, 6, 7, 3)]),
    (reshape_runtime, [(np.arange(12.), n) for n in (2, 2, 2, 3, 4, 6, 12, 1)]),
    (slice_runtime, [(np.arange(10.), n) for n in (3, 3, 3, 4, 5, 6, 7, 2)]),
])
def test_value_dependent_shapes_are_read_at_run_time(fn, calls):
    f = differential(fn, calls)
    steady(f, 3)
