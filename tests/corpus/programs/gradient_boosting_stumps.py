"""Gradient boosting for regression with depth-1 trees fitted to residuals: each round
scans features and candidate thresholds for the least-squares split, then shrinks it in."""
import numpy as np


def fit_stump(X, r):
    best = (np.inf, 0, 0.0, 0.0, 0.0)
    for j in range(X.shape[1]):
        xs = X[:, j]
        for thr in np.quantile(xs, [0.2, 0.4, 0.6, 0.8]):
            left = xs <= thr
            if left.all() or not left.any():
                continue
            lv, rv = r[left].mean(), r[~left].mean()
            sse = np.sum((r[left] - lv) ** 2) + np.sum((r[~left] - rv) ** 2)
            if sse < best[0]:
                best = (sse, j, thr, lv, rv)
    return best


def stump_apply(X, j, thr, lv, rv):
    return np.where(X[:, j] <= thr, lv, rv)


def run(jit):
    global fit_stump, stump_apply
    fit_stump = jit(fit_stump)
    stump_apply = jit(stump_apply)
    rng = np.random.default_rng(45)
    X = rng.uniform(-2, 2, (150, 3))
    y = np.sin(X[:, 0]) + 0.5 * (X[:, 1] > 0) + 0.1 * rng.standard_normal(150)
    F = np.full(150, y.mean())
    stumps, mse = [], []
    for m in range(40):
        sse, j, thr, lv, rv = fit_stump(X, y - F)
        F = F + 0.3 * stump_apply(X, j, thr, lv, rv)
        stumps.append((j, thr, lv, rv))
        mse.append(float(np.mean((y - F) ** 2)))
        if m % 10 == 0:
            print(f"round {m}: mse {mse[-1]:.5f}")
    return stumps, mse, F
