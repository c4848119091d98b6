"""Side-by-side timing of a plain function and its ``jit`` version (examples, CLI demo).

`compare` times both on the same arguments in interleaved rounds (plain, decorated, plain,
…) and reports medians with their spread, so that CPU frequency changes and background load
hit both alike; it also reads how busy the machine was (other processes' CPU use, from
``/proc/stat``) and `report_lines` warns when that makes the numbers unreliable. Timings
are for people to read; tests never assert on them.
"""
from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field

BUSY_WARN = 0.3
"""CPUs' worth of other processes' work during timing above which the report warns."""


@dataclass
class Comparison:
    plain_s: float          # median seconds per call, undecorated
    jit_s: float            # median seconds per call, decorated
    rounds: int
    reps: int
    plain_rounds: list = field(default_factory=list)    # seconds per call, each round
    jit_rounds: list = field(default_factory=list)
    busy: float | None = None   # CPUs other processes used while timing (None: unknown)

    @property
    def speedup(self) -> float:
        return self.plain_s / self.jit_s if self.jit_s > 0 else float("inf")

    @property
    def ratios(self) -> list:
        """Per-round speedups (plain / decorated of the same round)."""
        return [p / j for p, j in zip(self.plain_rounds, self.jit_rounds) if j > 0]

    def spread(self) -> tuple[float, float] | None:
        """The middle half of the per-round speedups (quartiles), or None (< 3 rounds)."""
        r = sorted(self.ratios)
        if len(r) < 3:
            return None
        q = statistics.quantiles(r, n=4, method="inclusive")
        return q[0], q[2]


def _cpu_times():
    try:
        with open("/proc/stat") as fh:
            vals = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return sum(vals[:8]), vals[3] + (vals[4] if len(vals) > 4 else 0)


def _own_cpu() -> float:
    return time.process_time()


class BusyMeter:
    """CPUs' worth of work other processes did between construction and `stop()` (from
    ``/proc/stat``, minus this process's own CPU time); None where unknown."""

    def __init__(self):
        self.stat0, self.own0, self.wall0 = _cpu_times(), _own_cpu(), time.perf_counter()

    def stop(self) -> float | None:
        stat1, own = _cpu_times(), _own_cpu() - self.own0
        wall = time.perf_counter() - self.wall0
        if self.stat0 is None or stat1 is None or wall <= 0:
            return None
        total, idle = stat1[0] - self.stat0[0], stat1[1] - self.stat0[1]
        if total <= 0:
            return None
        used = (os.cpu_count() or 1) * (1 - idle / total)    # CPUs busy, all processes
        return max(0.0, used - own / wall)                      # minus this one


def comparison(plain_rounds: list, jit_rounds: list, reps: int, busy=None) -> Comparison:
    """A `Comparison` from per-round seconds per call timed elsewhere (interleaved)."""
    return Comparison(statistics.median(plain_rounds), statistics.median(jit_rounds),
                      len(plain_rounds), reps, list(plain_rounds), list(jit_rounds), busy)


def _per_call(fn, args, kwargs, reps) -> float:
    t0 = time.perf_counter()
    for _ in range(reps):
        fn(*args, **kwargs)
    return (time.perf_counter() - t0) / reps


def compare(plain, decorated, args=(), kwargs=None, *, rounds: int = 11, reps: int = 20,
            warmup: int = 3, progress=None) -> Comparison:
    """Median time per call of ``plain(*args)`` and ``decorated(*args)``, interleaved.

    ``args`` may be a tuple or a zero-argument callable returning a fresh tuple per round
    (for steps that update their arguments in place). ``decorated`` is called ``warmup``
    times first so that profiling and conversion are not timed. ``progress(i, rounds)`` is
    called after each round.
    """
    kwargs = kwargs or {}
    fresh = args if callable(args) else (lambda: args)
    for _ in range(warmup):
        decorated(*fresh(), **kwargs)
    plain_t, jit_t = [], []
    meter = BusyMeter()
    for i in range(rounds):
        a = fresh()
        plain_t.append(_per_call(plain, a, kwargs, reps))
        a = fresh()
        jit_t.append(_per_call(decorated, a, kwargs, reps))
        if progress is not None:
            progress(i + 1, rounds)
    return comparison(plain_t, jit_t, reps, meter.stop())


