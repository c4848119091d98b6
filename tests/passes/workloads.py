"""Functions the pass tests run through jit (module level: the profiler needs their source)."""
import numpy as np


def adam(p, g, m, v, lr, b1, b2, eps, t):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    mhat = m / (1 - b1 ** t)
    vhat = v / (1 - b2 ** t)
    p = p - lr * mhat / (np.sqrt(vhat) + eps)
    return p, m, v


def chain(x):
    y = np.tanh(x) * 0.5 + 0.5
    z = np.exp(-y * y)
    return z * x + y


def classic(a):
    b = a * 2
    c = b + 1
    d = c * 3
    return d


def logreg(w, b, X, y, lr):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    err = p - y
    grad_w = X.T @ err / X.shape[0]
    grad_b = np.mean(err)
    w = w - lr * grad_w
    b = b - lr * grad_b
    loss = -np.mean(y * np.log(p + 1e-7) + (1.0 - y) * np.log(1.0 - p + 1e-7))
    return w, b, loss


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


def identities(x, k):
    a = x * 1
    b = a - 0
    c = b / 1.0
    d = -(-c)
    e = d.T.T
    f = e ** 2
    return f + k


def identity_escapes(x):
    y = x * 1
    return y


def signed_zero(x):
    return x + 0.0, x - 0.0, x + -0.0


def int_chain(x):
    y = x * 1.0
    z = x + 0
    return y, z * 3 - 1


def duplicates(x):
    a = np.exp(x) * 2
    b = np.exp(x) * 2
    return a + b, np.exp(x) * 2, np.exp(x) * 2


def transposed_twice(x):
    return x.T * 2.0, x.T + 1.0


def transposed_chain(x):
    t = x.T
    return np.tanh(t * 2.0) + t


def strided_chain(x):
    s = x[::2]
    return np.exp(s) * 3.0 - s


def broadcast_chain(a, b):
    c = a * b
    return np.exp(c) + a


def reductions(x):
    return np.mean(x), x.sum(), np.sum(x, axis=0), x.mean(axis=1), np.max(x, axis=0, keepdims=True), x.min()


def mutate_fresh(x):
    y = x * 2.0
    z = y + 1.0
    y += 3.0
    return z * y, y


def views_escape(x):
    y = np.exp(x) * 2.0
    return y[:3], y.reshape(-1)


def clip_by_norm(g, max_norm):
    norm = np.sqrt(np.sum(g * g))
    if norm > max_norm:
        g = g * (max_norm / norm)
    return g, norm


def asserted(x):
    y = np.exp(x) * 2.0
    s = float(y.sum())
    assert s > 0
    return y + s


def python_scalars(x, a, n):
    return (x * a + n) / (a + 1.5) - n * x


def relu_where(x):
    y = x * 2.0
    return np.where(y > 0, y, 0.0)
