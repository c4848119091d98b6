"""A character-level vanilla RNN script: one-hot inputs, a loss function that runs the
sequence forward and backward, gradient clipping, and an Adagrad loop over parameters."""
import numpy as np

data = "hello world, hello numpy. the quick brown fox jumps over the lazy dog. " * 3
chars = sorted(set(data))
vocab_size = len(chars)
char_to_ix = {ch: i for i, ch in enumerate(chars)}
hidden_size = 24
seq_length = 10
learning_rate = 1e-1


def lossFun(inputs, targets, hprev, Wxh, Whh, Why, bh, by):
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys[t] = np.dot(Why, hs[t]) + by
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
        np.clip(dparam, -5, 5, out=dparam)
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]


def adagrad_step(params, grads, mems):
    for param, dparam, mem in zip(params, grads, mems):
        mem += dparam * dparam
        param += -learning_rate * dparam / np.sqrt(mem + 1e-8)


def run(jit):
    global lossFun, adagrad_step
    lossFun = jit(lossFun)
    adagrad_step = jit(adagrad_step)
    rng = np.random.RandomState(3)
    Wxh = rng.randn(hidden_size, vocab_size) * 0.01
    Whh = rng.randn(hidden_size, hidden_size) * 0.01
    Why = rng.randn(vocab_size, hidden_size) * 0.01
    bh = np.zeros((hidden_size, 1))
    by = np.zeros((vocab_size, 1))
    params = [Wxh, Whh, Why, bh, by]
    mems = [np.zeros_like(p) for p in params]
    smooth_loss = -np.log(1.0 / vocab_size) * seq_length
    n, p = 0, 0
    hprev = np.zeros((hidden_size, 1))
    losses = []
    while n < 150:
        if p + seq_length + 1 >= len(data) or n == 0:
            hprev = np.zeros((hidden_size, 1))
            p = 0
        inputs = [char_to_ix[ch] for ch in data[p:p + seq_length]]
        targets = [char_to_ix[ch] for ch in data[p + 1:p + seq_length + 1]]
        loss, dWxh, dWhh, dWhy, dbh, dby, hprev = lossFun(inputs, targets, hprev, *params)
        smooth_loss = smooth_loss * 0.999 + loss * 0.001
        if n % 50 == 0:
            print("iter %d, loss: %f" % (n, smooth_loss))
        adagrad_step(params, [dWxh, dWhh, dWhy, dbh, dby], mems)
        losses.append(loss)
        p += seq_length
        n += 1
    return losses, params, mems, hprev
