"""The training-program corpus (tests/corpus/programs): per program, which functions were
decorated, the share of their calls served by graphs after warm-up, the whole-run speedup
(plain / decorated, best of N interleaved runs in this one process, conversion included),
and for every function that stays mostly imperative, explain()'s first reason.
Also shown: ``conv ms``, the time the decorated run spent building graphs, and ``warm``, the
speedup of a second run of the same program in the same module (graphs already built: the
steady state, without decoration, profiling and conversion costs).

    python -m benchmarks.corpus [--only NAME[,NAME...]] [--rounds N] [--verbose] [--functions]

``--functions``: per decorated function instead, the time spent inside it per call in the
steady state (third and later runs in one module, the best run of each side), plain vs
decorated.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))

import janus_lite.api  # noqa: E402
from corpus.harness import (assert_same_outcome, first_reason, program_names,  # noqa: E402
                            run_program, served_share, warm_calls)

SERVED = 0.9
"""A function counts as graph-served when at least this share of its calls after the
profile runs was answered by graphs (explain()'s "fast" verdict uses the same bar)."""


_BUILD_S = [0.0]


def _timed_build(orig):
    def build(self, *a, **k):
        t0 = time.perf_counter()
        try:
            return orig(self, *a, **k)
        finally:
            _BUILD_S[0] += time.perf_counter() - t0
    return build


for _name in ("_convert", "_build"):      # the method that builds one graph (renamed once)
    if hasattr(janus_lite.api.SpeculativeFunction, _name):
        setattr(janus_lite.api.SpeculativeFunction, _name,
                _timed_build(getattr(janus_lite.api.SpeculativeFunction, _name)))
        break


def measure(name: str, rounds: int):
    plain_t, jit_t, build_t, warm_p, warm_j = [], [], [], [], []
    exact, last = True, None
    for r in range(rounds):
        order = (False, True) if r % 2 == 0 else (True, False)
        outs = {}
        for decorated in order:
            gc.collect()
            b0 = _BUILD_S[0]
            outs[decorated] = run_program(name, decorated)
            if decorated:
                build_t.append(_BUILD_S[0] - b0)
        for decorated in order:      # again in the same module: graphs already built
            gc.collect()
            again = run_program(name, decorated, mod=outs[decorated].module)
            (warm_j if decorated else warm_p).append(again.seconds)
            outs[decorated, "warm"] = again
        plain_t.append(outs[False].seconds)
        jit_t.append(outs[True].seconds)
        try:
            assert_same_outcome(outs[False], outs[True])
            assert_same_outcome(outs[False, "warm"], outs[True, "warm"])
        except AssertionError as exc:
            exact = False
            print(f"  !! {name}: WRONG ANSWER: {str(exc).splitlines()[0][:200]}")
        last = outs[True]
    best = min(range(rounds), key=lambda i: jit_t[i])
    return min(plain_t), jit_t[best], build_t[best], min(warm_p) / min(warm_j), exact, last


def per_function(names, rounds: int) -> int:
    """``--functions``: the steady state of each decorated function — the time spent inside
    it per call, plain vs decorated, over ``rounds`` more runs of each program in the same
    module after two warm-up runs (graphs built), interleaved. Per side, the run with the
    least time per call counts (best of ``rounds``: the run least disturbed by the rest of
    the machine; the mean over all runs moved single functions by ±0.2 between two
    invocations on a shared 2-core machine). Prints one row per function and the geomean
    of plain / decorated."""
    spent: dict = {}
    best: dict = {}

    def keep_best():
        for key, (t, n) in spent.items():
            if n and (key not in best or t / n < best[key][0] / best[key][1]):
                best[key] = (t, n)
        spent.clear()

    def wrap(qualname, f):
        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                cell[0] += time.perf_counter() - t0
                cell[1] += 1
        cell = spent.setdefault((side[0], qualname), [0.0, 0])
        return timed

    side = [None]
    ratios = []
    print(f"{'program':28s} {'function':34s} {'calls':>6s} {'plain µs':>9s} {'jit µs':>9s} "
          f"{'ratio':>6s}")
    for name in names:
        mods = {}
        best.clear()
        for r in range(2 + rounds):
            for decorated in ((False, True) if r % 2 == 0 else (True, False)):
                side[0] = decorated
                gc.collect()
                out = run_program(name, decorated, mod=mods.get(decorated), wrap=wrap)
                mods[decorated] = out.module
            if r < 2:
                spent.clear()                  # the two warm-up runs are not counted
            else:
                keep_best()
        for (decorated, qualname), (t, n) in sorted(best.items(), key=lambda kv: kv[0][1]):
            if decorated or (True, qualname) not in best or not n:
                continue
            tj, nj = best[True, qualname]
            p, j = t / n * 1e6, tj / max(nj, 1) * 1e6
            ratios.append(p / j)
            print(f"{name:28s} {qualname[:34]:34s} {n:6d} {p:9.1f} {j:9.1f} "
                  f"{p / j:6.2f}", flush=True)
    if ratios:
        geo = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        print(f"\nSUMMARY: {len(ratios)} functions, steady-state geomean {geo:.2f}x, "
              f"min {min(ratios):.2f}x")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=None, help="comma-separated program names")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved runs of each (best of)")
    ap.add_argument("--verbose", action="store_true", help="print every function's stats")
    ap.add_argument("--functions", action="store_true",
                    help="per decorated function: its steady-state time per call, plain vs "
                         "decorated (see per_function)")
    args = ap.parse_args(argv)
    names = program_names()
    if args.only:
        wanted = args.only.split(",")
        names = [n for n in names if n in wanted]
    if args.functions:
        return per_function(names, args.rounds)
    rows = []
    print(f"{'program':28s} {'fns':>3s} {'served':>7s} {'plain ms':>9s} {'jit ms':>9s} "
          f"{'conv ms':>8s} {'speedup':>7s} {'warm':>6s}  exact")
    tot_served = tot_warm = fn_total = fn_served = 0
    for name in names:
        tp, tj, tb, steady, exact, out = measure(name, args.rounds)
        fns = out.functions
        served = sum(f.stats["graph_calls"] for _, f in fns)
        warm = sum(warm_calls(f) for _, f in fns)
        tot_served += served
        tot_warm += warm
        share = served / warm if warm else 0.0
        speed = tp / tj
        rows.append((name, speed, exact, steady))
        print(f"{name:28s} {len(fns):3d} {share:7.0%} {tp * 1e3:9.1f} {tj * 1e3:9.1f} "
              f"{tb * 1e3:8.1f} {speed:7.2f} {steady:6.2f}  {'yes' if exact else 'NO'}")
        for qualname, f in fns:
            fn_total += 1
            ok = served_share(f) >= SERVED
            fn_served += ok
            if not ok or args.verbose:
                why = "" if ok else f" — {first_reason(f)}"
                print(f"    {qualname}: {served_share(f):.0%} of {warm_calls(f)} warm calls"
                      f" {f.stats}{why}"[:400])
        sys.stdout.flush()
    if not rows:
        print("no programs matched")
        return 1
    speeds = [r[1] for r in rows]
    wgeo = math.exp(sum(math.log(r[3]) for r in rows) / len(rows))
    geo = math.exp(sum(math.log(s) for s in speeds) / len(speeds))
    worst = min(rows, key=lambda r: r[1])
    n_exact = sum(r[2] for r in rows)
    print(f"\nSUMMARY: exact {n_exact}/{len(rows)}; functions served {fn_served}/{fn_total} "
          f"({fn_served / max(fn_total, 1):.0%}); calls served after warm-up "
          f"{tot_served}/{tot_warm} ({tot_served / max(tot_warm, 1):.0%}); whole-run speedup "
          f"geomean {geo:.2f}x, min {worst[1]:.2f}x ({worst[0]}); warm geomean {wgeo:.2f}x")
    return 0 if n_exact == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
