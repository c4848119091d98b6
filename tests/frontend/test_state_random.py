"""Random draws: the global ``np.random`` stream and ``np.random.Generator`` objects passed in
give the same numbers and leave the generator in the same state as imperatively — also when
an assertion fails mid-graph after a draw (the graph restores the state; the imperative rerun
draws again)."""
import copy

import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(47)


def _r(*shape):
    return rng.standard_normal(shape)


# -- the global stream (the harness seeds it and compares it after every call) ----------------
def dropout_global(x, p):
    mask = np.random.rand(*x.shape) > p
    return x * mask / (1 - p)


def noisy_step_global(w, g, lr):
    noise = np.random.normal(0.0, 0.01, size=w.shape)
    return w - lr * g + noise


def draw_then_branch_global(x):
    r = np.random.randn(3)
    if x.sum() > 0:
        return r + x.sum()
    return r - 1.0


def global_draw_loop(x, n):
    out = x
    for _ in range(n):
        out = out + np.random.uniform(-1, 1, size=x.shape)
    return out


def test_dropout_with_global_stream():
    f = differential(dropout_global, [(_r(4, 3), 0.3)] * 8)
    steady(f, 4)


def test_noise_from_global_stream():
    f = differential(noisy_step_global, [(_r(5), _r(5), 0.1)] * 8)
    steady(f, 4)


def test_global_draw_then_assertion_fails_mid_graph():
    """The branch is speculated positive; a negative call fails after the draw: the state
    must be restored so the imperative rerun draws the same numbers as the plain run."""
    xs = [np.abs(_r(3)) + 0.1 for _ in range(5)] + [-np.abs(_r(3)) - 0.1] + \
        [np.abs(_r(3)) + 0.1 for _ in range(3)] + [-np.abs(_r(3)) - 0.1]
    f = differential(draw_then_branch_global, [(x,) for x in xs])
    steady(f, 4)


def test_global_draws_in_a_loop():
    f = differential(global_draw_loop, [(_r(3), 4)] * 6)
    steady(f, 3)


# -- Generator objects passed in --------------------------------------------------------------
def gen_dropout(x, gen, p):
    keep = gen.random(x.shape) > p
    return np.where(keep, x / (1 - p), 0.0)


def gen_noise_and_index(x, gen):
    idx = gen.integers(0, x.shape[0], size=3)
    noise = gen.normal(size=x.shape)
    return x[idx] + noise[idx]


def gen_draw_then_branch(x, gen):
    r = gen.standard_normal(4)
    if x.max() > 1.0:
        r = r * 2
    return r + x.max()


def _gen_differential(fn, args_list, seed=5):
    """Plain and jit'ed ``fn`` each with their own Generator (same seed), shared across the
    calls as a training loop would: results and final generator states must agree."""
    f = janus_lite.jit(fn)
    gp, gj = np.random.default_rng(seed), np.random.default_rng(seed)
    for i, args in enumerate(args_list):
        ap, aj = copy.deepcopy(args), copy.deepcopy(args)
        exc_p = exc_j = rp = rj = None
        try:
            rp = fn(*ap[:1], gp, *ap[1:])
        except Exception as e:
            exc_p = e
        try:
            rj = f(*aj[:1], gj, *aj[1:])
        except Exception as e:
            exc_j = e
        assert type(exc_p) is type(exc_j) and str(exc_p) == str(exc_j), \
            f"call {i}: {exc_p!r} vs {exc_j!r}"
        assert_same(rj, rp, f"call {i} result")
        assert gj.bit_generator.state == gp.bit_generator.state, f"call {i}: generator state"
    return f


def test_generator_dropout():
    _gen_differential(gen_dropout, [(_r(4, 3), 0.25)] * 8)


def test_generator_dropout_graph_served():
    steady(_gen_differential(gen_dropout, [(_r(4, 3), 0.25)] * 8), 4)


def test_generator_integers_and_normal():
    _gen_differential(gen_noise_and_index, [(_r(6, 2),)] * 8)


def test_generator_integers_and_normal_graph_served():
    steady(_gen_differential(gen_noise_and_index, [(_r(6, 2),)] * 8), 4)


def _branch_calls():
    return [(_r(3) * 0.1,) for _ in range(5)] + [(np.full(3, 5.0),)] + \
        [(_r(3) * 0.1,)] * 3 + [(np.full(3, 5.0),)]


def test_generator_draw_then_assertion_fails_mid_graph():
    _gen_differential(gen_draw_then_branch, _branch_calls())


def test_generator_draw_then_assertion_fails_mid_graph_graph_served():
    steady(_gen_differential(gen_draw_then_branch, _branch_calls()), 4)


