"""The differential harness: the same calls through the plain and the decorated function
must give the same results (with types), exceptions, printed output, mutated arguments,
object state and global RNG stream."""
from __future__ import annotations

import contextlib
import copy
import io
import types

import numpy as np

import janus_lite


def assert_same(a, b, path="result"):
    """Deep equality that also demands equal types, dtypes and shapes (NaN == NaN)."""
    assert type(a) is type(b), f"{path}: type {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, f"{path}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{path}: shape {a.shape} != {b.shape}"
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), \
            f"{path}: values differ (max abs diff {np.max(np.abs(a - b)) if a.size else 0})"
        _same_zero_signs(a, b, path)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype, f"{path}: dtype {a.dtype} != {b.dtype}"
        assert (a == b) or (a != a and b != b), f"{path}: {a!r} != {b!r}"
        _same_zero_signs(np.asarray(a), np.asarray(b), path)
    elif isinstance(a, (float, complex)):
        assert a == b or (a != a and b != b), f"{path}: {a!r} != {b!r}"
        _same_zero_signs(np.asarray(a), np.asarray(b), path)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, np.random.Generator):       # the same draws happened
        assert_same(a.bit_generator.state, b.bit_generator.state, f"{path}.bit_generator")
    elif hasattr(a, "__dict__") and not isinstance(a, (type, types.FunctionType,
                                                       types.MethodType, types.ModuleType)) \
            and type(a).__module__ != "builtins":
        assert_same(vars(a), vars(b), f"{path}.__dict__")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def _same_zero_signs(a, b, path):
    """Zeros of the same sign (``0.0 == -0.0``, but ``1 / x`` tells them apart), in the
    real and the imaginary parts."""
    if a.dtype.kind not in "fc" or a.shape != b.shape:
        return
    parts = [(a.real, b.real), (a.imag, b.imag)] if a.dtype.kind == "c" else [(a, b)]
    for x, y in parts:
        zero = (x == 0) & (y == 0)
        assert np.array_equal(np.signbit(x)[zero], np.signbit(y)[zero]), \
            f"{path}: signs of zeros differ"


def identities(result, args, kwargs):
    """Which parts of the result are (``is``) which arguments: identity is behaviour too
    (``w -= g; return w`` must return the caller's very array)."""
    inputs = list(args) + list(kwargs.values())
    parts = list(result) if isinstance(result, (tuple, list)) else [result]
    out = []
    for part in parts:
        hits = [i for i, a in enumerate(inputs) if part is a and not isinstance(
            a, (bool, int, float, str, type(None)))]
        out.append(hits)
    return out


def _run(fn, calls, seed):
    np.random.seed(seed)
    outcomes = []
    for args, kwargs in calls:
        out = io.StringIO()
        ids = None
        with contextlib.redirect_stdout(out):
            try:
                value = fn(*args, **kwargs)
                result = ("ok", value)
                ids = identities(value, args, kwargs)
            except Exception as exc:   # the exception is part of the behaviour
                result = ("raise", type(exc), str(exc))
        outcomes.append((result, out.getvalue(), copy.deepcopy((args, kwargs)),
                         np.random.get_state()[1][:4].copy(), np.random.get_state()[2], ids))
    return outcomes


def differential(fn, calls, *, seed=0, jit_kwargs=None, decorated=None):
    """Run ``calls`` (a list of ``(args, kwargs)``, or of args tuples) through ``fn`` and
    ``jit(fn)``; assert every observable agrees. Returns the decorated function."""
    calls = [c if (isinstance(c, tuple) and len(c) == 2 and isinstance(c[1], dict))
             else (tuple(c) if isinstance(c, (tuple, list)) else (c,), {}) for c in calls]
    jitted = decorated or janus_lite.jit(fn, **(jit_kwargs or {}))
    plain = _run(fn, copy.deepcopy(calls), seed)
    spec = _run(jitted, copy.deepcopy(calls), seed)
    for i, (p, s) in enumerate(zip(plain, spec)):
        (pres, pout, pargs, prng, ppos, pids), (sres, sout, sargs, srng, spos, sids) = p, s
        assert pids == sids, f"call {i}: result identity with arguments {pids} vs {sids}"
        where = f"call {i}"
        assert pres[0] == sres[0], f"{where}: plain {pres[0]} vs jit {sres[0]}: {pres} / {sres}" \
                                   f"\n{jitted.explain() if hasattr(jitted, 'explain') else ''}"
        if pres[0] == "ok":
            assert_same(pres[1], sres[1], f"{where} result")
        else:
            assert pres[1] is sres[1] and pres[2] == sres[2], f"{where}: {pres} vs {sres}"
        assert pout == sout, f"{where}: printed {pout!r} vs {sout!r}"
        assert_same(pargs, sargs, f"{where} arguments after the call")
        assert np.array_equal(prng, srng) and ppos == spos, f"{where}: global RNG diverged"
    return jitted


def steady(jitted, at_least=1):
    """Assert that graphs served at least ``at_least`` calls."""
    s = jitted.stats
    assert s["graph_calls"] >= at_least, f"graphs served {s['graph_calls']} calls: " \
                                         f"{s}\n{jitted.explain()}"
    return s
