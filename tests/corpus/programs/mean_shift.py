"""Mean-shift mode seeking with a flat kernel: every point shifted to the mean of its
neighbours within a bandwidth until it stops moving; modes merged afterwards."""
import numpy as np


def shift_point(x, X, bandwidth):
    for it in range(50):
        d = np.sqrt(((X - x) ** 2).sum(axis=1))
        nb = X[d < bandwidth]
        new = nb.mean(axis=0)
        if np.linalg.norm(new - x) < 1e-4 * bandwidth:
            return new, it
        x = new
    return x, it


def run(jit):
    global shift_point
    shift_point = jit(shift_point)
    rng = np.random.default_rng(60)
    X = np.concatenate([rng.normal(c, 0.4, (25, 2)) for c in ([0, 0], [3, 3], [0, 3])])
    modes, iters = [], []
    for x in X:
        m, it = shift_point(x, X, 1.2)
        iters.append(it)
        if not any(np.linalg.norm(m - q) < 0.6 for q in modes):
            modes.append(m)
    print(f"{len(modes)} modes, mean iterations {np.mean(iters):.2f}")
    return modes, iters
