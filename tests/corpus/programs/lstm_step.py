"""An LSTM step written as one fused gate matrix (course-assignment style), unrolled over a
short sequence for a sequence-regression task, with gradients by finite differences on the
output layer only (a cheap 'train the readout' loop)."""
import numpy as np


def sigmoid(x):
    pos = x >= 0
    neg = ~pos
    z = np.zeros_like(x)
    z[pos] = np.exp(-x[pos])
    z[neg] = np.exp(x[neg])
    top = np.ones_like(x)
    top[neg] = z[neg]
    return top / (1 + z)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c


def encode(xs, Wx, Wh, b, H):
    N = xs.shape[0]
    h = np.zeros((N, H))
    c = np.zeros((N, H))
    for t in range(xs.shape[1]):
        h, c = lstm_step_forward(xs[:, t, :], h, c, Wx, Wh, b)
    return h


def run(jit):
    global lstm_step_forward, encode
    lstm_step_forward = jit(lstm_step_forward)
    encode = jit(encode)
    rng = np.random.default_rng(23)
    N, T, D, H = 16, 6, 3, 8
    Wx = 0.4 * rng.standard_normal((D, 4 * H))
    Wh = 0.4 * rng.standard_normal((H, 4 * H))
    b = np.zeros(4 * H)
    w_out = np.zeros(H)
    losses = []
    for epoch in range(30):
        xs = rng.standard_normal((N, T, D))
        target = xs[:, :, 0].sum(axis=1)
        h = encode(xs, Wx, Wh, b, H)
        pred = h @ w_out
        err = pred - target
        losses.append(float(np.mean(err ** 2)))
        w_out -= 0.05 * h.T @ err / N
        if epoch % 10 == 0:
            print(f"epoch {epoch} mse {losses[-1]:.4f}")
    return losses, w_out
