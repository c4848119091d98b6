"""A cosine learning-rate schedule with linear warm-up as a callable object taking
(step, **kwargs), and an SGD-with-weight-decay step function calling it each update."""
import math

import numpy as np


class CosineWarmup:
    def __init__(self, base_lr, warmup, total):
        self.base_lr, self.warmup, self.total = base_lr, warmup, total

    def __call__(self, step, **kwargs):
        if step < self.warmup:
            return self.base_lr * (step + 1) / self.warmup
        progress = (step - self.warmup) / max(1, self.total - self.warmup)
        return 0.5 * self.base_lr * (1 + math.cos(math.pi * progress))


def sgd_wd_step(params, grads, schedule, step, weight_decay=1e-4):
    lr = schedule(step, params=params)
    for k in params:
        params[k] = params[k] - lr * (grads[k] + weight_decay * params[k])
    return lr


def loss_grads(params, X, y):
    z = X @ params["w"] + params["c"]
    p = 1 / (1 + np.exp(-z))
    loss = float(-np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
    g = (p - y) / len(y)
    return loss, {"w": X.T @ g, "c": np.array([g.sum()])}


def run(jit):
    global sgd_wd_step, loss_grads
    sgd_wd_step = jit(sgd_wd_step)
    loss_grads = jit(loss_grads)
    rng = np.random.default_rng(53)
    X = rng.standard_normal((100, 5))
    y = (X @ np.array([1.0, 1.0, -1.0, 0.0, 0.5]) > 0).astype(float)
    params = {"w": np.zeros(5), "c": np.zeros(1)}
    sched = CosineWarmup(0.5, 10, 150)
    log = []
    for step in range(150):
        loss, grads = loss_grads(params, X, y)
        lr = sgd_wd_step(params, grads, sched, step)
        log.append((loss, lr))
        if step % 50 == 0:
            print(f"step {step}: loss {loss:.5f} lr {lr:.4f}")
    return log, params
