"""Inverted dropout drawing its mask from the global np.random in every training call."""
import numpy as np


def dropout_forward(x, p, train):
    if train:
        mask = (np.random.rand(*x.shape) < p) / p
        return x * mask, mask
    return x, None


def run(jit):
    global dropout_forward
    dropout_forward = jit(dropout_forward)
    np.random.seed(4)
    x = np.random.randn(32, 64)
    outs = []
    for step in range(80):
        out, mask = dropout_forward(x, 0.8, step % 10 != 9)
        outs.append((out, mask))
    return outs
