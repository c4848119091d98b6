"""Tiering: the NumPy-tier graph serves calls while its compiled version builds in a
background thread; once ready, both serve alternate calls for ``TIER_MEASURE_CALLS`` each
and the compiled one takes over only when measured faster on this graph.

``tier_up(owner, record, ...)`` is the one hook `api.py` calls after building a graph.
numba never runs in a thread of the user's process: the compile runs in a worker process
(`worker.py`), and its result is loaded from numba's on-disk cache in the calling thread at
the graph's next call (`Pending`), with the process-wide ``warnings`` state kept exactly as
it was (`isolate.py`). ``JANUS_LITE_TIER=compiled`` compiles synchronously in the calling
thread, equally isolated.
The compiled entry is the same generated Python entry (guards, deferred commits, printed
output, RNG restores — all unchanged), with each lowerable run of nodes replaced by a call
of its numba function; when that raises `TierFallback`, the call is answered by the NumPy
tier entry (nothing was committed: commits come after every segment).

``graph.tier_state`` (an `ir.backend_state.TierState`) says which tier serves the graph
and why (``explain()`` and the summary show both), with the compile's timings and sources;
the log topic is ``janus_lite.tier``.
"""
from __future__ import annotations

import collections
import logging
import statistics
import threading
import time
import warnings

from ... import config
from ...ir.backend_state import TierState
from ..codegen import Miss

log = logging.getLogger("janus_lite.tier")

COUNTS: collections.Counter = collections.Counter()
"""Process-wide tallies: graphs compiled / kept on NumPy and why, calls the compiled code
handed to the NumPy tier (``numpy_tier_calls``)."""

PRE_PASSES = ("fold", "simplify", "cse", "dce", "hoist_asserts", "lower")
"""The NumPy pipeline's passes that also run before lowering (fusion and memory planning
are the NumPy tier's own way to the same end)."""


def mode(owner) -> str:
    """"off", "auto" or "compiled" for this function."""
    want = getattr(owner, "_tier_request", "auto")
    tier = config.TIER
    if want != "auto" or tier == "off":
        return "off"
    return "compiled" if tier == "compiled" else "auto"


def tier_up(owner, record, specs, example, relaxed):
    """Start compiling ``record``'s graph (in the background unless forced); in ``auto``
    mode only once the graph is hot (`warmup`)."""
    graph = record.graph
    m = mode(owner)
    if m == "off":
        graph.tier_state = TierState(
            "numpy", f"compiled tier off (backend={owner._tier_request!r})")
        return
    from . import available
    ok, why = available()
    if not ok:
        graph.tier_state = TierState("numpy", why)
        return
    if m == "auto" and config.TIER_HOT_S > 0:
        graph.tier_state = TierState("numpy", WARMING)
        record.entry = warmup(owner, record, specs, example, relaxed)
        return
    _start(owner, record, specs, example, relaxed, m)


def _start(owner, record, specs, example, relaxed, m):
    """Lower the graph and compile it (numba is available: `tier_up` checked)."""
    graph = record.graph
    state = graph.tier_state      # a hot graph's; else a new one, set with its first reason
    if state is None:
        state = TierState()
    exact = getattr(owner, "_exact", True)
    try:
        cgraph, plan = _lowered(owner, specs, example, relaxed, exact)
    except Exception as exc:        # our bug, never the user's: the NumPy tier serves
        log.debug("lowering failed", exc_info=True)
        log.warning("compiled tier: lowering %s failed: %s: %s", owner.events.qualname,
                    type(exc).__name__, exc)
        state.tier = "numpy"
        state.reason = f"lowering failed ({type(exc).__name__}: {exc})"
        graph.tier_state = state
        return
    state.segments = plan
    if not plan.segments:
        COUNTS["graphs_nothing_to_compile"] += 1
        state.tier = "numpy"
        state.reason = "nothing worth compiling: " + (
            "; ".join(sorted(set(plan.reasons.values()))[:4]) or "no lowerable ops")
        graph.tier_state = state
        return
    job = Job(owner, record, cgraph, plan, exact)
    state.tier, state.reason = "numpy", "compiling in the background"
    graph.tier_state = state
    if m == "compiled":
        job.run_forced()
    else:
        job.submit()


