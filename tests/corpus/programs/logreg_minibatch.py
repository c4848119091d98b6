"""Logistic regression trained by mini-batch gradient descent (the last batch short),
with L2 regularisation and a loss printed every few epochs; predict_proba/predict."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class LogisticRegression:
    def __init__(self, lr=0.1, reg=1e-3, epochs=40, batch_size=32):
        self.lr, self.reg, self.epochs, self.batch_size = lr, reg, epochs, batch_size

    def loss_and_grad(self, Xb, yb):
        p = sigmoid(Xb @ self.w + self.b)
        eps = 1e-12
        loss = -np.mean(yb * np.log(p + eps) + (1 - yb) * np.log(1 - p + eps)) + 0.5 * self.reg * np.sum(self.w ** 2)
        err = p - yb
        gw = Xb.T @ err / len(yb) + self.reg * self.w
        gb = err.mean()
        return loss, gw, gb

    def step(self, Xb, yb):
        loss, gw, gb = self.loss_and_grad(Xb, yb)
        self.w -= self.lr * gw
        self.b -= self.lr * gb
        return loss

    def fit(self, X, y, rng):
        self.w = np.zeros(X.shape[1])
        self.b = 0.0
        self.history = []
        for epoch in range(self.epochs):
            perm = rng.permutation(len(X))
            for i in range(0, len(X), self.batch_size):
                idx = perm[i:i + self.batch_size]
                self.history.append(self.step(X[idx], y[idx]))
            if epoch % 10 == 0:
                print(f"epoch {epoch:3d} loss {self.history[-1]:.5f}")
        return self

    def predict_proba(self, X):
        return sigmoid(X @ self.w + self.b)

    def predict(self, X):
        return (self.predict_proba(X) >= 0.5).astype(int)


def run(jit):
    LogisticRegression.step = jit(LogisticRegression.step)
    LogisticRegression.predict = jit(LogisticRegression.predict)
    rng = np.random.default_rng(8)
    X = rng.standard_normal((150, 5))
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]) + 0.3 * rng.standard_normal(150) > 0).astype(float)
    model = LogisticRegression().fit(X, y, rng)
    accs = [float(np.mean(model.predict(X[i:i + 30]) == y[i:i + 30])) for i in range(0, 150, 30)]
    return model, accs
