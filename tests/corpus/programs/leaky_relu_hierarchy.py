"""Activation classes in a hierarchy using the two-argument super(Cls, self) form, an MLP
whose hidden layers use different activations, and a plain SGD loop."""
import numpy as np


class Activation(object):
    def __init__(self, name):
        self.name = name

    def grad(self, x):
        raise NotImplementedError


class LeakyReLU(Activation):
    def __init__(self, alpha=0.2):
        super(LeakyReLU, self).__init__("leaky_relu")
        self.alpha = alpha

    def __call__(self, x):
        return np.where(x >= 0, x, self.alpha * x)

    def grad(self, x):
        return np.where(x >= 0, 1.0, self.alpha)


class ELU(Activation):
    def __init__(self, alpha=1.0):
        super(ELU, self).__init__("elu")
        self.alpha = alpha

    def __call__(self, x):
        return np.where(x >= 0.0, x, self.alpha * (np.exp(np.minimum(x, 0)) - 1))

    def grad(self, x):
        return np.where(x >= 0.0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))


def layer_forward(x, W, b, act):
    z = x @ W + b
    return act(z), z


def layer_backward(g, x, z, W, act):
    dz = g * act.grad(z)
    return dz @ W.T, x.T @ dz, dz.sum(axis=0)


def run(jit):
    global layer_forward, layer_backward
    layer_forward = jit(layer_forward)
    layer_backward = jit(layer_backward)
    rng = np.random.default_rng(54)
    X = rng.standard_normal((80, 5))
    y = np.maximum(X[:, :1], 0) - 0.5 * X[:, 1:2]
    sizes = [5, 16, 16, 1]
    Ws = [rng.standard_normal((a, b)) * np.sqrt(2 / a) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    acts = [LeakyReLU(), ELU(), LeakyReLU(alpha=1.0)]
    losses = []
    for it in range(80):
        xs, zs = [X], []
        for W, b, act in zip(Ws, bs, acts):
            out, z = layer_forward(xs[-1], W, b, act)
            xs.append(out)
            zs.append(z)
        diff = xs[-1] - y
        losses.append(float(np.mean(diff ** 2)))
        g = 2 * diff / len(y)
        for l in reversed(range(3)):
            g, dW, db = layer_backward(g, xs[l], zs[l], Ws[l], acts[l])
            Ws[l] -= 0.05 * dW
            bs[l] -= 0.05 * db
        if it % 20 == 0:
            print("iter", it, "loss", round(losses[-1], 6))
    return losses, Ws, bs
