"""Weight decay applied only to weight matrices, chosen by parameter name with str methods
(`name.startswith("W")`) and a filtered comprehension for the regularisation term."""
import numpy as np


def l2_penalty(params, reg):
    return 0.5 * reg * sum(np.sum(params[k] ** 2) for k in params if k.startswith("W"))


def sgd_step(params, grads, lr, reg):
    for name in params:
        g = grads[name]
        if name.startswith("W"):
            g = g + reg * params[name]
        params[name] = params[name] - lr * g


def forward_backward(params, X, y):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    d = (out - y) / len(y)
    grads = {"W2": h.T @ d, "b2": d.sum(0)}
    dh = d @ params["W2"].T * (1 - h ** 2)
    grads["W1"] = X.T @ dh
    grads["b1"] = dh.sum(0)
    return float(0.5 * np.mean((out - y) ** 2)), grads


def run(jit):
    global l2_penalty, sgd_step, forward_backward
    l2_penalty = jit(l2_penalty)
    sgd_step = jit(sgd_step)
    forward_backward = jit(forward_backward)
    rng = np.random.default_rng(66)
    X = rng.standard_normal((70, 5))
    y = X[:, :2] @ np.array([[1.0], [-1.0]])
    params = {"W1": rng.standard_normal((5, 10)) * 0.3, "b1": np.zeros(10),
              "W2": rng.standard_normal((10, 1)) * 0.3, "b2": np.zeros(1)}
    log = []
    for it in range(120):
        loss, grads = forward_backward(params, X, y)
        total = loss + l2_penalty(params, 1e-3)
        sgd_step(params, grads, 0.2, 1e-3)
        log.append(total)
        if it % 40 == 0:
            print(f"it {it}: {total:.6f}")
    return log, params
