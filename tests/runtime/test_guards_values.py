"""Guards on the values of Python scalars the graph specialized on are checked in one tuple
with the dtypes and shapes before them, and one by one only when it differs (to name the
guard that failed); a zero among them keeps its sign check (0.0 == -0.0)."""
import numpy as np
import pytest

import janus_lite
from differential import differential, steady


@pytest.fixture(autouse=True)
def _numpy_tier():
    """The generated code's text is checked: the NumPy tier's (the conftest fixture puts
    config.TIER back)."""
    janus_lite.config.TIER = "off"


def step(x, lr, mom):
    return x * mom - lr * x


def scaled_quotient(x, a, z):
    return x * a / z


def test_values_join_the_facts_tuple_and_a_changed_value_misses():
    x = np.linspace(0.0, 1.0, 5)
    calls = [(x, 0.1, 0.9)] * 5 + [(x, 0.1, 0.5), (x, 0.2, 0.9), (x, 0.1, 0.9)]
    f = differential(step, calls)
    steady(f, 3)
    src = f.graphs[0].source()
    assert "(x.dtype, x.shape, lr, mom, ) != " in src, src
    # each miss names its own guard (the value of mom, then that of lr)
    text = str(f.explain())
    assert "assumed mom == 0.9, got 0.5" in text and "assumed lr == 0.1, got 0.2" in text, text

def test_a_zero_among_the_values_keeps_its_sign_check():
    x = np.array([1.0, -2.0, 0.0])
    calls = [(x, 2.0, 0.0)] * 5 + [(x, 2.0, -0.0)] * 2 + [(x, 2.0, 0.0)]
    with np.errstate(divide="ignore", invalid="ignore"):
        f = differential(scaled_quotient, calls)
    steady(f, 3)
    src = f.graphs[0].source()
    assert "copysign" in src and "z, ) != _facts" not in src, src


def root_times(x, c):
    return x * np.sqrt(c)


@pytest.mark.parametrize("first,then", [(complex(-1.0, 0.0), complex(-1.0, -0.0)),
                                        (complex(0.0, 2.0), complex(-0.0, 2.0)),
                                        (np.complex128(-4.0), np.complex128(complex(-4, -0.0)))])
def test_a_complex_value_with_a_zero_part_keeps_its_signs_checked(first, then):
    """``complex(-1, 0.0) == complex(-1, -0.0)``, yet their square roots are 1j and -1j: a
    graph specialized on one must miss on the other."""
    x = np.array([1.0, 2.0])
    f = differential(root_times, [(x, first)] * 5 + [(x, then)] * 2 + [(x, first)])
    steady(f, 3)
