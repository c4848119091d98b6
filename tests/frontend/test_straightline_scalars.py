"""Differential tests: Python scalar math (math.*, float(), int(), len()), result types that
must be preserved exactly (NumPy scalar vs Python float, tuple, 0-d array, bool), NEP 50
promotion between float32/float64 arrays and Python/NumPy scalars, and integer inputs."""
import math

import numpy as np
import pytest

from differential import differential, steady

rng = np.random.default_rng(4)


def _r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def scalar_math(x, lr):
    n = len(x)
    scale = math.sqrt(n) * lr
    half = int(n / 2)
    return float(x.sum()) / scale, half, math.exp(-lr) + math.log(n), n // 3, n % 3


def he_init_scale(W, gain):
    fan_in = W.shape[0]
    std = gain / math.sqrt(fan_in)
    bound = math.sqrt(3.0) * std
    return np.clip(W * std, -bound, bound), std


def result_types(x):
    s = x.sum()                 # numpy scalar
    f = float(x.mean())         # python float
    i = int(x.argmax())         # python int
    b = bool((x > 0).any())     # python bool
    z = np.asarray(x.max())     # 0-d array
    return s, f, i, b, z, (s, f)


def numpy_scalar_arithmetic(x):
    m = x.mean()
    v = m * 2 + 1               # stays a numpy scalar of x's dtype
    w = np.sqrt(m * m)
    return v, w, m > 0, -m, abs(m)


def nep50_promotion(x32, s):
    a = x32 * 2.0                       # python float: stays float32
    b = x32 + np.float64(1.5)           # numpy float64 scalar: float64
    c = x32 * s                         # python scalar argument
    d = np.float32(3) * 0.5             # numpy float32 scalar stays float32
    e = x32.sum() + 1                   # float32 scalar + python int
    return a, b, c, d, e


def int_inputs(a, k):
    q = a // k
    r = a % k
    t = a / k                           # true division: float64
    m = a * 2.5
    return q, r, t, m, a.sum() * k, (a > k).sum()


def int_scalar_only(n, m):
    return n * m + n // m - (n % m) ** 2, float(n) / m, abs(n - m), max(n, m), min(n, 3)


def zero_d_inputs(z, x):
    return z * x, z + 1, float(z), z.item(), z.ndim, np.exp(z)


def comparisons_and_bools(x, thr):
    big = (x > thr).sum()
    frac = np.mean(x > thr)
    return big, frac, bool(big > 2), x.max() >= thr


def mixed_scalar_pipeline(loss_history, lr):
    avg = np.mean(loss_history)
    smoothed = 0.9 * float(loss_history[-1]) + 0.1 * float(avg)
    new_lr = lr * math.exp(-0.1 * len(loss_history))
    return round(smoothed, 6), new_lr, max(new_lr, 1e-4)


def _same(n, *args):
    return [tuple(args)] * n


CASES = [
    ("scalar_math", scalar_math, lambda: _same(6, _r(9), 0.1)),
    ("he_init_scale", he_init_scale, lambda: _same(6, _r(8, 3), 2.0)),
    ("result_types", result_types, lambda: _same(6, _r(5))),
    ("numpy_scalar_arithmetic", numpy_scalar_arithmetic, lambda: _same(6, _r(4, dtype=np.float32))),
    ("nep50_promotion", nep50_promotion, lambda: _same(6, _r(3, 2, dtype=np.float32), 0.5)),
    ("int_inputs", int_inputs, lambda: _same(6, np.arange(-6, 6).reshape(3, 4), 4)),
    ("int_scalar_only", int_scalar_only, lambda: _same(6, 17, 5)),
    ("zero_d_inputs", zero_d_inputs, lambda: _same(6, np.array(2.5), _r(3))),
    ("comparisons_and_bools", comparisons_and_bools, lambda: _same(6, _r(8), 0.1)),
    ("mixed_scalar_pipeline", mixed_scalar_pipeline, lambda: _same(6, _r(6), 0.01)),
]


@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_scalar_function_served_by_graph(name, fn, make):
    f = differential(fn, make())
    steady(f, 4)
    assert f.stats["conversions"] == 1, f.explain()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int32,
                                   np.int64, np.uint8])
