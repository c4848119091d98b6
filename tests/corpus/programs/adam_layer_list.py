"""A model-library style network: Layer subclasses with params/grads dicts, an Adam
optimizer whose per-parameter moments are created lazily in dicts keyed by (layer, name),
and mini-batches whose last one is short."""
import numpy as np


class Layer:
    def __init__(self):
        self.params = {}
        self.grads = {}


class Dense(Layer):
    def __init__(self, n_in, n_out, rng):
        super().__init__()
        self.params["W"] = rng.standard_normal((n_in, n_out)) * np.sqrt(1 / n_in)
        self.params["b"] = np.zeros(n_out)

    def forward(self, X):
        self.X = X
        return X @ self.params["W"] + self.params["b"]

    def backward(self, dY):
        self.grads["W"] = self.X.T @ dY
        self.grads["b"] = dY.sum(axis=0)
        return dY @ self.params["W"].T


class Sigmoid(Layer):
    def forward(self, X):
        self.Y = 1 / (1 + np.exp(-X))
        return self.Y

    def backward(self, dY):
        return dY * self.Y * (1 - self.Y)


class Adam:
    def __init__(self, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t = {}, {}, 0

    def update(self, key, param, grad):
        if key not in self.m:
            self.m[key] = np.zeros_like(param)
            self.v[key] = np.zeros_like(param)
        self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grad
        self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grad * grad
        m_hat = self.m[key] / (1 - self.beta1 ** self.t)
        v_hat = self.v[key] / (1 - self.beta2 ** self.t)
        param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def run(jit):
    Adam.update = jit(Adam.update)
    Sigmoid.forward = jit(Sigmoid.forward)
    Sigmoid.backward = jit(Sigmoid.backward)
    rng = np.random.default_rng(52)
    X = rng.standard_normal((110, 6))
    y = (np.abs(X[:, :2]).sum(axis=1, keepdims=True) > 1.5).astype(float)
    net = [Dense(6, 12, rng), Sigmoid(), Dense(12, 1, rng), Sigmoid()]
    opt = Adam()
    losses = []
    for epoch in range(15):
        perm = rng.permutation(110)
        for s in range(0, 110, 32):
            idx = perm[s:s + 32]
            h = X[idx]
            for layer in net:
                h = layer.forward(h)
            losses.append(float(np.mean((h - y[idx]) ** 2)))
            g = 2 * (h - y[idx]) / len(idx)
            for layer in reversed(net):
                g = layer.backward(g)
            opt.t += 1
            for li, layer in enumerate(net):
                for name in layer.params:
                    opt.update((li, name), layer.params[name], layer.grads[name])
        if epoch % 5 == 0:
            print(f"epoch {epoch}: {losses[-1]:.5f}")
    return losses, net, opt
