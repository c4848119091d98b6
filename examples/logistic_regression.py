"""Logistic regression trained with an unchanged NumPy step, decorated with janus_lite.jit.

Run: python examples/logistic_regression.py
Prints the loss going down, the speedup against the plain NumPy step (timed side by side,
interleaved) and the graph the step became.
"""
import time

import numpy as np

import janus_lite


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


def make_data(n=512, d=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    true_w = rng.standard_normal(d).astype(np.float32)
    y = (X @ true_w + 0.1 * rng.standard_normal(n) > 0).astype(np.float32)
    return X, y


def timed(step, w, b, X, y, reps):
    t0 = time.perf_counter()
    for _ in range(reps):
        step(w, b, X, y, 0.5)
    return (time.perf_counter() - t0) / reps


def main():
    X, y = make_data()
    w, b = np.zeros(X.shape[1], np.float32), np.float32(0.0)
    for epoch in range(1, 201):
        w, b, loss = fast_step(w, b, X, y, 0.5)
        if epoch % 40 == 0 or epoch == 1:
            print(f"epoch {epoch:3d}  loss {loss:.4f}")
    plain, jit = [], []
    for _ in range(15):                       # interleaved rounds, medians
        plain.append(timed(train_step, w, b, X, y, 100))
        jit.append(timed(fast_step, w, b, X, y, 100))
    tp, tj = np.median(plain), np.median(jit)
    s = fast_step.stats
    print(f"\nplain NumPy {tp * 1e6:.1f} us/step, janus_lite {tj * 1e6:.1f} us/step: "
          f"speedup {tp / tj:.2f}x")
    print(f"graph-served calls: {s['graph_calls']}/{s['calls']} "
          f"({100 * s['graph_calls'] / s['calls']:.1f}%), graphs built: {s['conversions']}\n")
    print(fast_step.graphs[-1].summary())


if __name__ == "__main__":
    main()
