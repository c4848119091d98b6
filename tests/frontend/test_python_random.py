"""Python's ``random`` module in graphs: draws from its global instance (``random.random``,
``randint``, ``choice``, ``gauss``, ``shuffle`` …) run in the graph in their order; the
module's state is saved on entry and restored when a run is abandoned (a failed
assertion, an exception), so the stream is consumed exactly as by the plain function.
``random.shuffle`` / ``np.random.shuffle`` of a list the function made shuffle a copy
with the same draws."""
import random

import numpy as np

import janus_lite

rng = np.random.default_rng(11)


def dropout_coin(x, p):
    if random.random() < p:
        return x * 0.0
    return x * 2.0


def noisy_step(w, g):
    w -= 0.1 * g * random.gauss(1.0, 0.1)
    return random.randint(0, 9)


def shuffled_order(X):
    idx = list(range(len(X)))
    random.shuffle(idx)
    return X[idx], idx


def np_shuffled_list(X):
    idx = [0, 1, 2, 3]
    np.random.shuffle(idx)
    return X[idx]


def draw_then_branch(x, limit):
    r = random.random()
    if x.sum() > limit:            # profiled one way: an assertion in the graph
        return r
    return -r


def draw_then_raise(K):
    k = random.randrange(3)
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        return -1.0
    return float(L[k % len(K), 0])


def bad_bounds(lo, hi):
    return random.randint(lo, hi) + random.random()


def pick(xs):
    return random.choice(xs) * 2.0


def _run(fn, calls, seed):
    random.seed(seed)
    np.random.seed(seed)
    out = []
    for args in calls:
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        try:
            r = fn(*args)
            out.append(("ok", r, args))
        except Exception as exc:
            out.append(("raise", type(exc), str(exc)))
    return out, random.getstate(), np.random.get_state()[1][:4].copy()


def _same(a, b):
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


def differential_py(fn, calls, served):
    f = janus_lite.jit(fn)
    (pa, ps, pn), (ja, js, jn) = _run(fn, calls, 3), _run(f, calls, 3)
    for i, (p, j) in enumerate(zip(pa, ja)):
        assert _same(p, j), f"call {i}: {p} vs {j}\n{f.explain()}"
    assert ps == js, "Python's random state diverged"
    assert np.array_equal(pn, jn), "NumPy's global stream diverged"
    assert f.stats["graph_calls"] >= served, f"{f.stats}\n{f.explain()}"
    return f


def test_coin_flip_branch():
    differential_py(dropout_coin, [(rng.standard_normal(3), 0.3) for _ in range(10)], 6)


def test_draws_with_an_in_place_update():
    differential_py(noisy_step, [(np.ones(3), rng.standard_normal(3)) for _ in range(8)], 5)


def test_shuffle_a_made_list():
    X = rng.standard_normal((5, 2))
    differential_py(shuffled_order, [(X,)] * 8, 5)
    differential_py(np_shuffled_list, [(X,)] * 8, 5)


def test_abandoned_runs_restore_the_stream():
    calls = [(np.ones(3), 0.0)] * 4 + [(-np.ones(3), 0.0)] * 2 + [(np.ones(3), 0.0)] * 3
    f = differential_py(draw_then_branch, calls, 4)
    assert f.stats["fallbacks"] >= 1
    calls = [(np.eye(3),)] * 4 + [(-np.eye(3),)] + [(np.eye(3),)] * 3
    f = differential_py(draw_then_raise, calls, 5)
    assert f.stats["fallbacks"] == 1


def test_bad_input_raises_as_plain():
    differential_py(bad_bounds, [(0, 5)] * 4 + [(5, 1), (0, 5), (0.5, 3)], 2)
    differential_py(pick, [([1.0, 2.0, 3.0],)] * 4 + [([],), ([4.0, 5.0, 6.0],)], 2)
