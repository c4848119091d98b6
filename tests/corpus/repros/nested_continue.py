"""The naive multiclass SVM loss's loop shape: `continue` in the inner loop of a nested
loop, with an accumulation after it."""
import numpy as np


def margins_sum(S, y):
    loss = 0.0
    for i in range(S.shape[0]):
        for j in range(S.shape[1]):
            if j == y[i]:
                continue
            loss += S[i, j]
    return loss


def run(jit):
    global margins_sum
    margins_sum = jit(margins_sum)
    rng = np.random.default_rng(8)
    return [margins_sum(rng.standard_normal((4, 3)), rng.integers(0, 3, 4)) for _ in range(8)]
