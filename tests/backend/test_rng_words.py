"""The global stream's cheap save (`state_ops.save_global_words`: the Mersenne Twister's
words, one memcpy) is used only for draws that leave the legacy Gaussian cache alone. Each
draw in `_NO_GAUSS` is checked here against NumPy itself, in each of its sampling regimes;
and a graph that draws, then raises, leaves the stream where the plain function leaves it."""
import numpy as np
import pytest
from differential import differential

import janus_lite

from janus_lite.backend import state_ops

REGIMES = {
    "rand": [(3,)], "random_sample": [(3,)], "random": [(3,)], "ranf": [(3,)],
    "sample": [(3,)], "uniform": [(0, 2, 3)], "randint": [(5, None, 3), (1 << 40, None, 3)],
    "bytes": [(7,)], "permutation": [(6,)], "choice": [(5, 3), (5, 3, False)],
    "exponential": [(2.0, 3)], "laplace": [(0, 1, 3)], "logistic": [(0, 1, 3)],
    "binomial": [(1, 0.3, (4, 2)), (50, 0.4, 5), (1000, 0.5, 5)],   # inversion and BTPE
    "poisson": [(3.0, 5), (40.0, 5)],                               # both algorithms
    "geometric": [(0.3, 5), (0.001, 5)], "hypergeometric": [(10, 5, 7, 5), (200, 300, 250, 5)],
    "multinomial": [(10, [0.2, 0.3, 0.5], 4)], "standard_exponential": [(5,)],
    "triangular": [(0, 1, 2, 5)], "pareto": [(2.0, 5)], "power": [(2.0, 5)],
    "weibull": [(2.0, 5)], "gumbel": [(0, 1, 5)], "rayleigh": [(1.0, 5)],
    "logseries": [(0.6, 5), (0.99, 5)], "zipf": [(2.0, 5)], "vonmises": [(0, 1, 5), (0, 1e-9, 5)],
}


def test_every_cheaply_saved_draw_has_its_regimes_listed_here():
    assert set(REGIMES) == state_ops._NO_GAUSS


@pytest.mark.parametrize("name", sorted(REGIMES))
def test_the_draw_leaves_the_gaussian_cache_alone(name):
    for args in REGIMES[name]:
        for has_gauss, cached in ((0, 0.0), (1, 0.123)):
            np.random.seed(5)
            state = list(np.random.get_state())
            state[3], state[4] = has_gauss, cached
            np.random.set_state(tuple(state))
            getattr(np.random, name)(*args)
            after = np.random.get_state()
            assert (after[3], after[4]) == (has_gauss, cached), (name, args)


@pytest.mark.parametrize("name", sorted(REGIMES))
def test_words_saved_and_restored_replay_the_same_draws(name):
    np.random.seed(11)
    for args in REGIMES[name]:
        saved = state_ops.save_global_words()
        first = getattr(np.random, name)(*args)
        state_ops.restore_global_words(saved)
        again = getattr(np.random, name)(*args)
        assert np.array_equal(np.asarray(first), np.asarray(again)), (name, args)


def cd_step(W, v0, idx):
    ph = 1 / (1 + np.exp(-(v0 @ W)))
    h = np.random.binomial(1, ph).astype(float)
    k = np.random.poisson(3.0, 2)
    return h[idx] + k.sum()        # an index out of range raises after the draws


def test_a_graph_that_draws_then_raises_leaves_the_stream_as_the_plain_function_does():
    W = np.linspace(-1, 1, 12).reshape(4, 3)
    v0 = np.linspace(0, 1, 8).reshape(2, 4)
    calls = [(W, v0, i % 2) for i in range(6)] + [(W, v0, 7), (W, v0, 1), (W, v0, -9),
                                                   (W, v0, 0)]
    f = differential(cd_step, calls)
    assert f.stats["graph_calls"] >= 4, f.explain()


def test_another_bit_generator_behind_the_global_stream_is_saved_whole():
    """`np.random.set_bit_generator` puts a PCG64 behind the global draws: the cheap save
    (MT19937 words) gives way to `np.random.get_state`, and back when MT19937 returns."""
    original = np.random.get_bit_generator()
    W = np.linspace(-1, 1, 12).reshape(4, 3)
    v0 = np.linspace(0, 1, 8).reshape(2, 4)
    calls = [(W, v0, i % 2) for i in range(6)] + [(W, v0, 7), (W, v0, 1)]
    try:
        np.random.set_bit_generator(np.random.PCG64(3))
        saved = state_ops.save_global_words()
        assert isinstance(saved, dict)         # get_state of a non-MT19937 generator
        first = np.random.rand(3)
        state_ops.restore_global_words(saved)
        assert np.array_equal(first, np.random.rand(3))
        f = janus_lite.jit(cd_step)
        for fn in (cd_step, f):                # the same draws, results and exceptions
            np.random.set_bit_generator(np.random.PCG64(7))
            outs = []
            for args in calls:
                try:
                    outs.append(("ok", fn(*args)))
                except IndexError as exc:
                    outs.append(("raise", str(exc)))
            outs.append(np.random.get_bit_generator().state)
            if fn is cd_step:
                plain = outs
        assert repr(outs) == repr(plain)
        assert f.stats["graph_calls"] >= 3, f.explain()
    finally:
        np.random.set_bit_generator(original)
    saved = state_ops.save_global_words()
    assert type(saved) is tuple and saved[0] is state_ops._words_view()[1]
