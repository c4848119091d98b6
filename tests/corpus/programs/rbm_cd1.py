"""A binary restricted Boltzmann machine trained with one step of contrastive divergence:
Bernoulli samples from np.random.binomial / rand, weights updated from the positive and
negative phase statistics, reconstruction error per epoch."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class RBM:
    def __init__(self, n_visible, n_hidden, rng):
        self.W = 0.01 * rng.standard_normal((n_visible, n_hidden))
        self.a = np.zeros(n_visible)
        self.b = np.zeros(n_hidden)

    def cd1(self, v0, lr):
        ph0 = sigmoid(v0 @ self.W + self.b)
        h0 = (np.random.rand(*ph0.shape) < ph0).astype(float)
        pv1 = sigmoid(h0 @ self.W.T + self.a)
        v1 = np.random.binomial(1, pv1).astype(float)
        ph1 = sigmoid(v1 @ self.W + self.b)
        n = v0.shape[0]
        self.W += lr * (v0.T @ ph0 - v1.T @ ph1) / n
        self.a += lr * (v0 - v1).mean(axis=0)
        self.b += lr * (ph0 - ph1).mean(axis=0)
        return float(np.mean((v0 - pv1) ** 2))


def run(jit):
    RBM.cd1 = jit(RBM.cd1)
    np.random.seed(39)
    rng = np.random.default_rng(39)
    protos = (rng.random((3, 16)) < 0.5).astype(float)
    data = protos[rng.integers(0, 3, 120)]
    flip = rng.random(data.shape) < 0.05
    data = np.abs(data - flip)
    rbm = RBM(16, 8, rng)
    errs = []
    for epoch in range(20):
        e = 0.0
        for s in range(0, 120, 20):
            e += rbm.cd1(data[s:s + 20], 0.1)
        errs.append(e)
        if epoch % 5 == 0:
            print("epoch %d reconstruction %.5f" % (epoch, e))
    return rbm, errs
