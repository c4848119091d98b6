"""An overflow in `h ** 2` inside a method that also updates state in place."""
import numpy as np


class M:
    def __init__(self):
        self.W = np.full((3, 3), 1e200)

    def step(self, x):
        h = x @ self.W
        self.W += 1.0
        return np.sum(h ** 2)


def run(jit):
    M.step = jit(M.step)
    m = M()
    return [m.step(np.ones((2, 3))) for _ in range(5)], m
