"""State written inside run-time loop nodes: a solver's ``for i in range(n_iterations):
... self.w -= lr * grad; self.errors.append(mse)``, counters, while loops whose test reads
state, writes under a branch, and appends to a list argument. The trip count varies, so
the loop stays a loop node; state is carried through it and committed once."""
import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(66)


def _r(*shape):
    return rng.standard_normal(shape)


class Regression:
    def __init__(self, n_iterations, lr=0.01):
        self.n_iterations = n_iterations
        self.lr = lr

    def fit(self, X, y):
        self.w = np.zeros(X.shape[1])
        self.training_errors = []
        for i in range(self.n_iterations):
            y_pred = X @ self.w
            mse = np.mean(0.5 * (y - y_pred) ** 2)
            self.training_errors.append(mse)
            grad_w = -(y - y_pred) @ X
            self.w -= self.lr * grad_w
        return self


class Perceptron:
    def __init__(self):
        self.w = np.zeros(3)
        self.b = 0.0
        self.mistakes = 0
        self.history = []

    def epoch(self, X, y):
        for i in range(len(y)):
            if y[i] * (X[i] @ self.w + self.b) <= 0:
                self.w += y[i] * X[i]
                self.b += y[i]
                self.mistakes += 1
            self.history.append(self.b)
        return self.mistakes


class Solver:
    def __init__(self):
        self.x = np.ones(2)
        self.steps = 0

    def run(self, tol):
        while np.abs(self.x).max() > tol:
            self.x = self.x * 0.5
            self.steps += 1
        return self.steps


def log_losses(losses, X, n):
    w = np.zeros(X.shape[1])
    for i in range(n):
        g = X[i % X.shape[0]]
        w = w - 0.1 * g
        losses.append(float(w @ w))
    return w


class Reader:
    def __init__(self):
        self.log = [0.0]

    def run(self, n):
        for i in range(n):
            self.log.append(self.log[-1] + 1.0)     # reads the list it appends to
        return len(self.log)


def test_regression_fit_loop_with_varying_iterations():
    X, y = _r(20, 3), _r(20)
    models = [Regression(n) for n in (10, 15, 20, 25, 30, 35, 40)]
    f = differential(Regression.fit, [((m, X, y), {}) for m in models])
    steady(f, 4)


def test_fit_updates_the_same_array_object_and_appends():
    X, y = _r(10, 2), _r(10)
    f = janus_lite.jit(Regression.fit)
    for n in (5, 6, 7, 8, 9):
        plain, jitted = Regression(n), Regression(n)
        f(jitted, X, y)
        Regression.fit(plain, X, y)
        assert_same(jitted.w, plain.w)
        assert_same(jitted.training_errors, plain.training_errors)
    steady(f, 2)


def test_perceptron_epoch_writes_under_a_branch_in_a_loop():
    p = Perceptron()
    alias = p.w
    calls = []
    for n in (6, 7, 8, 6, 9, 10, 7):
        X = _r(n, 3)
        calls.append(((p, X, np.sign(X[:, 0] + 0.1)), {}))
    f = differential(Perceptron.epoch, calls)
    steady(f, 3)
    assert p.w is alias           # the differential ran on copies; the object itself is kept


def test_perceptron_in_place_update_reaches_aliases():
    plain, jitted = Perceptron(), Perceptron()
    alias_plain, alias_jit = plain.w, jitted.w
    f = janus_lite.jit(Perceptron.epoch)
    for n in (5, 6, 7, 8, 9, 6):
        X = _r(n, 3)
        y = np.sign(X[:, 1] + 0.2)
        assert_same(f(jitted, X, y), Perceptron.epoch(plain, X, y))
        assert jitted.w is alias_jit
        assert_same(alias_jit, alias_plain)
        assert_same(jitted.history, plain.history)
    steady(f, 3)


def test_while_loop_test_reads_state_it_writes():
    calls = [((Solver(), tol), {}) for tol in (0.1, 0.01, 0.3, 0.001, 0.05, 0.2)]
    f = differential(Solver.run, calls)
    steady(f, 3)


def test_appends_to_a_list_argument_in_a_loop():
    X = _r(4, 2)
    f = differential(log_losses, [(([1.0], X, n), {}) for n in (3, 4, 5, 6, 7, 0)])
    steady(f, 3)


def test_a_list_read_while_appended_in_a_loop_stays_exact():
    f = differential(Reader.run, [((Reader(), n), {}) for n in (3, 4, 5, 6)])
    assert f.stats["calls"] == 4


def test_an_error_mid_loop_leaves_state_untouched():
    p = Perceptron()
    calls = [((p, _r(n, 3), np.ones(n)), {}) for n in (5, 6, 7)]
    calls.append(((p, _r(6, 3), np.ones(4)), {}))          # y too short: IndexError
    calls.append(((p, _r(6, 3), np.ones(6)), {}))
    differential(Perceptron.epoch, calls)
