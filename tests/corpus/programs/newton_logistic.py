"""Logistic regression by Newton's method (IRLS): gradient and Hessian per iteration with
np.linalg.solve, stopping on a small step; fitted on bootstrap resamples."""
import numpy as np


def newton_step(X, y, w, l2):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    grad = X.T @ (p - y) + l2 * w
    S = p * (1 - p)
    H = (X * S[:, None]).T @ X + l2 * np.eye(X.shape[1])
    step = np.linalg.solve(H, grad)
    nll = -np.sum(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)) + 0.5 * l2 * w @ w
    return w - step, float(np.abs(step).max()), nll


def run(jit):
    global newton_step
    newton_step = jit(newton_step)
    rng = np.random.default_rng(37)
    X = np.hstack([np.ones((120, 1)), rng.standard_normal((120, 4))])
    y = (rng.random(120) < 1 / (1 + np.exp(-(X @ np.array([0.3, 1.0, -1.0, 0.5, 0.0]))))).astype(float)
    coefs = []
    for b in range(15):
        idx = rng.integers(0, 120, 120)
        w = np.zeros(5)
        for it in range(25):
            w, size, nll = newton_step(X[idx], y[idx], w, 1e-2)
            if size < 1e-8:
                break
        coefs.append(w)
    coefs = np.array(coefs)
    print("bootstrap std:", np.round(coefs.std(axis=0), 4))
    return coefs
