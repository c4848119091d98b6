"""Functions defined in the function — ``lambda`` and nested ``def`` — inlined where called,
with Python's late binding of free names; used as values (returned, passed to
``np.vectorize`` or ``sorted``) they are named precisely in explain()."""
import numpy as np

import janus_lite

from differential import differential, steady

rng = np.random.default_rng(68)


def _r(*shape):
    return rng.standard_normal(shape)


def lambda_activation(x, kind):
    act = (lambda v: np.maximum(v, 0)) if kind == "relu" else (lambda v: np.tanh(v))
    sq = lambda v, p=2: v ** p          # noqa: E731
    return act(x) + sq(x) + sq(x, p=3)


def nested_def_closure(x, scale):
    offset = 1.0

    def affine(v, *rest, bias=0.0, **kw):
        return v * scale + offset + bias + len(rest) + kw.get("extra", 0.0)
    first = affine(x)
    offset = 2.0                        # late binding: the next call sees 2.0
    return first, affine(x, 1, 2, bias=0.5, extra=3.0)


def nested_shadows_outer(x):
    y = x * 2

    def inner(v):
        y = v + 1                       # inner's own y
        return y * 3
    return inner(x) + y


def nested_calls_nested(x):
    def f(v):
        return v + 1

    def g(v):
        return f(v) * 2
    return g(x)


def returns_a_lambda(x):
    return lambda v: v + x


def vectorized(x):
    f = np.vectorize(lambda v: v * 2 if v > 0.5 else v)
    return f(x)


_KEPT = []


def passes_a_lambda(xs):
    _KEPT.append(lambda v: -v)            # the function object itself is kept
    return xs * 2.0


def test_lambdas_called_in_the_function():
    calls = [((_r(4), k), {}) for k in ("relu", "relu", "relu", "tanh", "tanh", "tanh")]
    f = differential(lambda_activation, calls)
    steady(f, 2)


def test_nested_def_with_late_binding_defaults_star_args():
    f = differential(nested_def_closure, [((_r(3), 2.0), {}) for _ in range(5)])
    steady(f, 3)


def test_nested_def_locals_are_its_own():
    f = differential(nested_shadows_outer, [((_r(3),), {}) for _ in range(5)])
    steady(f, 3)
    f = differential(nested_calls_nested, [((_r(3),), {}) for _ in range(5)])
    steady(f, 3)


def test_functions_used_as_values_are_named_precisely():
    for fn, words in ((vectorized, "np.vectorize() runs a Python function once per element"),
                      (passes_a_lambda, "is used as a value")):
        f = differential(fn, [((_r(3),), {}) for _ in range(4)])
        assert f.stats["graph_calls"] == 0
        assert words in f.explain(), f.explain()


def test_a_returned_lambda_is_the_plain_functions_closure():
    f = janus_lite.jit(returns_a_lambda)
    for i in range(4):
        x = _r(2)
        assert np.array_equal(f(x)(1.0), returns_a_lambda(x)(1.0))
    assert f.stats["graph_calls"] == 0
    assert "defined in the function (line" in f.explain()
