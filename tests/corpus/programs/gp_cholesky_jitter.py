"""Gaussian-process regression with an RBF kernel; the Cholesky factorisation is retried
with growing jitter when it fails (try/except LinAlgError); the length-scale chosen by the
log marginal likelihood on a grid."""
import numpy as np


def rbf(A, B, ell):
    d = np.sum(A ** 2, 1)[:, None] + np.sum(B ** 2, 1)[None, :] - 2 * A @ B.T
    return np.exp(-0.5 * d / ell ** 2)


def log_marginal(X, y, ell, noise):
    K = rbf(X, X, ell) + noise * np.eye(len(X))
    jitter = 0.0
    for attempt in range(5):
        try:
            L = np.linalg.cholesky(K + jitter * np.eye(len(X)))
            break
        except np.linalg.LinAlgError:
            jitter = 1e-10 if jitter == 0.0 else jitter * 10
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return float(-0.5 * y @ alpha - np.sum(np.log(np.diag(L))) - 0.5 * len(X) * np.log(2 * np.pi)), jitter


def run(jit):
    global log_marginal
    log_marginal = jit(log_marginal)
    rng = np.random.default_rng(68)
    X = rng.uniform(-3, 3, (25, 1))
    y = np.sin(X[:, 0]) + 0.05 * rng.standard_normal(25)
    scores = []
    for noise in (1e-2, 1e-4, 0.0):
        for ell in np.linspace(0.3, 3.0, 10):
            lml, jitter = log_marginal(X, y, ell, noise)
            scores.append((noise, ell, lml, jitter))
        best = max((s for s in scores if s[0] == noise), key=lambda s: s[2])
        print(f"noise {noise}: best length-scale {best[1]:.2f} (lml {best[2]:.3f}, jitter {best[3]})")
    return scores
