"""A plain-Python-style SGD regressor: samples visited in an order shuffled with Python's
random module, one sample per update, an inverse-scaling learning rate."""
import random

import numpy as np


class SGDRegressor:
    def __init__(self, eta0=0.05, power_t=0.25, alpha=1e-4):
        self.eta0, self.power_t, self.alpha = eta0, power_t, alpha

    def partial_fit_one(self, x, target, t):
        eta = self.eta0 / (t ** self.power_t)
        err = x @ self.coef_ + self.intercept_ - target
        self.coef_ = self.coef_ * (1 - eta * self.alpha) - eta * err * x
        self.intercept_ -= eta * err
        return err * err


def run(jit):
    SGDRegressor.partial_fit_one = jit(SGDRegressor.partial_fit_one)
    rng = np.random.default_rng(49)
    X = rng.standard_normal((60, 4))
    y = X @ np.array([1.0, -0.5, 0.25, 2.0]) + 0.3
    model = SGDRegressor()
    model.coef_ = np.zeros(4)
    model.intercept_ = 0.0
    order = list(range(60))
    t = 1
    epochs = []
    for epoch in range(10):
        random.shuffle(order)
        sq = 0.0
        for i in order:
            sq += model.partial_fit_one(X[i], y[i], t)
            t += 1
        epochs.append(sq / 60)
        print("epoch", epoch, "mse", round(float(epochs[-1]), 6))
    return model, epochs
