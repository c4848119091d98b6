"""`python -m benchmarks.tile_size`: how the fused kernel's time depends on the tile size
(single thread and two threads), on the Adam update and the tanh/exp chain (1e6 f32),
plain NumPy re-timed beside each. The default (config.TILE_ELEMENTS) was picked from this."""
from __future__ import annotations

import statistics
import sys
import time

import numpy as np

import janus_lite
from janus_lite import config

from .workloads import adam_args, adam_update, chain_args, elementwise_chain

TILES = [8192, 16384, 32768, 65536, 131072]


def _median_ms(fn, args, reps):
    """Median process CPU time per call (all threads): less disturbed by other processes
    than wall time on a shared machine."""
    ts = []
    for _ in range(reps):
        t0 = time.process_time()
        fn(*args)
        ts.append(time.process_time() - t0)
    return statistics.median(ts) * 1e3


def main(argv=None):
    quick = "--quick" in (argv or sys.argv[1:])
    reps = 5 if quick else 15
    rows = []
    for name, fn, make in [("adam", adam_update, adam_args),
                           ("chain", elementwise_chain, chain_args)]:
        args = make(np.random.default_rng(0))
        for threads in (1, 2):
            config.KERNEL_THREADS = threads
            config.KERNEL_THREADS_IF_IDLE = False
            jits = {}
            for tile in TILES:
                config.TILE_ELEMENTS = tile
                f = janus_lite.jit(fn)
                for _ in range(3):
                    f(*args)
                jits[tile] = f
            times = {t: [] for t in TILES}
            base = []
            for _ in range(3):                      # interleaved rounds
                base.append(_median_ms(fn, args, reps))
                for t, f in jits.items():
                    times[t].append(_median_ms(f, args, reps))
            b = statistics.median(base)
            for t in TILES:
                m = statistics.median(times[t])
                rows.append((name, threads, t, b, m, b / m))
    print("CPU time per call (process_time, all threads), medians of interleaved rounds")
    print("| workload | threads | tile (elements) | numpy ms | janus ms | speedup |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
