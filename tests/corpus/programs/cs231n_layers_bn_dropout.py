"""Course-assignment layers as free functions with caches: affine, ReLU, batch norm (a
bn_param dict with running statistics read through .get), inverted dropout drawing masks
from np.random, and a softmax loss; a fully connected net trained on mini-batches."""
import numpy as np


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    dx = np.array(dout, copy=True)
    dx[cache <= 0] = 0
    return dx


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    cache = None
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        xhat = (x - mu) / np.sqrt(var + eps)
        out = gamma * xhat + beta
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        cache = (xhat, gamma, var, eps)
    else:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * xhat + beta
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    xhat, gamma, var, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    dx = (1.0 / N) / np.sqrt(var + eps) * (N * dxhat - dxhat.sum(axis=0) - xhat * np.sum(dxhat * xhat, axis=0))
    return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * mask
    return dout


def softmax_loss(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted), axis=1, keepdims=True)
    log_probs = shifted - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


NAMES = ["affine_forward", "affine_backward", "relu_forward", "relu_backward",
         "batchnorm_forward", "batchnorm_backward", "dropout_forward", "dropout_backward",
         "softmax_loss"]


def run(jit):
    g = globals()
    for name in NAMES:
        g[name] = jit(g[name])
    rng = np.random.default_rng(11)
    N, D, H, C = 90, 12, 20, 4
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    W1, b1 = 0.1 * rng.standard_normal((D, H)), np.zeros(H)
    W2, b2 = 0.1 * rng.standard_normal((H, C)), np.zeros(C)
    gamma, beta = np.ones(H), np.zeros(H)
    bn_param = {"mode": "train"}
    dp = {"p": 0.8, "mode": "train"}
    lr, batch = 0.05, 32
    losses = []
    for epoch in range(12):
        order = np.random.permutation(N)
        for start in range(0, N, batch):
            idx = order[start:start + batch]
            h, c1 = affine_forward(X[idx], W1, b1)
            h, cbn = batchnorm_forward(h, gamma, beta, bn_param)
            h, cr = relu_forward(h)
            h, cd = dropout_forward(h, dp)
            scores, c2 = affine_forward(h, W2, b2)
            loss, dscores = softmax_loss(scores, y[idx])
            dh, dW2, db2 = affine_backward(dscores, c2)
            dh = dropout_backward(dh, cd)
            dh = relu_backward(dh, cr)
            dh, dgamma, dbeta = batchnorm_backward(dh, cbn)
            _, dW1, db1 = affine_backward(dh, c1)
            for p, dpar in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (gamma, dgamma), (beta, dbeta)):
                p -= lr * dpar
            losses.append(loss)
        print(f"epoch {epoch}: last loss {losses[-1]:.4f}")
    bn_param["mode"] = "test"
    dp["mode"] = "test"
    h, _ = affine_forward(X, W1, b1)
    h, _ = batchnorm_forward(h, gamma, beta, bn_param)
    h, _ = relu_forward(h)
    h, _ = dropout_forward(h, dp)
    scores, _ = affine_forward(h, W2, b2)
    acc = float(np.mean(scores.argmax(axis=1) == y))
    return losses, acc, (W1, b1, W2, b2, gamma, beta), bn_param
