"""A RuntimeWarning raised inside a called helper, inside a loop of the decorated function
(entropy of class proportions that can be zero)."""
import numpy as np


def entropy(y):
    p = np.bincount(y, minlength=3) / len(y)
    return float(np.nan_to_num(-p * np.log2(p)).sum())


def best_split(X, y):
    best = 0.0
    for thr in X[1:]:
        left = X < thr
        gain = entropy(y) - entropy(y[left])
        if gain > best:
            best = gain
    return best


def run(jit):
    global best_split
    best_split = jit(best_split)
    X = np.array([0.1, 0.5, 0.3, 0.9])
    y = np.array([0, 0, 1, 1])
    return [best_split(X + 0.01 * i, y) for i in range(6)]
