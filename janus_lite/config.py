"""Every knob of janus_lite, in one place. Each can be changed at run time
(``janus_lite.config.PROFILE_RUNS = 3``) or for a block (``with
janus_lite.config.patch(MAX_GRAPHS=2): ...``); `jit(...)` arguments override the first three
per function. Setting a name that is not a knob (a typo: ``MAX_GRAPH``) raises AttributeError
with the nearest knob's name; a value of the wrong type or range raises TypeError/ValueError
at once, never inside a later call."""
from __future__ import annotations

import contextlib
import difflib
import os
import sys
import threading
import types

DISABLE = os.environ.get("JANUS_LITE_DISABLE", "").strip().lower() not in ("", "0", "false",
                                                                            "no", "off")
"""Turn janus_lite off: every decorated function runs the plain Python function (counted in
``f.stats["disabled_calls"]``). From the environment: ``JANUS_LITE_DISABLE=1``; for one
block of one thread: ``with janus_lite.disabled(): ...``."""

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

RELAX_STATE_DIMS = True
"""A state array (an attribute, a global, an item of one) whose shape differs from the one a
graph guards, with the same rank and dtype (another layer of the same class, a buffer that
grew): the graph is rebuilt reading its shape at run time (any dims of its rank), so one
graph serves every shape. False: a graph per shape, side by side (up to max_graphs)."""

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
"""Logging topics switched on from the environment: ``JANUS_LITE_LOG=fallbacks,graphs,
guards,code`` (``graphs``/``fallbacks`` at INFO, ``guards``/``code`` at DEBUG; ``graphs:debug``
also prints each graph built; ``all`` or ``all:debug``). See ``janus_lite.inspect.logs``."""

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
"""Result arrays a fused kernel or a compiled segment keeps per output to hand out again
once the caller has dropped them (no reference left but the kernel's): their pages stay
mapped, so a large result never costs fresh page faults, whatever the allocator did before
(`backend.recycle`). 0: always new."""

RECYCLE_MIN_BYTES = 1 << 18
"""The smallest result a compiled segment writes into a recycled array (static shapes
only; fused kernels recycle from FUSE_MIN_ELEMENTS on). Smaller ones come from the
allocator's caches with their pages mapped, and the pool's checks (~1 µs a call) would
cost more than they save."""

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

# -- Dask backend (janus_lite/backend/dask_backend.py; optional extra janus-lite[dask]) --------
DASK_PASSES = ("fold", "simplify", "cse", "dce", "hoist_asserts")
"""Optimization passes run on graphs lowered to Dask: the exact ones that rewrite ops, not
the ones that make NumPy kernels (lowering to ufunc.reduce, fused tiles, out= buffers),
which Dask arrays cannot run."""

DASK_PERSIST_LOOP_INPUTS = True
"""A loop whose trip count depends on the data (``while loss > tol``) computes its
predicate once per trip; the chunked arrays it reads (``X``, ``X.T``...) are persisted once
per call first, so each trip does not recompute them from their sources."""

DASK_GATHER_IMPERATIVE = True
"""Calls answered by the plain function (profiling runs, fallbacks) get their Dask
arguments computed into NumPy arrays first, so they behave exactly as the function does on
NumPy data (which the plain function on Dask arrays often does not: ``w -= lr * grad``
raises). Costs one gather of the data per such call. False: pass the Dask arrays as given."""

DASK_GATHER_BATCH_BYTES = 64 << 20
"""Most bytes of Dask array blocks gathered by one compute when an imperative run gathers
its Dask arguments: a dataset bigger than the cluster's memory comes back in batches."""


# -- the compiled tier (janus_lite/backend/compiled, needs the optional numba) -----------------
TIER = os.environ.get("JANUS_LITE_TIER", "auto")
"""Compiled tier (numba): ``"auto"`` (default: with numba installed, graphs of functions whose
backend is ``"auto"`` are compiled in a separate worker process, loaded from numba's cache at
their next call and switched to once measured faster; numba never runs in a thread of this
process, and its effects on the process-wide ``warnings`` state and streams are undone),
``"off"`` (NumPy tier only, ``JANUS_LITE_TIER=off``), ``"compiled"`` (compile synchronously
in this process when a graph is built and serve the compiled code at once, without
measuring: the test suites run the differential suites this way,
``JANUS_LITE_TIER=compiled``)."""

