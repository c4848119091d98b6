"""A compiled segment's wrapper tests the floating-point flags after the kernel instead of
clearing them before it (`backend.compiled.build.StaleFlags`). Flags left set before the
call (NumPy leaves an ignored underflow set, Python float arithmetic sets them) must not
change anything the user sees: the kernel runs again on cleared flags, and only a flag
that run raises hands the call to the NumPy tier. These tests raise flags before every
call, in the plain and in the decorated run alike."""
import ctypes
import ctypes.util
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("numba")
if sys.platform != "linux":                                    # pragma: no cover
    pytest.skip("fenv access through libm (the compiled tier needs it too)",
                allow_module_level=True)

import janus_lite as jl  # noqa: E402
from janus_lite.backend.compiled import tier  # noqa: E402

_libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
_libm.feraiseexcept.argtypes, _libm.feraiseexcept.restype = [ctypes.c_int], ctypes.c_int
FE_INVALID, FE_DIVBYZERO, FE_OVERFLOW, FE_UNDERFLOW = 0x01, 0x04, 0x08, 0x10


def dirty(flags=FE_OVERFLOW | FE_UNDERFLOW | FE_INVALID | FE_DIVBYZERO):
    """Set floating-point flags as an earlier, ignored error would have left them."""
    _libm.feraiseexcept(flags)


def clip(g, max_norm):
    norm = np.sqrt(np.sum(g * g))
    if norm > max_norm:
        g = g * (max_norm / norm)
    return g


def overflowing(x):
    return np.exp(x) * 2.0 + np.log(x)


def segment_flags(f):
    """The `StaleFlags` of every compiled segment serving ``f``'s newest graph."""
    plan = f.graphs[-1].tier_state.segments
    return [seg.run.__globals__["_st"] for seg in plan.segments]


def _bits(r):
    """A result's dtype and bytes (each item's, for a tuple)."""
    if isinstance(r, tuple):
        return [_bits(x) for x in r]
    r = np.asarray(r)
    return r.dtype.str, r.tobytes()


def run_both(fn, calls, flags, action="always"):
    """Each call preceded by set flags (none: ``flags`` falsy); results (or exceptions) and
    warnings, per side."""
    outs = []
    jf = jl.jit(fn)
    for f in (fn, jf):
        got = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter(action)
            for args in calls:
                if flags:
                    dirty(flags)
                try:
                    got.append(("ok", _bits(f(*args))))
                except Exception as exc:        # noqa: BLE001 (part of the behaviour)
                    got.append(("raise", type(exc), str(exc)))
        outs.append((got, [(w.category, str(w.message)) for w in caught]))
    return outs, jf


def test_stale_flags_change_nothing_and_the_compiled_code_still_serves(compiled):
    rng = np.random.default_rng(0)
    calls = [(rng.standard_normal(64) * (3.0 if i % 2 else 0.1), 1.0) for i in range(6)]
    outs, jf = run_both(clip, calls, flags=None)
    assert outs[0] == outs[1]
    before = tier.COUNTS["numpy_tier_calls"]
    calls = [(rng.standard_normal(64) * (3.0 if i % 2 else 0.1), 1.0) for i in range(6)]
    plain = [("ok", _bits(clip(*c))) for c in calls]
    got = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for c in calls:
            dirty()
            got.append(("ok", _bits(jf(*c))))
    assert got == plain and not caught
    assert jf.graphs[-1].tier_state.tier == "compiled", jf.explain()
    assert tier.COUNTS["numpy_tier_calls"] == before     # the reruns came out clean
    states = segment_flags(jf)
    assert states and sum(s.reruns for s in states) >= len(calls)


def test_flags_that_keep_coming_make_the_wrapper_clear_first(compiled):
    rng = np.random.default_rng(1)
    calls = [(rng.standard_normal(32) * (3.0 if i % 2 else 0.1), 1.0) for i in range(40)]
    outs, jf = run_both(clip, calls, flags=FE_UNDERFLOW)
    assert outs[0] == outs[1] and not outs[1][1]
    assert jf.graphs[-1].tier_state.tier == "compiled", jf.explain()
    assert all(s.eager for s in segment_flags(jf))


@pytest.mark.parametrize("action", ["always", "default", "error"])
def test_a_real_overflow_after_stale_flags_still_warns_as_numpy_does(compiled, action):
    good = np.array([0.5, 1.0, 2.0])
    calls = [(x,) for x in (good, good, good, np.array([1000.0, 1.0, 2.0]), good,
                            np.array([0.0, 1.0, 2.0]), np.array([-1.0, 1.0, 2.0]), good)]
    for flags in (FE_OVERFLOW, FE_INVALID | FE_DIVBYZERO):
        outs, jf = run_both(overflowing, calls, flags, action)
        assert outs[0] == outs[1]
        assert outs[0][1] or action == "error"
        assert jf.graphs[-1].tier_state.tier == "compiled", jf.explain()


def test_an_eager_wrapper_still_hands_real_flags_to_the_numpy_tier(compiled):
    good = np.array([0.5, 1.0, 2.0])
    calls = [(good,)] * 12 + [(np.array([1000.0, 1.0, 2.0]),), (good,),
                              (np.array([0.0, 1.0, 2.0]),)]
    outs, jf = run_both(overflowing, calls, FE_OVERFLOW)
    assert outs[0] == outs[1] and outs[0][1]
    assert all(s.eager for s in segment_flags(jf)), jf.explain()


def many_results(x, y):
    a = x * 2.0
    b = y * 3.0                     # float32 stays float32
    c = x > 0.5
    d = np.sum(x * x)
    e = x - 1.0
    f = x / (x - 0.25)              # 0.25 divides by zero: the last result raises the flag
    return a, b, c, d, e, f


@pytest.mark.parametrize("action", ["always", "error"])
def test_the_segment_tests_the_flags_after_its_last_result(compiled, action):
    """The segment reads the flags itself, after a barrier that uses every result (arrays
    of three dtypes, a scalar: more than one barrier's worth): a flag raised by the last
    result still hands the call to the NumPy tier, which warns (or raises) as NumPy."""
    x = np.linspace(0.3, 1.0, 9)
    y = np.linspace(0.0, 1.0, 9, dtype=np.float32)
    bad = np.array([0.1, 0.25, 0.7] * 3)
    calls = [(x, y)] * 4 + [(bad, y), (x, y), (bad, y)]
    outs, jf = run_both(many_results, calls, None, action)
    assert outs[0] == outs[1]
    assert outs[0][1] or action == "error"
    src = jf.graphs[-1].tier_state.compiled_source
    assert jf.graphs[-1].tier_state.tier == "compiled", jf.explain()
    assert "_fe_flags(pf, (" in src and "_test(" not in src, src

