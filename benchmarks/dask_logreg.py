"""Per-epoch time of the unchanged logistic-regression step on a dataset several times larger
than one Dask worker's memory: janus_lite on Dask vs the plain function handed Dask arrays vs
dask-ml's LogisticRegression (plain gradient descent), with the number of computes per step.

Run: python -m benchmarks.dask_logreg [--rows 4000000] [--features 32] [--epochs 3]

A LocalCluster of 2 worker processes (1 thread, 300 MB each) is started; the dataset is
generated chunk by chunk on the workers (never persisted, so every epoch regenerates it:
the same work for every contender). Computes are counted at the client (every graph it
submits: ``Client.get``, ``Client.compute``, ``Client.persist``).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import janus_lite


def logreg_step(w, X, y, lr):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    grad = X.T @ (p - y) / X.shape[0]
    loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
    w -= lr * grad
    return loss


def logreg_step_functional(w, X, y, lr):
    """The same step returning the new weights (the only form the plain function can run
    on Dask arrays: ``w -= lr * grad`` with a lazy ``grad`` raises)."""
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    grad = X.T @ (p - y) / X.shape[0]
    loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
    return w - lr * grad, loss


class Counter:
    """Counts the graphs the client submits (computes and persists)."""

    def __init__(self):
        from distributed import Client
        self.n = 0
        self._saved = {}
        for name in ("get", "compute", "persist"):
            orig = getattr(Client, name)
            self._saved[name] = orig

            def wrapped(client, *a, _orig=orig, **k):
                self.n += 1
                return _orig(client, *a, **k)
            setattr(Client, name, wrapped)

    def close(self):
        from distributed import Client
        for name, orig in self._saved.items():
            setattr(Client, name, orig)


def make_data(rows, features, chunk_rows, seed=0):
    import dask.array as da
    rs = da.random.RandomState(seed)
    X = rs.normal(size=(rows, features), chunks=(chunk_rows, features))
    noise = rs.normal(scale=0.5, size=rows, chunks=chunk_rows)
    y = (X @ np.linspace(-1.0, 1.0, features) + noise > 0).astype(np.float64)
    return X, y


def timed_epochs(run_epoch, epochs, counter):
    times, computes = [], []
    for _ in range(epochs):
        before = counter.n
        t0 = time.perf_counter()
        run_epoch()
        times.append(time.perf_counter() - t0)
        computes.append(counter.n - before)
    return times, computes


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=4_000_000)
    ap.add_argument("--features", type=int, default=32)
    ap.add_argument("--chunk-rows", type=int, default=100_000)
    ap.add_argument("--epochs", type=int, default=3)
    a = ap.parse_args(argv)
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="300MB",
                           dashboard_address=":0")
    client = Client(cluster)
    counter = Counter()
    rows = []
    try:
        X, y = make_data(a.rows, a.features, a.chunk_rows)
        print(f"dataset {X.nbytes / 1e9:.2f} GB ({X.numblocks[0]} chunks of "
              f"{a.chunk_rows * a.features * 8 / 1e6:.0f} MB); 2 workers x 300 MB")

        # janus_lite: the unchanged step, decorated
        step = janus_lite.jit(logreg_step)
        w = np.zeros(a.features)
        t0 = time.perf_counter()
        for _ in range(step.profile_runs):
            step(w, X, y, 0.5)       # profiling runs: the Dask arguments are gathered
        first = time.perf_counter() - t0
        times, computes = timed_epochs(lambda: step(w, X, y, 0.5), a.epochs, counter)
        assert step.stats["graph_calls"] == a.epochs, step.explain()
        rows.append(("janus_lite on Dask (unchanged step)", times, computes,
                     f"profiling runs {first:.1f} s"))

        # the plain function handed Dask arrays
        try:
            logreg_step(np.zeros(a.features), X, y, 0.5)
            note = "runs"
        except Exception as exc:
            note = f"raises {type(exc).__name__}"
        rows.append(("plain unchanged step on Dask", None, None, note))
        wf = np.zeros(a.features)

        def plain_epoch():
            nonlocal wf
            wf, loss = logreg_step_functional(wf, X, y, 0.5)
            float(loss)              # the user looks at the loss; wf stays lazy
        times, computes = timed_epochs(plain_epoch, a.epochs, counter)
        rows.append(("plain functional step on Dask (w lazy)", times, computes,
                     "each epoch recomputes all earlier ones"))

        # dask-ml
        try:
            from dask_ml.linear_model import LogisticRegression
        except ImportError:
            rows.append(("dask-ml LogisticRegression", None, None, "not installed"))
        else:
            before = counter.n
            t0 = time.perf_counter()
            model = LogisticRegression(solver="gradient_descent", max_iter=a.epochs,
                                       fit_intercept=False, tol=0.0)
            model.fit(X, y)
            total = time.perf_counter() - t0
            per = total / a.epochs
            rows.append(("dask-ml LogisticRegression (gradient_descent)", [per] * a.epochs,
                         [(counter.n - before) / a.epochs] * a.epochs,
                         f"{a.epochs} iterations in {total:.1f} s, line search"))
    finally:
        counter.close()
        client.close()
        cluster.close()
    print(f"\n{'contender':48s} {'s/epoch (median)':>17s} {'computes/step':>14s}  note")
    for name, times, computes, note in rows:
        if times is None:
            print(f"{name:48s} {'-':>17s} {'-':>14s}  {note}")
        else:
            print(f"{name:48s} {np.median(times):17.2f} {np.median(computes):14.1f}  {note}"
                  f"; per epoch {', '.join(f'{t:.1f}' for t in times)}")


if __name__ == "__main__":
    main()
