"""``for ... else`` and ``while ... else`` on loops that run as loop nodes: the else-block
runs when no ``break`` of that loop left it (a flag of ours, set before each of its own
breaks); a break of a nested loop does not count."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(78)


def power_iteration(A, iters):
    v = np.ones(A.shape[0])
    lam = 0.0
    k = 0
    while k < iters:
        w = A @ v
        new = np.linalg.norm(w)
        v = w / new
        if abs(new - lam) < 1e-9:
            break
        lam = new
        k += 1
    else:
        k = -k                      # did not converge
    return lam, v, k


def first_above(x, thr):
    found = -1
    for i in range(x.shape[0]):
        if x[i] > thr:
            found = i
            break
    else:
        found = x.shape[0] + 100
    return found


def nested_breaks(X, thr):
    hits = 0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            if X[i, j] > thr:
                hits += 1
                break               # the inner loop's: the outer else still runs
    else:
        hits = hits * 10
    return hits


def else_returns(x):
    for i in range(x.shape[0]):
        if x[i] < 0:
            break
    else:
        return x.sum()
    return -1.0


def _spd(n, scale):
    M = rng.standard_normal((n, n))
    return M @ M.T + scale * np.eye(n)


def test_while_else_with_a_convergence_break():
    calls = [(_spd(4, 4.0), 3), (_spd(4, 4.0), 200), (_spd(4, 4.0), 5), (_spd(4, 4.0), 400),
             (np.eye(4), 50), (_spd(4, 4.0), 2)]
    f = differential(power_iteration, calls)
    steady(f, 3)


def test_for_else_and_nested_breaks():
    calls = [(rng.standard_normal(int(n)), 1.0) for n in (6, 6, 9, 3, 12, 7)]
    f = differential(first_above, calls)
    steady(f, 3)
    calls = [(rng.standard_normal((int(n), 3)), t) for n, t in
             ((4, 1.0), (4, 9.0), (5, 0.0), (3, 9.0), (6, 1.5))]
    g = differential(nested_breaks, calls)
    steady(g, 2)


def test_an_else_block_that_returns_runs_as_plain():
    differential(else_returns, [(rng.standard_normal(int(n)),) for n in (4, 4, 6, 5, 3)])
