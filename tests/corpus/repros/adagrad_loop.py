"""The char-RNN Adagrad update: a loop over parameters, gradients and memories, each
updated in place."""
import numpy as np


def adagrad_update(params, grads, mems, lr):
    for param, dparam, mem in zip(params, grads, mems):
        mem += dparam * dparam
        param += -lr * dparam / np.sqrt(mem + 1e-8)


def run(jit):
    global adagrad_update
    adagrad_update = jit(adagrad_update)
    rng = np.random.default_rng(5)
    params = [rng.standard_normal((20, 10)), rng.standard_normal((20, 20)), rng.standard_normal((10, 20)),
              np.zeros((20, 1)), np.zeros((10, 1))]
    mems = [np.zeros_like(p) for p in params]
    for step in range(60):
        grads = [0.1 * rng.standard_normal(p.shape) for p in params]
        adagrad_update(params, grads, mems, 0.1)
    return params, mems
