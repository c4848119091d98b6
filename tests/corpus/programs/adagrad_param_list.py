"""An optimizer class holding parallel lists of parameters, gradients and squared-gradient
memories; step() loops over them updating everything in place (Adagrad), used by a small
two-layer regression net."""
import numpy as np


class Adagrad:
    def __init__(self, params, lr=0.1, eps=1e-8):
        self.params = params
        self.lr = lr
        self.eps = eps
        self.mems = [np.zeros_like(p) for p in params]

    def step(self, grads):
        for p, g, m in zip(self.params, grads, self.mems):
            m += g * g
            p -= self.lr * g / np.sqrt(m + self.eps)


def forward_backward(params, X, y):
    W1, b1, W2, b2 = params
    z = X @ W1 + b1
    h = np.maximum(z, 0.01 * z)
    out = h @ W2 + b2
    diff = out - y
    loss = float(np.mean(diff ** 2))
    d_out = 2 * diff / len(y)
    dW2 = h.T @ d_out
    db2 = d_out.sum(axis=0)
    dh = d_out @ W2.T
    dz = dh * np.where(z > 0, 1.0, 0.01)
    return loss, [X.T @ dz, dz.sum(axis=0), dW2, db2]


def run(jit):
    global forward_backward
    forward_backward = jit(forward_backward)
    Adagrad.step = jit(Adagrad.step)
    rng = np.random.default_rng(31)
    X = rng.standard_normal((64, 5))
    y = (X[:, :1] * X[:, 1:2]) + X[:, 2:3]
    params = [rng.standard_normal((5, 16)) * 0.3, np.zeros(16), rng.standard_normal((16, 1)) * 0.3, np.zeros(1)]
    opt = Adagrad(params, lr=0.05)
    losses = []
    for it in range(250):
        loss, grads = forward_backward(params, X, y)
        opt.step(grads)
        losses.append(loss)
        if it % 50 == 0:
            print("it", it, "loss", loss)
    return losses, params, opt
