"""Graphs that cannot be abandoned once they may have warned hold no warnings, and
arguments updated in place are written directly, in the common shapes of training code:
a float accumulated over a loop (``s = 0.0; s += x[i]``), Adam's bias correction
(``1 - beta ** t``, a Python power that may raise, moved ahead of the array math), state
dicts keyed by tuples (``self.m[(layer, name)]``, read as guarded items) and an update
whose other writes (a list or dict item) cannot fail. Each is differential: values, warnings
(under "always" and the default filters), exceptions under ``np.errstate(all="raise")``
and the state left, as the plain function gives them."""
import copy
import warnings

import numpy as np
import pytest

import janus_lite as jl
from janus_lite.api import SpeculativeFunction
from corpus.harness import load
from differential import assert_same, differential, steady


def _held(f) -> list:
    """Does each graph the dispatch tries hold its run's warnings?"""
    return [hold for _, _, hold, _, _ in f._cur]


def scan(x):
    s = 0.0
    for i in range(8):
        if x[i] < 0:
            continue
        s += x[i]
    return s


def test_a_loop_accumulating_a_float_holds_no_warnings():
    rng = np.random.default_rng(0)
    calls = [(rng.standard_normal(8),) for _ in range(6)]
    f = differential(scan, calls)
    steady(f, 3)
    assert _held(f) == [False]


Adam = load("adam_layer_list").Adam     # the corpus's optimizer, keyed by (layer, name)


def _train(update, steps=12, big=None):
    """An Adam loop over two layers' parameters keyed ``(layer, name)``; ``big``: the step
    whose gradients are huge (their squares overflow to inf and warn)."""
    rng = np.random.default_rng(1)
    params = {(0, "W"): rng.standard_normal((4, 3)), (0, "b"): np.zeros(3),
              (1, "W"): rng.standard_normal((3, 2))}
    opt = Adam()
    held = {k: v for k, v in params.items()}         # the caller's very arrays
    for step in range(steps):
        opt.t += 1
        for key, p in params.items():
            g = rng.standard_normal(p.shape) * (1e200 if step == big else 1.0)
            update(opt, key, p, g)
    assert all(params[k] is held[k] for k in params)
    return params, opt