CACHE_DIR = os.environ.get("JANUS_LITE_CACHE_DIR",
                           os.path.join(os.path.expanduser("~"), ".cache", "janus_lite"))
"""Where the compiled tier writes generated numba modules (one file per hash of its
source) and numba's on-disk cache, so a second process starts compiled."""

TIER_HOT_S = float(os.environ.get("JANUS_LITE_TIER_HOT_S", "0.5"))
"""``auto`` tier: a graph is compiled only once its calls have taken this many seconds in
all (0: at once, as soon as it is built). The compile (a second conversion in this
process, numba in the worker, loading numba and the code here) costs around a second, which a
short run could never earn back."""

TIER_MEASURE_CALLS = 8
"""Fewest calls each of the NumPy-tier and the compiled entry serve (alternating) once the
compiled one is ready (more, up to 256 each, until 20 ms of calls were timed); the
compiled one takes over only if its median per call is lower by TIER_MIN_GAIN both in
process CPU time (on a shared machine, wall time alone mostly measures the others) and in
wall time (CPU time alone counts a NumPy-tier kernel split over two threads twice)."""

TIER_RECHECK_CALLS = 256
"""After the compiled entry took over, it is measured against the NumPy tier once more
after this many calls (0: never), and that verdict stands: the first measurement runs
right after the compile, when the machine may not be as it will be."""

TIER_MIN_GAIN = 0.05
"""Relative gain (0.05: 5 % faster) the compiled entry needs over the NumPy-tier entry on
this graph before it serves the graph's calls."""
# -- policy (janus_lite/runtime/policy.py) -------------------------------------------------
CONVERSION_PAUSES_GC = True
"""Pause Python's cyclic garbage collector while a graph is converted (runtime/gc_pause.py:
conversion allocates many short-lived objects, and the collections they trigger walk the
whole heap; measured ~15-30% of conversion time on the corpus). False: leave it alone."""

CONVERSION_FREE_S = 2.0
"""Conversion time (seconds, per function) always allowed, whatever the function's own run
time; past it the conversion budget below applies."""

CONVERSION_TIME_SHARE = 1.0
"""Conversion budget: after the first graph, a function's total conversion time may not
exceed CONVERSION_FREE_S plus this share of its own run time so far (calls × mean
imperative run); past it, calls that fit no graph run the plain function (said once, in a
PerformanceWarning and in explain()) until its run time pays for another conversion."""

FAST_DISPATCH = True
"""Once a decorated function has graphs, its calls go through a dispatch generated for it
with its own signature (janus_lite/fastcall.py: ~0.2-0.3 µs less per call). False: the
generic dispatch always (results never depend on it)."""

ARBITRATE = os.environ.get("JANUS_LITE_ARBITRATE", "0").strip().lower() not in (
    "0", "false", "no", "off")
"""Opt-in (off by default; ``JANUS_LITE_ARBITRATE=1`` or ``config.ARBITRATE = True`` turns it on, because it moves calls from ``graph_calls`` to ``plain_calls``). Never slower than plain: once graphs serve a function, time a few of its calls answered
by the graphs and by the plain function (interleaved); if the graphs are not faster by
ARBITRATE_MARGIN, the plain function serves its calls through a fast path (the graphs stay
built, ``explain()`` says so) and the choice is re-measured now and then. Results never
depend on it (the plain function is exact). Tests turn it off (a time measurement) except
the tests of arbitration itself."""

ARBITRATE_WARMUP = 2
"""Graph-served calls not timed after a graph is built (first-call costs: buffers, caches)."""

ARBITRATE_SAMPLES = 5
"""Timed calls of each side (graph, plain) before deciding; the fastest of each is compared."""

ARBITRATE_MARGIN = 0.03
"""Relative gain the graphs need over the plain function to keep serving (0.03: 3% faster)."""

