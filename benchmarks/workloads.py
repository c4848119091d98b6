"""The seven workloads of the benchmark, written as unchanged NumPy code, with the inputs
each one is timed on. A workload is ``(name, fn, make_args, calls)`` where ``calls(fn, args)``
runs one timed unit (for the state-carrying ones: one step that feeds its outputs back).

Peer rewrites (numba, torch.compile, jax.jit) live in `peers.py`, written once and marked.
"""
from __future__ import annotations

import numpy as np


# -- 1. logistic-regression step, 512x64 f32 --------------------------------------------------
def logreg_step(w, b, X, y, lr):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    err = p - y
    grad_w = X.T @ err / X.shape[0]
    grad_b = np.mean(err)
    w = w - lr * grad_w
    b = b - lr * grad_b
    loss = -np.mean(y * np.log(p + 1e-7) + (1.0 - y) * np.log(1.0 - p + 1e-7))
    return w, b, loss


def logreg_args(rng):
    X = rng.standard_normal((512, 64)).astype(np.float32)
    y = (X @ rng.standard_normal(64).astype(np.float32) > 0).astype(np.float32)
    return [np.zeros(64, np.float32), 0.0, X, y, 0.5]


# -- 2. MLP training step 64x784 -> 128 -> 10, f32, manual backprop ------------------------------
def mlp_step(X, Y, W1, b1, W2, b2, lr):
    h = X @ W1 + b1
    a = np.maximum(h, 0.0)
    logits = a @ W2 + b2
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    n = X.shape[0]
    loss = -np.sum(Y * np.log(probs + 1e-9)) / n
    d_logits = (probs - Y) / n
    dW2 = a.T @ d_logits
    db2 = d_logits.sum(axis=0)
    da = d_logits @ W2.T
    dh = da * (h > 0)
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    return W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2, loss


def mlp_args(rng):
    X = rng.standard_normal((64, 784)).astype(np.float32)
    Y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    W1 = (rng.standard_normal((784, 128)) * 0.05).astype(np.float32)
    W2 = (rng.standard_normal((128, 10)) * 0.05).astype(np.float32)
    return [X, Y, W1, np.zeros(128, np.float32), W2, np.zeros(10, np.float32), 0.1]


# -- 3. char-RNN forward + backward, 25 steps ----------------------------------------------------
def char_rnn(inputs, targets, hprev, Wxh, Whh, Why, bh, by):
    hs, ps = [], []
    h = hprev
    loss = 0.0
    for t in range(len(inputs)):
        h = np.tanh(Wxh[:, inputs[t]] + Whh @ h + bh)
        y = Why @ h + by
        p = np.exp(y - np.max(y))
        p = p / np.sum(p)
        loss = loss - np.log(p[targets[t]])
        hs.append(h)
        ps.append(p)
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dh_next = np.zeros_like(hprev)
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1.0
        dWhy += np.outer(dy, hs[t])
        dby += dy
        dh = Why.T @ dy + dh_next
        dh_raw = (1.0 - hs[t] * hs[t]) * dh
        dbh += dh_raw
        dWxh[:, inputs[t]] += dh_raw
        h_before = hs[t - 1] if t > 0 else hprev
        dWhh += np.outer(dh_raw, h_before)
        dh_next = Whh.T @ dh_raw
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[-1]


def char_rnn_args(rng, vocab=40, hidden=100, steps=25):
    seq = rng.integers(0, vocab, steps + 1)
    inputs, targets = tuple(int(i) for i in seq[:-1]), tuple(int(i) for i in seq[1:])
    return [inputs, targets, np.zeros(hidden),
            rng.standard_normal((hidden, vocab)) * 0.01,
            rng.standard_normal((hidden, hidden)) * 0.01,
            rng.standard_normal((vocab, hidden)) * 0.01, np.zeros(hidden), np.zeros(vocab)]


# -- 4. elementwise chain, 1e6 f32 ---------------------------------------------------------------
def elementwise_chain(x):
    y = np.tanh(x) * 0.5 + 0.5
    z = np.exp(-y * y)
    return z * x + y


def chain_args(rng, n=1_000_000):
    return [rng.standard_normal(n).astype(np.float32)]


# -- 5. Adam update, 1e6 f32 ---------------------------------------------------------------------
def adam_update(p, g, m, v, lr, b1, b2, eps, t):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    mhat = m / (1 - b1 ** t)
    vhat = v / (1 - b2 ** t)
    p = p - lr * mhat / (np.sqrt(vhat) + eps)
    return p, m, v


def adam_args(rng, n=1_000_000):
    p, g, m = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    v = np.abs(rng.standard_normal(n)).astype(np.float32)
    return [p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 10]


def adam_feed(args, out):
    """A training loop feeds p, m, v back in (the old arrays are then freed) and counts t."""
    p, m, v = out
    return [p, args[1], m, v] + args[4:8] + [args[8] + 1]


# -- 6. gradient descent `while norm > tol`, 20x20 ----------------------------------------------
def gradient_descent(A, b, x, lr, tol):
    g = A.T @ (A @ x - b)
    norm = np.sqrt(np.sum(g * g))
    while norm > tol:
        x = x - lr * g
        g = A.T @ (A @ x - b)
        norm = np.sqrt(np.sum(g * g))
    return x, norm


def gd_args(rng, n=20):
    A = np.eye(n) + 0.05 * rng.standard_normal((n, n))
    return [A, rng.standard_normal(n), np.zeros(n), 0.1, 1e-6]


# -- 7. clip-by-norm `if`, small -----------------------------------------------------------------
def clip_by_norm(g, max_norm):
    norm = np.sqrt(np.sum(g * g))
    if norm > max_norm:
        g = g * (max_norm / norm)
    return g


def clip_args(rng, n=256):
    return [rng.standard_normal(n), 10.0]


_CLIP_OTHER: dict = {}
"""id of a gradient -> the other gradient of its pair (both kept alive here)."""


def clip_feed(args, out):
    """Alternate the branch: every other call the gradient's norm is past the limit. The
    two gradients are made once (the pair is remembered), so the harness's own work between
    calls is a dict lookup: making the next gradient in the feed (``g * 8.0`` after a norm)
    took about as long as the 256-element function under test and was timed with it."""
    g = args[0]
    other = _CLIP_OTHER.get(id(g))
    if other is None:
        other = g * 8.0 if np.sqrt(np.sum(g * g)) < args[1] else g * 0.125
        _CLIP_OTHER[id(g)], _CLIP_OTHER[id(other)] = other, g
    return [other, args[1]]


# name, function, args maker, feed (how the next call's args follow from this call's output)
WORKLOADS = [
    ("logreg_step", logreg_step, logreg_args, None),
    ("mlp_step", mlp_step, mlp_args, None),
    ("char_rnn_25", char_rnn, char_rnn_args, None),
    ("elementwise_chain_1e6", elementwise_chain, chain_args, None),
    ("adam_1e6", adam_update, adam_args, adam_feed),
    # the same update called on the same inputs, results dropped: NumPy's temporaries then
    # tend to come from freshly mapped pages under glibc's default settings
    ("adam_1e6_same_inputs", adam_update, adam_args, None),
    ("gd_while_20x20", gradient_descent, gd_args, None),
    ("clip_by_norm_if", clip_by_norm, clip_args, clip_feed),
]


def trivial(x):
    """The dispatch-overhead probe: the cheapest function a graph can serve."""
    return x
