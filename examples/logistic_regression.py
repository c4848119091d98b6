"""Logistic regression trained with an unchanged NumPy step, decorated with janus_lite.jit.

Run: python examples/logistic_regression.py [--quick]
Full-batch gradient descent on 262,144 samples × 16 features (float32). Prints the loss
going down, the speedup against the plain NumPy step (timed side by side, interleaved,
medians, with the spread of the rounds and a warning when the machine is busy) and the
graph the step became. At this size the sigmoid and loss chains (arrays of 262,144
elements) are fused into tiled kernels and every temporary lives in a buffer kept from call
to call — that is where the speedup comes from. With ``--quick`` (4,096 samples) the arrays
are under ``config.FUSE_MIN_ELEMENTS``: nothing is fused, and the graph runs about as fast
as plain NumPy (the summary and the timing line say so).
"""
import argparse

import numpy as np

import janus_lite
from janus_lite.inspect.timing import compare, report_lines


def train_step(w, b, X, y, lr):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    err = p - y
    grad_w = X.T @ err / X.shape[0]
    grad_b = np.mean(err)
    w = w - lr * grad_w
    b = b - lr * grad_b
    loss = -np.mean(y * np.log(p + 1e-7) + (1.0 - y) * np.log(1.0 - p + 1e-7))
    return w, b, loss


fast_step = janus_lite.jit(train_step)


def make_data(n=1 << 18, d=16, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    true_w = rng.standard_normal(d).astype(np.float32)
    y = (X @ true_w + 0.1 * rng.standard_normal(n) > 0).astype(np.float32)
    return X, y


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (tests)")
    opts = ap.parse_args(argv)
    n, epochs, rounds, reps = (4096, 40, 5, 20) if opts.quick else (1 << 18, 60, 9, 4)
    X, y = make_data(n)
    w, b = np.zeros(X.shape[1], np.float32), np.float32(0.0)
    for epoch in range(1, epochs + 1):
        w, b, loss = fast_step(w, b, X, y, 0.5)
        if epoch % (epochs // 4) == 0 or epoch == 1:
            print(f"epoch {epoch:3d}  loss {loss:.4f}")
    cmp = compare(train_step, fast_step, (w, b, X, y, 0.5), rounds=rounds, reps=reps)
    print()
    print("\n".join(report_lines("train_step", cmp, fast_step)))
    print()
    print(fast_step.graphs[-1].summary())


if __name__ == "__main__":
    main()
