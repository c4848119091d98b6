"""A character-level vanilla RNN (in the style of Karpathy's min-char-rnn) trained with
truncated backprop through time; the loss-and-gradient function is unchanged NumPy with
Python loops over time steps, decorated with janus_lite.jit.

Run: python examples/char_rnn.py [--quick]
Prints the smoothed loss going down, a sample of generated text, the speedup against the
plain function (timed side by side, interleaved, medians) and the graph-served share.
Until janus_lite converts everything this function does, it runs imperatively, and
explain() says why; it is exact either way.
"""
import argparse

import numpy as np

import janus_lite
from janus_lite.inspect.timing import compare, report_lines

TEXT = (
    "the quick brown fox jumps over the lazy dog. "
    "a speculative graph runs fast while its assumptions hold, "
    "and falls back to python when one does not. "
    "the dog sleeps; the fox runs; the graph holds. "
) * 4


def loss_and_grads(inputs, targets, hprev, Wxh, Whh, Why, bh, by):
    """Softmax cross-entropy of predicting each next character; returns the loss, the
    gradients of every parameter and the last hidden state."""
    hs, ps = [], []
    h = hprev
    loss = 0.0
    for t in range(len(inputs)):
        h = np.tanh(Wxh[:, inputs[t]] + Whh @ h + bh)     # column of Wxh = Wxh @ onehot
        y = Why @ h + by
        p = np.exp(y - np.max(y))
        p = p / np.sum(p)
        loss = loss - np.log(p[targets[t]])
        hs.append(h)
        ps.append(p)
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dh_next = np.zeros_like(hprev)
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1.0
        dWhy += np.outer(dy, hs[t])
        dby += dy
        dh = Why.T @ dy + dh_next
        dh_raw = (1.0 - hs[t] * hs[t]) * dh
        dbh += dh_raw
        dWxh[:, inputs[t]] += dh_raw
        h_before = hs[t - 1] if t > 0 else hprev
        dWhh += np.outer(dh_raw, h_before)
        dh_next = Whh.T @ dh_raw
    grads = [np.clip(g, -5.0, 5.0) for g in (dWxh, dWhh, dWhy, dbh, dby)]
    return loss, grads, hs[-1]


fast_loss_and_grads = janus_lite.jit(loss_and_grads)


def sample(h, first, n, params, rng):
    Wxh, Whh, Why, bh, by = params
    out, c = [first], first
    for _ in range(n):
        h = np.tanh(Wxh[:, c] + Whh @ h + bh)
        y = Why @ h + by
        p = np.exp(y - y.max())
        c = int(rng.choice(len(p), p=p / p.sum()))
        out.append(c)
    return out


def init(vocab, hidden, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((hidden, vocab)) * 0.01,
            rng.standard_normal((hidden, hidden)) * 0.01,
            rng.standard_normal((vocab, hidden)) * 0.01,
            np.zeros(hidden), np.zeros(vocab)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (tests)")
    opts = ap.parse_args(argv)
    steps, hidden, seq = (60, 16, 10) if opts.quick else (3000, 64, 25)
    chars = sorted(set(TEXT))
    ix = {c: i for i, c in enumerate(chars)}
    data = np.array([ix[c] for c in TEXT])   # slices of it are the time-step inputs
    params = init(len(chars), hidden)
    memory = [np.zeros_like(p) for p in params]
    h = np.zeros(hidden)
    smooth = -np.log(1.0 / len(chars)) * seq
    pos = 0
    for step in range(1, steps + 1):
        if pos + seq + 1 > len(data):
            pos, h = 0, np.zeros(hidden)
        inputs, targets = data[pos:pos + seq], data[pos + 1:pos + seq + 1]
        loss, grads, h = fast_loss_and_grads(inputs, targets, h, *params)
        for p, g, m in zip(params, grads, memory):         # Adagrad, in place
            m += g * g
            p -= 0.1 * g / np.sqrt(m + 1e-8)
        smooth = smooth * 0.999 + loss * 0.001
        pos += seq
        if step == 1 or step % (steps // 4) == 0:
            print(f"step {step:5d}  smoothed loss {smooth:.3f}")
    text = sample(np.zeros(hidden), ix["t"], 60, params, np.random.default_rng(0))
    print("sample:", repr("".join(chars[i] for i in text)))
    args = (data[:seq], data[1:seq + 1], np.zeros(hidden), *params)
    cmp = compare(loss_and_grads, fast_loss_and_grads, args, rounds=3 if opts.quick else 11,
                  reps=3 if opts.quick else 20)
    print()
    print("\n".join(report_lines("loss_and_grads", cmp, fast_loss_and_grads)))


if __name__ == "__main__":
    main()
