"""An RMSProp optimizer keyed by parameter name with lazily created caches (`if name not in
self.cache`), a gradient-norm clip, and a model whose layers are dicts of arrays."""
import numpy as np


class RMSProp:
    def __init__(self, lr=0.01, decay=0.9, eps=1e-7, clip=5.0):
        self.lr, self.decay, self.eps, self.clip = lr, decay, eps, clip
        self.cache = {}

    def update(self, name, param, grad):
        if name not in self.cache:
            self.cache[name] = np.zeros_like(grad)
        norm = np.linalg.norm(grad)
        if norm > self.clip:
            grad = grad * (self.clip / norm)
        self.cache[name] = self.decay * self.cache[name] + (1 - self.decay) * grad ** 2
        return param - self.lr * grad / (np.sqrt(self.cache[name]) + self.eps)


def model_grads(layers, X, y):
    acts = [X]
    for layer in layers[:-1]:
        acts.append(np.tanh(acts[-1] @ layer["W"] + layer["b"]))
    out = acts[-1] @ layers[-1]["W"] + layers[-1]["b"]
    diff = out - y
    g = diff / len(y)
    grads = []
    for i in reversed(range(len(layers))):
        grads.append({"W": acts[i].T @ g, "b": g.sum(axis=0)})
        if i > 0:
            g = (g @ layers[i]["W"].T) * (1 - acts[i] ** 2)
    grads.reverse()
    return float(np.mean(diff ** 2)), grads


def run(jit):
    global model_grads
    model_grads = jit(model_grads)
    RMSProp.update = jit(RMSProp.update)
    rng = np.random.default_rng(32)
    X = rng.standard_normal((80, 4))
    y = np.cos(X @ np.array([[1.0], [0.5], [-0.5], [0.2]]))
    layers = [{"W": rng.standard_normal((4, 12)) * 0.5, "b": np.zeros(12)},
              {"W": rng.standard_normal((12, 12)) * 0.3, "b": np.zeros(12)},
              {"W": rng.standard_normal((12, 1)) * 0.3, "b": np.zeros(1)}]
    opt = RMSProp()
    losses = []
    for it in range(120):
        loss, grads = model_grads(layers, X, y)
        for i, (layer, g) in enumerate(zip(layers, grads)):
            for key in ("W", "b"):
                layer[key] = opt.update(f"{i}.{key}", layer[key], g[key])
        losses.append(loss)
        if it % 40 == 0:
            print(f"iteration {it}: mse {loss:.5f}")
    return losses, layers, opt
