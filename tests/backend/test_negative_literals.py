"""Constants in generated code: a negative number is spelled in parentheses. ``(-2) ** x``
written ``-2 ** x`` is ``-(2 ** x)`` (unary minus binds looser than ``**``): an alternating
sign ``(-1) ** k``, a negative base folded from a local, all answered wrong before."""
import numpy as np
import pytest

from differential import differential, steady


def alternating(x):
    return (-1) ** x


def local_negative_base(x):
    c = -0.5
    return c ** x


def argument_base(x, c):
    return c ** x


def series(x, n):
    total = np.zeros_like(x)
    for k in range(n):
        total = total + (-1.0) ** k * x ** (2 * k + 1) / (2 * k + 1)
    return total


@pytest.mark.parametrize("fn,calls", [
    (alternating, [(np.arange(5),)] * 5),
    (local_negative_base, [(np.array([2.0, 3.0]),)] * 5),
    (argument_base, [(np.array([2.0, 3.0]), -0.5)] * 5),
    (argument_base, [(np.array([1, 2, 3]), -3)] * 5),
    (series, [(np.linspace(-0.5, 0.5, 7), 6)] * 5),
])
def test_a_negative_constant_base_keeps_its_sign(fn, calls):
    f = differential(fn, calls)
    steady(f, 3)
    if fn is not series:              # (the series folds (-1.0) ** k per unrolled trip)
        assert "(-" in f.graphs[0].source()
