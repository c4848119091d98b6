"""Timing one workload side by side: interleaved samples of every implementation, medians.

Each implementation keeps its own argument chain (a workload's ``feed`` turns one call's
outputs into the next call's arguments), so state-carrying steps (Adam) run as in training.
"""
from __future__ import annotations

import gc
import resource
import statistics
import time
import tracemalloc

import numpy as np


class Impl:
    """One way to run a workload: a callable, and its own argument chain."""

    def __init__(self, name, fn, args, feed, kind="janus"):
        self.name, self.fn, self.args, self.feed, self.kind = name, fn, list(args), feed, kind
        self.samples: list[float] = []          # wall time per call, µs
        self.cpu_samples: list[float] = []      # process CPU time per call, µs (all threads)
        self.fault_samples: list[float] = []    # minor page faults per call (fresh pages)
        self.first_calls_ms: list[float] = []

    def call(self):
        out = self.fn(*self.args)
        if self.feed is not None:
            self.args = self.feed(self.args, out)
        return out


def first_calls(impl, n=3):
    """Times of the first ``n`` calls (profiling and conversion happen here)."""
    for _ in range(n):
        t0 = time.perf_counter()
        impl.call()
        impl.first_calls_ms.append((time.perf_counter() - t0) * 1e3)


def sample(impls, reps: int, inner: int):
    """``reps`` rounds; each round times ``inner`` calls of every impl, in rotating order."""
    for r in range(reps):
        order = impls[r % len(impls):] + impls[:r % len(impls)]
        for impl in order:
            gc_was = gc.isenabled()
            gc.disable()
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            c0 = time.process_time()
            t0 = time.perf_counter()
            for _ in range(inner):
                impl.call()
            dt = time.perf_counter() - t0
            dc = time.process_time() - c0
            df = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
            if gc_was:
                gc.enable()
            impl.samples.append(dt / inner * 1e6)
            impl.cpu_samples.append(dc / inner * 1e6)
            impl.fault_samples.append(df / inner)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def calibrate(impl, target_s=0.01, cap=2000) -> int:
    """Calls per sample so one sample takes about ``target_s``."""
    t0 = time.perf_counter()
    impl.call()
    dt = max(time.perf_counter() - t0, 1e-7)
    return max(1, min(cap, int(target_s / dt)))


def peak_bytes(impl) -> int:
    """Peak bytes NumPy allocates during one call (tracemalloc sees NumPy's buffers)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        impl.call()
        return max(0, tracemalloc.get_traced_memory()[1] - base)
    finally:
        tracemalloc.stop()


def same(a, b) -> bool:
    """Exactly equal results (values bit for bit where floats, and types)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and \
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    return bool(a == b) or (a != a and b != b)
