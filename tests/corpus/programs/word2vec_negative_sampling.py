"""Skip-gram with negative sampling on a toy corpus: a per-pair SGD step that scatters the
gradient into the embedding tables with np.add.at, negatives drawn from np.random."""
import numpy as np

TEXT = ("the cat sat on the mat the dog sat on the log the cat saw the dog "
        "a bird sat on the tree the dog saw a cat the bird saw the mat").split()


def sgns_step(W_in, W_out, center, context, negatives, lr):
    v = W_in[center]
    ids = np.concatenate(([context], negatives))
    labels = np.zeros(len(ids))
    labels[0] = 1.0
    u = W_out[ids]
    scores = u @ v
    probs = 1.0 / (1.0 + np.exp(-scores))
    loss = -np.log(probs[0] + 1e-10) - np.sum(np.log(1 - probs[1:] + 1e-10))
    g = probs - labels
    grad_v = g @ u
    grad_u = np.outer(g, v)
    np.add.at(W_out, ids, -lr * grad_u)
    W_in[center] -= lr * grad_v
    return loss


def run(jit):
    global sgns_step
    sgns_step = jit(sgns_step)
    vocab = sorted(set(TEXT))
    idx = {w: i for i, w in enumerate(vocab)}
    ids = np.array([idx[w] for w in TEXT])
    counts = np.bincount(ids, minlength=len(vocab)).astype(float)
    noise = counts ** 0.75
    noise /= noise.sum()
    rng = np.random.RandomState(28)
    dim = 10
    W_in = (rng.rand(len(vocab), dim) - 0.5) / dim
    W_out = np.zeros((len(vocab), dim))
    losses = []
    for epoch in range(4):
        total = 0.0
        for pos, center in enumerate(ids):
            for off in (-2, -1, 1, 2):
                if 0 <= pos + off < len(ids):
                    negatives = np.random.choice(len(vocab), 3, p=noise)
                    total += sgns_step(W_in, W_out, center, ids[pos + off], negatives, 0.05)
        losses.append(total)
        print(f"epoch {epoch}: loss {total:.3f}")
    return losses, W_in, W_out
