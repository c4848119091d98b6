"""Ridge regression two ways: the closed form per regularisation strength on bootstrap
resamples, and a gradient-descent fit with an L2 penalty object (callable, with .grad)."""
import numpy as np


class l2_regularization:
    def __init__(self, alpha):
        self.alpha = alpha

    def __call__(self, w):
        return self.alpha * 0.5 * w.T.dot(w)

    def grad(self, w):
        return self.alpha * w


def ridge_closed_form(X, y, alpha):
    n_features = X.shape[1]
    A = X.T @ X + alpha * np.eye(n_features)
    return np.linalg.solve(A, X.T @ y)


class RidgeGD:
    def __init__(self, alpha, lr=0.01):
        self.regularization = l2_regularization(alpha)
        self.lr = lr

    def step(self, X, y):
        y_pred = X.dot(self.w)
        mse = np.mean(0.5 * (y - y_pred) ** 2 + self.regularization(self.w))
        grad_w = -(y - y_pred).dot(X) / len(y) + self.regularization.grad(self.w)
        self.w -= self.lr * grad_w
        return mse


def run(jit):
    global ridge_closed_form
    ridge_closed_form = jit(ridge_closed_form)
    RidgeGD.step = jit(RidgeGD.step)
    rng = np.random.default_rng(21)
    X = rng.standard_normal((80, 6))
    y = X @ np.array([1.0, 0.0, -2.0, 0.5, 0.0, 3.0]) + 0.5 * rng.standard_normal(80)
    coefs = {}
    for alpha in (0.01, 0.1, 1.0, 10.0):
        boot = []
        for b in range(25):
            idx = rng.integers(0, 80, 80)
            boot.append(ridge_closed_form(X[idx], y[idx], alpha))
        coefs[alpha] = np.array(boot).std(axis=0)
        print(f"alpha {alpha}: coefficient spread {coefs[alpha].mean():.4f}")
    model = RidgeGD(alpha=0.1, lr=0.05)
    model.w = np.zeros(6)
    losses = [model.step(X, y) for _ in range(200)]
    return coefs, model, losses
