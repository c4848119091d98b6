"""`python -m benchmarks.run [--quick]`: the benchmark table of janus_lite vs plain NumPy.

Each workload runs in a fresh process per allocator setting — glibc's defaults, and glibc
told to keep freed memory (MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ = 1e9) — with
plain NumPy re-timed right beside janus_lite (each backend) and any installed peer, samples
interleaved, medians reported. Also measured: dispatch overhead (guard + entry of a trivial
function vs calling it directly), the first calls (profiling + conversion), the share of
calls graphs served, peak memory (tracemalloc, one steady-state call) and the planned vs
imperative peak of the graph. Writes JSON (with machine info) and, when matplotlib is
installed, a PNG bar chart.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

TUNED = {"MALLOC_MMAP_THRESHOLD_": "1000000000", "MALLOC_TRIM_THRESHOLD_": "1000000000"}
HERE = os.path.dirname(os.path.abspath(__file__))


# -- worker: one workload, one process ---------------------------------------------------------
def worker(name: str, quick: bool, peers: bool) -> dict:
    import numpy as np
    import janus_lite
    from . import harness as H
    from .workloads import WORKLOADS

    if name == "dispatch":
        return dispatch(quick)
    wl = {w[0]: w for w in WORKLOADS}[name]
    _, fn, make, feed = wl
    args = make(np.random.default_rng(0))
    impls = [H.Impl("numpy", fn, args, feed, kind="plain")]
    for backend in ("numpy", "interpreter"):
        impls.append(H.Impl(f"janus[{backend}]", janus_lite.jit(fn, backend=backend), args,
                            feed))
    tiers = compiled_impls(janus_lite, fn, args, feed, H)
    impls += tiers
    if peers:
        from . import peers as P
        for pname, pfn in P.implementations(name):
            impls.append(H.Impl(pname, pfn, args, feed, kind="peer"))
    exact = {}
    ref = fn(*args)
    for impl in impls[1:]:
        t0 = time.perf_counter()
        H.first_calls(impl, 3)
        if impl in tiers:
            impl.tier = wait_tier_up(impl, t0)
        exact[impl.name] = H.same(ref, impl.fn(*args)) if impl.kind == "janus" else None
    for impl in impls:
        for _ in range(3):
            impl.call()
    inner = max(1, min(H.calibrate(i, 0.004 if quick else 0.01) for i in impls))
    before = {i.name: dict(i.fn.stats) for i in impls if i.kind == "janus"}
    runs_before = {i.name: kernel_runs(i.fn) for i in impls if i.kind == "janus"}
    H.sample(impls, 7 if quick else 31, inner)
    out = {"workload": name, "inner": inner, "impls": {}}
    for impl in impls:
        row = {"median_us": H.median(impl.samples), "samples_us": impl.samples,
               "cpu_median_us": H.median(impl.cpu_samples),
               "page_faults_per_call": H.median(impl.fault_samples),
               "first_calls_ms": impl.first_calls_ms}
        if impl.kind == "janus":
            s, b = impl.fn.stats, before[impl.name]
            calls = s["calls"] - b["calls"]
            row["graph_share"] = (s["graph_calls"] - b["graph_calls"]) / calls if calls else 0
            row["exact"] = exact[impl.name]
            graphs = impl.fn.graphs
            row["memory"] = dict(graphs[-1].memory) if graphs else {}
            row["fused"] = graphs[-1].fused if graphs else 0
            alone, split = (a - b for a, b in zip(kernel_runs(impl.fn), runs_before[impl.name]))
            row["kernel_runs"] = {"alone": alone, "split": split}
            if not graphs or row["graph_share"] < 1:
                row["why_not"] = impl.fn.explain().splitlines()[:6]
            if getattr(impl, "tier", None) is not None:
                row["tier"] = impl.tier
        row["peak_call_bytes"] = H.peak_bytes(impl)
        out["impls"][impl.name] = row
    return out


def compiled_impls(janus_lite, fn, args, feed, H) -> list:
    """The compiled tier as users get it (background tier-up, switch when measured
    faster): exact, and ``exact=False``. None without numba."""
    from janus_lite.backend.compiled import available
    if not available()[0]:
        return []
    # the rows time the compiled steady state: tier up at once instead of after
    # config.TIER_HOT_S seconds of the graph's own calls (the default for users)
    janus_lite.config.TIER_HOT_S = 0.0
    janus_lite.config.TIER_RECHECK_CALLS = 32      # the re-check soon (wait_tier_up waits)
    return [H.Impl("janus[compiled]", janus_lite.jit(fn), args, feed),
            H.Impl("janus[compiled,exact=False]", janus_lite.jit(fn, exact=False), args, feed)]


def wait_tier_up(impl, t0, limit=600.0) -> dict:
    """Call until the tier of the newest graph is decided; returns what it was and how long
    it took from the first call: to the compiled code being ready (its first call), and to
    the decision (after measuring both tiers)."""
    ready = None
    while time.perf_counter() - t0 < limit:
        graphs = impl.fn.graphs
        state = graphs[-1].tier_state if graphs else None     # an ir.backend_state.TierState
        tiered = state is not None
        if ready is None and tiered and state.compile_s is not None:
            ready = time.perf_counter() - t0
        reason = state.reason if tiered else ""
        if graphs and not reason.startswith("compiling") and not (tiered and state.recheck):
            return {"tier": state.tier if tiered else None, "reason": reason,
                    "to_compiled_s": ready, "decided_s": time.perf_counter() - t0,
                    "compile_s": state.compile_s if tiered else None}
        impl.call()
        if ready is None:
            time.sleep(0.01)
    return {"tier": "numpy", "reason": "tier-up not decided in time", "to_compiled_s": ready}


def kernel_runs(fn) -> tuple:
    """(tiled kernel calls run alone, split across threads) over the function's graphs."""
    from janus_lite.backend.kernels import Program
    alone = split = 0
    for g in fn.graphs:
        for node in g.nodes():
            if node.op == "fused":
                prog = g[node.inputs[0]].attrs.get("value")
                if isinstance(prog, Program):
                    for k in prog.__dict__.get("_kernels", {}).values():
                        alone, split = alone + k.runs[0], split + k.runs[1]
    return alone, split


