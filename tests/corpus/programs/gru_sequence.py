"""A GRU cell class stepping over a sequence with its hidden state, used to classify short
sequences; only the readout is trained (a perceptron-style update on the final state)."""
import numpy as np


class GRUCell:
    def __init__(self, n_in, n_hidden, rng):
        s = 1.0 / np.sqrt(n_hidden)
        self.Wz = rng.uniform(-s, s, (n_in + n_hidden, n_hidden))
        self.Wr = rng.uniform(-s, s, (n_in + n_hidden, n_hidden))
        self.Wh = rng.uniform(-s, s, (n_in + n_hidden, n_hidden))
        self.bz = np.zeros(n_hidden)
        self.br = np.zeros(n_hidden)
        self.bh = np.zeros(n_hidden)

    def step(self, x, h):
        xh = np.concatenate([x, h], axis=1)
        z = 1 / (1 + np.exp(-(xh @ self.Wz + self.bz)))
        r = 1 / (1 + np.exp(-(xh @ self.Wr + self.br)))
        xrh = np.concatenate([x, r * h], axis=1)
        h_tilde = np.tanh(xrh @ self.Wh + self.bh)
        return (1 - z) * h + z * h_tilde


def run(jit):
    GRUCell.step = jit(GRUCell.step)
    rng = np.random.default_rng(43)
    cell = GRUCell(2, 12, rng)
    w = np.zeros(12)
    accs = []
    for epoch in range(25):
        seqs = rng.standard_normal((16, 7, 2))
        labels = np.where(seqs[:, :, 0].sum(axis=1) > 0, 1.0, -1.0)
        h = np.zeros((16, 12))
        for t in range(7):
            h = cell.step(seqs[:, t, :], h)
        pred = np.sign(h @ w + 1e-12)
        wrong = pred != labels
        w += 0.1 * (labels[wrong, None] * h[wrong]).sum(axis=0)
        accs.append(float(1 - wrong.mean()))
        if epoch % 5 == 0:
            print(f"epoch {epoch}: acc {accs[-1]:.3f}")
    return accs, w, cell
