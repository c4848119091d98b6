"""Stress: threads, long runs, many functions.

- Two (and four) threads calling one decorated function on their own data get exactly the
  plain results on every call: no scratch state (out= buffers, deferred-state boxes, outboxes,
  generator saves) is shared between concurrent graph runs.
- A function called 100,000 times does not grow memory once warm (50,000 for the slower
  fallback-heavy and shape-changing variants): the graph cache, profiles,
  event logs and buffer pools are bounded (tracemalloc, growth under 1 MB), also for a
  function that keeps falling back and one that writes object state every call.
- Hundreds of functions decorated at once each behave and are served by their own graphs.
"""
import gc
import threading
import tracemalloc

import numpy as np
import pytest

import janus_lite
from differential import assert_same

rng = np.random.default_rng(50)


def _r(*shape):
    return rng.standard_normal(shape)


# -- threads -----------------------------------------------------------------------------------
def mlp_step(W1, W2, X, y, lr):
    h = np.tanh(X @ W1)
    out = h @ W2
    d = (out - y) / y.shape[0]
    dW2 = h.T @ d
    dh = (d @ W2.T) * (1 - h * h)
    dW1 = X.T @ dh
    loss = float((d * d).sum())
    return W1 - lr * dW1, W2 - lr * dW2, loss


def elementwise_chain(x, a, b):
    # long enough for fused/tiled kernels and planned out= buffers
    y = np.exp(-x * x) * a + np.sqrt(np.abs(x) + b)
    return y * 0.5 - x, float(y.sum())


def _run_threads(fn, per_thread_args, n_threads, iters):
    """Each thread calls ``fn`` ``iters`` times on its own arguments and compares with the
    plain result computed up front; returns the failures seen."""
    plain = janus_lite.jit(fn).__wrapped__
    expected = [plain(*args) for args in per_thread_args]
    failures, barrier = [], threading.Barrier(n_threads)
    f = janus_lite.jit(fn)
    for args in per_thread_args:       # warm up: profile and build from the main thread
        f(*args)
        f(*args)

    def worker(k):
        barrier.wait()
        for i in range(iters):
            try:
                got = f(*per_thread_args[k])
                assert_same(got, expected[k], f"thread {k} iteration {i}")
            except AssertionError as exc:
                failures.append(str(exc))
                return
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return f, failures


@pytest.mark.parametrize("n_threads", [2, 4])
def test_threads_same_function_separate_data(n_threads):
    args = [(_r(8, 16) * 0.3, _r(16, 4) * 0.3, _r(32, 8), _r(32, 4), 0.1)
            for _ in range(n_threads)]
    f, failures = _run_threads(mlp_step, args, n_threads, 1500)
    assert not failures, failures[:3]
    assert f.stats["graph_calls"] >= n_threads * 1500


def test_threads_large_elementwise_kernels():
    """Arrays large enough for fused tiled kernels and persistent out= buffers."""
    args = [(_r(70_000), 1.5, 0.25), (_r(70_000), -0.5, 2.0)]
    f, failures = _run_threads(elementwise_chain, args, 2, 150)
    assert not failures, failures[:3]
    assert f.stats["graph_calls"] >= 300


def test_threads_different_shapes_one_function():
    """Threads whose data needs different graphs (shapes): guards pick per call."""
    args = [(_r(8, 16) * 0.3, _r(16, 4) * 0.3, _r(32, 8), _r(32, 4), 0.1),
            (_r(5, 16) * 0.3, _r(16, 3) * 0.3, _r(7, 5), _r(7, 3), 0.05)]
    f, failures = _run_threads(mlp_step, args, 2, 1000)
    assert not failures, failures[:3]


class Model:
    def __init__(self, d):
        self.w = np.zeros(d)
        self.steps = 0
        self.lr = 0.05

    def step(self, X, y):
        err = X @ self.w - y
        self.w -= self.lr * (X.T @ err) / len(y)       # in place on the attribute
        self.steps += 1
        return float((err * err).mean())


