"""Side-by-side timing of a plain function and its ``jit`` version (examples, CLI demo).

`compare` times both on the same arguments in interleaved rounds (plain, decorated, plain,
…) and reports medians, so that CPU frequency changes and background load hit both alike.
`report_lines` formats the result with the decorated function's graph-served share. Timings
are for people to read; tests never assert on them.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass


@dataclass
class Comparison:
    plain_s: float          # median seconds per call, undecorated
    jit_s: float            # median seconds per call, decorated
    rounds: int
    reps: int

    @property
    def speedup(self) -> float:
        return self.plain_s / self.jit_s if self.jit_s > 0 else float("inf")


def _per_call(fn, args, kwargs, reps) -> float:
    t0 = time.perf_counter()
    for _ in range(reps):
        fn(*args, **kwargs)
    return (time.perf_counter() - t0) / reps


def compare(plain, decorated, args=(), kwargs=None, *, rounds: int = 11, reps: int = 20,
            warmup: int = 3) -> Comparison:
    """Median time per call of ``plain(*args)`` and ``decorated(*args)``, interleaved.

    ``args`` may be a tuple or a zero-argument callable returning a fresh tuple per round
    (for steps that update their arguments in place). ``decorated`` is called ``warmup``
    times first so that profiling and conversion are not timed.
    """
    kwargs = kwargs or {}
    fresh = args if callable(args) else (lambda: args)
    for _ in range(warmup):
        decorated(*fresh(), **kwargs)
    plain_t, jit_t = [], []
    for _ in range(rounds):
        a = fresh()
        plain_t.append(_per_call(plain, a, kwargs, reps))
        a = fresh()
        jit_t.append(_per_call(decorated, a, kwargs, reps))
    return Comparison(statistics.median(plain_t), statistics.median(jit_t), rounds, reps)


def _us(s: float) -> str:
    return f"{s * 1e6:.1f} us" if s < 1e-2 else f"{s * 1e3:.2f} ms"


def served_line(decorated) -> str:
    s = decorated.stats
    share = 100 * s["graph_calls"] / s["calls"] if s["calls"] else 0.0
    return (f"graph-served calls: {s['graph_calls']}/{s['calls']} ({share:.1f}%), "
            f"graphs built: {s['conversions']}")


def report_lines(name: str, cmp: Comparison, decorated) -> list[str]:
    """Two lines: the speedup, then the graph-served share (and why not, when 0%)."""
    out = [f"{name}: plain NumPy {_us(cmp.plain_s)}/call, janus_lite {_us(cmp.jit_s)}/call: "
           f"speedup {cmp.speedup:.2f}x (median of {cmp.rounds} interleaved rounds)",
           f"{name}: {served_line(decorated)}"]
    if decorated.stats["graph_calls"] == 0:
        verdict = next((line for line in decorated.explain().splitlines()
                        if line.startswith("Verdict:")), "")
        out.append(f"{name}: {verdict}")
    return out
