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
    stat0, own0, wall0 = _cpu_times(), _own_cpu(), time.perf_counter()
    for i in range(rounds):
        a = fresh()
        plain_t.append(_per_call(plain, a, kwargs, reps))
        a = fresh()
        jit_t.append(_per_call(decorated, a, kwargs, reps))
        if progress is not None:
            progress(i + 1, rounds)
    busy = None
    stat1, own, wall = _cpu_times(), _own_cpu() - own0, time.perf_counter() - wall0
    if stat0 is not None and stat1 is not None and wall > 0:
        total, idle = stat1[0] - stat0[0], stat1[1] - stat0[1]
        if total > 0:
            used = (os.cpu_count() or 1) * (1 - idle / total)     # CPUs busy, all processes
            busy = max(0.0, used - own / wall)                       # minus this one
    return Comparison(statistics.median(plain_t), statistics.median(jit_t), rounds, reps,
                      plain_t, jit_t, busy)


def _us(s: float) -> str:
    return f"{s * 1e6:.1f} us" if s < 1e-2 else f"{s * 1e3:.2f} ms"


def served_line(decorated) -> str:
    s = decorated.stats
    n, k = s["calls"], s["graph_calls"]
    share = 100 * k / n if n else 0.0
    text = f"{share:.1f}%" if k == n or share < 99.95 else f"{int(share * 100) / 100:.2f}%"
    return f"graph-served calls: {k}/{n} ({text}), graphs built: {s['conversions']}"


def speed_word(cmp: Comparison) -> str:
    """What the timing says, in a word: faster / about the same / slower (the quartiles of
    the per-round speedups decide, not the median alone)."""
    lo, hi = cmp.spread() or (cmp.speedup, cmp.speedup)
    if lo > 1.05:
        return "faster"
    if hi < 0.95:
        return "slower"
    return "about the same speed"


def report_lines(name: str, cmp: Comparison, decorated, why_not: str | None = None) -> list:
    """The speedup with its spread, the graph-served share (and why not, when 0%), a
    warning when the machine was busy, and — when it is not faster — ``why_not``."""
    sp = cmp.spread()
    spread = f", middle half of rounds {sp[0]:.2f}x-{sp[1]:.2f}x" if sp else ""
    out = [f"{name}: plain NumPy {_us(cmp.plain_s)}/call, janus_lite {_us(cmp.jit_s)}/call: "
           f"speedup {cmp.speedup:.2f}x ({speed_word(cmp)}; median of {cmp.rounds} "
           f"interleaved rounds{spread})",
           f"{name}: {served_line(decorated)}"]
    if decorated.stats["graph_calls"] == 0:
        verdict = next((line for line in decorated.explain().splitlines()
                        if line.startswith("Verdict:")), "")
        out.append(f"{name}: {verdict}")
    elif why_not and speed_word(cmp) != "faster":
        out.append(f"{name}: why not faster: {why_not}")
    if cmp.busy is not None and cmp.busy > BUSY_WARN:
        out.append(f"{name}: warning: the machine was busy (other processes used "
                   f"{cmp.busy:.1f} CPUs of {os.cpu_count()} while timing): the numbers "
                   f"are noisy; rerun on a quiet machine")
    return out
