"""`python -m benchmarks.percall [--reps N] [--inner N] [--generic-dispatch]`: per-call cost
of small functions.

Plain vs decorated, side by side in one process: every row's plain and decorated function
are timed interleaved (rotating order, ``--reps`` rounds of ``--inner`` calls), and the best
round of each is kept (best-of-N: the least disturbed by other processes). Each row cycles
through its own list of argument tuples, so arguments that vary between calls vary here
too; functions that update their arguments in place get their own copies per side.

Columns: plain and decorated µs per call, the speed ratio (plain / decorated: ≥ 1.0 means
the decorated function is not slower), the overhead in µs, whether it is within the
per-call budget (1 µs + 5% of the plain call), and the share of timed calls graphs served.
"""
from __future__ import annotations

import argparse
import copy
import gc
import time

import numpy as np

import janus_lite as jl


# -- the functions (module level: janus_lite reads their source) ------------------------------
def draw(x):                                   # speed probe: a global RNG draw
    return x * np.random.rand(*x.shape)


def sgd_inplace(p, g):                         # speed probe: an argument updated in place
    p -= 0.1 * g
    return p


def scan(x):                                   # speed probe: a loop with break/continue
    s = 0.0
    for i in range(8):
        if x[i] < 0:
            continue
        if x[i] > 2:
            break
        s += x[i]
    return s


def dropout(x, keep):
    mask = (np.random.rand(*x.shape) < keep) / keep
    return x * mask


def adagrad(params, grads, mems, lr):
    for p, g, m in zip(params, grads, mems):
        m += g * g
        p += -lr * g / np.sqrt(m + 1e-8)


def tiny(x):
    return x * 2.0


def tiny_scalar(a, b):
    return a * b + 1.0


def many_args(a, b, c, d, e, f, g, h, i, j):
    return a * b + c * d + e * f + g * h + i * j


def varying_scalars(x, n, lr, flag):
    y = x * lr + n
    if flag:
        y = y * 2.0
    return y


SCALE = 1.0


def uses_global(x):
    return x * SCALE


def branch(x):
    if x.sum() > 0:
        return x * 2.0
    return x - 1.0


def while_loop(x):
    i = 0
    s = 0.0
    while i < 8:
        i += 1
        if x[i - 1] < 0:
            continue
        if x[i - 1] > 2:
            break
        s += x[i - 1]
    return s


# -- rows: (name, function, list of argument tuples, before-call hook) --------------------------
def _rebind(k):
    global SCALE
    SCALE = 1.0 + 0.001 * k


def rows():
    rng = np.random.default_rng(0)
    v8 = rng.standard_normal(8)
    shapes = [(20, 30), (30,), (30, 10)]
    return [
        ("probe: global RNG draw", draw, [(np.ones(64),)], None),
        ("probe: in-place argument update", sgd_inplace, [(np.ones(256), np.ones(256))], None),
        ("probe: loop break/continue", scan, [(v8,)], None),
        ("dropout, np.random.rand inside", dropout,
         [(rng.standard_normal((32, 64)), 0.8)], None),
        ("Adagrad loop over 3 params", adagrad,
         [([rng.standard_normal(s) for s in shapes], [rng.standard_normal(s) for s in shapes],
           [np.zeros(s) for s in shapes], 0.01)], None),
        ("tiny: x * 2.0 (8 floats)", tiny, [(np.ones(8),)], None),
        ("tiny: Python floats a * b + 1", tiny_scalar, [(1.5, 2.0), (2.5, 3.0)], None),
        ("10 array arguments", many_args, [tuple(np.ones(16) for _ in range(10))], None),
        ("int/float/bool args that vary", varying_scalars,
         [(np.ones(16), k, 0.1 * (k + 1), k % 2 == 0) for k in range(6)], None),
        ("global rebound between calls", uses_global, [(np.ones(16),)], _rebind),
        ("data-dependent branch", branch, [(np.ones(16),), (-np.ones(16),)], None),
        ("while loop break/continue", while_loop, [(v8,)], None),
    ]


class Side:
    """One side of a row: a callable with its own copies of the argument tuples."""

    def __init__(self, fn, arg_list, hook):
        self.fn, self.args, self.hook = fn, copy.deepcopy(arg_list), hook
        self.k = 0
        self.best = float("inf")

    def run(self, n):
        fn, args, hook, m = self.fn, self.args, self.hook, len(self.args)
        k = self.k
        t0 = time.perf_counter()
        if hook is None and m == 1:
            a = args[0]
            for _ in range(n):
                fn(*a)
        else:
            for _ in range(n):
                if hook is not None:
                    hook(k)
                fn(*args[k % m])
                k += 1
        dt = time.perf_counter() - t0
        self.k = k
        return dt / n * 1e6


def _hook_cost(hook, n):
    """Time of the harness's own per-call work for a row with a hook (both sides pay it)."""
    if hook is None:
        return 0.0
    t0 = time.perf_counter()
    for k in range(n):
        hook(k)
    return (time.perf_counter() - t0) / n * 1e6


def measure(name, fn, arg_list, hook, reps, inner):
    jit_fn = jl.jit(fn)
    plain, dec = Side(fn, arg_list, hook), Side(jit_fn, arg_list, hook)
    for _ in range(30):                       # profile, convert, settle
        plain.run(1)
        dec.run(1)
    before = dict(jit_fn.stats)
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for r in range(reps):
            for side in ((plain, dec) if r % 2 == 0 else (dec, plain)):
                side.best = min(side.best, side.run(inner))
    finally:
        if gc_was:
            gc.enable()
    after = jit_fn.stats
    calls = after["calls"] - before["calls"]
    served = (after["graph_calls"] - before["graph_calls"]) / calls if calls else 0.0
    return plain.best, dec.best, served


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=15, help="interleaved rounds per row")
    ap.add_argument("--inner", type=int, default=400, help="calls per round")
    ap.add_argument("--only", default=None, help="rows whose name contains this text")
    ap.add_argument("--generic-dispatch", action="store_true",
                    help="config.FAST_DISPATCH = False: the generic dispatch, for comparison "
                         "with the one generated per function (janus_lite/fastcall.py)")
    a = ap.parse_args(argv)
    jl.config.FAST_DISPATCH = not a.generic_dispatch
    print(f"{'row':36} {'plain µs':>9} {'jit µs':>9} {'ratio':>6} {'over µs':>8} "
          f"{'budget':>6} {'graph':>6}")
    worst = []
    for name, fn, arg_list, hook in rows():
        if a.only and a.only not in name:
            continue
        p, d, served = measure(name, fn, arg_list, hook, a.reps, a.inner)
        h = _hook_cost(hook, a.inner)
        p, d = p - h, d - h
        ok = d <= p * 1.05 + 1.0
        worst.append(p / d)
        print(f"{name:36} {p:9.2f} {d:9.2f} {p / d:5.2f}x {d - p:8.2f} "
              f"{'ok' if ok else 'OVER':>6} {served:6.0%}", flush=True)
    if worst:
        geo = float(np.exp(np.mean(np.log(worst))))
        print(f"geomean ratio {geo:.2f}x, worst {min(worst):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
