"""The classic online perceptron: one pass over the samples per epoch, updating the weights
only on mistakes, counting errors per epoch (a solver with its own training loop)."""
import numpy as np


class Perceptron:
    def __init__(self, eta=0.1, n_iter=10, seed=1):
        self.eta, self.n_iter, self.seed = eta, n_iter, seed

    def fit(self, X, y):
        rgen = np.random.RandomState(self.seed)
        self.w_ = rgen.normal(loc=0.0, scale=0.01, size=1 + X.shape[1])
        self.errors_ = []
        for _ in range(self.n_iter):
            errors = 0
            for xi, target in zip(X, y):
                update = self.eta * (target - self.predict(xi))
                self.w_[1:] += update * xi
                self.w_[0] += update
                errors += int(update != 0.0)
            self.errors_.append(errors)
        return self

    def net_input(self, X):
        return np.dot(X, self.w_[1:]) + self.w_[0]

    def predict(self, X):
        return np.where(self.net_input(X) >= 0.0, 1, -1)

    def epoch(self, X, y):
        errors = 0
        for xi, target in zip(X, y):
            update = self.eta * (target - self.predict(xi))
            self.w_[1:] += update * xi
            self.w_[0] += update
            errors += int(update != 0.0)
        return errors


def run(jit):
    Perceptron.epoch = jit(Perceptron.epoch)
    Perceptron.predict = jit(Perceptron.predict)
    rng = np.random.default_rng(15)
    X = rng.standard_normal((40, 3))
    y = np.where(X @ np.array([1.0, -1.0, 0.5]) + 0.2 > 0, 1, -1)
    model = Perceptron(eta=0.05, n_iter=0).fit(X, y)
    per_epoch = []
    for e in range(15):
        per_epoch.append(model.epoch(X, y))
    print("errors per epoch:", per_epoch)
    return model, per_epoch, model.predict(X)
