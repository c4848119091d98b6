"""NumPy functions that update their first argument in place and return None
(``np.fill_diagonal``, ``np.copyto``, ``np.put``, ``np.place``, ``np.putmask``,
``np.put_along_axis``): on the graph's own arrays, or on a private copy of an argument's
array committed back; bad input raises as NumPy does."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(57)


def tsne_like(Y, P):
    sum_Y = np.sum(Y ** 2, axis=1)
    num = 1.0 / (1.0 + sum_Y[:, None] + sum_Y[None, :] - 2 * Y @ Y.T)
    np.fill_diagonal(num, 0.0)
    Q = np.maximum(num / num.sum(), 1e-12)
    return (P - Q) @ Y, float(Q.sum())


def fill_argument(A, v):
    np.fill_diagonal(A, v)
    return A.sum()


def fill_wrap(n):
    A = np.zeros((n + 3, n))
    np.fill_diagonal(A, np.arange(1.0, n + 1), wrap=True)
    return A


def others(a, b, mask):
    out = np.empty_like(a)
    np.copyto(out, b)
    np.putmask(out, mask, -1.0)
    np.put(out, [0, 2], [7.0, 8.0])
    c = a.copy()
    np.place(c, mask, 0.5)
    d = np.zeros((2, a.size))
    np.put_along_axis(d, np.array([[0], [1]]), 3.0, axis=1)
    return out, c, d


def copy_into_argument(dst, src):
    np.copyto(dst, src)
    return dst


def test_fill_diagonal_of_the_graphs_own_array():
    P = rng.random((6, 6))
    f = differential(tsne_like, [(rng.standard_normal((6, 2)), P) for _ in range(6)])
    steady(f, 4)


def test_fill_diagonal_of_an_argument_and_bad_input():
    calls = [(rng.standard_normal((4, 4)), 1.5) for _ in range(4)] + \
        [(rng.standard_normal(4), 1.5), (rng.standard_normal((3, 3)), np.arange(3.0))] + \
        [(rng.standard_normal((4, 4)), 1.5) for _ in range(3)]
    f = differential(fill_argument, calls)
    steady(f, 4)


def test_fill_diagonal_wrap():
    f = differential(fill_wrap, [(4,)] * 5)
    steady(f, 3)


def test_copyto_putmask_put_place_put_along_axis():
    calls = [(rng.standard_normal(4), rng.standard_normal(4), rng.random(4) > 0.5)
             for _ in range(6)]
    f = differential(others, calls)
    steady(f, 4)


def test_copyto_into_an_argument_and_mismatched_shapes():
    calls = [(np.zeros(3), rng.standard_normal(3)) for _ in range(4)] + \
        [(np.zeros(3), rng.standard_normal(4)), (np.zeros(3), rng.standard_normal(3)),
         (np.zeros(3, dtype=np.int64), rng.standard_normal(3))]
    f = differential(copy_into_argument, calls)
    steady(f, 3)
