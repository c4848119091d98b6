"""Activations looked up by name in a table of lambdas; a Layer's forward calls the stored
function; the loss is computed by a nested helper defined inside the training step."""
import numpy as np

ACTIVATIONS = {
    "relu": (lambda x: np.maximum(x, 0.0), lambda x, y: (x > 0).astype(x.dtype)),
    "tanh": (lambda x: np.tanh(x), lambda x, y: 1.0 - y * y),
    "linear": (lambda x: x, lambda x, y: np.ones_like(x)),
}


class Layer:
    def __init__(self, n_in, n_out, activation, rng):
        self.W = rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)
        self.b = np.zeros(n_out)
        self.f, self.df = ACTIVATIONS[activation]

    def forward(self, x):
        self.x = x
        self.z = x @ self.W + self.b
        self.y = self.f(self.z)
        return self.y


def train_step(layers, X, Y, lr):
    def mse(pred, target):
        d = pred - target
        return float(np.mean(d * d)), 2 * d / d.size

    h = X
    for layer in layers:
        h = layer.forward(h)
    loss, g = mse(h, Y)
    for layer in reversed(layers):
        g = g * layer.df(layer.z, layer.y)
        gW = layer.x.T @ g
        g_prev = g @ layer.W.T
        layer.W = layer.W - lr * gW
        layer.b = layer.b - lr * g.sum(0)
        g = g_prev
    return loss


def run(jit):
    global train_step
    train_step = jit(train_step)
    rng = np.random.default_rng(67)
    X = rng.standard_normal((60, 3))
    Y = np.sin(X.sum(axis=1, keepdims=True))
    layers = [Layer(3, 12, "tanh", rng), Layer(12, 12, "relu", rng), Layer(12, 1, "linear", rng)]
    losses = []
    for it in range(150):
        losses.append(train_step(layers, X, Y, 0.05))
        if it % 50 == 0:
            print(f"iteration {it}: loss {losses[-1]:.5f}")
    return losses, [(l.W, l.b) for l in layers]