def test_threads_methods_writing_their_own_objects():
    """Deferred attribute writes and in-place commits from two threads on two objects."""
    f = janus_lite.jit(Model.step)
    data = [(_r(16, 4), _r(16)), (_r(16, 4), _r(16))]
    models = [Model(4), Model(4)]
    twins = [Model(4), Model(4)]
    iters, failures = 800, []
    expected = [[], []]
    for k in range(2):
        for _ in range(iters):
            expected[k].append(Model.step(twins[k], *data[k]))
    barrier = threading.Barrier(2)

    def worker(k):
        barrier.wait()
        for i in range(iters):
            got = f(models[k], *data[k])
            if got != expected[k][i]:
                failures.append(f"thread {k} iteration {i}: {got!r} != {expected[k][i]!r}")
                return
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]
    for k in range(2):
        assert_same(vars(models[k]), vars(twins[k]), f"model {k}")
    assert f.stats["graph_calls"] >= iters


def printing_step(x, k):
    y = x * k
    print(f"k={k} sum={float(y.sum()):.3f}")
    return y


def test_threads_print_outboxes_not_mixed():
    """Each call's deferred prints go to its own outbox: every line printed once, whole."""
    import contextlib
    import io
    f = janus_lite.jit(printing_step)
    x = np.arange(4.0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        f(x, 1)
        f(x, 1)
        barrier = threading.Barrier(2)

        def worker(k):
            barrier.wait()
            for _ in range(500):
                f(x, k)
        threads = [threading.Thread(target=worker, args=(k,)) for k in (2, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    lines = out.getvalue().splitlines()
    assert lines.count("k=2 sum=12.000") == 500
    assert lines.count("k=3 sum=18.000") == 500
    assert len(lines) == 1002


# -- memory over 100,000 calls -------------------------------------------------------------------
def tiny_step(w, g, lr):
    return w - lr * g


def fallback_often(x, k):
    if k >= 0:
        return x[k] * 2.0          # k out of range on half the calls: the graph raises
    return x.sum()


class Counter:
    def __init__(self):
        self.n = 0
        self.total = 0.0
        self.w = np.zeros(3)

    def add(self, x):
        self.n += 1
        self.total = self.total + float(x[0])
        self.w += x
        return self.n


MEMORY_BOUND = 1 << 20     # bytes of growth allowed over the measured calls


def _growth(call, n, warmup=2000):
    """Bytes still allocated after ``n`` calls that were not before (after a warm-up)."""
    for i in range(warmup):
        call(i)
    gc.collect()
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            call(i)
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return after - before, peak - before


def _bounded(f):
    """The per-function records stay bounded whatever the call count."""
    from janus_lite import config
    assert len(f.events.events) <= config.MAX_EVENTS
    assert len(f.active_graphs) <= f.max_graphs
    assert len(f.graphs) <= 4 * f.max_graphs + 8, f"{len(f.graphs)} graphs kept"
    prof = f._profiler.profile if f._profiler is not None else None
    if prof is not None:
        for obs in prof.sites.values():
            assert len(getattr(obs, "seen", {})) <= config.MAX_DISTINCT_OBSERVATIONS + 1


def test_100k_graph_calls_do_not_grow_memory(record_property):
    f = janus_lite.jit(tiny_step)
    w, g = np.ones(4), np.full(4, 0.5)
    growth, peak = _growth(lambda i: f(w, g, 0.1), 100_000)
    record_property("growth_bytes", growth)
    print(f"\n100k graph calls: growth {growth} B, peak {peak} B, stats {f.stats}")
    assert f.stats["graph_calls"] >= 100_000
    assert growth < MEMORY_BOUND, f"memory grew by {growth} bytes over 100k calls"
    _bounded(f)


def test_50k_calls_with_frequent_fallbacks_do_not_grow_memory(record_property):
    f = janus_lite.jit(fallback_often)
    x = np.arange(3.0)

    def call(i):
        k = i % 6 - 1                   # -1 (other branch), 0..2 (in range), 3, 4 (raise)
        try:
            f(x, k)
        except IndexError:
            pass
    growth, peak = _growth(call, 50_000)
    record_property("growth_bytes", growth)
    print(f"\n50k calls, 1/3 raising: growth {growth} B, peak {peak} B, stats {f.stats}")
    assert growth < MEMORY_BOUND, f"memory grew by {growth} bytes over 50k calls"
    _bounded(f)


def test_100k_method_calls_writing_state_do_not_grow_memory(record_property):
    f = janus_lite.jit(Counter.add)
    c = Counter()
    x = np.full(3, 0.5)
    growth, peak = _growth(lambda i: f(c, x), 100_000)
    record_property("growth_bytes", growth)
    print(f"\n100k method calls: growth {growth} B, peak {peak} B, stats {f.stats}")
    assert c.n == 102_000
    assert growth < MEMORY_BOUND, f"memory grew by {growth} bytes over 100k calls"
    _bounded(f)


def test_50k_calls_with_changing_scalars_and_shapes_bounded(record_property):
    """New scalar values and shapes on every call: relaxation, not an ever-growing cache."""
    f = janus_lite.jit(tiny_step)
    arrays = [np.ones(n) for n in range(1, 40)]

    def call(i):
        a = arrays[i % len(arrays)]
        f(a, a, 0.001 * (i % 97))
    growth, peak = _growth(call, 50_000)
    record_property("growth_bytes", growth)
    print(f"\n50k calls, shapes/scalars changing: growth {growth} B, peak {peak} B, "
          f"stats {f.stats}")
    assert growth < MEMORY_BOUND, f"memory grew by {growth} bytes over 50k calls"
    _bounded(f)
    assert f.stats["graph_calls"] >= 45_000


# -- a function no graph can hold must not keep paying for profiling -------------------------------
def unconvertible(x):
    y = np.vectorize(lambda v: -v)(x)   # a Python function per element: conversion gives up
    return y + 1.0


def test_failed_conversion_does_not_keep_profiling_every_call():
    """Once conversion failed, later calls run the plain function, not the instrumented one
    (profiling every call made such functions 10-15x slower than undecorated)."""
    f = janus_lite.jit(unconvertible)
    x = np.ones(4)
    for _ in range(20):
        f(x)
    assert f.stats["failed_conversions"] >= 1 and f.stats["graph_calls"] == 0, f.stats
    runs_before = f._profiler.profile.runs
    for _ in range(500):
        assert_same(f(x), unconvertible(x))
    assert f._profiler.profile.runs - runs_before <= 50


def test_failed_conversion_stays_correct_and_bounded():
    f = janus_lite.jit(unconvertible)
    x = np.ones(4)
    for i in range(3000):
        assert_same(f(x), unconvertible(x), f"call {i}")
    _bounded(f)
    assert "line" in f.explain()


# -- many functions --------------------------------------------------------------------------------
def _make(k):
    scale = float(k)

    def fn(x, y):
        z = x * scale + y
        if k % 3 == 0:
            z = np.tanh(z)
        return z.sum() + k
    return fn


def test_hundreds_of_functions_decorated_at_once():
    plains = [_make(k) for k in range(200)]
    jitted = [janus_lite.jit(p) for p in plains]
    x, y = _r(5), _r(5)
    for rnd in range(4):
        for k, (p, f) in enumerate(zip(plains, jitted)):
            assert_same(f(x, y), p(x, y), f"function {k} round {rnd}")
    served = sum(f.stats["graph_calls"] for f in jitted)
    assert served >= 200 * 2
    assert all(f.stats["conversions"] == 1 for f in jitted)


def test_hundreds_of_methods_on_generated_classes():
    classes = []
    for k in range(200):
        ns = {"scale": float(k + 1)}
        cls = type(f"Layer{k}", (Model,), ns)
        classes.append(cls)
    f = janus_lite.jit(Model.step)
    X, y = _r(8, 3), _r(8)
    objs = [c(3) for c in classes]
    twins = [c(3) for c in classes]
    for rnd in range(3):
        for k, (o, t) in enumerate(zip(objs, twins)):
            assert_same(f(o, X, y), Model.step(t, X, y), f"class {k} round {rnd}")
            assert_same(vars(o), vars(t))
    assert len(f.active_graphs) <= f.max_graphs
