"""A book-style update_mini_batch over a list of (x, y) pairs: 50 samples in batches of 8,
so the last batch of every epoch holds 2 pairs."""
import numpy as np


class Net:
    def __init__(self, rng):
        self.weights = [rng.standard_normal((5, 4)), rng.standard_normal((2, 5))]

    def update_mini_batch(self, mini_batch, eta):
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            h = np.tanh(np.dot(self.weights[0], x))
            out = np.dot(self.weights[1], h)
            delta = out - y
            nabla_w[1] += np.dot(delta, h.T)
            nabla_w[0] += np.dot(np.dot(self.weights[1].T, delta) * (1 - h * h), x.T)
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]


def run(jit):
    Net.update_mini_batch = jit(Net.update_mini_batch)
    rng = np.random.default_rng(7)
    data = [(rng.standard_normal((4, 1)), rng.standard_normal((2, 1))) for _ in range(50)]
    net = Net(rng)
    for epoch in range(10):
        for k in range(0, 50, 8):
            net.update_mini_batch(data[k:k + 8], 0.05)
    return net