def test_generator_draw_then_bad_input_raises_the_same():
    """The draw happens before NumPy raises: the generator must advance exactly as
    imperatively (the graph restores it, the imperative rerun draws and raises)."""
    def draw_then_matmul(x, gen, W):
        noise = gen.normal(size=x.shape)
        return (x + noise) @ W
    good = (_r(3, 4), _r(4, 2))
    bad = (_r(3, 4), _r(3, 2))
    _gen_differential(draw_then_matmul, [good] * 4 + [bad] + [good] * 3)


class NoisyModel:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.w = _r(3)
        self.draws = 0

    def step(self, x):
        eps = self.rng.normal(size=self.w.shape)
        self.w = self.w + 0.01 * eps
        self.draws += 1
        return float(x @ self.w)


def _noisy_model_run():
    mp = NoisyModel(3)
    mj = copy.deepcopy(mp)
    f = janus_lite.jit(NoisyModel.step)
    for i in range(8):
        x = _r(3)
        assert_same(f(mj, x), NoisyModel.step(mp, x), f"call {i}")
        assert mj.rng.bit_generator.state == mp.rng.bit_generator.state
        assert_same(mj.w, mp.w)
        assert mj.draws == mp.draws
    return f


def test_generator_held_as_state():
    _noisy_model_run()


def test_generator_held_as_state_graph_served():
    steady(_noisy_model_run(), 4)


# -- the graph itself draws exactly what the plain function draws -------------------------------
def _graph_draws_like_plain(fn, args_list, warm):
    """Warm ``jit(fn)`` up (profiling and conversion happen here, outside the comparison),
    then run each call from one saved global state through both: same numbers, same state."""
    f = janus_lite.jit(fn)
    for args in warm:
        f(*args)
    for i, args in enumerate(args_list):
        start = np.random.get_state()
        exc_p = exc_j = rp = rj = None
        try:
            rp = fn(*args)
        except Exception as e:
            exc_p = e
        after_plain = np.random.get_state()
        np.random.set_state(start)
        try:
            rj = f(*args)
        except Exception as e:
            exc_j = e
        after_jit = np.random.get_state()
        assert type(exc_p) is type(exc_j), f"call {i}: {exc_p!r} vs {exc_j!r}"
        assert_same(rj, rp, f"call {i} result")
        assert np.array_equal(after_plain[1], after_jit[1]) and \
            after_plain[2:] == after_jit[2:], f"call {i}: global RNG state differs"
    return f


def test_graph_draws_same_numbers_from_global_stream():
    x = _r(4, 3)
    f = _graph_draws_like_plain(dropout_global, [(x, 0.3)] * 6, [(x, 0.3)] * 3)
    steady(f, 6)


def test_graph_restores_global_stream_when_abandoned_mid_graph():
    pos = [(np.abs(_r(3)) + 0.1,) for _ in range(3)]
    calls = pos + [(-np.abs(_r(3)) - 0.1,)] + pos
    f = _graph_draws_like_plain(draw_then_branch_global, calls, pos)
    steady(f, 5)
    assert f.stats["fallbacks"] >= 1


def test_graph_restores_global_stream_when_numpy_raises_after_draw():
    def draw_then_matmul(x, W):
        return (x + np.random.randn(*x.shape)) @ W
    good, bad = (_r(3, 4), _r(4, 2)), (_r(3, 4), _r(3, 2))
    f = _graph_draws_like_plain(draw_then_matmul, [good, bad, good, bad, good], [good] * 3)
    steady(f, 3)


def reseeded_draw(x, s):
    np.random.seed(s)               # the global stream reset inside the function
    y = x + np.random.rand(*x.shape)
    if y.sum() > 100:
        raise ValueError("big")
    return y


def test_seed_inside_the_function_is_graphed_and_undone_when_abandoned():
    calls = [(np.ones(3) * k, 42 + k % 2) for k in (1, 1, 1, 1, 200, 1, 2)]
    steady(differential(reseeded_draw, calls), 3)


def seeded_global_and_new_generator(n, x):
    np.random.seed(n)
    a = np.random.rand(3)
    g = np.random.default_rng(n)
    return a * x, g.normal(size=2), g


def new_generator_then_branch(n, x):
    g = np.random.default_rng(n)
    z = g.standard_normal(3) + x
    if z.sum() > 0:
        return z
    return -z


def test_a_generator_made_in_the_graph_is_not_saved_before_it_exists():
    """A graph that draws from a generator it made itself saved that generator's state in
    its prologue, before the generator existed (UnboundLocalError: every call fell back)."""
    f = differential(seeded_global_and_new_generator, [(i % 3, _r(3)) for i in range(8)])
    steady(f, 5)
    assert f.stats["fallbacks"] == 0, f.explain()
    g = differential(new_generator_then_branch, [(i, np.full(3, 0.3 * (-1) ** i))
                                                 for i in range(8)])
    steady(g, 3)
