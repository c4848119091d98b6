"""List comprehensions over sequences known only at run time and with run-time filters:
``[self._classify(s) for s in X]`` on batches of changing length, ``[np.zeros(b.shape) for b
in self.biases]``, ``[x * 2 for x in xs if x.sum() > 1.5]``. They become loop nodes that
append to a graph-owned list; the comprehension variable does not leak."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(67)


def _r(*shape):
    return rng.standard_normal(shape)


class Classifier:
    def __init__(self):
        self.centers = _r(3, 2)

    def _classify(self, sample):
        d = ((self.centers - sample) ** 2).sum(axis=1)
        return int(np.argmin(d))

    def predict(self, X):
        return np.array([self._classify(s) for s in X])


class Net:
    def __init__(self, sizes):
        self.biases = [np.zeros(n) for n in sizes]

    def zero_grads(self, scale):
        return [np.zeros(b.shape) + scale for b in self.biases]


def sums(xs):
    return [float(np.sum(x)) for x in xs]


def keep_big(xs, t):
    return [x * 2 for x in xs if x.sum() > t]


def keep_two_filters(X):
    return [row.max() for row in X if row[0] > 0 if row[1] < 0.5]


def no_leak(X):
    s = 10.0
    out = [s * 2 for s in X]
    return s, out


def test_method_called_per_row_of_a_batch_of_changing_length():
    c = Classifier()
    f = differential(Classifier.predict, [((c, _r(n, 2)), {}) for n in (5, 7, 5, 9, 6, 4)])
    steady(f, 3)


def test_list_argument_of_changing_length():
    calls = [(([_r(3) for _ in range(n)],), {}) for n in (3, 4, 5, 3, 6, 2, 0)]
    f = differential(sums, calls)
    steady(f, 3)


def test_attribute_list_of_changing_length():
    calls = [((Net(sizes), 0.5), {}) for sizes in ((3, 2), (4, 3, 2), (2,), (5, 1), (3, 3))]
    f = differential(Net.zero_grads, calls)
    steady(f, 2)


def test_filter_on_run_time_data():
    calls = [(([_r(3) for _ in range(4)], 0.0), {}) for _ in range(7)]
    f = differential(keep_big, calls)
    steady(f, 3)
    f = differential(keep_two_filters, [((_r(n, 3),), {}) for n in (6, 6, 8, 5, 6)])
    steady(f, 2)


def test_comprehension_variable_does_not_leak():
    f = differential(no_leak, [((_r(n),), {}) for n in (3, 4, 5, 6)])
    steady(f, 2)


def test_an_element_that_raises_raises_like_python():
    calls = [(([_r(3) for _ in range(3)], 0.0), {}) for _ in range(4)]
    calls.append((([_r(3), "text"], 0.0), {}))
    differential(keep_big, calls)