ARBITRATE_RECHECK_CALLS = 256
"""Calls the plain function serves (after it measured faster) before measuring again;
doubled each time the plain function wins again, up to ARBITRATE_RECHECK_MAX."""

ARBITRATE_RECHECK_MAX = 16384
"""Most calls between two measurements of a function the plain function serves."""

CONVERSION_PAYBACK = float(os.environ.get("JANUS_LITE_CONVERSION_PAYBACK", "0"))
"""(From the environment: ``JANUS_LITE_CONVERSION_PAYBACK``.) Before its first graph, a function runs plainly (timed, not profiled, its source not
parsed) until its calls have run this many times its predicted conversion cost; then it is
profiled and converted (see janus_lite/runtime/budget.py). 0 (the default: the contract
is that the first graph is built after ``profile_runs`` calls): profile from the first call. Larger: fewer conversions that cannot pay for themselves, later graphs."""

CONVERSION_PRIOR_US_PER_BYTE = 25.0
"""The conversion cost predicted before this process has converted anything, in
microseconds per byte of the function's bytecode (measured: median ~25 µs/byte over the
corpus' functions, from 1 to 700); each conversion then refines the estimate."""

CONVERSION_PRIOR_US_PER_RECORD = 150.0
"""The same after profiling, in microseconds per value one profiled run recorded (about
one graph node each; measured ~100-300 µs per node converted on the corpus)."""

GUARD_MISS_WARN_AFTER = 8
"""Calls in a row that fit no graph and can lead to none before a PerformanceWarning says
the guards keep missing."""

MISS_STREAK_PLAIN = 16
"""Calls in a row that fit no graph and could build none (no graph answered in between)
before the plain function answers the following calls directly, without trying the graphs
or asking the policy (each such miss costs tens of microseconds): this many, then twice as
many each time the graphs are tried again and still miss, up to MISS_STREAK_PLAIN_MAX.
0: never."""

MISS_STREAK_PLAIN_MAX = 4096
"""The longest run of calls the plain function answers directly before the graphs are
tried again."""

LOOP_NODE_AFTER_NODES = 200
"""A loop over a sequence known while converting is unrolled while it stays under this
many nodes (extrapolated from the trips converted so far, nodes inside its trips' own
conditional and loop nodes included); past it, it becomes a loop node if its body can be
one (converting ~15× cheaper for a 60-trip loop, at the same speed per call), else it is
unrolled up to MAX_UNROLLED_NODES."""

MAX_UNROLLED_NODES = 1000
"""Most nodes one unrolled loop may emit (checked after each trip, extrapolated to all
trips); a loop that would unroll into more stays a loop
node (a naive nested convolution loop unrolled into ~19k nodes and took 37 s to convert)."""

REBUILT_SAME = 2
"""How many times a graph with the very same assumptions may be built for one function;
past it, graphs are replacing each other in a cycle (more layers or parameters than
``max_graphs``), and the function stops converting (its working graphs keep serving)."""

RETIRE_MIN_CALLS = 10
"""A graph kept after its rebuild failed (it serves the calls its speculation holds for) is
retired only once its assertions failed on more calls than they held, over at least this
many calls."""

RETIRE_USELESS_RATIO = 8
"""A graph whose guards miss on more than this many calls per call it serves (over at least
RETIRE_MIN_CALLS misses), where no graph can be built for the calls it misses, is retired:
those calls stop paying for its guards (a list that grows every call and stays guarded)."""

# -- validation: the module below is replaced by a checked view of itself ---------------------
_MIN = {"PROFILE_RUNS": 1, "MAX_GRAPHS": 1, "RELAX_AFTER": 1, "MAX_FAILED_CONVERSIONS": 1,
        "MAX_FALLBACKS_BEFORE_REGENERATE": 1, "MAX_REBUILDS": 0, "TILE_ELEMENTS": 1,
        "KERNEL_THREADS": 1, "ARBITRATE_SAMPLES": 1, "ARBITRATE_RECHECK_CALLS": 1,
        "ARBITRATE_RECHECK_MAX": 1, "REBUILT_SAME": 1}
