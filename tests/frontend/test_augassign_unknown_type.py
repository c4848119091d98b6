"""``x op= y`` where the converter does not know ``x``'s type: a float loss carried through
a loop node that becomes a NumPy scalar (``loss += S[i, j]`` after ``continue`` in a nested
loop — it was returned from the first inner loop: a wrong answer), and an item of a list
attribute (``posterior = self.priors[i]; posterior *= p``: refused before)."""
import math

import numpy as np

from differential import differential, steady

rng = np.random.default_rng(65)


def svm_loss_naive(S, y):
    loss = 0.0
    for i in range(S.shape[0]):
        for j in range(S.shape[1]):
            if j == y[i]:
                continue
            margin = S[i, j] - S[i, y[i]] + 1
            if margin > 0:
                loss += margin
    return loss / S.shape[0]


def nested_continue_sum(S, y):
    loss = 0.0
    for i in range(S.shape[0]):
        for j in range(S.shape[1]):
            if j == y[i]:
                continue
            loss += S[i, j]
    return loss


class NaiveBayes:
    def __init__(self):
        self.priors = [0.3, 0.7]
        self.classes = np.array([0, 1])

    def classify(self, sample):
        posteriors = []
        for i, c in enumerate(self.classes):
            posterior = self.priors[i]
            for x in sample:
                posterior *= math.exp(-x * x)
            posteriors.append(posterior)
        return self.classes[np.argmax(posteriors)]


class Holder:
    def __init__(self, items):
        self.items = items

    def bump(self, k):
        v = self.items[0]
        v += k                      # an array in the list: the caller's array, updated
        return v


def test_nested_loop_continue_accumulates_every_row():
    calls = [((rng.standard_normal((4, 3)), rng.integers(0, 3, 4)), {}) for _ in range(8)]
    for fn in (nested_continue_sum, svm_loss_naive):
        f = differential(fn, calls)
        steady(f, 4)


def test_float_item_of_a_list_attribute_updated_with_op_assign():
    nb = NaiveBayes()
    f = differential(NaiveBayes.classify, [((nb, rng.standard_normal(2)), {})
                                           for _ in range(6)])
    steady(f, 3)


def test_an_array_item_updated_in_place_is_not_treated_as_a_scalar():
    h = Holder([np.ones(3), 2.0])
    calls = [((h, 1.0), {}) for _ in range(5)]
    differential(Holder.bump, calls)
    h2 = Holder([1.5, 2.0])
    f = differential(Holder.bump, [((h2, 1.0), {}) for _ in range(5)])
    steady(f, 2)
