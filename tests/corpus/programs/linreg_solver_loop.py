"""A from-scratch regression class whose fit() runs its own loop, updating self.w and
appending the training error each iteration; fitted on several polynomial degrees."""
import numpy as np


class Regression:
    def __init__(self, n_iterations=100, learning_rate=0.01):
        self.n_iterations = n_iterations
        self.learning_rate = learning_rate

    def initialize_weights(self, n_features, rng):
        limit = 1 / np.sqrt(n_features)
        self.w = rng.uniform(-limit, limit, (n_features,))

    def fit(self, X, y, rng):
        X = np.insert(X, 0, 1, axis=1)
        self.training_errors = []
        self.initialize_weights(n_features=X.shape[1], rng=rng)
        for i in range(self.n_iterations):
            y_pred = X.dot(self.w)
            mse = np.mean(0.5 * (y - y_pred) ** 2)
            self.training_errors.append(mse)
            grad_w = -(y - y_pred).dot(X)
            self.w -= self.learning_rate * grad_w

    def predict(self, X):
        X = np.insert(X, 0, 1, axis=1)
        return X.dot(self.w)


def poly_features(x, degree):
    return np.column_stack([x ** d for d in range(1, degree + 1)])


def run(jit):
    Regression.fit = jit(Regression.fit)
    Regression.predict = jit(Regression.predict)
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, 80)
    y = 0.5 * x ** 3 - x + 0.2 * rng.standard_normal(80)
    results = []
    for trial in range(6):
        for degree in (1, 3):
            model = Regression(n_iterations=300, learning_rate=0.004)
            model.fit(poly_features(x, degree), y, rng)
            pred = model.predict(poly_features(x, degree))
            err = float(np.mean((pred - y) ** 2))
            results.append((degree, err, model))
        print(f"trial {trial}: degree 3 mse {results[-1][1]:.5f}")
    return results
