"""The compiled tier is invisible to the user's process state: a graph tiering up in the
background (``TIER="auto"``) while the main thread warns under the default filters, inside
its own ``catch_warnings(record=True)`` + ``simplefilter("always")`` and prints under
``redirect_stdout`` gives exactly the plain run's warnings, printed output, results,
``warnings.filters`` and registries.

Each run is a fresh interpreter (numba not imported yet, no pytest filters) with a fresh
cache directory, so numba really compiles. The scenario makes the race that compiling in a
thread of the user's process had deterministic: the first ``catch_warnings`` block that a
thread other than the main one leaves is held until the main thread is inside its own block
(with the compile out of process no other thread ever enters one, and the main thread enters
its block once the worker's code is ready, so the load happens inside it)."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("numba")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCENARIO = textwrap.dedent("""
    import contextlib, io, json, sys, threading, time, warnings
    sys.path.insert(0, sys.argv[3])
    import numpy as np
    import janus_lite as jl
    mode, cache = sys.argv[1], sys.argv[2]
    jl.config.TIER = "auto"
    jl.config.TIER_HOT_S = 0.0
    jl.config.CACHE_DIR = cache

    hold, waiting, released = threading.Event(), threading.Event(), threading.Event()
    _exit = warnings.catch_warnings.__exit__

    def held_exit(self, *exc):
        if threading.current_thread() is not threading.main_thread() and not hold.is_set():
            waiting.set()
            hold.wait(300)
            try:
                return _exit(self, *exc)
            finally:
                released.set()
        return _exit(self, *exc)

    warnings.catch_warnings.__exit__ = held_exit

    shown = []
    def show(message, category, filename, lineno, file=None, line=None):
        shown.append([str(message), category.__name__, lineno])

    warnings.resetwarnings()
    warnings.simplefilter("default")
    warnings.showwarning = show
    filters, filter_items = warnings.filters, list(warnings.filters)
    stdout, stderr = sys.stdout, sys.stderr

    def step(x, y, lr, k):
        z = (x * lr + y) * 0.5 - x * y
        print("step", k)
        return z - 0.25 * z

    def noisy():
        warnings.warn("once per location", UserWarning)

    f = jl.jit(step) if mode == "jit" else step
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(64), rng.standard_normal(64)

    def ready():
        if mode != "jit":
            return True
        if waiting.is_set():
            return True                       # a compiling thread is held (old design)
        g = f.graphs[-1] if f.graphs else None
        state = g.tier_state if g is not None else None
        return state is not None and (state.reason.startswith(
            ("compiling in the background (done: loads", "not compiled",
             "numba could not")) or
            state.compile_s is not None)

    noisy()
    t0 = time.time()
    while True:                 # until a graph is built (and its tier-up started)
        with contextlib.redirect_stdout(io.StringIO()):
            f(x, y, 0.1, -1)
        noisy()
        if mode != "jit" or f.graphs or time.time() - t0 > 600:
            break
    while not ready() and time.time() - t0 < 600:   # no call meanwhile: a load waits
        noisy()                                      # for the next call, in the block
        time.sleep(0.02)
    numba_before = "numba" in sys.modules
    g = f.graphs[-1] if mode == "jit" and f.graphs else None     # the graph tiering up
    buf = io.StringIO()
    results = []
    with warnings.catch_warnings(record=True) as rec, contextlib.redirect_stdout(buf):
        warnings.simplefilter("always")
        hold.set()
        if waiting.is_set():
            released.wait(60)
        for k in range(40):
            results.append(f(x, y, 0.1, k).tolist())
            warnings.warn("inside %d" % (k % 3), RuntimeWarning)
            print("user", k)
    noisy()
    warnings.warn("after", UserWarning)
    reg = sys.modules["__main__"].__dict__.get("__warningregistry__", {})
    print(json.dumps({
        "shown": shown,
        "recorded": [[str(w.message), w.category.__name__, w.lineno] for w in rec],
        "printed": buf.getvalue(),
        "results": results,
        "filters_same": warnings.filters is filters and warnings.filters == filter_items,
        "showwarning_same": warnings.showwarning is show,
        "streams_same": sys.stdout is stdout and sys.stderr is stderr,
        "registry": sorted(repr(k) for k in reg if k != "version"),
        "numba_before_block": numba_before,
        "numba_after": "numba" in sys.modules,
        "tier_reason": g.tier_state.reason if g is not None and g.tier_state is not None
        else None,
        "graph_calls": f.stats["graph_calls"] if mode == "jit" else None,
    }))