def test_dtypes_of_array_times_python_scalars(dtype):
    def fn(x):
        return x * 2, x + 1.5, x / 3, x - True, -x, x * 100, x.sum() * 0.5
    x = (np.arange(6) % 3).astype(dtype)
    f = differential(fn, [(x,)] * 5)
    steady(f, 3)


def test_python_int_out_of_range_for_small_int_dtype_raises_the_same():
    """NEP 50: ``int8_array * 1000`` raises OverflowError; the jitted function too."""
    def fn(x, k):
        return x * k
    x = np.arange(4, dtype=np.int8)
    differential(fn, [(x, 3)] * 3 + [(x, 1000), (x, 3), (x, -129), (x, 127)])


def test_bool_arrays():
    def fn(m, x):
        return m & (x > 0), ~m, m.sum(), np.where(m, x, 0.0), m * 2, x[m]
    m = np.array([True, False, True, True])
    f = differential(fn, [(m, _r(4))] * 5)
    steady(f, 3)


def test_numpy_scalar_argument_types_are_kept():
    """A float32 NumPy scalar, a float64 NumPy scalar, a Python float: each answer keeps
    its own type (NEP 50), with a bounded number of graphs."""
    x = _r(4, dtype=np.float32)

    def fn(x, s):
        return x * s, s * 2, s + 1.0

    calls = [(x, 0.5)] * 3 + [(x, np.float32(0.5))] * 3 + [(x, np.float64(0.5))] * 3 + \
        [(x, 0.25)] * 2 + [(x, np.float32(2.0))]
    f = differential(fn, calls)
    assert f.stats["graphs"] <= 4, f.explain()
    steady(f, 4)


def test_scalar_value_change_becomes_input():
    """A Python scalar that changes value is relaxed from a folded constant to an input."""
    def fn(x, k):
        return x * k + k ** 2, k / 2
    x = _r(3)
    calls = [(x, 2.0), (x, 2.0), (x, 2.0), (x, 3.0), (x, -1.5), (x, 0.0), (x, 7.25), (x, 2.0)]
    f = differential(fn, calls)
    assert f.stats["graphs"] <= 2, f.explain()
    steady(f, 4)


def test_int_to_float_argument_change():
    def fn(x, k):
        return x * k, k * 3, type(k).__name__, isinstance(k * 3, float)
    x = _r(3, dtype=np.float32)
    calls = [(x, 2)] * 3 + [(x, 2.0)] * 3 + [(x, 5)] * 2 + [(x, True)] * 2
    f = differential(fn, calls)
    assert f.stats["graphs"] <= 4, f.explain()
    steady(f, 3)


def test_isinstance_of_a_value_dependent_type_is_decided_at_run_time():
    """``2 ** k`` is an int for k >= 0 and a float for k < 0; ``max(n, 1.5)`` is either
    argument: isinstance/type of such values must not be folded from the profile."""
    def pow_type(x, k):
        p = 2 ** k
        return x * p, isinstance(p, int)

    def max_type(x, n):
        m = max(n, 1.5)
        return x * m, isinstance(m, float)
    x = _r(3)
    f = differential(pow_type, [(x, k) for k in (2, 3, 4, -1, -2, 5, 0)])
    steady(f, 3)
    f = differential(max_type, [(x, n) for n in (0, 1, 0, 3, 4, 1, 5)])
    steady(f, 3)


def test_type_and_isinstance_of_parameters_fold():
    def fn(x, k):
        if isinstance(k, float):
            return x * k, type(k).__name__
        return x + k, type(x).__name__
    x = _r(3)
    f = differential(fn, [(x, 2.0)] * 3 + [(x, 2)] * 3 + [(x, 0.5)] * 2)
    steady(f, 4)


def signed_zero(x, s):
    return np.divide(x, s), math.copysign(1.0, s)


def test_signed_zero_scalar_is_not_folded_as_zero():
    x = np.ones(2)
    with np.errstate(divide="ignore"):
        differential(signed_zero, [(x, 0.0)] * 3 + [(x, -0.0)] * 2)
