"""np.divmod, np.modf, np.frexp — the ufuncs with two outputs, added as one registry row
(`ir/ops_numpy.TWO_OUTPUT_UFUNCS`) that both backends run by their default rule: same
results, dtypes, warnings and errors as NumPy, served by graphs."""
import numpy as np
import pytest

from differential import differential, steady

rng = np.random.default_rng(11)


def split_steps(x, step):
    q, r = np.divmod(x, step)
    return q * step + r, q, r


def mantissas(x):
    m, e = np.frexp(x)
    frac, whole = np.modf(x * 0.75)
    return m * 2.0, e + 1, frac, whole


def scalar_divmod(a, b):
    q, r = np.divmod(a, b)
    return q, r, q + 1


def divmod_into(x, step, q, r):
    np.divmod(x, step, out=(q, r))
    return q.sum() + r.sum()


@pytest.mark.parametrize("backend", ["numpy", "interpreter"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32])
def test_divmod_arrays(backend, dtype):
    calls = [(rng.standard_normal(7).astype(dtype) * 9 if np.dtype(dtype).kind == "f"
              else rng.integers(-20, 20, 7).astype(dtype), 3) for _ in range(5)]
    f = differential(split_steps, calls, jit_kwargs={"backend": backend})
    steady(f, 2)


def test_divmod_by_zero_warns_like_numpy():
    calls = [(np.arange(-3.0, 3.0), 2.0)] * 3 + [(np.arange(-3.0, 3.0), 0.0)] * 2 + \
        [(np.arange(-3, 3), 0)] * 2
    differential(split_steps, calls)


@pytest.mark.parametrize("t", [float, np.float32, np.int64, int])
def test_divmod_scalars_keep_their_types(t):
    calls = [(t(a), t(b)) for a, b in [(7, 2)] * 4 + [(-7, 2), (9, 4), (-1, 5), (8, -3)]]
    steady(differential(scalar_divmod, calls), 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_frexp_and_modf(dtype):
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, 3.5], dtype)
    calls = [(rng.standard_normal(6).astype(dtype) * 100,) for _ in range(3)] + [(special,)]
    f = differential(mantissas, calls)
    steady(f, 1)


def test_out_arguments_are_updated_in_place():
    # an out= tuple of arguments is an in-place update the converter declines: imperative
    calls = [(rng.standard_normal(5) * 7, 2.0, np.zeros(5), np.zeros(5)) for _ in range(4)]
    differential(divmod_into, calls)


def test_bad_inputs_raise_what_numpy_raises():
    calls = [(np.arange(4.0), 2.0)] * 3 + [(np.arange(4.0), "a"), (np.ones((2, 3)), np.ones(4)),
                                           (np.arange(4.0), 2.0)]
    steady(differential(split_steps, calls), 2)
