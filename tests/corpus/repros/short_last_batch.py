"""A mini-batch training step whose last batch of every epoch is short (100 samples,
batches of 32: 32, 32, 32, 4)."""
import numpy as np


def train_step(W, Xb, yb, lr):
    p = 1 / (1 + np.exp(-(Xb @ W)))
    grad = Xb.T @ (p - yb) / len(yb)
    W -= lr * grad
    return float(np.mean((p - yb) ** 2))


def run(jit):
    global train_step
    train_step = jit(train_step)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((100, 5))
    y = (X[:, 0] > 0).astype(float)
    W = np.zeros(5)
    losses = []
    for epoch in range(15):
        for s in range(0, 100, 32):
            losses.append(train_step(W, X[s:s + 32], y[s:s + 32], 0.1))
    return losses, W
