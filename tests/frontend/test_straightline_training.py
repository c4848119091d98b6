"""Differential tests: whole training steps (forward, manual backward, optimizer update) and
optimizer updates that return new arrays, each served by a graph in the steady state."""
import math

import numpy as np
import pytest

from differential import differential, steady

rng = np.random.default_rng(2)


def _r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def logistic_regression_step(w, b, X, y, lr):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    err = p - y
    gw = X.T @ err / len(y)
    gb = err.mean()
    loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
    return w - lr * gw, b - lr * gb, loss


def linear_regression_step(w, X, y, lr, l2):
    pred = X.dot(w)
    resid = pred - y
    loss = 0.5 * np.mean(resid ** 2) + 0.5 * l2 * np.sum(w * w)
    grad = X.T.dot(resid) / X.shape[0] + l2 * w
    return w - lr * grad, loss


def mlp_relu_step(W1, b1, W2, b2, X, y, lr):
    n = X.shape[0]
    # forward
    h_pre = X @ W1 + b1
    h = np.maximum(0, h_pre)
    logits = h @ W2 + b2
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).mean()
    # backward
    dlogits = probs.copy()
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(axis=0)
    dh = dlogits @ W2.T
    dh[h_pre <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    return (W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2), loss


def mlp_tanh_regression_step(params, X, y, lr):
    W1, b1, W2, b2 = params
    a1 = np.tanh(X @ W1 + b1)
    out = a1 @ W2 + b2
    diff = out - y
    loss = float(np.mean(diff ** 2))
    dout = 2 * diff / diff.size
    dW2 = a1.T @ dout
    db2 = np.sum(dout, axis=0)
    da1 = dout @ W2.T
    dz1 = da1 * (1 - a1 ** 2)
    dW1 = X.T @ dz1
    db1 = np.sum(dz1, axis=0)
    new = (W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2)
    return new, loss


def mlp_sigmoid_backward(X, W1, W2, y):
    z1 = X @ W1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = a1 @ W2
    a2 = 1 / (1 + np.exp(-z2))
    delta2 = (a2 - y) * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, a1.T @ delta2


def softmax_regression_step(W, X, y, lr, reg):
    N, C = X.shape[0], W.shape[1]
    scores = X @ W
    scores = scores - scores.max(axis=1)[:, np.newaxis]
    exp_s = np.exp(scores)
    P = exp_s / exp_s.sum(axis=1)[:, np.newaxis]
    Y = np.eye(C)[y]
    loss = -np.sum(Y * np.log(P)) / N + reg * np.sum(W ** 2)
    dW = X.T @ (P - Y) / N + 2 * reg * W
    return W - lr * dW, loss


def sgd_momentum(w, g, v, lr, mu):
    v = mu * v - lr * g
    return w + v, v


def nesterov(w, g, v, lr, mu):
    v_prev = v
    v = mu * v - lr * g
    return w - mu * v_prev + (1 + mu) * v, v


def adam_update(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * (g * g)
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w, m, v


def adam_bias_corrected_lr(w, g, m, v, t, lr):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * np.square(g)
    step = lr * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
    return w - step * m / (np.sqrt(v) + 1e-8), m, v


def rmsprop(w, g, cache, lr, decay_rate=0.99, eps=1e-8):
    cache = decay_rate * cache + (1 - decay_rate) * g ** 2
    w = w - lr * g / (np.sqrt(cache) + eps)
    return w, cache


def adagrad(w, g, cache, lr):
    cache = cache + g ** 2
    return w - lr * g / (np.sqrt(cache) + 1e-7), cache


def clip_by_global_norm(g1, g2, max_norm):
    total = np.sqrt(np.sum(g1 ** 2) + np.sum(g2 ** 2))
    scale = np.minimum(1.0, max_norm / (total + 1e-6))
    return g1 * scale, g2 * scale, total


def weight_decay_sgd(w, g, lr, wd):
    return w * (1 - lr * wd) - lr * g


def two_layer_autoencoder_step(X, W_enc, W_dec, lr):
    code = np.tanh(X @ W_enc)
    recon = code @ W_dec
    err = recon - X
    loss = (err ** 2).sum() / X.shape[0]
    g_dec = code.T @ err * (2.0 / X.shape[0])
    g_code = err @ W_dec.T * (2.0 / X.shape[0])
    g_enc = X.T @ (g_code * (1.0 - code * code))
    return W_enc - lr * g_enc, W_dec - lr * g_dec, loss


def _same(n, *args):
    return [tuple(args)] * n


def _cls(n=32, d=6, c=4):
    return _r(n, d), rng.integers(0, c, size=n)


CASES = [
    ("logistic_regression_step", logistic_regression_step,
     lambda: _same(6, np.zeros(5), 0.0, _r(32, 5), (rng.random(32) > .5) * 1.0, 0.1)),
    ("linear_regression_step", linear_regression_step,
     lambda: _same(6, _r(4), _r(20, 4), _r(20), 0.05, 1e-3)),
    ("mlp_relu_step", mlp_relu_step,
     lambda: _same(6, _r(6, 10) * .1, np.zeros(10), _r(10, 4) * .1, np.zeros(4), *_cls(), 0.5)),
    ("mlp_tanh_regression_step", mlp_tanh_regression_step,
     lambda: _same(6, (_r(3, 8), _r(8), _r(8, 2), _r(2)), _r(16, 3), _r(16, 2), 0.01)),
    ("mlp_sigmoid_backward", mlp_sigmoid_backward,
     lambda: _same(6, _r(10, 3), _r(3, 5), _r(5, 1), rng.random((10, 1)))),
    ("softmax_regression_step", softmax_regression_step,
     lambda: _same(6, _r(6, 4) * .01, *_cls(), 1e-1, 1e-3)),
    ("sgd_momentum", sgd_momentum, lambda: _same(6, _r(7), _r(7), np.zeros(7), 0.1, 0.9)),
    ("nesterov", nesterov, lambda: _same(6, _r(3, 3), _r(3, 3), _r(3, 3), 0.1, 0.9)),
    ("adam_update", adam_update, lambda: _same(6, _r(5), _r(5), np.zeros(5), np.zeros(5), 3)),
    ("adam_bias_corrected_lr", adam_bias_corrected_lr,
     lambda: _same(6, _r(5), _r(5), np.zeros(5), np.zeros(5), 7, 1e-3)),
    ("rmsprop", rmsprop, lambda: _same(6, _r(4, 2), _r(4, 2), np.ones((4, 2)), 1e-2)),
    ("adagrad", adagrad, lambda: _same(6, _r(9), _r(9), np.full(9, .5), 0.1)),
    ("clip_by_global_norm", clip_by_global_norm, lambda: _same(6, _r(4, 4), _r(4), 1.0)),
    ("weight_decay_sgd", weight_decay_sgd, lambda: _same(6, _r(3, 2), _r(3, 2), 0.1, 5e-4)),
    ("two_layer_autoencoder_step", two_layer_autoencoder_step,
     lambda: _same(6, _r(12, 6), _r(6, 3) * .3, _r(3, 6) * .3, 0.05)),
]


@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_training_step_served_by_graph(name, fn, make):
    f = differential(fn, make())
    steady(f, 4)
    assert f.stats["conversions"] == 1, f.explain()


def test_training_loop_threads_state_through_graph():
    """The outputs of one step are the inputs of the next: every call must match."""
    X, y = _cls(24, 5, 3)
    params = (_r(5, 7) * .1, np.zeros(7), _r(7, 3) * .1, np.zeros(3))
    calls = []
    for _ in range(8):
        calls.append(params + (X, y, 0.3))
        params, _ = mlp_relu_step(*params, X, y, 0.3)
    f = differential(mlp_relu_step, calls)
    steady(f, 6)


def test_adam_step_counter_changes_every_call():
    """``t`` changes every call: first a constant guard miss, then a graph with t as input."""
    w, g = _r(5), _r(5)
    calls = [(w, g, np.zeros(5), np.zeros(5), t) for t in range(1, 10)]
    f = differential(adam_update, calls)
    assert f.stats["graphs"] <= 2, f.explain()
    steady(f, 5)


def test_learning_rate_schedule_changes_every_call():
    w, g = _r(3, 3), _r(3, 3)
    calls = [(w, g, 0.1 / (1 + k), 5e-4) for k in range(8)]
    f = differential(weight_decay_sgd, calls)
    assert f.stats["graphs"] <= 2, f.explain()
    steady(f, 4)