def _lowered(owner, specs, example, relaxed, exact):
    from ...frontend import convert
    from ...passes import run_passes
    from .segments import plan as plan_segments
    from ...runtime.gc_pause import gc_paused
    fn = owner.__wrapped__
    with gc_paused():
        cgraph = convert(fn, owner._fdef, owner._klass, specs, owner._profiler.profile,
                         fn.__name__, example, relaxed)
        run_passes(cgraph, enabled=PRE_PASSES)
        return cgraph, plan_segments(cgraph, exact)


WARMING = "NumPy tier while the graph is cold (compiled once its calls took TIER_HOT_S)"
"""``TierState.reason`` of a graph that has not run long enough to be worth compiling."""

LOADS = "compiling in the background (done: loads at the graph's next call)"
MEASURING = "compiling in the background (done: measuring against the NumPy tier)"
"""``TierState.reason`` while the compiled code waits for its load, then while it is measured
(both start with "compiling": the tier is not decided yet)."""


class Skip(Exception):
    """The compiled version would not be exact here (found by the self-check)."""


class Job:
    def __init__(self, owner, record, cgraph, plan, exact):
        self.owner, self.record, self.cgraph, self.plan = owner, record, cgraph, plan
        self.exact = exact
        self.t0 = time.perf_counter()
        self.answer = None

    # -- JANUS_LITE_TIER=compiled: in this process, now --------------------------------
    def run_forced(self):
        """Compile synchronously in the calling thread (inside ``_build``), with numba's
        effects on the process-wide state undone (`isolate.kept_process_state`)."""
        from . import selfcheck
        from .build import load
        from .isolate import kept_process_state
        from .worker import skip_reason
        try:
            with kept_process_state("compiling a graph"):
                selfcheck.run()
                why = skip_reason(self.plan.ops, self.plan.matvecs)
                if why:
                    raise Skip(why)
                mod = load(self.plan.source())
            self._finish(mod, "forced (JANUS_LITE_TIER=compiled)", forced=True)
        except Skip as exc:
            self._skipped(str(exc))
        except Exception as exc:
            self._failed(exc)

    # -- JANUS_LITE_TIER=auto: in the worker process, then loaded at a call boundary ----
    def submit(self):
        from ... import config
        from .build import write_module
        from .worker import POOL
        self.path = write_module(self.plan.source())
        request = {"cache_dir": config.CACHE_DIR, "module": self.path,
                   "ops": sorted(self.plan.ops),
                   "matvecs": [[list(s), d, t] for s, d, t in sorted(self.plan.matvecs)]}
        POOL.submit(request, self._compiled)

    def _compiled(self, answer):
        """In the pool's thread: the worker answered. Only records the answer and installs
        `Pending`, which loads the compiled code at this graph's next call."""
        self.answer = answer
        self.answered = time.perf_counter()
        state = self.record.graph.tier_state
        if state.reason == "compiling in the background":
            state.reason = LOADS
        self._install(Pending(self, self.record.entry))

    def load(self):
        """In the calling thread, at a call boundary: take the worker's answer, load the
        compiled code from numba's cache (never compiling here) and start measuring."""
        from . import selfcheck
        from .build import CacheMiss, load_cached
        from .isolate import kept_process_state
        from .table import DISABLED
        ans = self.answer
        for line in ans.get("output", "").splitlines():
            log.debug("compiled tier worker: %s", line)
        for w in ans.get("warnings", ()):
            log.debug("compiled tier worker warned: %s", w)
        for op, why in ans.get("disabled", {}).items():
            if op not in DISABLED:
                DISABLED[op] = why
                log.warning("compiled tier: lowering of %s switched off: %s", op, why)
        for shape, dt, trans, ok in ans.get("matvec", ()):
            selfcheck._MATVEC.setdefault((tuple(shape), dt, trans), ok)
        try:
            if "error" in ans:
                raise RuntimeError(ans["error"])
            if ans.get("skip"):
                raise Skip(ans["skip"])
            try:
                t0 = time.perf_counter()
                with kept_process_state("loading compiled code"):
                    mod = load_cached(self.path)
                self.record.graph.tier_state.load_s = time.perf_counter() - t0
            except CacheMiss as exc:
                raise Skip(f"not in numba's cache ({exc}), and this process never "
                           f"compiles: NumPy tier kept") from None
            self._finish(mod, None)
        except Skip as exc:
            self._skipped(str(exc))
        except Exception as exc:
            self._failed(exc)

    # -- both -----------------------------------------------------------------------------
    def _finish(self, mod, forced_why, forced=False):
        state = self.record.graph.tier_state
        entry, text = self._assemble(mod)
        state.compile_s = time.perf_counter() - self.t0
        state.compiled_source = text
        if self.answer is not None:         # the worker's wall time (queue wait excluded)
            state.worker_s = self.answer.get("wall_s")
            state.answered_s = self.answered - self.t0
        log.info("compiled tier: %s compiled in %.2f s (%d segments)",
                 self.owner.events.qualname, state.compile_s,
                 len(self.plan.segments))
        if forced:
            self._switch(entry, forced_why, forced=True)
        else:
            state.reason = MEASURING
            self._install(Measure(self, self.numpy_entry(), entry))

    def numpy_entry(self):
        entry = self.record.entry
        return entry.n if isinstance(entry, Pending) else entry

    def _skipped(self, why):
        COUNTS["graphs_skipped_by_self_check"] += 1
        state = self.record.graph.tier_state
        state.reason = f"not compiled: {why}"
        state.compile_s = time.perf_counter() - self.t0
        self._uninstall_pending()

    def _failed(self, exc):
        log.warning("compiled tier: compiling %s failed: %s: %s",
                    self.owner.events.qualname, type(exc).__name__, exc)
        self.record.graph.tier_state.reason = \
            f"numba could not compile it ({type(exc).__name__})"
        COUNTS["graphs_failed_to_compile"] += 1
        self._uninstall_pending()

    def _uninstall_pending(self):
        if isinstance(self.record.entry, Pending):
            self._install(self.record.entry.n)

    def _assemble(self, mod):
        """The compiled entry (and its source text) from the loaded module ``mod``."""
        from ...runtime.held_warnings import may_abandon
        from .. import codegen
        from .build import TierFallback, wrapper
        from .segments import rewrite
        wrappers = []
        for seg in self.plan.segments:
            seg.run, wtext = wrapper(getattr(mod, seg.fname), self.cgraph, seg)
            wrappers.append(wtext)
        rewrite(self.cgraph, self.plan.segments)
        guards = self.cgraph.guards
        if len(guards) != self.record.n_guards:
            raise RuntimeError("the lowered graph's guards differ from the NumPy tier's")
        owner = self.owner
        centry, source = codegen.compile_graph(self.cgraph, owner.__wrapped__, owner._fdef,
                                               guards)
        nentry = self.numpy_entry()
        if may_abandon(self.cgraph):
            tiered = _held_tiered(centry, nentry)
        else:
            def tiered(*args, **kwargs):
                try:
                    return centry(*args, **kwargs)
                except TierFallback:
                    COUNTS["numpy_tier_calls"] += 1
                    return nentry(*args, **kwargs)

        tiered.__wrapped__ = centry
        text = source + "\n\n# -- numba segments --\n" + self.plan.source() + \
            "\n# -- their Python wrappers --\n" + "\n".join(wrappers)
        return tiered, text

    def _install(self, entry, forced=False):
        if forced:           # inside _build: the policy installs the record afterwards
            self.record.entry = entry
            return True
        return _install_entry(self.owner, self.record, entry)

    def _switch(self, entry, why, forced=False, recheck=False):
        """Serve ``entry`` (``recheck``: it measures itself once more later)."""
        graph = self.record.graph
        state = graph.tier_state
        if self._install(entry, forced):
            state.recheck = recheck
            if state.tier == "compiled":       # the re-check confirmed it
                state.reason = why
                return
            COUNTS["graphs_compiled"] += 1
            state.tier, state.reason = "compiled", why
            state.numpy_source = graph.code
            graph.code = state.compiled_source
            self.record.tier = "compiled"
            self.record.code = state.compiled_source
            self.owner.events.add("tier", f"compiled tier serves graph: {why}", None,
                                  topic="tier")

    def _stay(self, entry, why):
        graph = self.record.graph
        state = graph.tier_state
        if self._install(entry):
            state.recheck = False
            if state.tier == "compiled":       # the re-check overturned it
                COUNTS["graphs_compiled"] -= 1
                graph.code = state.numpy_source
                self.record.tier = "numpy"
                self.record.code = graph.code
            state.tier, state.reason = "numpy", why
            self.owner.events.add("tier", f"NumPy tier kept: {why}", None, topic="tier")


