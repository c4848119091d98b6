"""A tiny t-SNE: Gaussian affinities with a fixed bandwidth, then gradient steps with
momentum and early exaggeration on a 2-D embedding; KL divergence printed every 50."""
import numpy as np


def tsne_grad(Y, P, exaggeration):
    sum_Y = np.sum(Y ** 2, axis=1)
    num = 1.0 / (1.0 + sum_Y[:, None] + sum_Y[None, :] - 2 * Y @ Y.T)
    np.fill_diagonal(num, 0.0)
    Q = np.maximum(num / num.sum(), 1e-12)
    PQ = exaggeration * P - Q
    dY = 4 * ((PQ * num).sum(axis=1)[:, None] * Y - (PQ * num) @ Y)
    kl = float(np.sum(P * np.log(np.maximum(P, 1e-12) / Q)))
    return dY, kl


def run(jit):
    global tsne_grad
    tsne_grad = jit(tsne_grad)
    rng = np.random.default_rng(57)
    X = np.concatenate([rng.standard_normal((15, 5)) + 4 * i for i in range(3)])
    D = ((X[:, None] - X[None]) ** 2).sum(-1)
    P = np.exp(-D / 10)
    np.fill_diagonal(P, 0)
    P = P / P.sum(axis=1, keepdims=True)
    P = (P + P.T) / (2 * len(X))
    Y = 1e-2 * rng.standard_normal((45, 2))
    iY = np.zeros_like(Y)
    kls = []
    for it in range(150):
        ex = 4.0 if it < 50 else 1.0
        dY, kl = tsne_grad(Y, P, ex)
        iY = 0.8 * iY - 50.0 * dY
        Y = Y + iY
        kls.append(kl)
        if it % 50 == 0:
            print(f"iteration {it}: KL {kl:.4f}")
    return Y, kls
