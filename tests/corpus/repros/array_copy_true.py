"""ReLU backward written with `np.array(dout, copy=True)` and a masked assignment."""
import numpy as np


def relu_backward(dout, x):
    dx = np.array(dout, copy=True)
    dx[x <= 0] = 0
    return dx


def run(jit):
    global relu_backward
    relu_backward = jit(relu_backward)
    rng = np.random.default_rng(6)
    outs = []
    for step in range(40):
        x = rng.standard_normal((16, 10))
        dout = rng.standard_normal((16, 10))
        outs.append(relu_backward(dout, x))
    return outs
