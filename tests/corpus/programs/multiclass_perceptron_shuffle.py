"""A multiclass perceptron whose epoch function shuffles an index array in place with
np.random.shuffle and updates the weight rows of the true and predicted classes."""
import numpy as np


def perceptron_epoch(W, X, y, order):
    np.random.shuffle(order)
    mistakes = 0
    for i in order:
        pred = int(np.argmax(W @ X[i]))
        if pred != y[i]:
            W[y[i]] += X[i]
            W[pred] -= X[i]
            mistakes += 1
    return mistakes


def run(jit):
    global perceptron_epoch
    perceptron_epoch = jit(perceptron_epoch)
    np.random.seed(63)
    y = np.random.randint(0, 3, 45)
    X = np.hstack([np.random.randn(45, 3) + 2 * np.eye(3)[y], np.ones((45, 1))])
    W = np.zeros((3, 4))
    order = np.arange(45)
    history = []
    for epoch in range(40):
        history.append(perceptron_epoch(W, X, y, order))
    print("mistakes per epoch:", history)
    return W, history, order