def dispatch(quick: bool) -> dict:
    """Guard check + entry of a trivial graph vs calling the function directly."""
    import numpy as np
    import janus_lite
    from . import harness as H
    from .workloads import trivial
    x = np.ones(3)
    plain = H.Impl("direct", trivial, [x], None, kind="plain")
    jit = H.Impl("janus", janus_lite.jit(trivial), [x], None)
    for _ in range(5):
        jit.call()
    H.sample([plain, jit], 9 if quick else 41, 20000 if not quick else 5000)
    p, j = H.median(plain.samples), H.median(jit.samples)
    return {"workload": "dispatch", "direct_us": p, "janus_us": j, "overhead_us": j - p,
            "graph_share": jit.fn.stats["graph_calls"] / jit.fn.stats["calls"]}


# -- driver --------------------------------------------------------------------------------------
def machine() -> dict:
    import numpy as np
    info = {"python": sys.version.split()[0], "numpy": np.__version__,
            "platform": platform.platform(), "processor": platform.processor(),
            "cpus": os.cpu_count(), "time": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        info["load_average"] = os.getloadavg()
    except OSError:
        pass
    import janus_lite
    from janus_lite import config
    info["janus_lite"] = getattr(janus_lite, "__version__", "?")
    info["tile_elements"] = config.TILE_ELEMENTS
    info["kernel_threads"] = config.KERNEL_THREADS
    return info


def cpu_busy(seconds: float = 1.0) -> float | None:
    """CPUs' worth of time spent running over the next ``seconds`` (from /proc/stat), while
    this process sleeps: what other processes take (niced ones too: a kernel's helper
    thread gained nothing next to a nice-19 process). None where /proc/stat is missing."""
    def read():
        with open("/proc/stat") as f:
            vals = [int(v) for v in f.readline().split()[1:]]
        idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
        return sum(vals[:8]), idle
    try:
        t0, i0 = read()
        time.sleep(seconds)
        t1, i1 = read()
    except (OSError, ValueError, IndexError):
        return None
    total = max(1, t1 - t0)
    return (os.cpu_count() or 1) * (1 - (i1 - i0) / total)


def wait_quiet(limit: float, busy_max: float = 0.15) -> float | None:
    """Wait (up to ``limit`` seconds) until other processes use under ``busy_max`` CPUs for
    two seconds in a row; returns the last reading (CPUs busy)."""
    t0 = time.perf_counter()
    quiet = 0
    busy = cpu_busy()
    while limit and time.perf_counter() - t0 < limit:
        quiet = quiet + 1 if busy is not None and busy < busy_max else 0
        if quiet >= 2 or busy is None:
            break
        busy = cpu_busy()
    return busy


def spawn(name: str, allocator: str, quick: bool, peers: bool, blas_threads=1) -> dict:
    env = dict(os.environ)
    if blas_threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(blas_threads)
    for k in TUNED:
        env.pop(k, None)
    if allocator == "tuned":
        env.update(TUNED)
    cmd = [sys.executable, "-m", "benchmarks.run", "--worker", name] + \
        (["--quick"] if quick else []) + (["--peers"] if peers else [])
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                          cwd=os.path.dirname(HERE))
    if proc.returncode != 0:
        return {"workload": name, "error": proc.stderr[-2000:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["allocator"] = allocator
    return result


LEGEND = {
    "workload": "the benchmark (benchmarks/workloads.py)",
    "alloc": "malloc setting of the worker process: default glibc, or tuned (freed memory "
             "kept: MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ = 1e9)",
    "busy": "CPUs other processes used just before the row (over ~0.3: timings are noisy)",
    "numpy µs": "plain NumPy, median wall time per call",
    "janus µs": "janus_lite (numpy backend), median wall time per call",
    "speedup": "numpy µs / janus µs; (!) marks a result that differed from plain NumPy",
    "cpu-time ×": "the same ratio with process CPU time (all threads), which other "
                  "processes disturb less",
    "split": "share of fused-kernel calls run across two threads (chosen by measured time)",
    "interp ×": "speedup of the reference interpreter backend (node by node; slow by design)",
    "compiled ×": "the numba tier as users get it (tiered up in the background, switched to "
                  "only when measured faster; (np): the NumPy tier was kept), exact",
    "inexact ×": "the same with jit(exact=False) (libm transcendentals allowed)",
    "to compiled s": "first call -> compiled code ready; the [default] row's process starts "
                     "with an empty on-disk cache, the [tuned] row's (a second process) finds "
                     "it warm",
    "peers ×": "speedups of numba / torch.compile / jax.jit where installed (--peers)",
    "first calls ms": "wall time of the first three calls together (profiling + conversion)",
    "graph share": "share of the timed calls a graph served (the rest ran imperatively)",
    "peak MiB np→jl": "peak traced memory of one steady-state call, plain → janus_lite",
    "plan/imper.": "the graph's planned peak of intermediates / the imperative run's peak "
                   "(over 100%: persistent out= buffers kept between calls)",
}
"""What each column of the table means (printed under it)."""

COLUMNS = list(LEGEND)


def legend_lines(cols=None) -> list[str]:
    """One line per column: ``name: meaning``."""
    cols = cols or COLUMNS
    width = max(len(c) for c in cols)
    return [f"  {c.ljust(width)}  {LEGEND.get(c, '?')}" for c in cols]


def table(results) -> str:
    cols = COLUMNS
    rows = []
    for r in results:
        if r["workload"] == "dispatch" or "error" in r:
            continue
        im = r["impls"]
        base = im["numpy"]["median_us"]
        jl, it = im["janus[numpy]"], im["janus[interpreter]"]
        peers = ", ".join(f"{k} {base / v['median_us']:.2f}" for k, v in im.items()
                          if not k.startswith("janus[") and k != "numpy")
        tier_cols = []
        for key in ("janus[compiled]", "janus[compiled,exact=False]"):
            c = im.get(key)
            if c is None:
                tier_cols.append("-")
                continue
            t = c.get("tier") or {}
            mark = "" if t.get("tier") == "compiled" else " (np)"
            tier_cols.append(f"{base / c['median_us']:.2f}x{mark}" +
                             ("" if c.get("exact") or key.endswith("False]") else " (!)"))
        t = (im.get("janus[compiled]") or {}).get("tier") or {}
        ready = t.get("to_compiled_s")
        tier_cols.append("-" if ready is None else f"{ready:.1f}")
        mem = jl.get("memory") or {}
        ratio = (f"{mem['planned_peak_bytes'] / mem['imperative_peak_bytes']:.0%}"
                 if mem.get("imperative_peak_bytes") else "-")
        runs = jl.get("kernel_runs") or {}
        n_runs = runs.get("alone", 0) + runs.get("split", 0)
        busy = r.get("others_busy_cpus_before")
        rows.append([r["workload"], r["allocator"], "-" if busy is None else f"{busy:.2f}",
                     f"{base:.1f}", f"{jl['median_us']:.1f}",
                     f"{base / jl['median_us']:.2f}x" + ("" if jl.get("exact") else " (!)"),
                     f"{im['numpy']['cpu_median_us'] / jl['cpu_median_us']:.2f}x"
                     if jl.get("cpu_median_us") else "-",
                     f"{runs['split'] / n_runs:.0%}" if n_runs else "-",
                     f"{base / it['median_us']:.2f}x", *tier_cols, peers or "-",
                     f"{sum(jl['first_calls_ms']):.0f}", f"{jl.get('graph_share', 0):.0%}",
                     f"{im['numpy']['peak_call_bytes'] / 2**20:.1f}→"
                     f"{jl['peak_call_bytes'] / 2**20:.1f}", ratio])
    widths = [max(len(str(x)) for x in col) for col in zip(cols, *rows)]
    line = "| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    out = [line, sep] + ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
                         for r in rows]
    out += ["", "columns:"] + legend_lines(cols)
    for r in results:
        if r["workload"] == "dispatch" and "error" not in r:
            out.append(f"dispatch overhead (guard + entry, trivial function): "
                       f"{r['overhead_us']:.2f} µs  (direct call {r['direct_us']:.2f} µs, "
                       f"janus {r['janus_us']:.2f} µs) [{r['allocator']} allocator]")
        if "error" in r:
            out.append(f"\n{r['workload']}: FAILED\n{r['error']}")
    return "\n".join(out)


def chart(results, path) -> str | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    rows = [r for r in results if r["workload"] != "dispatch" and "error" not in r]
    labels = [f"{r['workload']}\n({r['allocator']})" for r in rows]
    names = sorted({k for r in rows for k in r["impls"] if k != "numpy"})
    fig, ax = plt.subplots(figsize=(max(8, len(rows) * 1.3), 5))
    width = 0.8 / max(1, len(names))
    for k, name in enumerate(names):
        vals = [r["impls"]["numpy"]["median_us"] / r["impls"][name]["median_us"]
                if name in r["impls"] else 0 for r in rows]
        ax.bar([i + k * width for i in range(len(rows))], vals, width, label=name)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(rows))], labels, fontsize=7)
    ax.set_ylabel("speedup vs plain NumPy (median)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def build_parser(prog="benchmarks.run", add_help=True) -> argparse.ArgumentParser:
    """The options of the suite (also shown by ``janus-lite bench --help``)."""
    ap = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0],
                                 add_help=add_help)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (about a minute)")
    ap.add_argument("--only", nargs="*", help="workload names to run (default: all)")
    ap.add_argument("--allocators", nargs="*", default=["default", "tuned"],
                    choices=["default", "tuned"])
    ap.add_argument("--peers", action="store_true",
                    help="also time numba / torch.compile / jax.jit where installed")
    ap.add_argument("--out", default=os.path.join(HERE, "results"),
                    help="folder for results.json and speedups.png")
    ap.add_argument("--blas-threads", type=int, default=1, metavar="N",
                    help="BLAS threads in the workers (default 1; 0 leaves the environment "
                         "alone). On a busy machine multi-threaded OpenBLAS spins: a 0.4 ms "
                         "MLP step took 90 ms with 2 threads while other processes ran")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="before each workload wait (up to SECONDS) until other processes "
                         "use under 0.15 CPUs for 2 s (from /proc/stat): they skew every "
                         "timing, and a fused kernel splits across threads only while a "
                         "core is free")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.quick, args.peers)))
        return 0
    from .workloads import WORKLOADS
    names = args.only or [w[0] for w in WORKLOADS] + ["dispatch"]
    if "JANUS_LITE_CACHE_DIR" not in os.environ:      # cold for the first process of a row
        import tempfile
        os.environ["JANUS_LITE_CACHE_DIR"] = tempfile.mkdtemp(prefix="janus_lite_bench_")
    results = []
    for name in names:
        for alloc in args.allocators:
            if name == "dispatch" and alloc != args.allocators[0]:
                continue
            t0 = time.perf_counter()
            busy = wait_quiet(args.wait_quiet) if args.wait_quiet else cpu_busy(0.5)
            r = spawn(name, alloc, args.quick, args.peers, args.blas_threads)
            r["blas_threads"] = args.blas_threads
            r["load_average"] = os.getloadavg()
            r["others_busy_cpus_before"] = busy
            results.append(r)
            print(f"  {name} [{alloc}] {time.perf_counter() - t0:.1f}s"
                  f" (other processes busy before: {busy if busy is None else round(busy, 2)} "
                  f"CPUs)", file=sys.stderr)
    text = table(results)
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": machine(), "results": results, "table": text}, f, indent=1,
                  default=str)
    png = chart(results, os.path.join(args.out, "speedups.png"))
    print(f"\nresults: {os.path.join(args.out, 'results.json')}" +
          (f", chart: {png}" if png else " (no matplotlib: no chart)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
