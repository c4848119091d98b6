"""A tied-weight tanh autoencoder class trained with momentum on mini-batches; the
training step returns the reconstruction loss and keeps velocity arrays on the object."""
import numpy as np


class Autoencoder:
    def __init__(self, n_visible, n_hidden, rng, lr=0.05, momentum=0.9):
        self.W = rng.standard_normal((n_visible, n_hidden)) * 0.1
        self.b_h = np.zeros(n_hidden)
        self.b_v = np.zeros(n_visible)
        self.vW = np.zeros_like(self.W)
        self.vbh = np.zeros_like(self.b_h)
        self.vbv = np.zeros_like(self.b_v)
        self.lr, self.momentum = lr, momentum

    def encode(self, x):
        return np.tanh(x @ self.W + self.b_h)

    def decode(self, h):
        return h @ self.W.T + self.b_v

    def train_step(self, x):
        h = self.encode(x)
        r = self.decode(h)
        err = r - x
        loss = 0.5 * np.sum(err ** 2) / x.shape[0]
        d_r = err / x.shape[0]
        dW_dec = d_r.T @ h
        d_h = (d_r @ self.W) * (1 - h ** 2)
        dW_enc = x.T @ d_h
        dW = dW_dec + dW_enc
        self.vW = self.momentum * self.vW - self.lr * dW
        self.vbh = self.momentum * self.vbh - self.lr * d_h.sum(axis=0)
        self.vbv = self.momentum * self.vbv - self.lr * d_r.sum(axis=0)
        self.W += self.vW
        self.b_h += self.vbh
        self.b_v += self.vbv
        return loss


def run(jit):
    Autoencoder.train_step = jit(Autoencoder.train_step)
    rng = np.random.default_rng(25)
    Z = rng.standard_normal((200, 3))
    X = np.tanh(Z @ rng.standard_normal((3, 12)))
    ae = Autoencoder(12, 4, rng)
    history = []
    for epoch in range(15):
        perm = rng.permutation(200)
        epoch_loss = 0.0
        for i in range(0, 200, 32):
            epoch_loss += ae.train_step(X[perm[i:i + 32]])
        history.append(epoch_loss)
        if epoch % 5 == 0:
            print(f"epoch {epoch}: {epoch_loss:.5f}")
    return ae, history