""")


def _run(mode, tmp_path):
    script = tmp_path / "scenario.py"         # janus_lite reads the function's source
    script.write_text(SCENARIO)
    out = subprocess.run([sys.executable, str(script), mode, str(tmp_path / mode), ROOT],
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def test_background_tier_up_is_invisible_to_warnings_and_output(tmp_path):
    plain, plain_err = _run("plain", tmp_path)
    jit, jit_err = _run("jit", tmp_path)
    # shown once before the block however many times it ran, once more after it (leaving
    # a catch_warnings block resets the registries), then the new location
    assert [m for m, _, _ in plain["shown"]] == ["once per location"] * 2 + ["after"], plain
    assert jit["recorded"] == plain["recorded"]
    assert jit["shown"] == plain["shown"]
    assert jit["printed"] == plain["printed"]
    assert np.array_equal(np.array(jit["results"]), np.array(plain["results"]))
    assert jit["filters_same"] and jit["showwarning_same"] and jit["streams_same"]
    assert jit["registry"] == plain["registry"]
    assert jit_err == plain_err
    # the scenario exercised what it is about: numba was first imported, and the compiled
    # code loaded, by a call inside the user's catch_warnings/redirect_stdout block
    assert not jit["numba_before_block"] and jit["numba_after"], jit
    assert jit["tier_reason"].startswith((
        "compiling in the background (done: measuring", "measured", "compiled not faster")), \
        jit["tier_reason"]
    assert jit["graph_calls"] >= 30


# -- the pieces ---------------------------------------------------------------------------
import contextlib  # noqa: E402
import io  # noqa: E402
import threading  # noqa: E402
import uuid  # noqa: E402
import warnings  # noqa: E402

import janus_lite as jl  # noqa: E402
from differential import differential  # noqa: E402


def _once():
    warnings.warn("tier isolation: once per location", UserWarning)


@contextlib.contextmanager
def _default_filters():
    """The default filters, warnings shown into a list (under pytest's own filters
    otherwise); yields the list."""
    shown = []
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("default")
        warnings.showwarning = lambda m, *a, **k: shown.append(str(m))
        yield shown


def test_kept_process_state_puts_everything_back():
    from janus_lite.backend.compiled.isolate import kept_process_state
    with _default_filters() as shown:
        _once()
        filters, items = warnings.filters, list(warnings.filters)
        show, fmt, once = warnings.showwarning, warnings.formatwarning, warnings.onceregistry
        out, err = sys.stdout, sys.stderr
        with kept_process_state("a test") as caught:
            warnings.simplefilter("ignore", DeprecationWarning)     # as numba's import may
            with warnings.catch_warnings(record=True):              # as numba's compiler
                warnings.simplefilter("always")
            warnings.warn("inside", UserWarning)                    # private: not shown
            warnings.onceregistry[("x", UserWarning)] = 1
            warnings.formatwarning = lambda *a, **k: "x"
            sys.stdout = io.StringIO()                              # as numba's ColorShell
        assert [str(w.message) for w in caught] == ["inside"]
        assert warnings.filters is filters and warnings.filters == items
        assert warnings.showwarning is show and warnings.formatwarning is fmt
        assert warnings.onceregistry is once and ("x", UserWarning) not in once
        assert sys.stdout is out and sys.stderr is err
        _once()                   # the filters version did not move: still shown once
        assert shown == ["tier isolation: once per location"]


def _adamish(p, g, m, lr):
    m = 0.9 * m + 0.1 * g
    p = p - lr * m / (np.sqrt(m * m) + 1e-8)
    return p, m


def test_forced_compile_in_process_is_invisible(tmp_path):
    old = jl.config.TIER, jl.config.CACHE_DIR
    jl.config.TIER, jl.config.CACHE_DIR = "compiled", str(tmp_path)   # a real compile
    try:
        rng = np.random.default_rng(3)
        calls = [tuple(rng.standard_normal(50) for _ in range(3)) + (1e-3,)
                 for _ in range(4)]
        for decorated in (False, True):
            with _default_filters() as shown:
                _once()
                filters, items, out = warnings.filters, list(warnings.filters), sys.stdout
                f = differential(_adamish, calls) if decorated else None
                assert warnings.filters is filters and warnings.filters == items
                assert sys.stdout is out
                _once()
                assert shown == ["tier isolation: once per location"]
        assert f.graphs[-1].tier_state.tier == "compiled", f.graphs[-1].tier_state.reason
    finally:
        jl.config.TIER, jl.config.CACHE_DIR = old


def test_worker_compiles_this_process_only_loads_from_cache():
    from janus_lite.backend.compiled.build import CacheMiss, load_cached, write_module
    from janus_lite.backend.compiled.isolate import kept_process_state
    from janus_lite.backend.compiled.worker import POOL
    body = (f"# {uuid.uuid4().hex}: never compiled before\n"
            "@numba.njit((numba.float64[::1],), cache=True, error_model='numpy')\n"
            "def seg0(a):\n    return (0, a * 2.0)\n")
    path = write_module(body)
    with kept_process_state("a test"):
        with pytest.raises(CacheMiss):
            load_cached(path)          # not compiled yet: this process does not compile
    done, answers = threading.Event(), []
    POOL.submit({"cache_dir": jl.config.CACHE_DIR, "module": path, "ops": [],
                 "matvecs": []}, lambda a: (answers.append(a), done.set()))
    assert done.wait(900) and answers[0].get("ok"), answers
    with kept_process_state("a test"):
        mod = load_cached(path)
    assert mod.seg0.stats.cache_hits and not mod.seg0.stats.cache_misses
    assert mod.seg0(np.arange(3.0))[1].tolist() == [0.0, 2.0, 4.0]
    with pytest.raises(TypeError):     # another signature: never compiled here either
        mod.seg0(np.arange(3))
