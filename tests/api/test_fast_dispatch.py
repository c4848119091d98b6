"""The fast dispatch (janus_lite/fastcall.py): a decorated function with one graph, whose
runs hold no warnings, is called through a ``__call__`` generated with its own signature.
Differential: the same results, the same TypeError text for arguments that do not bind
(positional-only, keyword-only, variadic, defaults, methods), the same outcome for guard
misses and abandoned runs; and it gives way to the generic dispatch in every other state."""
from __future__ import annotations

import numpy as np
import pytest

import janus_lite as jl
from janus_lite.api import SpeculativeFunction
from differential import assert_same, differential, steady


def scaled(x, y=2.0, *, z=1.0):
    return x * y + z


def variadic(x, *rest, k=1, **kw):
    return x + len(rest) + k + len(kw)


def positional(x, y, /, z=3.0):
    return x * y + z


class Layer:
    def __init__(self, w):
        self.w = w

    def forward(self, a, b=1.0):
        return a @ self.w + b


def _fast(f) -> bool:
    return type(f) is not SpeculativeFunction and type(f).__call__.__qualname__ == \
        f.__wrapped__.__qualname__


X = np.linspace(-1.0, 1.0, 6)
GOOD = {scaled: [((X,), {}), ((X, 3.0), {}), ((X,), {"y": 0.5}), ((X,), {"z": 4.0}),
                 ((), {"x": X, "y": 1.5, "z": 0.0})],
        variadic: [((X, 1, 2), {"k": 2, "q": 1}), ((X,), {}), ((X, 1), {"k": 0})],
        positional: [((X, 2.0), {}), ((X, 2.0, 1.0), {}), ((X, 0.5), {"z": 2.0})]}
BAD = {scaled: [((), {}), ((X, 1.0, 2.0), {}), ((X,), {"q": 1}), ((X,), {"x": X}),
                ((X, 1.0, 2.0, 3.0), {})],
       variadic: [((), {}), ((), {"k": 1, "rest": 2}), ((X,), {"x": X})],
       positional: [((X,), {"y": 2.0}), ((X,), {}), ((), {})]}


@pytest.mark.parametrize("fn", list(GOOD), ids=lambda f: f.__name__)
def test_calls_of_every_form_are_exact_and_served_by_the_fast_dispatch(fn):
    calls = GOOD[fn] * 4
    f = differential(fn, calls)
    steady(f, 4)
    # the kinds of call seen keep one graph for scaled/positional; variadic may need more
    if len(f._entries) == 1:
        assert _fast(f), type(f).__call__


@pytest.mark.parametrize("fn", list(BAD), ids=lambda f: f.__name__)
def test_arguments_that_do_not_bind_raise_the_plain_functions_type_error(fn):
    f = jl.jit(fn)
    for args, kwargs in GOOD[fn][:1] * 6:
        f(*args, **kwargs)
    assert _fast(f)
    for args, kwargs in BAD[fn]:
        with pytest.raises(TypeError) as plain:
            fn(*args, **kwargs)
        with pytest.raises(TypeError) as jitted:
            f(*args, **kwargs)
        assert str(jitted.value) == str(plain.value)


def test_a_method_binds_and_fails_to_bind_as_the_plain_method():
    rng = np.random.default_rng(0)
    plain = Layer.forward
    Layer.forward = f = jl.jit(plain)
    try:
        layer = Layer(rng.standard_normal((3, 2)))
        a = rng.standard_normal((4, 3))
        for _ in range(6):
            layer.forward(a)
        assert _fast(f)
        assert_same(layer.forward(a, b=0.5), plain(layer, a, b=0.5))
        for call in (lambda: layer.forward(), lambda: layer.forward(a, 1.0, 2.0),
                     lambda: layer.forward(a, c=1), lambda: Layer.forward(a)):
            Layer.forward = plain
            with pytest.raises(TypeError) as p:
                call()
            Layer.forward = f
            with pytest.raises(TypeError) as j:
                call()
            assert str(j.value) == str(p.value)
    finally:
        Layer.forward = plain


