"""ZCA whitening fitted with np.linalg.eig (tuple-unpacked eigenvalues and vectors), then a
whitening transform applied to mini-batches that feed a linear classifier."""
import numpy as np


def fit_zca(X, eps=1e-5):
    mean = X.mean(axis=0)
    cov = np.cov(X - mean, rowvar=False)
    eigvals, eigvecs = np.linalg.eig(cov)
    eigvals = eigvals.real
    eigvecs = eigvecs.real
    W = eigvecs @ np.diag(1.0 / np.sqrt(eigvals + eps)) @ eigvecs.T
    return mean, W


def whiten(X, mean, W):
    return (X - mean) @ W


def run(jit):
    global fit_zca, whiten
    fit_zca = jit(fit_zca)
    whiten = jit(whiten)
    rng = np.random.default_rng(71)
    M = rng.standard_normal((4, 4))
    X = rng.standard_normal((160, 4)) @ M
    y = (X[:, 0] - X[:, 2] > 0).astype(float)
    w = np.zeros(4)
    for epoch in range(6):
        mean, Wz = fit_zca(X[rng.permutation(160)[:120]])
        for s in range(0, 160, 20):
            Z = whiten(X[s:s + 20], mean, Wz)
            p = 1 / (1 + np.exp(-Z @ w))
            w -= 0.5 * Z.T @ (p - y[s:s + 20]) / 20
        acc = float(np.mean(((whiten(X, mean, Wz) @ w) > 0) == y))
        print(f"epoch {epoch}: accuracy {acc:.3f}")
    return w, acc
