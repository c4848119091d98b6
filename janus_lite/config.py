"""Every knob of janus_lite, in one place. Each can be changed at run time
(``janus_lite.config.PROFILE_RUNS = 3``); `jit(...)` arguments override the first three
per function."""
from __future__ import annotations

import os

PROFILE_RUNS = 2
"""Calls answered imperatively (and profiled) before the first graph is built."""

BACKEND = "auto"
"""Default executor: ``"numpy"`` (generated code, always there), ``"interpreter"``
(the reference node-by-node executor), or ``"auto"`` (the fastest one available)."""

MAX_GRAPHS = 8
"""Most graphs kept per function; past it, misses run imperatively (said in explain())."""

RELAX_AFTER = 1
"""Misses of one relaxable assumption (a shape dim, a scalar's value) before the graph is
regenerated with it relaxed (dim → symbolic, constant → input)."""

MAX_FAILED_CONVERSIONS = 3
"""Failed conversion attempts after which a function stays imperative for good."""

MAX_FALLBACKS_BEFORE_REGENERATE = 2
"""Assertion failures (mid-graph) of one speculation before a more general graph is built."""

MAX_REBUILDS = 2
"""Rebuilds of one graph after mid-graph assertion failures before it is retired."""

MAX_INLINE_DEPTH = 16
"""Nesting depth of inlined user functions before conversion gives up (recursion)."""

MAX_UNROLL = 64
"""Longest loop (in trips) unrolled into straight-line graph code."""

MAX_DISTINCT_OBSERVATIONS = 16
"""Distinct value summaries kept per profiled site (bounded memory)."""

MAX_TRACKED_SEQUENCE = 64
"""Longest tuple/list whose items the profiler summarizes one by one."""

MAX_TRACKED_DEPTH = 10
"""Deepest nesting of tuples/lists (e.g. a tree of tuples) summarized item by item."""

MAX_PROFILED_CALLS = 8
"""Argument observations kept per function (the most recent calls)."""

MAX_EVENTS = 200
"""Fallback/regeneration events kept per function for explain() (counts stay exact)."""

CHECK_RULES = False
"""Debug: verify() the graph after every pass (tests turn this on)."""

LOG_TOPICS = frozenset(t.strip() for t in os.environ.get("JANUS_LITE_LOG", "").split(",")
                       if t.strip())
"""Logging topics switched on from the environment: ``JANUS_LITE_LOG=fallbacks,graphs,guards``."""

# -- optimization passes and kernels (janus_lite/passes, janus_lite/backend/kernels.py) --------
PASSES = None
"""Names of the optimization passes to run (see ``janus_lite.passes.PIPELINE``); None runs
them all. Turning a pass off never changes results, only speed and memory."""

TILE_ELEMENTS = 65536
"""Elements per tile of a fused elementwise kernel. Picked by measurement
(``python -m benchmarks.tile_size``, 2-core AVX-512 EPYC with a 32 MiB L3, 1e6 f32, medians
of interleaved rounds, idle machine): alone, 32K/64K/128K tiles are within noise of each
other (Adam 2.69/2.72/2.73 ms, tanh/exp chain 1.69/1.70/1.67 ms: the whole arrays stay in
L3, so tiles save allocations, not bandwidth, and each tile costs ~0.35 µs per ufunc
call); split across two threads 64K was best (Adam 1.81/1.75/1.86 ms, chain
1.10/1.00/1.01 ms): fewer tiles, fewer GIL hand-offs. 4K–16K are clearly worse. 64K f32 =
256 KiB per scratch slot."""

FUSE_MIN_ELEMENTS = 1 << 18
"""Smallest static array size that gets a fused tiled kernel; smaller chains run op by op
with reused out= buffers. Measured (CPU time, f32, tanh/exp chain and Adam): below 256K
elements the arrays stay in cache and tiling only adds per-tile calls (an MLP's 100K-element
weight update ran 33 µs tiled vs 25 µs for NumPy's two ops), while out= buffers already
remove the allocations; from there on tiles keep the intermediates small."""

PLAN_MIN_BYTES = 1024
"""Smallest static array the memory plan gives a persistent out= buffer. Measured (f64,
steady state, per op): up to 1 KiB plain ``a + b`` costs 255–340 ns and the out= call as
much or 20 ns more (110 ns more with the run-time shape check), since NumPy serves such
sizes from its own small-allocation cache; from 2 KiB on out= saves ~80 ns. The char-RNN
step (100-element vectors) ran 760 µs without buffers vs 789 µs with them."""

KERNEL_THREADS = 2
"""Threads a fused kernel splits a large array across (1: never split)."""

KERNEL_RECYCLE_OUTPUTS = 2
"""Result arrays a fused kernel keeps per output to hand out again once the caller has
dropped them (no reference left but the kernel's): their pages stay mapped, so a large
result never costs fresh page faults, whatever the allocator did before. 0: always new."""

PARALLEL_MIN_ELEMENTS = 1 << 17
"""Smallest array a fused kernel splits across KERNEL_THREADS threads."""

KERNEL_THREADS_IF_IDLE = True
"""Split only where it pays: each kernel times its calls run alone and split, and keeps to
the faster (re-trying the other now and then). On a busy machine a second thread mostly
waits for a GIL held by a descheduled thread. False: always split (tests)."""

KERNEL_JOIN_WAIT_S = 0.0005
"""How long a splitting call waits (without the GIL) for its helper threads to start
before it takes tiles itself: a caller that goes straight on takes the GIL back between
ufunc calls sooner than a sleeping thread wakes, and the helper rarely gets a tile."""

# -- the compiled tier (janus_lite/backend/compiled, needs the optional numba) -----------------
TIER = os.environ.get("JANUS_LITE_TIER", "auto")
"""Compiled tier (numba): ``"auto"`` (default: with numba installed, graphs of functions
whose backend is ``"auto"`` are compiled in a background thread and switched to once ready
and measured faster), ``"off"`` (NumPy tier only), ``"compiled"`` (compile synchronously
when a graph is built and serve the compiled version at once, no measurement: tests run
the differential suites this way, ``JANUS_LITE_TIER=compiled``)."""

CACHE_DIR = os.environ.get("JANUS_LITE_CACHE_DIR",
                           os.path.join(os.path.expanduser("~"), ".cache", "janus_lite"))
"""Where the compiled tier writes generated numba modules (one file per hash of its
source) and numba's on-disk cache, so a second process starts compiled."""

TIER_MEASURE_CALLS = 8
"""Fewest calls each of the NumPy-tier and the compiled entry serve (alternating) once the
compiled one is ready (more, up to 256 each, until 20 ms of calls were timed); the
compiled one takes over only if its median process CPU time per call is lower by
TIER_MIN_GAIN (CPU time: on a shared machine, wall time mostly measures the others)."""

TIER_MIN_GAIN = 0.05
"""Relative gain (0.05: 5 % faster) the compiled entry needs over the NumPy-tier entry on
this graph before it serves the graph's calls."""
