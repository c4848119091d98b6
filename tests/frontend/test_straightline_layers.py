"""Differential tests: layers and losses written the way deep-learning NumPy code is written
(straight-line: no loops over data, no data-dependent branches). Each function must match the
plain function on every call and have its steady-state calls served by a graph."""
import math

import numpy as np
import pytest

from differential import differential, steady

rng = np.random.default_rng(1)


def _r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


# -- activations / layers -----------------------------------------------------------------
def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    m = np.max(z, axis=-1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
    return z - lse


def logsumexp(z):
    m = z.max(axis=1)
    return m + np.log(np.exp(z - m[:, None]).sum(axis=1))


def dense_relu(x, W, b):
    h = x @ W + b
    return np.maximum(h, 0)


def dense_sigmoid(x, W, b):
    return 1.0 / (1.0 + np.exp(-(np.dot(x, W) + b)))


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def leaky_relu_grad(x, dout, alpha):
    return np.where(x > 0, dout, alpha * dout)


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta


def layernorm_backward(dout, x, gamma, eps=1e-5):
    D = x.shape[-1]
    mu = x.mean(axis=-1, keepdims=True)
    xmu = x - mu
    var = (xmu ** 2).mean(axis=-1, keepdims=True)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = xmu * inv
    dgamma = np.sum(dout * xhat, axis=0)
    dbeta = dout.sum(axis=0)
    dxhat = dout * gamma
    dx = inv / D * (D * dxhat - dxhat.sum(axis=-1, keepdims=True)
                    - xhat * np.sum(dxhat * xhat, axis=-1, keepdims=True))
    return dx, dgamma, dbeta


def batchnorm_forward_train(x, gamma, beta, running_mean, running_var, momentum, eps):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    out = gamma * xhat + beta
    new_mean = momentum * running_mean + (1 - momentum) * mu
    new_var = momentum * running_var + (1 - momentum) * var
    return out, new_mean, new_var


def batchnorm_backward(dout, x, gamma, eps):
    N = x.shape[0]
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = (gamma / (N * std)) * (N * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta


def attention(Q, K, V):
    d = Q.shape[-1]
    scores = Q @ K.T / math.sqrt(d)
    scores = scores - scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    w /= w.sum(axis=-1, keepdims=True)
    return w @ V, w


def batched_attention(Q, K, V):
    scores = np.matmul(Q, np.swapaxes(K, -1, -2)) / np.sqrt(Q.shape[-1])
    w = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    w = w / np.sum(w, axis=-1, keepdims=True)
    return np.matmul(w, V)


def conv1x1_as_matmul(x, W, b):
    # x: (N, C, H, W) ; W: (F, C) — a 1x1 convolution is a matmul over channels
    N, C, H, Wd = x.shape
    cols = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out = cols @ W.T + b
    return out.reshape(N, H, Wd, -1).transpose(0, 3, 1, 2)


def conv2x2_stride2_as_matmul(x, W):
    # non-overlapping 2x2 patches via reshape (im2col without a loop)
    N, C, H, Wd = x.shape
    p = x.reshape(N, C, H // 2, 2, Wd // 2, 2).transpose(0, 2, 4, 1, 3, 5)
    cols = p.reshape(N * (H // 2) * (Wd // 2), C * 4)
    out = cols @ W.reshape(W.shape[0], -1).T
    return out.reshape(N, H // 2, Wd // 2, W.shape[0]).transpose(0, 3, 1, 2)


def l2_normalize(x, eps=1e-12):
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norm, eps)


def cosine_similarity(a, b):
    a_n = a / np.sqrt((a * a).sum(axis=1, keepdims=True))
    b_n = b / np.sqrt((b * b).sum(axis=1, keepdims=True))
    return a_n @ b_n.T


# -- losses --------------------------------------------------------------------------------
def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    z = logits - np.max(logits, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    onehot = np.eye(c)[labels]
    loss = -np.sum(onehot * logp) / n
    dlogits = (np.exp(logp) - onehot) / n
    return loss, dlogits


def nll_fancy_index(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(logits.shape[0]), y].mean()


def mse_loss(pred, target):
    diff = pred - target
    return np.mean(diff ** 2), 2.0 * diff / diff.size


def huber_loss(pred, target, delta):
    r = np.abs(pred - target)
    quad = 0.5 * r ** 2
    lin = delta * (r - 0.5 * delta)
    return np.where(r <= delta, quad, lin).mean()


def hinge_loss(scores, y):
    n = scores.shape[0]
    correct = scores[np.arange(n), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + 1.0)
    margins[np.arange(n), y] = 0
    return margins.sum() / n


def bce_with_logits(z, y):
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def kl_divergence(p, q, eps=1e-8):
    p = np.clip(p, eps, 1.0)
    q = np.clip(q, eps, 1.0)
    return np.sum(p * np.log(p / q), axis=-1)


def _same(n, *args):
    return [tuple(args)] * n


LABELS = rng.integers(0, 5, size=16)

CASES = [
    ("softmax", softmax, lambda: _same(6, _r(8, 5))),
    ("log_softmax", log_softmax, lambda: _same(6, _r(4, 7))),
    ("logsumexp", logsumexp, lambda: _same(6, _r(6, 3))),
    ("dense_relu", dense_relu, lambda: _same(6, _r(8, 4), _r(4, 3), _r(3))),
    ("dense_sigmoid", dense_sigmoid, lambda: _same(6, _r(8, 4), _r(4, 3), _r(3))),
    ("gelu", gelu, lambda: _same(6, _r(5, 5))),
    ("leaky_relu_grad", leaky_relu_grad, lambda: _same(6, _r(4, 4), _r(4, 4), 0.01)),
    ("layernorm_forward", layernorm_forward, lambda: _same(6, _r(6, 8), _r(8), _r(8))),
    ("layernorm_backward", layernorm_backward, lambda: _same(6, _r(6, 8), _r(6, 8), _r(8))),
    ("batchnorm_forward_train", batchnorm_forward_train,
     lambda: _same(6, _r(16, 4), _r(4), _r(4), np.zeros(4), np.ones(4), 0.9, 1e-5)),
    ("batchnorm_backward", batchnorm_backward,
     lambda: _same(6, _r(16, 4), _r(16, 4), _r(4), 1e-5)),
    ("attention", attention, lambda: _same(6, _r(5, 8), _r(7, 8), _r(7, 4))),
    ("batched_attention", batched_attention, lambda: _same(6, _r(2, 5, 8), _r(2, 6, 8),
                                                           _r(2, 6, 3))),
    ("conv1x1_as_matmul", conv1x1_as_matmul, lambda: _same(6, _r(2, 3, 4, 4), _r(5, 3), _r(5))),
    ("conv2x2_stride2_as_matmul", conv2x2_stride2_as_matmul,
     lambda: _same(6, _r(2, 3, 4, 6), _r(4, 3, 2, 2))),
    ("l2_normalize", l2_normalize, lambda: _same(6, _r(5, 3))),
    ("cosine_similarity", cosine_similarity, lambda: _same(6, _r(4, 6), _r(3, 6))),
    ("softmax_cross_entropy", softmax_cross_entropy, lambda: _same(6, _r(16, 5), LABELS)),
    ("nll_fancy_index", nll_fancy_index, lambda: _same(6, _r(16, 5), LABELS)),
    ("mse_loss", mse_loss, lambda: _same(6, _r(10, 2), _r(10, 2))),
    ("huber_loss", huber_loss, lambda: _same(6, _r(20), _r(20), 1.0)),
    ("hinge_loss", hinge_loss, lambda: _same(6, _r(16, 5), LABELS)),
    ("bce_with_logits", bce_with_logits, lambda: _same(6, _r(12), (_r(12) > 0).astype(float))),
    ("kl_divergence", kl_divergence,
     lambda: _same(6, softmax(_r(4, 6)), softmax(_r(4, 6)))),
]


@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_layer_or_loss_served_by_graph(name, fn, make):
    f = differential(fn, make())
    steady(f, 4)
    assert f.stats["conversions"] == 1, f.explain()


@pytest.mark.parametrize("name,fn,make", CASES[:12], ids=[c[0] for c in CASES[:12]])
def test_float32_inputs_stay_float32(name, fn, make):
    calls = [tuple(a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype == np.float64
                   else a for a in args) for args in make()]
    f = differential(fn, calls)
    steady(f, 4)


def test_batch_size_change_relaxes():
    calls = [(_r(n, 5), rng.integers(0, 5, size=n)) for n in (16, 16, 16, 8, 32, 3, 16, 64)]
    f = differential(softmax_cross_entropy, calls)
    assert f.stats["graphs"] <= 2, f.explain()
    steady(f, 4)
