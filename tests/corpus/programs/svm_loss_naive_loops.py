"""The course-assignment multiclass SVM loss with explicit loops over samples and classes
(the 'naive' version), used to train a linear classifier with sampled mini-batches."""
import numpy as np


def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def run(jit):
    global svm_loss_naive
    svm_loss_naive = jit(svm_loss_naive)
    np.random.seed(61)
    X = np.hstack([np.random.randn(100, 6), np.ones((100, 1))])
    y = np.random.randint(0, 3, 100)
    W = 0.001 * np.random.randn(7, 3)
    losses = []
    for it in range(40):
        idx = np.random.choice(100, 10, replace=False)
        loss, dW = svm_loss_naive(W, X[idx], y[idx], 1e-3)
        W -= 1e-2 * dW
        losses.append(loss)
        if it % 10 == 0:
            print("iteration %d: loss %f" % (it, loss))
    return losses, W
