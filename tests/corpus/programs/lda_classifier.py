"""Linear discriminant analysis: class means and a pooled covariance, solved once, then
the discriminant function applied to a stream of query batches; refitted per CV fold."""
import numpy as np


class LDA:
    def fit(self, X, y):
        self.classes = np.unique(y)
        self.means = np.array([X[y == c].mean(axis=0) for c in self.classes])
        centered = X - self.means[np.searchsorted(self.classes, y)]
        cov = centered.T @ centered / (len(X) - len(self.classes))
        self.priors = np.array([np.mean(y == c) for c in self.classes])
        self.coef = np.linalg.solve(cov + 1e-6 * np.eye(X.shape[1]), self.means.T).T
        self.intercept = -0.5 * np.sum(self.coef * self.means, axis=1) + np.log(self.priors)
        return self

    def decision_function(self, X):
        return X @ self.coef.T + self.intercept

    def predict(self, X):
        return self.classes[np.argmax(self.decision_function(X), axis=1)]


def run(jit):
    LDA.decision_function = jit(LDA.decision_function)
    rng = np.random.default_rng(36)
    means = np.array([[0, 0, 0], [2, 1, 0], [0, 2, 2]], dtype=float)
    y = rng.integers(0, 3, 150)
    X = means[y] + rng.standard_normal((150, 3))
    folds = np.array_split(rng.permutation(150), 5)
    accs = []
    for k, test in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != k])
        model = LDA().fit(X[train], y[train])
        correct = 0
        for s in range(0, len(test), 5):
            q = test[s:s + 5]
            correct += int(np.sum(model.predict(X[q]) == y[q]))
        accs.append(correct / len(test))
        print(f"fold {k}: accuracy {accs[-1]:.3f}")
    return accs