"""Smallest value of the integer knobs that have one above 0 (every other int: 0)."""

_lock = threading.RLock()
_VALIDATORS: dict = {}
"""Checks registered from above (config imports nothing of janus_lite): ``name → callable``
raising for a bad value (``options`` registers BACKEND's, which asks the backends)."""
_WATCHERS: list = []
"""Callables ``(name, value)`` told after a knob is set (``switch`` watches DISABLE)."""


def _set(mod, name, value):
    types.ModuleType.__setattr__(mod, name, value)
    for watch in _WATCHERS:
        watch(name, value)


def knobs() -> dict:
    """The knobs and their current values, by name."""
    mod = sys.modules[__name__]
    return {k: v for k, v in vars(mod).items() if k.isupper() and not k.startswith("_")}


def _names_like(name: str) -> str:
    near = difflib.get_close_matches(name.upper(), list(knobs()), n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else \
        f"; the knobs are {', '.join(sorted(knobs()))}"


def check(name: str, value):
    """``value`` as knob ``name`` holds it, or TypeError/ValueError saying what is wrong."""
    current = knobs()
    if name not in current:
        raise AttributeError(f"janus_lite.config has no knob {name!r}{_names_like(name)}")
    old = current[name]
    where = f"janus_lite.config.{name}"
    if name == "PASSES":
        if value is None:
            return None
        if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)) \
                or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{where} must be None or a list of pass names, got {value!r}")
        return value
    if name == "LOG_TOPICS":
        if isinstance(value, str):
            value = [t.strip() for t in value.split(",") if t.strip()]
        if not isinstance(value, (list, tuple, set, frozenset)) or \
                not all(isinstance(v, str) for v in value):
            raise TypeError(f"{where} must be a set of topic names, got {value!r}")
        return frozenset(value)
    if isinstance(old, bool):
        if not isinstance(value, (bool, int)) or value not in (0, 1):
            raise TypeError(f"{where} must be True or False, got {value!r}")
        return bool(value)
    if isinstance(old, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} must be an int, got {type(value).__name__} {value!r}")
        low = _MIN.get(name, 0)
        if value < low:
            raise ValueError(f"{where} must be >= {low}, got {value}")
        return value
    if isinstance(old, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise TypeError(f"{where} must be a number >= 0, got {value!r}")
        return float(value)
    if isinstance(old, str):
        if not isinstance(value, str):
            raise TypeError(f"{where} must be a str, got {type(value).__name__} {value!r}")
    if name in _VALIDATORS:
        _VALIDATORS[name](value)           # e.g. BACKEND: ValueError naming the backends
    return value


@contextlib.contextmanager
def patch(**values):
    """Set knobs for the length of a ``with`` block, then put the old values back
    (``with janus_lite.config.patch(MAX_GRAPHS=2): ...``). Every value is checked before any
    is set. The knobs are process-wide: other threads see the patched values too."""
    mod = sys.modules[__name__]
    checked = {k: check(k, v) for k, v in values.items()}
    with _lock:
        old = {k: getattr(mod, k) for k in checked}
        for k, v in checked.items():
            _set(mod, k, v)
    try:
        yield mod
    finally:
        with _lock:
            for k, v in old.items():
                _set(mod, k, v)


class _CheckedConfig(types.ModuleType):
    """This module, with assignments checked (unknown names, types, ranges)."""

    def __setattr__(self, name, value):
        if name.isupper() and not name.startswith("_"):
            value = check(name, value)
        elif name not in vars(self):
            raise AttributeError(f"janus_lite.config has no knob {name!r}{_names_like(name)}")
        _set(self, name, value)

    def __delattr__(self, name):
        raise AttributeError(f"janus_lite.config knobs cannot be deleted ({name!r})")

    def __getattr__(self, name):       # only called for names that are not there
        raise AttributeError(f"janus_lite.config has no knob {name!r}{_names_like(name)}")

    def __repr__(self):
        return "<janus_lite.config: " + ", ".join(f"{k}={v!r}" for k, v in knobs().items()) + ">"


sys.modules[__name__].__class__ = _CheckedConfig

