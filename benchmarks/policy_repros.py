"""Issue 15's policy repros side by side: plain vs decorated, one process, interleaved.

``python -m benchmarks.policy_repros`` prints, per repro, the decorated function's calls,
conversions, graph calls and the whole-run time ratio (plain time / decorated time; > 1 is
faster decorated). The repro programs live in ``tests/runtime/policy_programs.py`` so the
differential tests and this script run the very same code.
"""
from __future__ import annotations

import os
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "runtime"))

import policy_programs as P

import janus_lite as jl


def _time(run, jit):
    t = time.perf_counter()
    out = run(jit)
    return time.perf_counter() - t, out


def main(argv=None):
    names = (argv or sys.argv[1:]) or list(P.PROGRAMS)
    print(f"{'repro':<22}{'calls':>7}{'conv':>6}{'failed':>7}{'graph':>7}{'plain s':>10}"
          f"{'jit s':>10}{'ratio':>8}")
    for name in names:
        run = P.PROGRAMS[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tp, _ = _time(run, None)
            tj, (fns, _) = _time(run, jl.jit)
        s = {k: sum(f.stats[k] for f in fns) for k in ("calls", "conversions",
                                                      "failed_conversions", "graph_calls")}
        print(f"{name:<22}{s['calls']:>7}{s['conversions']:>6}{s['failed_conversions']:>7}"
              f"{s['graph_calls']:>7}{tp:>10.3f}{tj:>10.3f}{tp / tj:>8.2f}")


if __name__ == "__main__":
    main()
