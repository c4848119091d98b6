"""A value read from an array before the array is updated in place, used after the update:
a graph holds it when it is no view (a scalar, a fresh result of unknown type) and stays
exact when it is one (refused, or served with the view's semantics). Corpus programs
lasso_coordinate (``change = abs(new - w[j])`` kept across ``w[j] = new``) and
word2vec_negative_sampling (``np.concatenate(([context], negatives))``: a list display
inside a NumPy call has a known shape now)."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(26)


def soft_threshold(rho, lam):
    if rho < -lam:
        return rho + lam
    elif rho > lam:
        return rho - lam
    return 0.0


def sweep(X, y, w, lam, col_sq):
    max_change = 0.0
    for j in range(X.shape[1]):
        r = y - X @ w + X[:, j] * w[j]
        rho = X[:, j] @ r
        new = soft_threshold(rho, lam) / col_sq[j]
        change = abs(new - w[j])
        if change > max_change:
            max_change = change
        w[j] = new
    return max_change


def sgns(W_in, W_out, center, context, negatives, lr):
    v = W_in[center]
    ids = np.concatenate(([context], negatives))
    labels = np.zeros(len(ids))
    labels[0] = 1.0
    u = W_out[ids]
    probs = 1.0 / (1.0 + np.exp(-(u @ v)))
    g = probs - labels
    grad_v = g @ u
    np.add.at(W_out, ids, -lr * np.outer(g, v))
    W_in[center] -= lr * grad_v
    return float(np.sum(np.log(probs + 1e-10)))


def stale_view(w, g):
    v = w[:2]
    w -= g
    return v.sum()


def stale_view_in_list(w, g):
    keep = [w[1:]]
    w *= g
    return keep[0] * 2.0


def stale_view_of_a_join(w, g, flag):
    s = w[0] if flag > 0 else 0.0          # np.float64 or float: of unknown type after
    t = abs(s - 1.0)
    w -= g
    return t + w[0]


def stack_lists(a, b):
    return np.stack([a, b]), np.concatenate([a, [1.0, 2.0]])


def _lasso_calls():
    X = rng.standard_normal((20, 4))
    y = X @ np.array([1.5, 0.0, -1.0, 0.0]) + 0.1 * rng.standard_normal(20)
    col_sq = (X ** 2).sum(axis=0)
    return [(X, y, np.zeros(4), lam, col_sq) for lam in (5.0, 2.0, 1.0, 0.5, 0.2, 0.1)]


def test_lasso_sweep_served():
    f = differential(sweep, _lasso_calls())
    steady(f, 4)


def test_word2vec_step_served():
    calls = []
    for k in range(6):
        calls.append((rng.random((6, 4)) - 0.5, np.zeros((6, 4)), np.int64(k % 6),
                      np.int64((k + 1) % 6), rng.integers(0, 6, 3), 0.05))
    f = differential(sgns, calls)
    steady(f, 4)


def test_true_stale_views_stay_exact():
    calls = [(rng.standard_normal(4), rng.standard_normal(4)) for _ in range(5)]
    differential(stale_view, calls)
    differential(stale_view_in_list, calls)


def test_value_of_unknown_type_read_before_update():
    calls = [(rng.standard_normal(3), rng.standard_normal(3), 1 - 2 * (k % 2))
             for k in range(8)]
    f = differential(stale_view_of_a_join, calls)
    steady(f, 2)


def test_list_displays_into_numpy_functions():
    calls = [(rng.standard_normal(3), rng.standard_normal(3)) for _ in range(5)] + \
        [(rng.standard_normal(3), rng.standard_normal(4))]
    f = differential(stack_lists, calls)
    steady(f, 3)
