"""Naive convolution and max-pool forward/backward with explicit loops, as in a course
assignment, trained for a few steps on tiny images."""
import numpy as np


def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Hp = 1 + (H + 2 * pad - HH) // stride
    Wp = 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    out = np.zeros((N, F, Hp, Wp))
    for i in range(Hp):
        for j in range(Wp):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Hp, Wp = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for i in range(Hp):
        for j in range(Wp):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            dw += np.tensordot(dout[:, :, i, j], window, axes=([0], [0]))
            dxp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Hp, Wp = 1 + (H - ph) // s, 1 + (W - pw) // s
    out = np.zeros((N, C, Hp, Wp))
    for i in range(Hp):
        for j in range(Wp):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    _, _, Hp, Wp = dout.shape
    dx = np.zeros_like(x)
    for i in range(Hp):
        for j in range(Wp):
            window = x[:, :, i * s:i * s + ph, j * s:j * s + pw]
            m = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += m * dout[:, :, i, j][:, :, None, None]
    return dx


def run(jit):
    g = globals()
    for name in ("conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive", "max_pool_backward_naive"):
        g[name] = jit(g[name])
    rng = np.random.default_rng(19)
    x = rng.standard_normal((4, 2, 8, 8))
    target = rng.standard_normal((4, 3, 4, 4))
    w = 0.1 * rng.standard_normal((3, 2, 3, 3))
    b = np.zeros(3)
    conv_param = {"stride": 1, "pad": 1}
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    losses = []
    for step in range(25):
        h, cc = conv_forward_naive(x, w, b, conv_param)
        p, cp = max_pool_forward_naive(h, pool_param)
        diff = p - target
        losses.append(float(np.sum(diff ** 2) / 2))
        dh = max_pool_backward_naive(diff, cp)
        dx, dw, db = conv_backward_naive(dh, cc)
        w -= 1e-3 * dw
        b -= 1e-3 * db
        if step % 5 == 0:
            print(f"step {step} loss {losses[-1]:.4f}")
    return losses, w, b
