"""A character-level model with an LSTM step written out by hand, a forward pass over the
sequence producing losses, and periodic sampling of text with np.random.choice from the
softmax (only the output layer is trained, by a simple SGD step)."""
import numpy as np

TEXT = "abracadabra alakazam abracadabra hocus pocus " * 2
CHARS = sorted(set(TEXT))
V = len(CHARS)
IX = {c: i for i, c in enumerate(CHARS)}
H = 16


def lstm_forward(inputs, h, c, Wx, Wh, b, Wy, by):
    hs, ps = [], []
    for ix in inputs:
        x = np.zeros(V)
        x[ix] = 1.0
        a = Wx @ x + Wh @ h + b
        i, f, o = (1 / (1 + np.exp(-a[k * H:(k + 1) * H])) for k in range(3))
        g = np.tanh(a[3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        y = Wy @ h + by
        p = np.exp(y - y.max())
        hs.append(h)
        ps.append(p / p.sum())
    return hs, ps, h, c


def sample(h, c, seed_ix, n, Wx, Wh, b, Wy, by):
    ixes = []
    ix = seed_ix
    for t in range(n):
        _, ps, h, c = lstm_forward([ix], h, c, Wx, Wh, b, Wy, by)
        ix = np.random.choice(V, p=ps[0])
        ixes.append(ix)
    return ixes


def run(jit):
    global lstm_forward, sample
    lstm_forward = jit(lstm_forward)
    sample = jit(sample)
    np.random.seed(58)
    Wx = np.random.randn(4 * H, V) * 0.1
    Wh = np.random.randn(4 * H, H) * 0.1
    b = np.zeros(4 * H)
    Wy = np.random.randn(V, H) * 0.1
    by = np.zeros(V)
    p, n, seq = 0, 0, 8
    h, c = np.zeros(H), np.zeros(H)
    losses, texts = [], []
    while n < 30:
        if p + seq + 1 >= len(TEXT):
            p, h, c = 0, np.zeros(H), np.zeros(H)
        inputs = [IX[ch] for ch in TEXT[p:p + seq]]
        targets = [IX[ch] for ch in TEXT[p + 1:p + seq + 1]]
        hs, ps, h, c = lstm_forward(inputs, h, c, Wx, Wh, b, Wy, by)
        loss = 0.0
        for t, tgt in enumerate(targets):
            loss -= np.log(ps[t][tgt])
            dy = ps[t].copy()
            dy[tgt] -= 1
            Wy -= 0.1 * np.outer(dy, hs[t])
            by -= 0.1 * dy
        losses.append(loss)
        if n % 10 == 0:
            texts.append("".join(CHARS[i] for i in sample(h, c, inputs[0], 12, Wx, Wh, b, Wy, by)))
            print(f"iter {n} loss {loss:.4f}: {texts[-1]!r}")
        p += seq
        n += 1
    return losses, texts, Wy, by
