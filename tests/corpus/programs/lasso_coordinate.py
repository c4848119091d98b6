"""Lasso by cyclic coordinate descent with soft thresholding, over a decreasing path of
regularisation strengths with warm starts; stops when no coordinate moves much."""
import numpy as np


def soft_threshold(rho, lam):
    if rho < -lam:
        return rho + lam
    elif rho > lam:
        return rho - lam
    return 0.0


def coordinate_sweep(X, y, w, lam, col_sq):
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


def run(jit):
    global coordinate_sweep
    coordinate_sweep = jit(coordinate_sweep)
    rng = np.random.default_rng(26)
    X = rng.standard_normal((60, 8))
    true_w = np.array([2.0, 0, 0, -1.5, 0, 0, 0.5, 0])
    y = X @ true_w + 0.1 * rng.standard_normal(60)
    col_sq = (X ** 2).sum(axis=0)
    w = np.zeros(8)
    path = []
    for lam in np.geomspace(50, 0.5, 8):
        sweeps = 0
        while True:
            sweeps += 1
            if coordinate_sweep(X, y, w, lam, col_sq) < 1e-6 or sweeps >= 40:
                break
        path.append((lam, w.copy(), sweeps))
        print(f"lambda {lam:8.3f}: {int(np.sum(w != 0))} nonzero after {sweeps} sweeps")
    return path
