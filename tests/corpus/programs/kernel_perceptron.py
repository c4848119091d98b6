"""A kernel perceptron with an RBF kernel: the Gram matrix computed once, then epochs of
mistake-driven updates of the dual coefficients, then predictions on a grid."""
import numpy as np


def rbf_kernel(A, B, gamma):
    sq = np.sum(A ** 2, axis=1)[:, None] + np.sum(B ** 2, axis=1)[None, :] - 2 * A @ B.T
    return np.exp(-gamma * sq)


def perceptron_epoch(K, y, alpha):
    mistakes = 0
    for i in range(len(y)):
        if np.sign(np.sum(alpha * y * K[:, i])) != y[i]:
            alpha[i] += 1
            mistakes += 1
    return mistakes


def run(jit):
    global rbf_kernel, perceptron_epoch
    rbf_kernel = jit(rbf_kernel)
    perceptron_epoch = jit(perceptron_epoch)
    rng = np.random.default_rng(41)
    X = rng.uniform(-1, 1, (60, 2))
    y = np.where(np.sum(X ** 2, axis=1) < 0.5, 1.0, -1.0)
    K = rbf_kernel(X, X, 2.0)
    alpha = np.zeros(60)
    mistakes = []
    for epoch in range(12):
        mistakes.append(perceptron_epoch(K, y, alpha))
    print("mistakes:", mistakes)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 6), np.linspace(-1, 1, 6)), -1).reshape(-1, 2)
    preds = [np.sign(rbf_kernel(grid[i:i + 4], X, 2.0) @ (alpha * y)) for i in range(0, 36, 4)]
    return alpha, mistakes, preds
