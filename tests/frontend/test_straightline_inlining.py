"""Differential tests: calls of user helper functions (inlined), closures reading a captured
array and a captured scalar, module globals (constants, arrays, rebinding between calls,
in-place changes of a global array), default / keyword-only / *args parameters, and dict
results."""
import math

import numpy as np
import pytest

import janus_lite as jl
from differential import differential, steady

rng = np.random.default_rng(5)

EPS = 1e-6
SCALE = 2.0
W_GLOBAL = rng.standard_normal((4, 3))
ACTIVATION = np.tanh


def _r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


# -- helpers (inlined) --------------------------------------------------------------------
def relu(z):
    return np.maximum(z, 0.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def linear(x, W, b=None):
    out = x @ W
    if b is not None:          # decided statically: b is None or an array
        out = out + b
    return out


def stable_softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def cross_entropy(probs, labels):
    n = probs.shape[0]
    return -np.log(probs[np.arange(n), labels] + EPS).mean()


def two_layer_net(x, W1, b1, W2, b2, labels):
    h = relu(linear(x, W1, b1))
    p = stable_softmax(linear(h, W2, b2))
    return cross_entropy(p, labels), p


def gated_unit(x, Wa, Wb):
    return linear(x, Wa) * sigmoid(linear(x, Wb))


def helper_returning_tuple(x):
    def_ = moments(x)
    mu, var = def_
    return (x - mu) / np.sqrt(var + EPS), mu, var


def moments(x):
    return x.mean(axis=0), x.var(axis=0)


# -- globals ------------------------------------------------------------------------------
def uses_globals(x):
    return ACTIVATION(x @ W_GLOBAL) * SCALE + EPS


def uses_math_module_global(x):
    return x * math.pi / math.e


# -- signatures -----------------------------------------------------------------------------
def with_defaults(x, scale=2.0, shift=0.5, *, clip=3.0):
    return np.clip(x * scale + shift, -clip, clip)


def keyword_only(x, *, W, b, act="relu"):
    z = x @ W + b
    if act == "relu":          # a str flag: constant, guarded by value
        return relu(z)
    return np.tanh(z)


def star_args(*arrays):
    total = arrays[0]
    for a in arrays[1:]:       # unrolled: the number of arrays is fixed per graph
        total = total + a
    return total / len(arrays)


def sum_helper(*xs):
    return sum(xs)


def calls_star_helper(a, b, c):
    parts = (a, b, c)
    return sum_helper(*parts), star_args(a, b)


def returns_dict(x, W):
    h = x @ W
    return {"out": relu(h), "norm": np.linalg.norm(h)}


def _same(n, *args):
    return [tuple(args)] * n


LAB = rng.integers(0, 3, size=8)

CASES = [
    ("two_layer_net", two_layer_net,
     lambda: _same(6, _r(8, 5), _r(5, 6), _r(6), _r(6, 3), _r(3), LAB)),
    ("gated_unit", gated_unit, lambda: _same(6, _r(4, 3), _r(3, 5), _r(3, 5))),
    ("helper_returning_tuple", helper_returning_tuple, lambda: _same(6, _r(6, 3))),
    ("uses_globals", uses_globals, lambda: _same(6, _r(2, 4))),
    ("uses_math_module_global", uses_math_module_global, lambda: _same(6, _r(3))),
    ("with_defaults", with_defaults, lambda: _same(6, _r(5))),
    ("star_args", star_args, lambda: _same(6, _r(3), _r(3), _r(3))),
    ("calls_star_helper", calls_star_helper, lambda: _same(6, _r(2), _r(2), _r(2))),
]


@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_inlined_function_served_by_graph(name, fn, make):
    f = differential(fn, make())
    steady(f, 4)
    assert f.stats["conversions"] == 1, f.explain()


def test_defaults_and_keywords_in_every_combination():
    x = _r(4)
    calls = [((x,), {})] * 3 + [((x, 3.0), {})] * 3 + [((x,), {"clip": 1.0})] * 3 + \
        [((x,), {"shift": -1.0, "scale": 0.5})] * 3 + [((x, 2.0, 0.5), {"clip": 3.0})] * 2
    f = differential(with_defaults, calls)
    assert f.stats["graphs"] <= 5, f.explain()
    steady(f, 5)


def test_keyword_only_arguments():
    x, W, b = _r(3, 4), _r(4, 2), _r(2)
    calls = [((x,), {"W": W, "b": b})] * 3 + [((x,), {"W": W, "b": b, "act": "tanh"})] * 3 + \
        [((x,), {"b": b, "W": W})] * 2
    f = differential(keyword_only, calls)
    steady(f, 3)


def test_star_args_count_change():
    a = _r(3)
    calls = [(a, a)] * 3 + [(a, a, a)] * 3 + [(a,)] * 2
    f = differential(star_args, calls)
    assert f.stats["graphs"] <= 3, f.explain()
    steady(f, 3)


def test_dict_result():
    """A dict result: served by a graph where supported; equal (keys, order, types) always."""
    f = differential(returns_dict, _same(6, _r(3, 4), _r(4, 2)))
    if f.stats["graph_calls"] == 0:
        assert "dict" in f.explain().lower() or "Dict" in f.explain(), f.explain()


# -- closures ---------------------------------------------------------------------------------
def make_layer(W, scale):
    def layer(x):
        return np.tanh(x @ W) * scale
    return layer


def test_closure_reads_captured_array_and_scalar():
    W = _r(3, 2)
    layer = make_layer(W, 0.5)
    f = differential(layer, _same(6, _r(4, 3)))
    steady(f, 4)


def test_closure_cell_array_mutated_in_place_between_calls():
    """The captured array's contents are read at call time, never folded."""
    W = _r(3, 2)
    layer = make_layer(W, 0.5)
    f = jl.jit(layer)
    x = _r(4, 3)
    for i in range(6):
        W += 0.1                              # in place: same object, same shape
        np.testing.assert_array_equal(f(x), layer(x))
    steady(f, 3)


def test_closure_cell_rebound_between_calls():
    def make():
        scale = 1.0
        W = np.eye(3)

        def layer(x):
            return x @ W * scale

        def set_(s, w):
            nonlocal scale, W
            scale, W = s, w
        return layer, set_
    layer, set_ = make()
    f = jl.jit(layer)
    x = _r(2, 3)
    for i in range(8):
        if i % 3 == 2:
            set_(float(i), _r(3, 3) if i % 2 else np.ones((3, 4)))
        np.testing.assert_array_equal(f(x), layer(x))
    assert f.stats["graph_calls"] >= 2, f.explain()


def test_global_rebound_between_calls_is_noticed():
    global SCALE, W_GLOBAL
    old = SCALE, W_GLOBAL
    try:
        f = jl.jit(uses_globals)
        x = _r(2, 4)
        for i in range(10):
            if i in (4, 7):
                SCALE = SCALE + 1.0           # a scalar global: guarded by value
            if i == 6:
                W_GLOBAL = _r(4, 3)           # a new array object of the same shape
            if i == 8:
                W_GLOBAL = _r(4, 5)           # a new shape
            expected = np.tanh(x @ W_GLOBAL) * SCALE + EPS
            np.testing.assert_array_equal(f(x), expected)
        steady(f, 3)
    finally:
        SCALE, W_GLOBAL = old


def test_global_array_mutated_in_place_is_read_at_call_time():
    global W_GLOBAL
    old = W_GLOBAL
    W_GLOBAL = W_GLOBAL.copy()
    try:
        f = jl.jit(uses_globals)
        x = _r(2, 4)
        for i in range(6):
            W_GLOBAL *= 1.5
            np.testing.assert_array_equal(f(x), np.tanh(x @ W_GLOBAL) * SCALE + EPS)
        steady(f, 3)
    finally:
        W_GLOBAL = old


def test_global_function_rebound_is_noticed():
    global ACTIVATION
    old = ACTIVATION
    try:
        f = jl.jit(uses_globals)
        x = _r(2, 4)
        for i in range(8):
            if i == 4:
                ACTIVATION = sigmoid            # a user function: inlined, guarded by identity
            if i == 6:
                ACTIVATION = np.sin
            np.testing.assert_array_equal(f(x), ACTIVATION(x @ W_GLOBAL) * SCALE + EPS)
        steady(f, 3)
    finally:
        ACTIVATION = old


def test_helper_redefined_is_noticed():
    """A helper rebound in the module between calls: the inlined body must not be stale."""
    global relu
    old = relu
    try:
        f = jl.jit(gated_unit)
        g = jl.jit(two_layer_net)
        x, W1, b1, W2, b2 = _r(8, 5), _r(5, 6), _r(6), _r(6, 3), _r(3)
        for i in range(8):
            if i == 4:
                relu = lambda z: np.maximum(z, 0.1 * z)    # noqa: E731  leaky
            loss, p = g(x, W1, b1, W2, b2, LAB)
            loss2, p2 = two_layer_net(x, W1, b1, W2, b2, LAB)
            assert loss == loss2
            np.testing.assert_array_equal(p, p2)
        assert f is not None
        steady(g, 3)
    finally:
        relu = old


DTYPE = np.float32
OUT_SHAPE = (2, 3)
NP_SCALE = np.float64(0.5)


def cast_reshape_scale(x):
    return x.astype(DTYPE).reshape(OUT_SHAPE) * NP_SCALE


def test_global_dtype_shape_and_numpy_scalar_rebinding_is_noticed():
    global DTYPE, OUT_SHAPE, NP_SCALE
    old = DTYPE, OUT_SHAPE, NP_SCALE
    try:
        f = jl.jit(cast_reshape_scale)
        x = np.arange(6.0)
        for i in range(10):
            if i == 4:
                DTYPE = np.float16
            if i == 5:
                OUT_SHAPE = (3, 2)
            if i == 6:
                NP_SCALE = np.float64(2.0)
            got, want = f(x), cast_reshape_scale(x)
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got, want)
        steady(f, 4)
    finally:
        DTYPE, OUT_SHAPE, NP_SCALE = old
