"""Course-assignment update rules taking a config dict (`config.setdefault`,
`config.get('velocity', ...)`), driven by a small solver over a params dict."""
import numpy as np


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    cache = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"] = cache
    return next_w, config


def loss_fn(params, X, y):
    h = np.maximum(0, X @ params["W1"] + params["b1"])
    scores = h @ params["W2"] + params["b2"]
    diff = scores - y
    loss = 0.5 * np.sum(diff ** 2) / X.shape[0]
    dscores = diff / X.shape[0]
    grads = {"W2": h.T @ dscores, "b2": dscores.sum(axis=0)}
    dh = dscores @ params["W2"].T
    dh[h <= 0] = 0
    grads["W1"] = X.T @ dh
    grads["b1"] = dh.sum(axis=0)
    return loss, grads


def train(update_rule, jit, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 5))
    y = rng.standard_normal((50, 2))
    params = {"W1": 0.1 * rng.standard_normal((5, 12)), "b1": np.zeros(12),
              "W2": 0.1 * rng.standard_normal((12, 2)), "b2": np.zeros(2)}
    configs = {k: {"learning_rate": 5e-3} for k in params}
    losses = []
    for it in range(200):
        loss, grads = loss_fn(params, X, y)
        for k in params:
            params[k], configs[k] = update_rule(params[k], grads[k], configs[k])
        losses.append(loss)
        if it % 50 == 0:
            print(f"iter {it} loss {loss:.6f}")
    return losses, params, configs


def run(jit):
    global loss_fn
    loss_fn = jit(loss_fn)
    mom = jit(sgd_momentum)
    rms = jit(rmsprop)
    return train(mom, jit, 0), train(rms, jit, 1)
