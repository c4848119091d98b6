"""Full-batch gradient descent for a two-layer net with a validation set, patience-based
early stopping (break out of the loop) and the best weights kept as copies."""
import numpy as np


def train_epoch(W1, W2, X, y, lr):
    h = np.tanh(X @ W1)
    out = h @ W2
    err = out - y
    gW2 = h.T @ err / len(y)
    gh = err @ W2.T * (1 - h * h)
    gW1 = X.T @ gh / len(y)
    W1 -= lr * gW1
    W2 -= lr * gW2
    return float(np.mean(err ** 2))


def evaluate(W1, W2, X, y):
    return float(np.mean((np.tanh(X @ W1) @ W2 - y) ** 2))


def run(jit):
    global train_epoch, evaluate
    train_epoch = jit(train_epoch)
    evaluate = jit(evaluate)
    rng = np.random.default_rng(40)
    X = rng.standard_normal((150, 4))
    y = np.sin(2 * X[:, :1]) + 0.3 * rng.standard_normal((150, 1))
    Xtr, ytr, Xva, yva = X[:100], y[:100], X[100:], y[100:]
    W1 = rng.standard_normal((4, 24)) * 0.5
    W2 = rng.standard_normal((24, 1)) * 0.5
    best, best_w, patience, bad = np.inf, None, 15, 0
    history = []
    for epoch in range(600):
        tr = train_epoch(W1, W2, Xtr, ytr, 0.2)
        va = evaluate(W1, W2, Xva, yva)
        history.append((tr, va))
        if va < best - 1e-5:
            best, best_w, bad = va, (W1.copy(), W2.copy()), 0
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch}, best val {best:.5f}")
                break
    return history, best_w