def _us(s: float) -> str:
    return f"{s * 1e6:.1f} us" if s < 1e-2 else f"{s * 1e3:.2f} ms"


def served_line(decorated) -> str:
    s = decorated.stats
    n, k = s["calls"], s["graph_calls"]
    share = 100 * k / n if n else 0.0
    text = f"{share:.1f}%" if k == n or share < 99.95 else f"{int(share * 100) / 100:.2f}%"
    return f"graph-served calls: {k}/{n} ({text}), graphs built: {s['conversions']}"


def speed_word(cmp: Comparison) -> str:
    """What the timing says, in a word: faster / slower / about the same speed / too noisy
    to tell (the quartiles of the per-round speedups decide, not the median alone)."""
    lo, hi = cmp.spread() or (cmp.speedup, cmp.speedup)
    if lo > 1.05:
        return "faster"
    if hi < 0.95:
        return "slower"
    if hi > 1.3 * lo:
        return "too noisy to tell"
    return "about the same speed"


def why_not_faster(cmp: Comparison, decorated) -> str:
    """One line on why a graph-served function is not faster, from its newest graph."""
    from .. import config
    from ..ir.registry import get_op
    graphs = decorated.graphs
    if not graphs:
        return "no graph serves it (see explain())"
    graph = graphs[-1]
    largest, heavy = 0, 0
    for node in graph.all_nodes():
        try:
            op = get_op(node.op)
        except Exception:
            continue
        size = node.meta.nbytes()
        if op.elementwise and size is not None and node.meta.dtype is not None:
            largest = max(largest, size // node.meta.dtype.itemsize)
        heavy += node.op.split("@")[0] in ("matmul", "np.matmul", "np.dot") or \
            node.op.startswith("reduce.")
    reasons = []
    if cmp.jit_s < 60e-6:
        reasons.append(f"the call is short ({_us(cmp.jit_s)}): checking the guards and "
                       f"entering the graph cost a few µs of it")
    if not graph.fused and 0 < largest < config.FUSE_MIN_ELEMENTS:
        reasons.append(f"its elementwise arrays (at most {largest:,} elements) are under "
                       f"config.FUSE_MIN_ELEMENTS = {config.FUSE_MIN_ELEMENTS:,}, so nothing "
                       f"is fused")
    if heavy:
        reasons.append(f"per-op work dominates: its {heavy} matmuls/reductions run the same "
                       f"NumPy calls in the graph")
    return "; ".join(reasons) or "per-op work dominates: the graph runs the same NumPy and " \
        "Python operations, one by one"


def report_lines(name: str, cmp: Comparison, decorated, why_not: str | None = None) -> list:
    """The speedup with its spread, the graph-served share, explain()'s verdict line, a
    warning when the machine was busy, and — when graphs serve it but it is not faster —
    why not (``why_not``, else `why_not_faster`)."""
    sp = cmp.spread()
    spread = f", middle half of rounds {sp[0]:.2f}x-{sp[1]:.2f}x" if sp else ""
    out = [f"{name}: plain NumPy {_us(cmp.plain_s)}/call, janus_lite {_us(cmp.jit_s)}/call: "
           f"speedup {cmp.speedup:.2f}x ({speed_word(cmp)}; median of {cmp.rounds} "
           f"interleaved rounds{spread})",
           f"{name}: {served_line(decorated)}"]
    verdict = next((line for line in decorated.explain().splitlines()
                    if line.startswith("Verdict:")), "")
    if verdict:
        out.append(f"{name}: {verdict}")
    if decorated.stats["graph_calls"] and speed_word(cmp) != "faster":
        out.append(f"{name}: why not faster: {why_not or why_not_faster(cmp, decorated)}")
    if cmp.busy is not None and cmp.busy > BUSY_WARN:
        out.append(f"{name}: warning: the machine was busy (other processes used "
                   f"{cmp.busy:.1f} CPUs of {os.cpu_count()} while timing): the numbers "
                   f"are noisy; rerun on a quiet machine")
    return out
