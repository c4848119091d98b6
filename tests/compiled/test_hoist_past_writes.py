"""A node the segmenter moves before a compiled run must not write, nor move past a write.

Found by a probe of in-place NumPy functions (session 21): in ``np.add(a, b, out=a);
t = a.sum(); a.clip(-1, 1, out=a)`` the sum joined a compiled run, and the clip, which
compiled code does not lower, was moved before that run as if pure (its ``out=`` write
was not seen), so ``t`` summed the clipped array: a wrong value on every compiled call
after the first two (present since the segmenter learnt to hoist)."""
import numpy as np
import pytest

pytest.importorskip("numba")

from differential import differential, steady  # noqa: E402


def sum_then_clip_in_place(a, b):
    np.add(a, b, out=a)
    t = a.sum()
    np.negative(b, out=b)
    a.clip(-1, 1, out=a)
    return t, b.sum(), a.sum()


def test_an_out_write_is_not_hoisted_before_the_run_reading_it(compiled):
    rng = np.random.default_rng(16)
    calls = [(rng.standard_normal(6) * 3, rng.standard_normal(6)) for _ in range(7)]
    f = differential(sum_then_clip_in_place, calls)
    steady(f, 4)
