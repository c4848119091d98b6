"""The naive convolution backward with four nested loops (sample, filter, row, column),
as in a course assignment."""
import numpy as np


def conv_backward_naive(dout, x, w, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Hp, Wp = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            db[f] += dout[n, f].sum()
            for i in range(Hp):
                for j in range(Wp):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    dw[f] += window * dout[n, f, i, j]
                    dxp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += w[f] * dout[n, f, i, j]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, db


def run(jit):
    global conv_backward_naive
    conv_backward_naive = jit(conv_backward_naive)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 6, 6))
    w = rng.standard_normal((2, 2, 3, 3))
    outs = []
    for step in range(8):
        dout = rng.standard_normal((1, 2, 6, 6))
        outs.append(conv_backward_naive(dout, x, w, 1, 1))
    return outs
