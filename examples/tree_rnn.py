"""A tree-structured recursive neural network (Socher-style) classifying the sentiment of
binary parse trees; forward and backward passes recurse over the tree in plain NumPy, and
the loss-and-gradient function is decorated with janus_lite.jit.

Run: python examples/tree_rnn.py [--quick]
Trains on synthetic sentences (positive/negative words, nested), prints loss and accuracy,
the speedup against the plain function (timed side by side, interleaved, medians) and the
graph-served share. A tree is a word id (a leaf) or a pair (left, right). The graph
janus_lite builds is specialized per tree structure; until it converts everything this
function does, it runs imperatively, and explain() says why; it is exact either way.
"""
import argparse

import numpy as np

import janus_lite
from janus_lite.inspect.timing import compare, report_lines

POSITIVE = ["good", "great", "fun", "bright", "kind"]
NEGATIVE = ["bad", "dull", "sad", "grim", "cruel"]
NEUTRAL = ["the", "movie", "plot", "was", "a", "very", "and", "cast"]
VOCAB = POSITIVE + NEGATIVE + NEUTRAL


def forward(tree, E, W, b):
    """The vector of ``tree`` and a cache of the activations for backward()."""
    if isinstance(tree, int):
        return E[tree], None
    h_left, c_left = forward(tree[0], E, W, b)
    h_right, c_right = forward(tree[1], E, W, b)
    h = np.tanh(W @ np.concatenate([h_left, h_right]) + b)
    return h, (h_left, c_left, h_right, c_right, h)


def backward(tree, cache, dh, W, dE, dW, db):
    """Accumulate the gradients of ``tree``'s vector (given dh) into dE, dW, db."""
    if isinstance(tree, int):
        dE[tree] += dh
        return
    h_left, c_left, h_right, c_right, h = cache
    dz = dh * (1.0 - h * h)
    dW += np.outer(dz, np.concatenate([h_left, h_right]))
    db += dz
    dx = W.T @ dz
    d = h_left.shape[0]
    backward(tree[0], c_left, dx[:d], W, dE, dW, db)
    backward(tree[1], c_right, dx[d:], W, dE, dW, db)


def loss_and_grads(tree, label, E, W, b, U, c):
    """Softmax cross-entropy of the root's label; returns the loss and the gradients."""
    h, cache = forward(tree, E, W, b)
    logits = U @ h + c
    p = np.exp(logits - logits.max())
    p = p / p.sum()
    loss = -np.log(p[label])
    dlogits = p.copy()
    dlogits[label] -= 1.0
    dU, dc = np.outer(dlogits, h), dlogits
    dE, dW, db = np.zeros_like(E), np.zeros_like(W), np.zeros_like(b)
    backward(tree, cache, U.T @ dlogits, W, dE, dW, db)
    return loss, (dE, dW, db, dU, dc)


fast_loss_and_grads = janus_lite.jit(loss_and_grads)


def predict(tree, params):
    E, W, b, U, c = params
    h, _ = forward(tree, E, W, b)
    return int(np.argmax(U @ h + c))


def random_tree(words):
    if len(words) == 1:
        return words[0]
    cut = len(words) // 2
    return (random_tree(words[:cut]), random_tree(words[cut:]))


def dataset(n, rng):
    out = []
    for _ in range(n):
        length = int(rng.integers(2, 7))
        words = [int(rng.integers(0, len(VOCAB))) for _ in range(length)]
        score = sum((w < len(POSITIVE)) - (len(POSITIVE) <= w < len(POSITIVE) + len(NEGATIVE))
                    for w in words)
        if score == 0:
            words.append(int(rng.integers(0, len(POSITIVE))))
            score = 1
        out.append((random_tree(words), int(score > 0)))
    return out


def init(dim, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((len(VOCAB), dim)) * 0.5,
            rng.standard_normal((dim, 2 * dim)) / np.sqrt(2 * dim), np.zeros(dim),
            rng.standard_normal((2, dim)) / np.sqrt(dim), np.zeros(2)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (tests)")
    opts = ap.parse_args(argv)
    n, epochs, dim = (40, 3, 8) if opts.quick else (300, 15, 16)
    rng = np.random.default_rng(0)
    train = dataset(n, rng)
    params = init(dim)
    for epoch in range(1, epochs + 1):
        total = 0.0
        for tree, label in train:
            loss, grads = fast_loss_and_grads(tree, label, *params)
            total += loss
            for p, g in zip(params, grads):
                p -= 0.05 * g
        acc = np.mean([predict(t, params) == y for t, y in train])
        print(f"epoch {epoch:3d}  mean loss {total / len(train):.4f}  accuracy {acc:.3f}")
    tree, label = train[0]
    cmp = compare(loss_and_grads, fast_loss_and_grads, (tree, label, *params),
                  rounds=3 if opts.quick else 11, reps=5 if opts.quick else 50)
    print()
    print("\n".join(report_lines("loss_and_grads", cmp, fast_loss_and_grads)))


if __name__ == "__main__":
    main()
