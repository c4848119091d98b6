"""A two-layer MLP classifier with hand-written backprop, trained by an unchanged NumPy step
decorated with janus_lite.jit.

Run: python examples/mlp_classifier.py [--quick] [--draw mlp_step.png]
Trains on three interleaved spirals, prints loss and accuracy, the speedup against the plain
NumPy step (timed side by side, interleaved, medians), the graph-served share, the graph
summary and explain().
"""
import argparse

import numpy as np

import janus_lite
from janus_lite.inspect.timing import compare, report_lines


def train_step(W1, b1, W2, b2, X, Y, lr):
    """One SGD step of softmax cross-entropy; Y is one-hot. Returns new params and loss."""
    h = np.maximum(X @ W1 + b1, 0.0)                 # ReLU hidden layer
    logits = h @ W2 + b2
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    n = X.shape[0]
    loss = -np.sum(Y * np.log(p + 1e-12)) / n
    d_logits = (p - Y) / n                           # backprop by hand
    dW2 = h.T @ d_logits
    db2 = d_logits.sum(axis=0)
    dh = (d_logits @ W2.T) * (h > 0)
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    return W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2, loss


fast_step = janus_lite.jit(train_step)


def spirals(n_per_class=200, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X, labels = [], []
    for c in range(classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + 0.2 * rng.standard_normal(
            n_per_class)
        X.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        labels.append(np.full(n_per_class, c))
    X = np.concatenate(X).astype(np.float32)
    labels = np.concatenate(labels)
    return X, np.eye(classes, dtype=np.float32)[labels], labels


def init(d_in, hidden, classes, seed=1):
    rng = np.random.default_rng(seed)
    W1 = (rng.standard_normal((d_in, hidden)) * np.sqrt(2.0 / d_in)).astype(np.float32)
    W2 = (rng.standard_normal((hidden, classes)) * np.sqrt(1.0 / hidden)).astype(np.float32)
    return W1, np.zeros(hidden, np.float32), W2, np.zeros(classes, np.float32)


def accuracy(params, X, labels):
    W1, b1, W2, b2 = params
    return float(np.mean(np.argmax(np.maximum(X @ W1 + b1, 0) @ W2 + b2, axis=1) == labels))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (tests)")
    ap.add_argument("--draw", metavar="PATH", help="also draw the graph (.png/.svg/.dot)")
    opts = ap.parse_args(argv)
    epochs, hidden, n = (60, 32, 50) if opts.quick else (600, 64, 300)
    X, Y, labels = spirals(n)
    W1, b1, W2, b2 = init(X.shape[1], hidden, Y.shape[1])
    lr = 1.0
    for epoch in range(1, epochs + 1):
        W1, b1, W2, b2, loss = fast_step(W1, b1, W2, b2, X, Y, lr)
        if epoch == 1 or epoch % (epochs // 5) == 0:
            acc = accuracy((W1, b1, W2, b2), X, labels)
            print(f"epoch {epoch:4d}  loss {loss:.4f}  accuracy {acc:.3f}")
    cmp = compare(train_step, fast_step, (W1, b1, W2, b2, X, Y, lr),
                  rounds=5 if opts.quick else 15, reps=5 if opts.quick else 50)
    print()
    print("\n".join(report_lines("train_step", cmp, fast_step)))
    print()
    print(fast_step.graphs[-1].summary() if fast_step.graphs else "(no graph was built)")
    print()
    print(fast_step.explain())
    if opts.draw and fast_step.graphs:
        engine = fast_step.graphs[-1].draw(opts.draw)
        print(f"\ndrew the graph to {opts.draw} ({engine})")


if __name__ == "__main__":
    main()
