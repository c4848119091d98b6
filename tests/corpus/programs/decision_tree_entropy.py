"""A small decision-tree classifier built recursively; the split search computes entropies
with `-p * np.log2(p)` over class proportions that can be zero (NumPy warns, the code then
cleans the NaNs with np.nan_to_num), as naive from-scratch code does."""
import numpy as np


def entropy(y, n_classes):
    p = np.bincount(y, minlength=n_classes) / len(y)
    return float(np.nan_to_num(-p * np.log2(p)).sum())


def best_split(X, y, n_classes):
    n, d = X.shape
    parent = entropy(y, n_classes)
    best = (None, None, 0.0)
    for j in range(d):
        for thr in np.unique(X[:, j])[1:]:
            left = X[:, j] < thr
            nl = left.sum()
            gain = parent - (nl * entropy(y[left], n_classes) + (n - nl) * entropy(y[~left], n_classes)) / n
            if gain > best[2]:
                best = (j, thr, gain)
    return best


def build(X, y, n_classes, depth, max_depth):
    if depth == max_depth or len(np.unique(y)) == 1 or len(y) < 4:
        return int(np.bincount(y, minlength=n_classes).argmax())
    j, thr, gain = best_split(X, y, n_classes)
    if j is None:
        return int(np.bincount(y, minlength=n_classes).argmax())
    left = X[:, j] < thr
    return (j, thr, build(X[left], y[left], n_classes, depth + 1, max_depth),
            build(X[~left], y[~left], n_classes, depth + 1, max_depth))


def predict_one(tree, x):
    while isinstance(tree, tuple):
        j, thr, l, r = tree
        tree = l if x[j] < thr else r
    return tree


def run(jit):
    global entropy, best_split
    entropy = jit(entropy)
    best_split = jit(best_split)
    rng = np.random.default_rng(33)
    X = np.round(rng.standard_normal((60, 3)), 1)
    y = ((X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int))
    trees = []
    for max_depth in (1, 2, 3):
        tree = build(X, y, 3, 0, max_depth)
        acc = float(np.mean([predict_one(tree, x) == t for x, t in zip(X, y)]))
        print(f"depth {max_depth}: training accuracy {acc:.3f}")
        trees.append(tree)
    return trees
