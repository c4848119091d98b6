"""A course-assignment linear classifier: vectorised softmax and multiclass SVM losses, and
a train() that samples mini-batches with np.random.choice and prints every 50 iterations."""
import numpy as np


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(num_train), y])) / num_train + reg * np.sum(W * W)
    dscores = probs
    dscores[np.arange(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(num_train), y].reshape(-1, 1)
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(num_train), y] = 0
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
    binary = (margins > 0).astype(float)
    binary[np.arange(num_train), y] = -np.sum(binary, axis=1)
    dW = X.T.dot(binary) / num_train + 2 * reg * W
    return loss, dW


class LinearClassifier:
    def __init__(self, loss_fn):
        self.W = None
        self.loss_fn = loss_fn

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=20, verbose=False):
        num_train, dim = X.shape
        num_classes = np.max(y) + 1
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, num_classes)
        loss_history = []
        for it in range(num_iters):
            batch_idx = np.random.choice(num_train, batch_size, replace=True)
            loss, grad = self.loss_fn(self.W, X[batch_idx], y[batch_idx], reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
            if verbose and it % 50 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return loss_history

    def predict(self, X):
        return np.argmax(X.dot(self.W), axis=1)


def run(jit):
    global softmax_loss_vectorized, svm_loss_vectorized
    softmax_loss_vectorized = jit(softmax_loss_vectorized)
    svm_loss_vectorized = jit(svm_loss_vectorized)
    rng = np.random.default_rng(18)
    X = np.hstack([rng.standard_normal((200, 10)), np.ones((200, 1))])
    y = rng.integers(0, 4, 200)
    out = {}
    for name, fn in (("softmax", softmax_loss_vectorized), ("svm", svm_loss_vectorized)):
        clf = LinearClassifier(fn)
        hist = clf.train(X, y, learning_rate=1e-2, reg=1e-3, num_iters=150, verbose=True)
        out[name] = (hist, clf.W, float(np.mean(clf.predict(X) == y)))
    return out
