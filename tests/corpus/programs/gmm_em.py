"""A Gaussian mixture (diagonal covariances) fitted by EM: an E-step computing
responsibilities with a log-sum-exp, an M-step re-estimating weights, means and variances,
iterated until the log-likelihood stops improving."""
import numpy as np


def e_step(X, weights, means, variances):
    log_prob = -0.5 * (np.sum(np.log(2 * np.pi * variances), axis=1)[None, :]
                       + np.sum((X[:, None, :] - means[None, :, :]) ** 2 / variances[None, :, :], axis=2))
    log_prob += np.log(weights)[None, :]
    m = log_prob.max(axis=1, keepdims=True)
    log_norm = m + np.log(np.exp(log_prob - m).sum(axis=1, keepdims=True))
    resp = np.exp(log_prob - log_norm)
    return resp, float(log_norm.sum())


def m_step(X, resp, reg=1e-6):
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = resp.T @ X / nk[:, None]
    avg_X2 = resp.T @ (X * X) / nk[:, None]
    variances = avg_X2 - means ** 2 + reg
    weights = nk / X.shape[0]
    return weights, means, variances


def run(jit):
    global e_step, m_step
    e_step = jit(e_step)
    m_step = jit(m_step)
    rng = np.random.default_rng(29)
    X = np.concatenate([rng.normal([0, 0], 0.5, (60, 2)), rng.normal([3, 1], 0.8, (60, 2)),
                        rng.normal([0, 4], 0.3, (60, 2))])
    fits = []
    for init in range(4):
        means = X[rng.choice(len(X), 3, replace=False)]
        variances = np.ones((3, 2))
        weights = np.full(3, 1 / 3)
        prev = -np.inf
        for it in range(100):
            resp, ll = e_step(X, weights, means, variances)
            weights, means, variances = m_step(X, resp)
            if ll - prev < 1e-6:
                break
            prev = ll
        print(f"init {init}: log-likelihood {ll:.4f} after {it + 1} iterations")
        fits.append((ll, weights, means, variances))
    return fits
