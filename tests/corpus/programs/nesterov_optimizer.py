"""An optimizer class hierarchy with super().__init__(): a base Optimizer storing the
learning rate and a step counter, a Nesterov momentum subclass with velocities created
lazily per parameter index, used on a softmax classifier."""
import numpy as np


class Optimizer:
    def __init__(self, lr):
        self.lr = lr
        self.iterations = 0


class Nesterov(Optimizer):
    def __init__(self, lr, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum
        self.velocity = [None, None]

    def apply(self, k, param, grad):
        if self.velocity[k] is None:
            self.velocity[k] = np.zeros_like(param)
        v_prev = self.velocity[k]
        v = self.momentum * v_prev - self.lr * grad
        self.velocity[k] = v
        param += -self.momentum * v_prev + (1 + self.momentum) * v


def softmax_grads(W, b, X, y):
    s = X @ W + b
    s -= s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    p[np.arange(n), y] -= 1
    return loss, X.T @ p / n, p.mean(axis=0)


def run(jit):
    global softmax_grads
    softmax_grads = jit(softmax_grads)
    Nesterov.apply = jit(Nesterov.apply)
    rng = np.random.default_rng(42)
    y = rng.integers(0, 3, 90)
    X = rng.standard_normal((90, 4)) + np.eye(3, 4)[y] * 2
    runs = []
    for lr in (0.05, 0.1, 0.2):
        W, b = np.zeros((4, 3)), np.zeros(3)
        opt = Nesterov(lr)
        for it in range(60):
            loss, gW, gb = softmax_grads(W, b, X, y)
            opt.apply(0, W, gW)
            opt.apply(1, b, gb)
            opt.iterations += 1
        print(f"lr {lr}: final loss {loss:.5f}")
        runs.append((loss, W, b, opt))
    return runs
