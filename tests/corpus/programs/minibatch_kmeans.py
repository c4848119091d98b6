"""Mini-batch k-means: each step draws a batch with np.random.choice, assigns it to the
nearest centres, and moves the centres with per-centre learning rates from their counts."""
import numpy as np


def minibatch_step(C, counts, batch):
    d = ((batch[:, None, :] - C[None]) ** 2).sum(-1)
    labels = d.argmin(axis=1)
    for x, l in zip(batch, labels):
        counts[l] += 1
        eta = 1.0 / counts[l]
        C[l] = (1 - eta) * C[l] + eta * x
    return float(d.min(axis=1).sum())


def run(jit):
    global minibatch_step
    minibatch_step = jit(minibatch_step)
    np.random.seed(55)
    X = np.concatenate([np.random.randn(100, 2) + c for c in ([0, 0], [5, 0], [0, 5], [5, 5])])
    C = X[np.random.choice(len(X), 4, replace=False)].copy()
    counts = np.zeros(4)
    costs = []
    for step in range(60):
        batch = X[np.random.choice(len(X), 16)]
        costs.append(minibatch_step(C, counts, batch))
        if step % 20 == 0:
            print(f"step {step}: batch cost {costs[-1]:.3f}")
    return C, counts, costs