def pick(x, i):
    return x[i] * 2.0


def test_misses_and_abandoned_runs_behave_as_the_generic_dispatch():
    x = np.arange(5.0)
    calls = [(x, 1)] * 5 + [(x, 7)] + [(np.arange(3.0), 1)] * 3 + [(x, 2), (x, -9)]
    f = differential(pick, calls)
    assert f.stats["graph_calls"] >= 3 and f.stats["fallbacks"] + f.stats["conversions"] >= 2


def test_the_fast_dispatch_gives_way_in_other_states():
    f = jl.jit(scaled)
    for _ in range(6):
        f(X)
    assert _fast(f)
    with jl.disabled():
        before = f.stats["disabled_calls"]
        assert_same(f(X), scaled(X))
        assert f.stats["disabled_calls"] == before + 1
    f.reset()
    assert type(f) is SpeculativeFunction


def test_several_graphs_go_through_the_generated_loop_in_the_learnt_order():
    """Two graphs (float64 and float32 calls, alternating): the generated dispatch tries
    them in the order the plan learnt, as the generic one does."""
    X32 = X.astype(np.float32)
    calls = [((X if k % 2 else X32,), {"y": 1.5}) for k in range(16)]
    f = differential(scaled, calls)
    assert len(f._entries) == 2 and _fast(f)
    misses = sum(sum(e[3]["guard_misses"]) for e in f._entries)
    hits = f.stats["graph_calls"]
    for k in range(20):
        assert_same(f(X if k % 2 else X32, y=1.5), scaled(X if k % 2 else X32, y=1.5))
    assert f.stats["graph_calls"] == hits + 20
    assert sum(sum(e[3]["guard_misses"]) for e in f._entries) == misses   # learnt: no miss


def test_config_fast_dispatch_off_keeps_the_generic_dispatch(monkeypatch):
    monkeypatch.setattr(jl.config, "FAST_DISPATCH", False)
    f = differential(scaled, GOOD[scaled] * 3)
    steady(f, 4)
    assert type(f) is SpeculativeFunction


# held runs through the fast dispatch: tests/runtime/test_unheld_runs.py
# (test_an_index_array_after_a_warning_still_holds_the_runs_warnings)


def claims_a_default(x, y):
    return x * y


claims_a_default.__signature__ = __import__("inspect").signature(lambda x, y=2.0: None)


def test_a_function_whose_signature_is_overridden_keeps_the_generic_dispatch():
    """``__signature__`` may claim what the code does not bind (here a default): the
    generated dispatch would bind as it claims, so such a function is not given one."""
    f = jl.jit(claims_a_default)
    for _ in range(6):
        f(X, 3.0)
    assert f.stats["graph_calls"] >= 3 and type(f) is SpeculativeFunction
    with pytest.raises(TypeError) as plain:
        claims_a_default(X)
    with pytest.raises(TypeError) as jitted:
        f(X)
    assert str(jitted.value) == str(plain.value)


def shadows(x, type=1.0, len=2.0, isinstance=0.5, getattr=0.25, Exception=3.0):
    return x * type + len * isinstance - getattr * Exception


def test_parameters_named_like_builtins_do_not_change_the_dispatch():
    """The generated dispatch uses no builtin by its own name: a parameter called ``type``
    or ``len`` would shadow it there."""
    calls = [((X,), {}), ((X, 2.0), {"len": 1.0}), ((X,), {"Exception": 0.0})] * 4
    f = differential(shadows, calls)
    steady(f, 4)
    assert _fast(f)


def shadows_in_loops(x, len=3, type=0.5, tuple=None):
    s = 0.0
    for i in range(len):
        if x[i] > 0:
            s += x[i] * type
    noise = np.random.rand(2)                  # a draw: the graph saves and restores state
    return s, noise if tuple is None else tuple


def test_builtin_named_parameters_with_loops_branches_and_draws():
    calls = [((X,), {}), ((X,), {"type": 2.0}), ((X, 2), {}), ((X,), {"tuple": (1,)})] * 4
    f = differential(shadows_in_loops, calls)
    steady(f, 4)
