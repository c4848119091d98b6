"""An ML-from-scratch style regression base class with regulariser objects (l1, l2, and
their mix) that are callable and have .grad, a fit() loop that appends the training error
and updates self.w each iteration, and subclasses for lasso/ridge/elastic net."""
import numpy as np


class l1_l2_regularization:
    def __init__(self, alpha, l1_ratio=0.5):
        self.alpha = alpha
        self.l1_ratio = l1_ratio

    def __call__(self, w):
        l1_contr = self.l1_ratio * np.linalg.norm(w)
        l2_contr = (1 - self.l1_ratio) * 0.5 * w.T.dot(w)
        return self.alpha * (l1_contr + l2_contr)

    def grad(self, w):
        l1_contr = self.l1_ratio * np.sign(w)
        l2_contr = (1 - self.l1_ratio) * w
        return self.alpha * (l1_contr + l2_contr)


class Regression:
    def __init__(self, n_iterations, learning_rate):
        self.n_iterations = n_iterations
        self.learning_rate = learning_rate

    def fit(self, X, y):
        X = np.insert(X, 0, 1, axis=1)
        self.training_errors = []
        self.w = np.zeros(X.shape[1])
        for i in range(self.n_iterations):
            y_pred = X.dot(self.w)
            mse = np.mean(0.5 * (y - y_pred) ** 2 + self.regularization(self.w))
            self.training_errors.append(mse)
            grad_w = -(y - y_pred).dot(X) / len(y) + self.regularization.grad(self.w)
            self.w -= self.learning_rate * grad_w

    def predict(self, X):
        X = np.insert(X, 0, 1, axis=1)
        return X.dot(self.w)


class ElasticNet(Regression):
    def __init__(self, reg_factor=0.05, l1_ratio=0.5, n_iterations=200, learning_rate=0.05):
        self.regularization = l1_l2_regularization(alpha=reg_factor, l1_ratio=l1_ratio)
        super(ElasticNet, self).__init__(n_iterations, learning_rate)


def run(jit):
    Regression.fit = jit(Regression.fit)
    Regression.predict = jit(Regression.predict)
    rng = np.random.default_rng(62)
    X = rng.standard_normal((90, 5))
    y = X @ np.array([3.0, 0.0, 0.0, -2.0, 0.5]) + 0.2 * rng.standard_normal(90)
    models = []
    for ratio in (0.0, 0.25, 0.5, 0.75, 1.0):
        m = ElasticNet(l1_ratio=ratio)
        m.fit(X[:70], y[:70])
        err = float(np.mean((m.predict(X[70:]) - y[70:]) ** 2))
        print(f"l1_ratio {ratio}: test mse {err:.4f}")
        models.append((m, err))
    return models
