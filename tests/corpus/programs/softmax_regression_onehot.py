"""Multinomial logistic regression in an ML-library style: a fit() loop over epochs that
one-hot encodes the labels, calls a private _gradient step, and keeps the loss history."""
import numpy as np


def to_categorical(x, n_col=None):
    if not n_col:
        n_col = np.amax(x) + 1
    one_hot = np.zeros((x.shape[0], n_col))
    one_hot[np.arange(x.shape[0]), x] = 1
    return one_hot


class SoftmaxRegression:
    def __init__(self, learning_rate=0.5, n_epochs=60):
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs

    def _softmax(self, z):
        e_x = np.exp(z - np.max(z, axis=-1, keepdims=True))
        return e_x / np.sum(e_x, axis=-1, keepdims=True)

    def _gradient_step(self, X, Y):
        P = self._softmax(X @ self.W + self.b)
        loss = -np.mean(np.sum(Y * np.log(np.clip(P, 1e-15, 1 - 1e-15)), axis=1))
        G = (P - Y) / X.shape[0]
        self.W -= self.learning_rate * X.T @ G
        self.b -= self.learning_rate * G.sum(axis=0)
        return loss

    def fit(self, X, y):
        Y = to_categorical(y)
        self.W = np.zeros((X.shape[1], Y.shape[1]))
        self.b = np.zeros(Y.shape[1])
        self.loss_history = []
        for epoch in range(self.n_epochs):
            self.loss_history.append(self._gradient_step(X, Y))
        return self

    def predict(self, X):
        return np.argmax(self._softmax(X @ self.W + self.b), axis=1)


def run(jit):
    SoftmaxRegression._gradient_step = jit(SoftmaxRegression._gradient_step)
    rng = np.random.default_rng(27)
    results = []
    for n_classes in (3, 3, 4, 4):
        centers = rng.standard_normal((n_classes, 5)) * 2
        y = rng.integers(0, n_classes, 90)
        X = centers[y] + rng.standard_normal((90, 5))
        model = SoftmaxRegression().fit(X, y)
        acc = float(np.mean(model.predict(X) == y))
        print(f"{n_classes} classes: final loss {model.loss_history[-1]:.4f}, accuracy {acc:.3f}")
        results.append(model)
    return results
