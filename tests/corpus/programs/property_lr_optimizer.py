"""An optimizer exposing its learning rate as a property computed from the step count
(step decay), with a setter used to restart the schedule; a momentum update reads it."""
import numpy as np


class StepDecaySGD:
    def __init__(self, base_lr, drop=0.5, every=40, momentum=0.8):
        self._base = base_lr
        self.drop, self.every, self.momentum = drop, every, momentum
        self.steps = 0
        self.velocity = None

    @property
    def lr(self):
        return self._base * self.drop ** (self.steps // self.every)

    @lr.setter
    def lr(self, value):
        self._base = value
        self.steps = 0

    def step(self, w, g):
        if self.velocity is None:
            self.velocity = np.zeros_like(w)
        self.velocity = self.momentum * self.velocity - self.lr * g
        self.steps += 1
        return w + self.velocity


def run(jit):
    StepDecaySGD.step = jit(StepDecaySGD.step)
    rng = np.random.default_rng(69)
    A = rng.standard_normal((40, 6))
    b = rng.standard_normal(40)
    w = np.zeros(6)
    opt = StepDecaySGD(0.02)
    losses = []
    for it in range(600):
        if it == 300:
            opt.lr = 0.01
        r = A @ w - b
        losses.append(float(r @ r))
        w = opt.step(w, 2 * A.T @ r)
    print(f"final loss {losses[-1]:.6f}, lr {opt.lr}")
    return losses, w, opt
