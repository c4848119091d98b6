"""A binary linear SVM trained by sub-gradient descent on the regularised hinge loss, with
shuffled mini-batches (a short last one) and a decaying learning rate."""
import numpy as np


class LinearSVM:
    def __init__(self, C=1.0, lr=0.01, epochs=25, batch_size=20):
        self.C, self.lr, self.epochs, self.batch_size = C, lr, epochs, batch_size

    def hinge_step(self, X, y, lr):
        margins = y * (X @ self.w + self.b)
        mask = margins < 1
        loss = 0.5 * np.dot(self.w, self.w) + self.C * np.sum(np.maximum(0, 1 - margins)) / len(y)
        grad_w = self.w - self.C * (X[mask].T @ y[mask]) / len(y)
        grad_b = -self.C * np.sum(y[mask]) / len(y)
        self.w = self.w - lr * grad_w
        self.b = self.b - lr * grad_b
        return loss

    def fit(self, X, y, rng):
        self.w = np.zeros(X.shape[1])
        self.b = 0.0
        self.losses = []
        for epoch in range(self.epochs):
            lr = self.lr / (1 + 0.1 * epoch)
            idx = rng.permutation(len(y))
            for s in range(0, len(y), self.batch_size):
                b = idx[s:s + self.batch_size]
                self.losses.append(self.hinge_step(X[b], y[b], lr))
            acc = float(np.mean(np.sign(self.decision_function(X)) == y))
            if epoch % 5 == 0:
                print("epoch", epoch, "loss", round(float(self.losses[-1]), 6), "acc", acc)
        return self

    def decision_function(self, X):
        return X @ self.w + self.b


def run(jit):
    LinearSVM.hinge_step = jit(LinearSVM.hinge_step)
    LinearSVM.decision_function = jit(LinearSVM.decision_function)
    rng = np.random.default_rng(16)
    X = np.concatenate([rng.normal(-1, 1, (55, 4)), rng.normal(1, 1, (55, 4))])
    y = np.concatenate([-np.ones(55), np.ones(55)])
    svm = LinearSVM().fit(X, y, rng)
    scores = svm.decision_function(X)
    return svm, float(np.mean(np.sign(scores) == y))