def _held_tiered(centry, nentry):
    """The compiled entry for a graph whose run may be abandoned after it warned: a
    compiled segment hands the call to the NumPy tier (`TierFallback`: NumPy would warn or
    raise there) after NumPy ops of the entry already warned (``np.log2(p)`` before the
    segment holding ``-p * ...``), or an assertion fails in a segment. The dispatch holds a
    graph's warnings only where the NumPy tier's graph may be abandoned after a warning,
    which says nothing of the segments; so the warnings of the compiled run are held here
    and taken back when the run is abandoned (the NumPy tier or the plain function then
    warns them), shown (to whatever ``showwarning`` was in place: the dispatch's holder,
    if it holds) when its answer is kept."""
    from ...runtime.held_warnings import HeldWarnings
    from .build import TierFallback

    def tiered(*args, **kwargs):
        held = HeldWarnings.hold()
        warnings.showwarning = held
        try:
            result = centry(*args, **kwargs)
        except TierFallback:
            held.forget()
            COUNTS["numpy_tier_calls"] += 1
            return nentry(*args, **kwargs)
        except BaseException as exc:
            if isinstance(exc, Exception) and not getattr(exc, "__jl_committed__", False):
                held.forget()        # abandoned: the plain function answers, and warns
            else:
                held.release()       # the call's own outcome
            raise
        if type(result) is Miss:
            held.forget()
        else:
            held.release()
        return result

    return tiered


