"""Matrix factorisation for a toy ratings matrix by SGD over observed entries (one rating
per call, user and item rows updated in place), with L2 regularisation and an RMSE per
epoch."""
import numpy as np


def sgd_rating(P, Q, bu, bi, mu, u, i, r, lr, reg):
    pred = mu + bu[u] + bi[i] + P[u] @ Q[i]
    e = r - pred
    bu[u] += lr * (e - reg * bu[u])
    bi[i] += lr * (e - reg * bi[i])
    pu = P[u].copy()
    P[u] += lr * (e * Q[i] - reg * P[u])
    Q[i] += lr * (e * pu - reg * Q[i])
    return e * e


def run(jit):
    global sgd_rating
    sgd_rating = jit(sgd_rating)
    rng = np.random.default_rng(34)
    n_users, n_items, k = 12, 10, 3
    true = rng.standard_normal((n_users, k)) @ rng.standard_normal((k, n_items))
    obs = [(u, i, float(true[u, i])) for u in range(n_users) for i in range(n_items) if rng.random() < 0.5]
    P = 0.1 * rng.standard_normal((n_users, k))
    Q = 0.1 * rng.standard_normal((n_items, k))
    bu, bi = np.zeros(n_users), np.zeros(n_items)
    mu = float(np.mean([r for _, _, r in obs]))
    rmses = []
    for epoch in range(6):
        order = rng.permutation(len(obs))
        sq = 0.0
        for j in order:
            u, i, r = obs[j]
            sq += sgd_rating(P, Q, bu, bi, mu, u, i, r, 0.05, 0.02)
        rmses.append(float(np.sqrt(sq / len(obs))))
        print(f"epoch {epoch}: rmse {rmses[-1]:.4f}")
    return rmses, P, Q, bu, bi
