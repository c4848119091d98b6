"""An Adam optimizer object whose moment estimates are created lazily on the first step,
trained on a fresh model per cross-validation fold (a new optimizer each time)."""
import numpy as np


class Adam:
    def __init__(self, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = None
        self.v = None
        self.t = 0

    def update(self, w, grad):
        if self.m is None:
            self.m = np.zeros_like(w)
            self.v = np.zeros_like(w)
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * grad
        self.v = self.b2 * self.v + (1 - self.b2) * grad ** 2
        m_hat = self.m / (1 - self.b1 ** self.t)
        v_hat = self.v / (1 - self.b2 ** self.t)
        return w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class LinearModel:
    def __init__(self, n_features):
        self.w = np.zeros(n_features)
        self.opt = Adam(lr=0.05)

    def grad(self, X, y):
        err = X @ self.w - y
        return X.T @ err / len(y), float(np.mean(err ** 2))

    def fit(self, X, y, n_steps):
        history = []
        for _ in range(n_steps):
            g, loss = self.grad(X, y)
            self.w = self.opt.update(self.w, g)
            history.append(loss)
        return history


def run(jit):
    Adam.update = jit(Adam.update)
    LinearModel.grad = jit(LinearModel.grad)
    rng = np.random.default_rng(7)
    X = rng.standard_normal((100, 6))
    y = X @ rng.standard_normal(6) + 0.1 * rng.standard_normal(100)
    folds = np.array_split(np.arange(100), 5)
    scores, models = [], []
    for k, test_idx in enumerate(folds):
        train_idx = np.setdiff1d(np.arange(100), test_idx)
        model = LinearModel(6)
        hist = model.fit(X[train_idx], y[train_idx], 150)
        test_err = float(np.mean((X[test_idx] @ model.w - y[test_idx]) ** 2))
        print(f"fold {k}: train {hist[-1]:.5f} test {test_err:.5f}")
        scores.append(test_err)
        models.append(model)
    return scores, models
