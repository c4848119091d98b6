"""Values NumPy computes on every element or every path, whose flags the compiled code must
raise too, though only some of them are chosen (`fpflags._keep`).

Found by the compiled-tier fuzzer (seed 1000): ``np.where(x > s, x * i, y)`` with ``x``
holding ``-inf`` warned "invalid value encountered in multiply" when plain and was silent
when compiled. x86 folds ``select(m, x * i, y)`` into a masked multiply, and masked-off
lanes raise no flag, so the segment saw no flag and never handed the call to NumPy.
"""
import warnings

import numpy as np
import pytest

pytest.importorskip("numba")

import janus_lite as jl  # noqa: E402


def where_unchosen_product(x, y):
    return np.where(x > 1.0, x * 0, y)


def where_unchosen_quotient(x, y):
    return np.where(x < 0.5, y, (x - x) / x)


def nested_where(x, y):
    return np.where(x > 0.0, np.where(x > 2.0, x * 0.0, y), y * 2.0)


def product_used_in_one_branch(x, y):
    s = x.sum()
    u = s * 0.0
    if y[0] > 0:
        r = u + 1.0
    else:
        r = s - 1.0
    return r


def _run(fn, calls):
    out = []
    for args in calls:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = fn(*[a.copy() for a in args])
        r = np.asarray(r)
        out.append((r.dtype.str, r.tobytes(), [(w.category, str(w.message)) for w in caught]))
    return out


def _calls(n, dtype, special, both_signs=False):
    calls = []
    for k in range(10):
        x = np.linspace(-1.0, 3.0, n).astype(dtype)
        y = np.full(n, 1.0 if (k % 2 or not both_signs) else -1.0, dtype=np.float32)
        if k in (5, 8):
            x[n // 2] = special
        if k == 8:
            x[0] = special
        calls.append((x, y))
    return calls


@pytest.mark.parametrize("fn", [where_unchosen_product, where_unchosen_quotient, nested_where])
@pytest.mark.parametrize("n", [5, 37, 1000])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("special", [-np.inf, np.nan, 0.0])
def test_an_unchosen_arm_of_where_warns_as_in_numpy(compiled, fn, n, dtype, special):
    calls = _calls(n, dtype, special)
    jf = jl.jit(fn)
    assert _run(jf, calls) == _run(fn, calls)
    assert jf.graphs[-1].graph.tier_state.tier == "compiled", \
        jf.graphs[-1].graph.tier_state.reason
    assert jf.stats["graph_calls"] >= 6


@pytest.mark.parametrize("special", [-np.inf, np.inf, np.nan])
def test_a_value_used_in_one_branch_warns_on_either_path(compiled, special):
    calls = _calls(5, np.float64, special, both_signs=True)
    jf = jl.jit(product_used_in_one_branch)
    assert _run(jf, calls) == _run(product_used_in_one_branch, calls)
    assert jf.graphs[-1].graph.tier_state.tier == "compiled"
    assert "_keep(_kp, " in jf.graphs[-1].source()


def where_on_ints(x, y):
    return np.where(x > 2, x * 3 - y, y * 2)


def test_where_on_integer_arrays_still_compiles(compiled):
    calls = [(np.arange(8, dtype=np.int64) - k, np.arange(8, dtype=np.int64) * k)
             for k in range(6)]
    jf = jl.jit(where_on_ints)
    for args in calls:
        assert _run(jf, [args]) == _run(where_on_ints, [args])
    state = jf.graphs[-1].graph.tier_state
    assert state.tier == "compiled", state.reason
    assert "_keep" not in jf.graphs[-1].source()
