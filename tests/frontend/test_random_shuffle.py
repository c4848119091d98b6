"""PYTEST_DONT_REWRITE (a decorated function below holds an ``assert``).

np.random.shuffle in a graph: a draw from the global stream that permutes its argument
in place. The argument's array is updated through a private copy committed back; the
stream advances exactly as in the plain function, and is restored when a run is
abandoned after the shuffle (a failed assertion, an exception)."""
import numpy as np

import janus_lite

from differential import differential, steady

rng = np.random.default_rng(63)


def epoch(W, X, y, order):
    np.random.shuffle(order)
    mistakes = 0
    for i in order:
        pred = int(np.argmax(W @ X[i]))
        if pred != y[i]:
            W[y[i]] += X[i]
            W[pred] -= X[i]
            mistakes += 1
    return mistakes


def shuffled_rows(X):
    Z = X.copy()
    np.random.shuffle(Z)
    return Z, np.random.rand()


def shuffle_then_assert(order, limit):
    np.random.shuffle(order)
    assert order[0] < limit, "first index too large"
    return order[:3].sum()


def shuffle_then_branch(order, limit):
    np.random.shuffle(order)
    if order[0] >= limit:          # profiled one way: an assertion node in the graph
        return -1
    return int(order[:3].sum())


def shuffle_then_raise(order, K):
    np.random.shuffle(order)
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        return -1
    return int(order[0]) + int(L.shape[0])


def local_permutation(X, n):
    idx = np.arange(n)
    np.random.shuffle(idx)
    return X[idx[:4]]


def shuffle_local_list(x):
    idx = [0, 1, 2, 3]
    np.random.shuffle(idx)
    return x[idx]


def shuffle_a_view(order):
    np.random.shuffle(order[:5])
    return order.sum()


def _data():
    y = rng.integers(0, 3, 30)
    X = np.hstack([rng.standard_normal((30, 3)) + 2 * np.eye(3)[y], np.ones((30, 1))])
    return X, y


def test_perceptron_epoch_with_shuffle():
    X, y = _data()
    W, order = np.zeros((3, 4)), np.arange(30)

    def run(fn):
        np.random.seed(5)
        w, o = W.copy(), order.copy()
        out = [fn(w, X, y, o) for _ in range(8)]
        return out, w, o, np.random.get_state()[1][:8].copy(), np.random.get_state()[2]
    f = janus_lite.jit(epoch)
    a, b = run(epoch), run(f)
    assert a[0] == b[0] and all(np.array_equal(p, q) for p, q in zip(a[1:4], b[1:4]))
    assert a[4] == b[4]
    steady(f, 5)
    # the differential harness too (fresh arguments each call)
    g = differential(epoch, [(np.zeros((3, 4)), X, y, np.arange(30)) for _ in range(6)])
    steady(g, 3)


def test_shuffle_rows_of_a_local_copy():
    f = differential(shuffled_rows, [(rng.standard_normal((6, 2)),) for _ in range(6)])
    steady(f, 4)


def test_abandoned_after_shuffle_restores_the_stream():
    calls = [(np.arange(10), 10) for _ in range(4)] + [(np.arange(10), 1)] * 3 + \
        [(np.arange(10), 10)] * 2
    f = differential(shuffle_then_assert, calls)
    steady(f, 2)
    f = differential(shuffle_then_branch, calls)
    steady(f, 2)
    ok, bad = np.eye(3), -np.eye(3)
    calls = [(np.arange(8), ok)] * 4 + [(np.arange(8), bad)] + [(np.arange(8), ok)] * 2
    f = differential(shuffle_then_raise, calls)
    steady(f, 4)
    assert f.stats["fallbacks"] == 1


def test_local_index_array():
    X = rng.standard_normal((12, 3))
    f = differential(local_permutation, [(X, 12)] * 6)
    steady(f, 4)


def test_local_list_and_view_stay_exact():
    x = rng.standard_normal(4)
    differential(shuffle_local_list, [(x,)] * 5)
    differential(shuffle_a_view, [(np.arange(10),)] * 5)


def test_bad_input_raises_as_plain():
    calls = [(np.arange(6), np.eye(2))] * 3 + [(5, np.eye(2)), (np.arange(6), np.eye(2))]
    differential(shuffle_then_raise, calls)
