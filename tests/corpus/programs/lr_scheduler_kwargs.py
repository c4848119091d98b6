"""An ML-library style optimizer with a learning-rate scheduler object whose
`learning_rate(self, step=None, **kwargs)` is called by the optimizer on every update."""
import numpy as np


class ExponentialScheduler:
    def __init__(self, initial_lr=0.05, stage_length=20, decay=0.5, staircase=True):
        self.initial_lr = initial_lr
        self.stage_length = stage_length
        self.decay = decay
        self.staircase = staircase

    def learning_rate(self, step=None, **kwargs):
        cur_stage = step / self.stage_length
        if self.staircase:
            cur_stage = np.floor(cur_stage)
        return self.initial_lr * self.decay ** cur_stage


class SGDMomentum:
    def __init__(self, scheduler, momentum=0.9, clip_norm=None):
        self.scheduler = scheduler
        self.momentum = momentum
        self.clip_norm = clip_norm
        self.cache = {}
        self.cur_step = 0

    def step(self):
        self.cur_step += 1

    def update(self, param, param_grad, param_name, cur_loss=None):
        C = self.cache
        lr = self.scheduler.learning_rate(self.cur_step, cur_loss=cur_loss)
        if param_name not in C:
            C[param_name] = np.zeros_like(param_grad)
        t = np.inf if self.clip_norm is None else self.clip_norm
        if np.linalg.norm(param_grad) > t:
            param_grad = param_grad * t / np.linalg.norm(param_grad)
        update = self.momentum * C[param_name] + lr * param_grad
        self.cache[param_name] = update
        return param - update


def run(jit):
    SGDMomentum.update = jit(SGDMomentum.update)
    rng = np.random.default_rng(9)
    X = rng.standard_normal((60, 4))
    y = X @ np.array([0.5, -1.0, 2.0, 0.1]) + 1.0
    params = {"W": np.zeros(4), "b": np.zeros(1)}
    opt = SGDMomentum(ExponentialScheduler(), clip_norm=5.0)
    losses = []
    for it in range(150):
        err = X @ params["W"] + params["b"] - y
        loss = float(np.mean(err ** 2))
        grads = {"W": 2 * X.T @ err / len(y), "b": np.array([2 * err.mean()])}
        for name in params:
            params[name] = opt.update(params[name], grads[name], name, cur_loss=loss)
        opt.step()
        losses.append(loss)
        if it % 50 == 0:
            print(f"step {it}: loss {loss:.5f}")
    return losses, params, opt