def warmup(owner, record, specs, example, relaxed):
    """The entry of a graph that is not hot yet: the NumPy-tier entry itself, so that a cold
    graph's calls cost nothing more. The dispatch calls the record's ``tick`` when its hits
    reach ``tick_at``: the next ``_WINDOW`` calls then go through a timing entry, whose mean
    times the hits so far estimates the time spent in the graph's calls; once that reaches
    ``config.TIER_HOT_S`` the tier-up starts (a second conversion, the worker's compile, a
    load), else the NumPy entry serves again until the estimate could reach it (at least
    twice as many hits). A short run never pays for a compile it could not earn back; a long
    one tiers up after its first fraction of a second."""
    n = record.entry
    state = [0, 0.0, (specs, example, relaxed)]     # window calls, their seconds, args
    taken = threading.Lock()
    clock = time.perf_counter

    def timed(*args, **kwargs):
        t = clock()
        result = n(*args, **kwargs)
        state[1] += clock() - t
        state[0] += 1
        if state[0] >= _WINDOW:
            _window_done(owner, record, n, state, taken)
        return result
    timed.__wrapped__ = n

    def tick():
        state[0], state[1] = 0, 0.0
        record.tick_at = 0
        _install_entry(owner, record, timed)

    record.tick = tick
    record.tick_at = _WINDOW
    return n


_WINDOW = 8
"""Calls timed per warm-up window (the first window starts after this many hits)."""


def _window_done(owner, record, numpy_entry, state, taken):
    mean = state[1] / state[0]
    spent = mean * record.hits
    if spent >= config.TIER_HOT_S:
        if taken.acquire(blocking=False):
            state[1] = spent
            _hot(owner, record, numpy_entry, state)
        return
    need = int((config.TIER_HOT_S - spent) / mean) if mean > 0 else record.hits
    record.tick_at = record.hits + max(need, record.hits, _WINDOW)
    _install_entry(owner, record, numpy_entry)


