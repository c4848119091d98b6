"""Course-assignment recurrent layers: a vanilla RNN step forward/backward, the sequence
loops, a temporal affine layer and a temporal softmax loss with a mask; trained a few steps
on a toy sequence task."""
import numpy as np


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = dnext_h * (1 - next_h ** 2)
    return dtanh.dot(Wx.T), dtanh.dot(Wh.T), x.T.dot(dtanh), prev_h.T.dot(dtanh), dtanh.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    prev_h = h0
    for t in range(T):
        prev_h, c = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)
        h[:, t, :] = prev_h
        cache.append(c)
    return h, cache


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dprev = np.zeros((N, H))
    for t in reversed(range(T)):
        dxt, dprev, dWxt, dWht, dbt = rnn_step_backward(dh[:, t, :] + dprev, cache[t])
        dx[:, t, :] = dxt
        dWx += dWxt
        dWh += dWht
        db += dbt
    return dx, dprev, dWx, dWh, db


def temporal_softmax_loss(x, y, mask):
    N, T, V = x.shape
    x_flat = x.reshape(N * T, V)
    y_flat = y.reshape(N * T)
    mask_flat = mask.reshape(N * T)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N
    dx_flat = probs.copy()
    dx_flat[np.arange(N * T), y_flat] -= 1
    dx_flat /= N
    dx_flat *= mask_flat[:, None]
    return loss, dx_flat.reshape(N, T, V)


def run(jit):
    global rnn_forward, rnn_backward, temporal_softmax_loss
    rnn_forward = jit(rnn_forward)
    rnn_backward = jit(rnn_backward)
    temporal_softmax_loss = jit(temporal_softmax_loss)
    rng = np.random.default_rng(22)
    N, T, D, H, V = 6, 5, 4, 10, 4
    Wx, Wh, b = 0.3 * rng.standard_normal((D, H)), 0.3 * rng.standard_normal((H, H)), np.zeros(H)
    Wout, bout = 0.3 * rng.standard_normal((H, V)), np.zeros(V)
    losses = []
    for it in range(40):
        y = rng.integers(0, V, (N, T))
        x = np.eye(D)[np.roll(y, 1, axis=1)]
        mask = np.ones((N, T), dtype=bool)
        mask[:, 0] = False
        h0 = np.zeros((N, H))
        h, cache = rnn_forward(x, h0, Wx, Wh, b)
        scores = h.reshape(N * T, H).dot(Wout).reshape(N, T, V) + bout
        loss, dscores = temporal_softmax_loss(scores, y, mask)
        dWout = h.reshape(N * T, H).T.dot(dscores.reshape(N * T, V))
        dbout = dscores.sum(axis=(0, 1))
        dh = dscores.reshape(N * T, V).dot(Wout.T).reshape(N, T, H)
        _, _, dWx, dWh, db = rnn_backward(dh, cache)
        for p, g in ((Wx, dWx), (Wh, dWh), (b, db), (Wout, dWout), (bout, dbout)):
            p -= 0.1 * g
        losses.append(loss)
        if it % 10 == 0:
            print("it %d loss %.5f" % (it, loss))
    return losses, (Wx, Wh, b, Wout, bout)
