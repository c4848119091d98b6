"""Gaussian naive Bayes: per-class means and variances, log-likelihood classification of
each sample through a helper called in a list comprehension."""
import math

import numpy as np


class NaiveBayes:
    def fit(self, X, y):
        self.classes = np.unique(y)
        self.parameters = []
        for i, c in enumerate(self.classes):
            X_where_c = X[np.where(y == c)]
            self.parameters.append([])
            for col in X_where_c.T:
                self.parameters[i].append({"mean": col.mean(), "var": col.var()})
        self.priors = [float(np.mean(y == c)) for c in self.classes]

    def _likelihood(self, mean, var, x):
        eps = 1e-4
        coeff = 1.0 / math.sqrt(2.0 * math.pi * var + eps)
        exponent = math.exp(-(math.pow(x - mean, 2) / (2 * var + eps)))
        return coeff * exponent

    def _classify(self, sample):
        posteriors = []
        for i, c in enumerate(self.classes):
            posterior = self.priors[i]
            for feature_value, params in zip(sample, self.parameters[i]):
                likelihood = self._likelihood(params["mean"], params["var"], feature_value)
                posterior *= likelihood
            posteriors.append(posterior)
        return self.classes[np.argmax(posteriors)]

    def predict(self, X):
        return [self._classify(sample) for sample in X]


def run(jit):
    NaiveBayes._classify = jit(NaiveBayes._classify)
    rng = np.random.default_rng(13)
    X = np.concatenate([rng.normal(m, 1.0, (60, 4)) for m in (0.0, 2.0, -2.0)])
    y = np.repeat([0, 1, 2], 60)
    perm = rng.permutation(180)
    X, y = X[perm], y[perm]
    clf = NaiveBayes()
    clf.fit(X[:120], y[:120])
    pred = clf.predict(X[120:])
    acc = float(np.mean(np.array(pred) == y[120:]))
    print(f"accuracy {acc:.3f}")
    return clf, pred, acc
