"""Robust regression with the Huber loss by iteratively reweighted least squares; weights
from the residuals each iteration, a weighted normal-equation solve, convergence check."""
import numpy as np


def irls_step(X, y, w, delta):
    r = y - X @ w
    a = np.abs(r)
    weights = np.where(a <= delta, 1.0, delta / np.maximum(a, 1e-12))
    Xw = X * weights[:, None]
    new_w = np.linalg.solve(X.T @ Xw + 1e-8 * np.eye(X.shape[1]), Xw.T @ y)
    loss = np.sum(np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta)))
    return new_w, loss


def run(jit):
    global irls_step
    irls_step = jit(irls_step)
    rng = np.random.default_rng(48)
    X = np.hstack([np.ones((100, 1)), rng.standard_normal((100, 2))])
    fits = []
    for trial in range(8):
        y = X @ np.array([1.0, 2.0, -1.0]) + 0.2 * rng.standard_normal(100)
        out = rng.choice(100, 10, replace=False)
        y[out] += rng.standard_normal(10) * 20
        w = np.linalg.lstsq(X, y, rcond=None)[0]
        for it in range(30):
            new_w, loss = irls_step(X, y, w, 1.0)
            done = np.max(np.abs(new_w - w)) < 1e-8
            w = new_w
            if done:
                break
        print(f"trial {trial}: w = {np.round(w, 3)} after {it + 1} iterations")
        fits.append(w)
    return fits
