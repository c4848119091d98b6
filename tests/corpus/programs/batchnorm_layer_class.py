"""A BatchNorm layer class keeping running statistics on the object, switching on a
`training` flag, inside a Sequential-style container with a ReLU and Linear layers."""
import numpy as np


class Linear:
    def __init__(self, n_in, n_out, rng):
        self.W = rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)
        self.b = np.zeros(n_out)

    def __call__(self, x, training=True):
        self.x = x
        return x @ self.W + self.b

    def backward(self, g, lr):
        dx = g @ self.W.T
        self.W -= lr * (self.x.T @ g)
        self.b -= lr * g.sum(0)
        return dx


class BatchNorm:
    def __init__(self, dim, momentum=0.9, eps=1e-5):
        self.gamma = np.ones(dim)
        self.beta = np.zeros(dim)
        self.running_mean = np.zeros(dim)
        self.running_var = np.ones(dim)
        self.momentum, self.eps = momentum, eps

    def __call__(self, x, training=True):
        if training:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            mean, var = self.running_mean, self.running_var
        self.std = np.sqrt(var + self.eps)
        self.xhat = (x - mean) / self.std
        return self.gamma * self.xhat + self.beta

    def backward(self, g, lr):
        n = g.shape[0]
        dgamma = (g * self.xhat).sum(0)
        dbeta = g.sum(0)
        dxhat = g * self.gamma
        dx = (n * dxhat - dxhat.sum(0) - self.xhat * (dxhat * self.xhat).sum(0)) / (n * self.std)
        self.gamma -= lr * dgamma
        self.beta -= lr * dbeta
        return dx


class ReLU:
    def __call__(self, x, training=True):
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)

    def backward(self, g, lr):
        return g * self.mask


def run(jit):
    BatchNorm.__call__ = jit(BatchNorm.__call__)
    BatchNorm.backward = jit(BatchNorm.backward)
    rng = np.random.default_rng(35)
    X = rng.standard_normal((100, 6)) * np.array([1, 10, 0.1, 5, 1, 2])
    y = (X[:, 0] + X[:, 1] / 10 > 0).astype(float)[:, None]
    layers = [Linear(6, 16, rng), BatchNorm(16), ReLU(), Linear(16, 1, rng)]
    losses = []
    for epoch in range(25):
        perm = rng.permutation(100)
        for s in range(0, 100, 25):
            idx = perm[s:s + 25]
            h = X[idx]
            for layer in layers:
                h = layer(h, training=True)
            p = 1 / (1 + np.exp(-h))
            g = (p - y[idx]) / len(idx)
            for layer in reversed(layers):
                g = layer.backward(g, 0.1)
            losses.append(float(-np.mean(y[idx] * np.log(p + 1e-9) + (1 - y[idx]) * np.log(1 - p + 1e-9))))
        if epoch % 5 == 0:
            h = X
            for layer in layers:
                h = layer(h, training=False)
            print(f"epoch {epoch}: loss {losses[-1]:.4f}, eval acc {np.mean((h > 0) == y):.3f}")
    return losses, layers
