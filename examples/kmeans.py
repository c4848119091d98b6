"""k-means clustering (Lloyd's algorithm) whose assignment + update step is an unchanged,
straight-line NumPy function decorated with janus_lite.jit.

Run: python examples/kmeans.py [--quick]
Clusters Gaussian blobs, prints the inertia going down, the speedup against the plain step
(timed side by side, interleaved, medians) and the graph-served share.
"""
import argparse

import numpy as np

import janus_lite
from janus_lite.inspect.timing import compare, report_lines


def lloyd_step(X, centers):
    """Assign every point to its nearest center, then move each center to the mean of its
    points (an empty cluster keeps its center). Returns new centers, labels, inertia."""
    d2 = (X * X).sum(axis=1)[:, None] - 2.0 * X @ centers.T + (centers * centers).sum(axis=1)
    labels = np.argmin(d2, axis=1)
    inertia = np.maximum(d2.min(axis=1), 0.0).sum()
    onehot = (labels[:, None] == np.arange(centers.shape[0])).astype(X.dtype)
    counts = onehot.sum(axis=0)
    sums = onehot.T @ X
    new_centers = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1.0)[:, None],
                           centers)
    return new_centers, labels, inertia


fast_step = janus_lite.jit(lloyd_step)


def blobs(n, k, d, seed=0):
    rng = np.random.default_rng(seed)
    true_centers = rng.uniform(-10, 10, size=(k, d))
    which = rng.integers(0, k, size=n)
    return (true_centers[which] + rng.standard_normal((n, d))).astype(np.float64)


def kmeans_plus_plus(X, k, rng):
    """k-means++ seeding (Arthur & Vassilvitskii 2007): each next center is drawn with
    probability proportional to its squared distance from the centers chosen so far. Plain
    random seeding can put two centers in one blob and none in another; Lloyd's algorithm
    then leaves a cluster empty for good (it did here, with the plain and the decorated
    step alike)."""
    centers = [X[rng.integers(len(X))]]
    for _ in range(1, k):
        d2 = ((X[:, None, :] - np.array(centers)[None]) ** 2).sum(axis=2).min(axis=1)
        centers.append(X[rng.choice(len(X), p=d2 / d2.sum())])
    return np.array(centers)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (tests)")
    opts = ap.parse_args(argv)
    n, k, d, iters = (300, 4, 2, 15) if opts.quick else (4000, 8, 16, 40)
    X = blobs(n, k, d)
    centers = kmeans_plus_plus(X, k, np.random.default_rng(1))
    for it in range(1, iters + 1):
        centers, labels, inertia = fast_step(X, centers)
        if it == 1 or it % 5 == 0:
            print(f"iteration {it:3d}  inertia {inertia:12.2f}  "
                  f"cluster sizes {np.bincount(labels, minlength=k).tolist()}")
    cmp = compare(lloyd_step, fast_step, (X, centers), rounds=5 if opts.quick else 15,
                  reps=5 if opts.quick else 30)
    print()
    print("\n".join(report_lines("lloyd_step", cmp, fast_step)))
    if fast_step.graphs:
        print()
        print(fast_step.graphs[-1].summary())


if __name__ == "__main__":
    main()
