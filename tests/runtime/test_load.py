"""Load: hundreds of decorated functions, one function from several threads, and a long
run of calls to one function — results exact, memory flat, the graph cache bounded.

CI runs 100,000 calls; ``JANUS_LITE_LONG_LOAD=1`` runs 1,000,000 (and more threads and
functions). Memory is measured with tracemalloc after warm-up: what the calls leave
allocated must stay under 1 MB however many calls run (no per-call growth in events,
profiles, caches, buffer pools). The figures are printed (``pytest -s``).
"""
import gc
import importlib.util
import os
import threading
import tracemalloc

import numpy as np

import janus_lite
from differential import assert_same

LONG = os.environ.get("JANUS_LITE_LONG_LOAD") == "1"
N_CALLS = 1_000_000 if LONG else 100_000
N_FUNCTIONS = 1000 if LONG else 30 if janus_lite.config.TIER == "compiled" else 300
"""(With the compiled tier forced, ``JANUS_LITE_TIER=compiled``, each function's graphs are
compiled by numba one after another: 300 took most of 40 minutes and ~8 GB.)"""
N_THREADS = 8 if LONG else 4
FLAT_BYTES = 1 << 20


def _measure(run):
    """(bytes still allocated after ``run()``, peak bytes during it), after a collection."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run()
        gc.collect()
        now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return now - base, peak - base


# -- one function, many calls -----------------------------------------------------------------
def sgd_step(w, X, y, lr, hist):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    g = X.T @ (p - y) / X.shape[0]
    w -= lr * g
    hist.append(float(g[0]))     # (appending under 'if len(hist) < 4' storms: see
    return float(((p - y) ** 2).mean())  # test_regressions.py, list appended to ...)


class Counter:
    def __init__(self):
        self.n = 0
        self.total = 0.0


def count_step(c, x, flag):
    c.n = c.n + 1
    if flag:
        c.total = c.total + float(x.sum())
    else:
        c.total = c.total - 1.0
    return c.n


def test_many_calls_memory_flat_and_exact():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((16, 4)), (rng.random(16) > 0.5).astype(float)
    w_plain, w_jit = np.zeros(4), np.zeros(4)
    f = janus_lite.jit(sgd_step)
    for _ in range(5):                      # warm: profile, build, serve
        sgd_step(w_plain, X, y, 0.1, [])
        f(w_jit, X, y, 0.1, [])
    checkpoints = {}

    def run():
        for i in range(N_CALLS):
            loss = f(w_jit, X, y, 0.1, [])
            if i % (N_CALLS // 10) == 0:
                checkpoints[i] = (loss, w_jit.copy())
    grew, peak = _measure(run)
    # the plain reference for the checkpoints (no tracemalloc: same arithmetic)
    for i in range(N_CALLS):
        loss = sgd_step(w_plain, X, y, 0.1, [])
        if i in checkpoints:
            assert_same(checkpoints[i][0], loss, f"call {i} loss")
            assert_same(checkpoints[i][1], w_plain, f"call {i} w")
    assert_same(w_jit, w_plain, "final w")
    s = f.stats
    print(f"\n{N_CALLS} calls of sgd_step: retained {grew} B, peak {peak} B; {s}")
    assert s["graph_calls"] >= N_CALLS, s
    assert s["graphs"] <= f.max_graphs, s
    assert grew < FLAT_BYTES, f"memory grew by {grew} B over {N_CALLS} calls"


def test_many_calls_writing_object_state_flipping_flag_memory_flat():
    c_plain, c_jit = Counter(), Counter()
    f = janus_lite.jit(count_step)
    x = np.arange(3.0)
    n = N_CALLS // 2
    for i in range(6):
        count_step(c_plain, x, i % 2 == 0)
        f(c_jit, x, i % 2 == 0)

    def run():
        for i in range(n):
            f(c_jit, x, i % 3 == 0)
    grew, peak = _measure(run)
    for i in range(n):
        count_step(c_plain, x, i % 3 == 0)
    assert_same(vars(c_jit), vars(c_plain), "object state")
    s = f.stats
    print(f"\n{n} calls of count_step (flag flips): retained {grew} B, peak {peak} B; {s}")
    assert s["graph_calls"] >= n, s
    assert s["graphs"] <= f.max_graphs, s
    assert grew < FLAT_BYTES, grew


def poly(x, s):
    y = x * s + 1.0
    if y.sum() > 0:
        y = y - 0.5
    return y


def test_signature_churn_beyond_max_graphs_memory_flat():
    """More signatures than the cache holds, cycled for a long time: the cache stays at
    max_graphs, misses run imperatively, memory stays flat, answers stay exact."""
    sigs = [np.ones(k, dtype=dt) for k in (2, 3, 4, 5) for dt in (np.float64, np.float32,
                                                                     np.int64)]
    f = janus_lite.jit(poly, max_graphs=3)
    n = N_CALLS // 10
    for i in range(3 * len(sigs)):
        f(sigs[i % len(sigs)], 0.5)
    results = []

    def run():
        for i in range(n):
            r = f(sigs[i % len(sigs)], [0.5, 2][i % 2])
            if i % 997 == 0:
                results.append((i, r))
    grew, peak = _measure(run)
    for i, r in results:
        assert_same(r, poly(sigs[i % len(sigs)], [0.5, 2][i % 2]), f"call {i}")
    s = f.stats
    print(f"\n{n} calls over {len(sigs)} signatures, max_graphs=3: retained {grew} B, "
          f"peak {peak} B; {s}; graphs kept in history {len(f.graphs)}")
    assert s["graphs"] <= 3, s
    assert len(f.graphs) <= max(16, janus_lite.config.MAX_GRAPHS * 2)
    assert len(f.events.events) <= janus_lite.config.MAX_EVENTS
    assert grew < FLAT_BYTES, grew


# -- one function, several threads ------------------------------------------------------------
def layer_step(W, x, b, state):
    h = np.tanh(x @ W + b)
    state.n = state.n + 1
    state.last = float(h.sum())
    if h.mean() > 0:
        return h * 2.0
    return h - 1.0


class ThreadState:
    def __init__(self):
        self.n = 0
        self.last = 0.0


def test_one_function_from_several_threads_exact():
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((5, 3)), rng.standard_normal(3)
    per_thread = [[rng.standard_normal((4, 5)) for _ in range(20)] for _ in range(N_THREADS)]
    expected = []
    for xs in per_thread:
        st = ThreadState()
        expected.append(([layer_step(W, x, b, st) for x in xs], vars(st).copy()))
    f = janus_lite.jit(layer_step)
    failures = []
    rounds = 200 if LONG else 50
    barrier = threading.Barrier(N_THREADS)

    def worker(k):
        barrier.wait()
        try:
            for _ in range(rounds):
                st = ThreadState()
                for x, want in zip(per_thread[k], expected[k][0]):
                    assert_same(f(W, x, b, st), want, f"thread {k}")
                assert_same(vars(st), expected[k][1], f"thread {k} state")
        except AssertionError as exc:
            failures.append(str(exc))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(N_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]
    s = f.stats
    assert s["calls"] == N_THREADS * rounds * 20, s
    assert s["graph_calls"] >= s["calls"] // 2, s
    assert s["graphs"] <= f.max_graphs


# -- hundreds of functions ------------------------------------------------------------------------
TEMPLATE = '''
def f{i}(x, s, o):
    y = x * {a} + s
    if y.sum() > {t}:
        y = np.tanh(y) - {b}
    else:
        y = y * y
    o.n = o.n + {i}
    return y, float(y.mean())
'''


class Obj:
    def __init__(self):
        self.n = 0


def _many_functions(n, tmpdir):
    src = "import numpy as np\n" + "".join(
        TEMPLATE.format(i=i, a=1 + i % 7, b=0.1 * (i % 5), t=(i % 9) - 4) for i in range(n))
    path = os.path.join(tmpdir, f"many_functions_{n}.py")
    with open(path, "w") as fh:
        fh.write(src)
    spec = importlib.util.spec_from_file_location(f"many_functions_{n}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return [getattr(mod, f"f{i}") for i in range(n)]


def _rounds(plain, jitted, xs, objs_p, objs_j, rounds):
    for rnd in rounds:
        for i, (p, j) in enumerate(zip(plain, jitted)):
            want = p(xs[rnd % len(xs)], 0.5, objs_p[i])
            got = j(xs[rnd % len(xs)], 0.5, objs_j[i])
            assert_same(got, want, f"f{i} call {rnd}")


def test_hundreds_of_functions_decorated_at_once(tmp_path):
    """All decorated, all served by their own graphs, exact; once warm (the data-dependent
    branch is rebuilt as a cond node after a few assertion failures), more rounds of calls
    over all of them leave memory flat."""
    plain = _many_functions(N_FUNCTIONS, str(tmp_path))
    xs = [np.random.default_rng(k).standard_normal(4) for k in range(5)]
    objs_p, objs_j = [Obj() for _ in plain], [Obj() for _ in plain]
    jitted = [janus_lite.jit(f) for f in plain]
    _rounds(plain, jitted, xs, objs_p, objs_j, range(14))    # warm: graphs rebuilt once
    grew, peak = _measure(lambda: _rounds(plain, jitted, xs, objs_p, objs_j, range(14, 24)))
    served = sum(j.stats["graph_calls"] >= 10 for j in jitted)
    print(f"\n{N_FUNCTIONS} functions, 10 more rounds of calls once warm: retained {grew} B, "
          f"peak {peak} B; {served} served by graphs")
    assert all(p.n == j.n for p, j in zip(objs_p, objs_j))
    assert served == N_FUNCTIONS
    assert all(j.stats["graphs"] <= j.max_graphs for j in jitted)
    assert grew < FLAT_BYTES, grew


def test_footprint_per_decorated_function(tmp_path):
    """What one decorated function with its graph keeps (ASTs, profile, graph, code)."""
    n = N_FUNCTIONS if LONG else 20
    plain = _many_functions(n, str(tmp_path))
    xs = [np.random.default_rng(k).standard_normal(4) for k in range(5)]
    objs_p, objs_j = [Obj() for _ in plain], [Obj() for _ in plain]
    jitted = []

    def run():
        jitted.extend(janus_lite.jit(f) for f in plain)
        _rounds(plain, jitted, xs, objs_p, objs_j, range(10))
    grew, peak = _measure(run)
    print(f"\n{n} functions decorated and warm: retained {grew} B ({grew // n} B per "
          f"function), peak {peak} B")
    assert all(j.stats["graph_calls"] >= 1 for j in jitted), [j.stats for j in jitted]
    assert grew // n < 512 * 1024, grew
