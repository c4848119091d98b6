"""The unchanged NumPy training steps (logistic regression, a small MLP) on an out-of-core
dataset on a Dask cluster, decorated with janus_lite.jit.

Run: python examples/dask_logistic_regression.py [--quick] [--address tcp://host:8786]

Without ``--address`` it starts a LocalCluster of 2 worker processes with 300 MB each; the
synthetic dataset (about 1 GB by default) is generated chunk by chunk on the workers and
never held whole by one of them. The training steps are plain NumPy code: janus_lite runs
each call as one Dask computation (one ``compute`` per step) and writes the updated
parameters into the caller's NumPy arrays, as the plain step does on NumPy data.
"""
import argparse
import time

import numpy as np

import janus_lite


@janus_lite.jit
def logreg_step(w, X, y, lr):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    grad = X.T @ (p - y) / X.shape[0]
    loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
    w -= lr * grad
    return loss


@janus_lite.jit
def mlp_step(params, X, y, lr):
    W1, b1, W2, b2 = params
    h = np.tanh(X @ W1 + b1)
    p = 1.0 / (1.0 + np.exp(-(h @ W2 + b2)))
    err = (p - y) / X.shape[0]
    dW2 = h.T @ err
    db2 = err.sum()
    dh = np.outer(err, W2) * (1 - h ** 2)
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    return float(np.mean((p - y) ** 2))


def make_data(rows, features, chunk_rows, seed=0):
    """X (rows x features, float64) and labels y, generated chunk by chunk on the workers."""
    import dask.array as da
    rs = da.random.RandomState(seed)
    X = rs.normal(size=(rows, features), chunks=(chunk_rows, features))
    true_w = np.linspace(-1.0, 1.0, features)
    noise = rs.normal(scale=0.5, size=rows, chunks=chunk_rows)
    y = (X @ true_w + noise > 0).astype(np.float64)
    return X, y


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes (tests)")
    ap.add_argument("--address", help="a running Dask scheduler (default: a LocalCluster)")
    ap.add_argument("--rows", type=int, default=4_000_000)
    ap.add_argument("--features", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=6)
    a = ap.parse_args(argv)
    if a.quick:
        a.rows, a.features, a.epochs = 40_000, 8, 4
    from distributed import Client, LocalCluster
    cluster = None
    if a.address:
        client = Client(a.address)
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="300MB",
                               dashboard_address=":0")
        client = Client(cluster)
    try:
        X, y = make_data(a.rows, a.features, max(a.rows // 40, 1000))
        print(f"dataset: {X.nbytes / 1e9:.2f} GB in {X.numblocks[0]} chunks; "
              f"worker memory limit 300 MB")
        w = np.zeros(a.features)
        for epoch in range(a.epochs):
            t0 = time.perf_counter()
            loss = logreg_step(w, X, y, 0.5)
            print(f"logreg epoch {epoch}: loss {loss:.5f}  ({time.perf_counter() - t0:.2f} s)")
        rng = np.random.default_rng(0)
        params = [rng.normal(scale=0.3, size=(a.features, 16)), np.zeros(16),
                  rng.normal(scale=0.3, size=16), np.zeros(1)]
        for epoch in range(a.epochs):
            t0 = time.perf_counter()
            loss = mlp_step(params, X, y, 1.0)
            print(f"mlp epoch {epoch}: loss {loss:.5f}  ({time.perf_counter() - t0:.2f} s)")
        for f in (logreg_step, mlp_step):
            s = f.stats
            g = f.graphs[-1] if f.graphs else None
            report = g.dask_report if g is not None else None
            runs, computes = (report.runs, report.computes) if report is not None else (0, 0)
            print(f"{f.__name__}: graph-served calls {s['graph_calls']} of {s['calls']}, "
                  f"backend {g.backend if g is not None else '-'}, "
                  f"computes per graph run {computes / max(runs, 1):.1f}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