def _with_warnings(fn, action, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter(action)
        out = fn(*args, **kwargs)
    return out, [(w.category, str(w.message), w.lineno) for w in caught]


@pytest.mark.parametrize("action", ["always", "default"])
def test_adam_with_a_tuple_keyed_state_dict_is_exact_and_holds_nothing(action):
    plain = _with_warnings(_train, action, Adam.update, big=8)
    f = jl.jit(Adam.update)
    jitted = _with_warnings(_train, action, f, big=8)
    assert_same(plain[0][0], jitted[0][0])
    assert_same(vars(plain[0][1]), vars(jitted[0][1]))
    assert plain[1] == jitted[1] and plain[1], plain[1]     # it did warn, the same
    steady(f, 20)
    assert not any(_held(f)), f.explain()
    # the state items are guarded reads, so the update goes straight into the caller's array
    # (the NumPy tier's code; a forced compiled tier runs the update in its segment)
    assert jl.config.TIER == "compiled" or all("param if _q else" in c[3]["code"]
                                                for c in f._cur)


def test_adam_under_errstate_raise_gives_the_same_error_and_state():
    f = jl.jit(Adam.update)
    _train(f)                                            # graphs built
    outcomes = []
    for update in (Adam.update, f):
        with np.errstate(all="raise"):
            try:
                _train(update, big=3)
                outcomes.append(("ok",))
            except FloatingPointError as exc:
                outcomes.append(("raise", str(exc)))
    assert outcomes[0] == outcomes[1] and outcomes[0][0] == "raise"


Nesterov = load("nesterov_optimizer").Nesterov   # velocities in a list, by index


def _nesterov_calls(n, huge_at=None):
    rng = np.random.default_rng(2)
    opt = Nesterov(0.1)
    params = [rng.standard_normal((4, 3)), rng.standard_normal(3)]
    calls = []
    for step in range(n):
        for k in (0, 1):
            g = rng.standard_normal(params[k].shape) * (1e308 if step == huge_at else 1.0)
            calls.append(((opt, k, params[k], g), {}))
    return calls


def test_an_update_beside_a_list_item_write_goes_straight_into_the_callers_array():
    f = differential(Nesterov.apply, _nesterov_calls(10))
    steady(f, 8)
    assert jl.config.TIER == "compiled" or all("param if _q else" in c[3]["code"]
                                                for c in f._cur)


@pytest.mark.parametrize("mode", ["warn", "raise"])
def test_an_overflowing_update_beside_a_list_item_write(mode):
    """The update overflows: under "warn" the same warnings; under "raise" the same
    FloatingPointError, raised after the plain function had written the list item and the
    array (the state both leave is compared)."""
    results = []
    for fn in (Nesterov.apply, jl.jit(Nesterov.apply)):
        calls = _nesterov_calls(6)
        for (args, _) in calls:                          # graphs built, state advanced
            fn(*args)
        opt, k, p, _ = calls[-1][0]
        g = np.full(p.shape, 1e308)
        with warnings.catch_warnings(record=True) as caught, np.errstate(all=mode):
            warnings.simplefilter("always")
            try:
                fn(opt, k, p, g)
                fn(opt, k, p, g)
                outcome = "ok"
            except FloatingPointError as exc:
                outcome = str(exc)
        results.append((outcome, [str(w.message) for w in caught], copy.deepcopy(opt), p.copy()))
    (o1, w1, s1, p1), (o2, w2, s2, p2) = results
    assert o1 == o2 and w1 == w2
    assert_same(vars(s1), vars(s2))
    assert_same(p1, p2)


def standardize(x):
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    z = (x - mu) / sd                      # a constant column: 0 / 0 warns
    return np.clip(z, -3.0, 3.0), np.linalg.norm(z, axis=0), np.eye(3) @ z.T[:3, :3]


@pytest.mark.parametrize("action", ["always", "default"])
def test_shape_only_ops_after_warning_math_hold_nothing(action):
    """np.clip, np.linalg.norm, np.eye and constant slicing on arrays of fixed shapes raise
    nothing once converted, so the run holds no warnings; what it warns matches."""
    rng = np.random.default_rng(3)
    xs = [rng.standard_normal((6, 3)) for _ in range(5)]
    xs[3][:, 1] = 2.0                      # this call warns
    plain = [_with_warnings(standardize, action, x) for x in xs]
    f = jl.jit(standardize)
    got = [_with_warnings(f, action, x) for x in xs]
    for (pv, pw), (gv, gw) in zip(plain, got):
        assert_same(pv, gv)
        assert pw == gw
    assert any(pw for _, pw in plain)
    steady(f, 2)
    assert _held(f) == [False], f.explain()


def exp_then_take(x, idx):
    y = np.exp(x)                   # overflows: warns
    return y[idx]                   # an index array out of range raises after that


@pytest.mark.parametrize("action", ["always", "default", "error"])
def test_an_index_array_after_a_warning_still_holds_the_runs_warnings(action):
    """Indexing with an array depends on its values: a run that warned and then meets an
    index out of range is abandoned, and its warning is shown once (by the plain rerun).
    The one graph is called through the fast dispatch (janus_lite/fastcall.py), which holds
    the warnings as the generic dispatch does."""
    x = np.array([1.0, 800.0, 2.0])
    calls = [(x, np.array([0, 1]))] * 5 + [(x, np.array([0, 5]))] + [(x, np.array([2, 1]))]
    outcomes = []
    for fn in (exp_then_take, jl.jit(exp_then_take)):
        got = []
        for args in calls:
            with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
                warnings.simplefilter(action)
                try:
                    out = fn(*args)
                except (IndexError, RuntimeWarning) as exc:
                    out = (type(exc).__name__, str(exc))
            got.append((out, [(w.category, str(w.message), w.lineno) for w in caught]))
        outcomes.append(got)
        if fn is not exp_then_take and action != "error":   # (error: every call raises)
            assert _held(fn) == [True]
            assert fn.stats["graph_calls"] >= 3
            assert type(fn) is not SpeculativeFunction        # the fast dispatch
    assert any(isinstance(o, tuple) for o, _ in outcomes[0])
    for (po, pw), (jo, jw) in zip(*outcomes):
        assert_same(po, jo)
        assert pw == jw
