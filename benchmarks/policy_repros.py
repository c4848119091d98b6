"""Issue 15's policy repros side by side: plain vs decorated, one process, interleaved.

``python -m benchmarks.policy_repros [--quick] [NAME...]`` prints, per repro, the decorated
function's calls, conversions, failed conversions, graph calls and the whole-run time ratio
(``whole``: plain time / decorated time, decoration and conversion included; > 1 is faster
decorated) and ``steady``: the same ratio for the extra calls of a run twice as long (the
graph-served steady state). ``--quick`` uses the tests' short loops (no steady column). The repro programs live in ``tests/runtime/policy_programs.py`` so the
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


SIZES = {"polymorphic": {"steps": 2000}, "receiver_shapes": {"steps": 2000},
         "lazy_state": {"folds": 20, "steps": 200}, "short_batch": {"epochs": 300},
         "short_batch_rows": {"epochs": 300}, "conv_backward": {"calls": 60},
         "counter": {"rounds": 100}}
"""Training-loop lengths for the timing (the tests run the programs shorter)."""


def main(argv=None):
    args = argv if argv is not None else sys.argv[1:]
    quick = "--quick" in args           # the tests' sizes: conversion cost dominates
    names = [a for a in args if not a.startswith("--")] or list(P.PROGRAMS)
    print(f"{'repro':<20}{'calls':>7}{'conv':>6}{'failed':>7}{'graph':>7}{'plain s':>9}"
          f"{'jit s':>9}{'whole':>7}{'steady':>8}")
    for name in names:
        run = P.PROGRAMS[name]
        kw = {} if quick else SIZES.get(name, {})
        double = {k: 2 * v for k, v in kw.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tp, _ = _time(lambda jit: run(jit, **kw), None)
            tj, (fns, _) = _time(lambda jit: run(jit, **kw), jl.jit)
            if not quick:   # twice the loop: the difference is the steady state
                tp2, _ = _time(lambda jit: run(jit, **double), None)
                tj2, _ = _time(lambda jit: run(jit, **double), jl.jit)
        s = {k: sum(f.stats[k] for f in fns) for k in ("calls", "conversions",
                                                      "failed_conversions", "graph_calls")}
        steady = f"{(tp2 - tp) / (tj2 - tj):>8.2f}" if not quick and tj2 > tj else f"{'-':>8}"
        print(f"{name:<20}{s['calls']:>7}{s['conversions']:>6}{s['failed_conversions']:>7}"
              f"{s['graph_calls']:>7}{tp:>9.3f}{tj:>9.3f}{tp / tj:>7.2f}{steady}")


if __name__ == "__main__":
    main()