def _install_entry(owner, record, entry) -> bool:
    """Serve ``record``'s calls through ``entry`` (False: the graph was replaced or retired
    meanwhile, and nothing changes)."""
    with owner._lock:
        active = owner._policy.active
        if not any(cg is record for cg in active):
            return False
        record.entry = entry
        owner._install(active)
        return True


def _hot(owner, record, numpy_entry, state):
    if not _install_entry(owner, record, numpy_entry):
        return
    record.graph.tier_state.hot_s = state[1]
    owner.events.add("tier", f"graph #{record.number} is hot (~{state[1]:.2f} s in its "
                     f"calls): compiling it", None, topic="tier")
    args, state[2] = state[2], None
    _start(owner, record, *args, mode(owner))


class Pending:
    """The NumPy-tier entry while the worker's compiled code waits to be loaded: its first
    call loads it (in the calling thread, `Job.load`), then answers through the NumPy tier
    entry, as every call of a concurrent thread does meanwhile."""

    def __init__(self, job, numpy_entry):
        self.job, self.n = job, numpy_entry
        self._taken = threading.Lock()

    def __call__(self, *args, **kwargs):
        if self._taken.acquire(blocking=False):
            self.job.load()
        return self.n(*args, **kwargs)


def _recheck(job, numpy_entry, compiled_entry):
    """The compiled entry, counting its calls: after ``config.TIER_RECHECK_CALLS`` it hands
    over to a last `Measure` (whose verdict stands)."""
    left = [config.TIER_RECHECK_CALLS]

    def compiled(*args, **kwargs):
        left[0] -= 1
        if left[0] == 0:
            job._install(Measure(job, numpy_entry, compiled_entry, final=True))
        return compiled_entry(*args, **kwargs)
    compiled.__wrapped__ = getattr(compiled_entry, "__wrapped__", compiled_entry)
    return compiled


class Measure:
    """An entry that alternates the NumPy-tier and compiled entries, timing each, and then
    installs the faster."""

    def __init__(self, job, numpy_entry, compiled_entry, final=False):
        self.job, self.n, self.c = job, numpy_entry, compiled_entry
        self.final = final               # the re-check after TIER_RECHECK_CALLS calls
        self.times = ([], [])
        self.walls = ([], [])
        self.calls = 0
        self.done = False

    def __call__(self, *args, **kwargs):
        which = self.calls % 2
        self.calls += 1
        entry = self.c if which else self.n
        t = time.process_time()          # CPU time: other processes' load does not count
        w = time.perf_counter()          # wall time: a kernel split over threads counts once
        result = entry(*args, **kwargs)
        if type(result) is not Miss:
            self.times[which].append(time.process_time() - t)
            self.walls[which].append(time.perf_counter() - w)
        n = min(len(x) for x in self.times)
        if not self.done and n >= config.TIER_MEASURE_CALLS and (
                n >= 256 or sum(self.times[0]) + sum(self.times[1]) >= 0.02):
            self.done = True
            tn, tc = (statistics.median(x) for x in self.times)
            wn, wc = (statistics.median(x) for x in self.walls)
            how = f"measured {tc * 1e6:.1f} µs compiled vs {tn * 1e6:.1f} µs NumPy tier " \
                  f"(CPU; wall {wc * 1e6:.1f} vs {wn * 1e6:.1f} µs)"
            # faster by both clocks: CPU time alone favours one thread over the NumPy
            # tier's kernels split across two; wall time alone measures the neighbours
            if tc < tn * (1 - config.TIER_MIN_GAIN) and wc < wn * (1 - config.TIER_MIN_GAIN):
                if self.final or config.TIER_RECHECK_CALLS <= 0:
                    self.job._switch(self.c, how + (" (re-checked)" if self.final else ""))
                else:
                    # measured right after the compile, the machine may not be as it will
                    # be (a NumPy-tier kernel that splits over two threads ran alone while
                    # the worker was busy): serve compiled, and measure once more later
                    self.job._switch(_recheck(self.job, self.n, self.c), how, recheck=True)
            else:
                self.job._stay(self.n, "compiled not faster: " + how +
                               (" (re-checked)" if self.final else ""))
        return result
