"""A single-head scaled dot-product self-attention layer with forward and backward passes
(softmax over keys, cached intermediates on the object), trained on a toy copy task."""
import numpy as np


class SelfAttention:
    def __init__(self, d, rng):
        self.Wq = rng.standard_normal((d, d)) / np.sqrt(d)
        self.Wk = rng.standard_normal((d, d)) / np.sqrt(d)
        self.Wv = rng.standard_normal((d, d)) / np.sqrt(d)

    def forward(self, X):
        self.X = X
        self.Q, self.K, self.V = X @ self.Wq, X @ self.Wk, X @ self.Wv
        d = X.shape[-1]
        S = self.Q @ self.K.transpose(0, 2, 1) / np.sqrt(d)
        S = S - S.max(axis=-1, keepdims=True)
        A = np.exp(S)
        A /= A.sum(axis=-1, keepdims=True)
        self.A = A
        return A @ self.V

    def backward(self, dY, lr):
        d = self.X.shape[-1]
        dA = dY @ self.V.transpose(0, 2, 1)
        dV = self.A.transpose(0, 2, 1) @ dY
        dS = self.A * (dA - np.sum(dA * self.A, axis=-1, keepdims=True)) / np.sqrt(d)
        dQ = dS @ self.K
        dK = dS.transpose(0, 2, 1) @ self.Q
        X2 = self.X.reshape(-1, d)
        self.Wq -= lr * X2.T @ dQ.reshape(-1, d)
        self.Wk -= lr * X2.T @ dK.reshape(-1, d)
        self.Wv -= lr * X2.T @ dV.reshape(-1, d)


def run(jit):
    SelfAttention.forward = jit(SelfAttention.forward)
    SelfAttention.backward = jit(SelfAttention.backward)
    rng = np.random.default_rng(44)
    layer = SelfAttention(8, rng)
    losses = []
    for it in range(60):
        X = rng.standard_normal((4, 6, 8))
        target = X.mean(axis=1, keepdims=True).repeat(6, axis=1)
        Y = layer.forward(X)
        diff = Y - target
        losses.append(float(np.mean(diff ** 2)))
        layer.backward(2 * diff / diff.size, 0.5)
        if it % 20 == 0:
            print(f"it {it}: {losses[-1]:.5f}")
    return losses, layer
