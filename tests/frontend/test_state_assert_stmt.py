"""PYTEST_DONT_REWRITE — pytest rewrites ``assert`` statements in test modules, so a decorated
function containing one would not match its source on disk; this module is left as written.

An ``assert`` statement in a decorated function: same AssertionError (type and message) when
it fails, graphs in the steady state when it holds; state written before it stays written."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(49)


def _r(*shape):
    return rng.standard_normal(shape)


def assert_in_function(x, scale):
    assert scale > 0, "scale must be positive"
    return x * scale


class Box:
    def __init__(self):
        self.seen = 0
        self.total = 0.0


def write_then_assert(box, x):
    box.seen += 1
    box.total = box.total + float(x.sum())
    assert x.shape[0] < 5, f"batch too large: {x.shape[0]}"
    return box.total


def test_assert_statement_raises_the_same():
    calls = [(_r(3), 2.0)] * 4 + [(_r(3), -1.0)] + [(_r(3), 3.0)] * 3
    f = differential(assert_in_function, calls)
    steady(f, 2)


def test_state_written_then_assert_fails():
    b = Box()
    calls = [(b, _r(3))] * 4 + [(b, _r(6))] + [(b, _r(3))] * 3 + [(b, _r(7))]
    f = differential(write_then_assert, calls)
    steady(f, 2)
