"""Long fuzzing runs: ``python -m tests.fuzz.run --programs 20000 --seed 1 [--workers 2]``.

The programs are drawn in chunks, each a hypothesis run with its own seed. A difference
between the plain and the decorated function is reduced by hypothesis to a minimal program
the first time its kind (the normalized first line of the failure) is seen; later programs
failing the same way are counted, not shrunk again, so the run goes on. At the end it
prints how many programs and calls ran, graph coverage, and each kind of failure with its
minimal program (also written to ``--out``). Exit status 1 when anything failed.

``--tier compiled`` runs every program with the compiled tier forced on (``config.TIER =
"compiled"``: each graph's lowerable segments are compiled by numba synchronously when the
graph is built and served at once, without measuring), so the programs run compiled code;
the summary then also counts the graphs and calls compiled code served. ``--tier auto``
tiers up in the background as in production (timing-dependent: few short programs get that
far). Numba's cache: ``JANUS_LITE_CACHE_DIR``.

``--warnings`` also compares the warnings each call shows (recorded under ``"always"``;
without it every warning is ignored).

``--all-features`` also draws the constructs `gen.KNOWN_BUGS` leaves out while their bugs
are open (to check a fix, or to see them fail).
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import re
import signal
import sys
import time
import warnings

from hypothesis import HealthCheck, Phase, given, seed as hseed, settings

from .gen import programs
from .reduce import reduce_program
from .runner import TOTALS, run_program

PROGRAM_TIMEOUT_S = 120
CHUNK = 100


def signature(exc: BaseException) -> str:
    """The kind of a failure: its first line with call numbers, indices and values blurred."""
    first = (str(exc).splitlines() or [""])[0]
    if not isinstance(exc, AssertionError):
        first = f"{type(exc).__name__}: {first}"
    first = re.sub(r"call \d+", "call N", first)
    first = re.sub(r"\[\d+\]", "[i]", first)
    first = re.sub(r"(?<=[^\w])-?\d[\d.e+-]*", "#", first)
    return first[:120]


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout(f"program ran longer than {PROGRAM_TIMEOUT_S} s")


def run_chunk(args):
    """One hypothesis run of ``n`` programs; returns (totals, {sig: [count, program]})."""
    chunk_seed, n, known, all_features, tier, check_warnings = args
    if tier is not None:
        from janus_lite import config
        config.TIER = tier
    warnings.simplefilter("ignore")
    logging.getLogger("janus_lite").setLevel(logging.ERROR)
    found: dict = {}
    known = set(known)
    state = {"generated": 0, "runs": 0, "failed": False}
    last_failing = {}
    signal.signal(signal.SIGALRM, _alarm)

    @hseed(chunk_seed)
    @settings(max_examples=n, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck),
              phases=(Phase.generate, Phase.shrink), print_blob=False, report_multiple_bugs=False)
    @given(programs(avoid=() if all_features else None))
    def check(prog):
        state["runs"] += 1
        state["generated"] += not state["failed"]      # not a shrinking step
        signal.alarm(PROGRAM_TIMEOUT_S)
        try:
            run_program(prog, check_warnings=check_warnings)
        except Exception as exc:            # noqa: BLE001 (any failure is a finding)
            sig = signature(exc)
            entry = found.setdefault(sig, [0, None])
            if sig in known:
                entry[0] += 1
                return
            entry[1] = f"{exc}"
            last_failing[sig] = prog        # hypothesis replays the minimal one last
            state["failed"] = True
            raise
        finally:
            signal.alarm(0)

    for key in list(TOTALS):
        TOTALS[key] = 0
    try:
        check()
    except Exception as exc:                # noqa: BLE001
        sig = signature(exc) if not type(exc).__name__.startswith(("Flaky", "Multiple")) \
            else None
        if sig and sig not in found:
            found[sig] = [0, f"{exc}"]
    saved = dict(TOTALS)
    for sig, prog in last_failing.items():     # then delete dead statements and calls
        try:
            small = reduce_program(prog, signature, max_runs=150,
                                   check_warnings=check_warnings)
            found[sig][1] = f"{found[sig][1]}\n\n--- reduced further ---\n{small.describe()}"
        except Exception:                       # noqa: BLE001 (best effort)
            pass
    TOTALS.update(saved)
    for sig, entry in found.items():
        entry[0] = max(entry[0], 1)
    return dict(TOTALS, generated=state["generated"], runs=state["runs"]), found


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--out", default="fuzz-failures")
    ap.add_argument("--all-features", action="store_true")
    ap.add_argument("--warnings", action="store_true",
                    help="also compare the warnings each call shows (under 'always')")
    ap.add_argument("--tier", choices=("off", "auto", "compiled"), default=None,
                    help="the compiled tier for every program (default: config.TIER, "
                         "i.e. JANUS_LITE_TIER)")
    a = ap.parse_args(argv)
    chunks = [(a.seed * 100003 + i, min(CHUNK, a.programs - i * CHUNK))
              for i in range((a.programs + CHUNK - 1) // CHUNK)]
    totals: dict = {}
    found: dict = {}
    start = time.time()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(a.workers, maxtasksperchild=10) as pool:
        pending = list(chunks)
        done = 0
        # a few chunks at a time, so that kinds found early are not shrunk again
        while pending:
            batch, pending = pending[:a.workers], pending[a.workers:]
            for tot, fnd in pool.map(run_chunk, [(s, n, tuple(found), a.all_features, a.tier,
                                                  a.warnings)
                                                 for s, n in batch], chunksize=1):
                # (chunksize given: without it, map divides by the pool's size, which is
                # 0 for a moment while a worker past maxtasksperchild is replaced)
                for k, v in tot.items():
                    totals[k] = totals.get(k, 0) + v
                for sig, (count, text) in fnd.items():
                    entry = found.setdefault(sig, [0, None])
                    entry[0] += count
                    if entry[1] is None:
                        entry[1] = text
            done += len(batch)
            print(f"[{time.time() - start:7.0f} s] chunks {done}/{len(chunks)}: "
                  f"{totals.get('generated', 0)} programs generated, "
                  f"{totals.get('calls', 0)} calls, "
                  f"{sum(c for c, _ in found.values())} failures in {len(found)} kinds"
                  + (f"; compiled code served {totals.get('compiled_calls', 0)} calls in "
                     f"{totals.get('compiled_programs', 0)} programs" if a.tier else ""),
                  flush=True)
    print(f"\n{totals.get('generated', 0)} programs generated ({totals.get('runs', 0)} runs with "
          f"shrinking; {sum(c for c, _ in found.values())} failed), calls of passing runs: "
          f"{totals.get('calls', 0)} ({totals.get('graph_calls', 0)} answered by "
          f"graphs, {totals.get('fallbacks', 0)} fallbacks), {totals.get('conversions', 0)} "
          f"graphs built, {totals.get('graphed_programs', 0)} programs served by graphs; "
          f"{time.time() - start:.0f} s")
    if a.tier:
        print(f"compiled tier ({a.tier}): {totals.get('compiled_graphs', 0)} graphs served by "
              f"compiled code, {totals.get('compiled_calls', 0)} calls answered by it, in "
              f"{totals.get('compiled_programs', 0)} programs")
    if found:
        os.makedirs(a.out, exist_ok=True)
        for i, (sig, (count, text)) in enumerate(sorted(found.items(), key=lambda kv: -kv[1][0])):
            print(f"\n=== failure kind {i}: {count}x: {sig}")
            path = os.path.join(a.out, f"kind{i}.txt")
            with open(path, "w") as fh:
                fh.write(text or sig)
            print(f"    minimal program: {path}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
