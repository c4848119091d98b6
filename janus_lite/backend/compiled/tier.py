"""Tiering: the NumPy-tier graph serves calls while its compiled version builds in a
background thread; once ready, both serve alternate calls for ``TIER_MEASURE_CALLS`` each
and the compiled one takes over only when measured faster on this graph.

``tier_up(owner, record, ...)`` is the one hook `api.py` calls after building a graph.
The compiled entry is the same generated Python entry (guards, deferred commits, printed
output, RNG restores — all unchanged), with each lowerable run of nodes replaced by a call
of its numba function; when that raises `TierFallback`, the call is answered by the NumPy
tier entry (nothing was committed: commits come after every segment).

``graph.meta["tier"]`` says which tier serves the graph, ``graph.meta["tier_reason"]``
why (``explain()`` and the summary show both); the log topic is ``janus_lite.tier``.
"""
from __future__ import annotations

import collections
import logging
import statistics
import threading
import time

from ... import config
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
    """Start compiling ``record``'s graph (in the background unless forced)."""
    graph = record.graph
    m = mode(owner)
    if m == "off":
        graph.meta["tier"] = "numpy"
        graph.meta["tier_reason"] = f"compiled tier off (backend={owner._tier_request!r})"
        return
    from . import available
    ok, why = available()
    if not ok:
        graph.meta["tier"], graph.meta["tier_reason"] = "numpy", why
        return
    exact = getattr(owner, "_exact", True)
    try:
        cgraph, plan = _lowered(owner, specs, example, relaxed, exact)
    except Exception as exc:        # our bug, never the user's: the NumPy tier serves
        log.warning("compiled tier: lowering %s failed: %s: %s", owner.events.qualname,
                    type(exc).__name__, exc)
        graph.meta["tier"] = "numpy"
        graph.meta["tier_reason"] = f"lowering failed ({type(exc).__name__}: {exc})"
        return
    graph.meta["tier_segments"] = plan
    if not plan.segments:
        COUNTS["graphs_nothing_to_compile"] += 1
        graph.meta["tier"] = "numpy"
        graph.meta["tier_reason"] = "nothing worth compiling: " + (
            "; ".join(sorted(set(plan.reasons.values()))[:4]) or "no lowerable ops")
        return
    job = Job(owner, record, cgraph, plan, exact)
    graph.meta["tier"], graph.meta["tier_reason"] = "numpy", "compiling in the background"
    if m == "compiled":
        job.run(forced=True)
    else:
        threading.Thread(target=job.run, name="janus_lite-tier", daemon=True).start()


def _lowered(owner, specs, example, relaxed, exact):
    from ...frontend import convert
    from ...passes import run_passes
    from .segments import plan as plan_segments
    fn = owner.__wrapped__
    cgraph = convert(fn, owner._fdef, owner._klass, specs, owner._profiler.profile,
                     fn.__name__, example, relaxed)
    run_passes(cgraph, enabled=PRE_PASSES)
    return cgraph, plan_segments(cgraph, exact)


class Skip(Exception):
    """The compiled version would not be exact here (found by the self-check)."""


class Job:
    def __init__(self, owner, record, cgraph, plan, exact):
        self.owner, self.record, self.cgraph, self.plan = owner, record, cgraph, plan
        self.exact = exact

    def run(self, forced=False):
        graph = self.record.graph
        t0 = time.perf_counter()
        try:
            entry, text = self._compile()
        except Skip as exc:
            COUNTS["graphs_skipped_by_self_check"] += 1
            graph.meta["tier_reason"] = f"not compiled: {exc}"
            graph.meta["tier_compile_s"] = time.perf_counter() - t0
            return
        except Exception as exc:
            log.warning("compiled tier: compiling %s failed: %s: %s",
                        self.owner.events.qualname, type(exc).__name__, exc)
            graph.meta["tier_reason"] = f"numba could not compile it ({type(exc).__name__})"
            COUNTS["graphs_failed_to_compile"] += 1
            return
        graph.meta["tier_compile_s"] = time.perf_counter() - t0
        graph.meta["compiled_source"] = text
        log.info("compiled tier: %s compiled in %.2f s (%d segments)",
                 self.owner.events.qualname, graph.meta["tier_compile_s"],
                 len(self.plan.segments))
        if forced:
            self._switch(entry, "forced (JANUS_LITE_TIER=compiled)", forced=True)
        else:
            self._install(Measure(self, self.record.entry, entry))

    def _compile(self):
        from .. import codegen
        from . import selfcheck
        from .build import load, wrapper
        from .segments import rewrite
        selfcheck.run()
        from .table import DISABLED
        off = sorted(self.plan.ops & set(DISABLED))
        if off:
            raise Skip(f"self-check switched off {', '.join(off)}")
        for shape, dt, trans in sorted(self.plan.matvecs):
            if not selfcheck.matvec_ok(shape, dt, trans):
                raise Skip(f"{'transposed ' if trans else ''}{shape} {dt} matrix @ vector "
                           f"differs from NumPy's here")
        mod = load(self.plan.source())
        wrappers = []
        for seg in self.plan.segments:
            seg.run, wtext = wrapper(getattr(mod, seg.fname), self.cgraph, seg)
            wrappers.append(wtext)
        rewrite(self.cgraph, self.plan.segments)
        guards = self.cgraph.meta["guards"]
        if len(guards) != self.record.n_guards:
            raise RuntimeError("the lowered graph's guards differ from the NumPy tier's")
        owner = self.owner
        centry, source = codegen.compile_graph(self.cgraph, owner.__wrapped__, owner._fdef,
                                               guards)
        nentry = self.record.entry
        from .build import TierFallback

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
        owner = self.owner
        if forced:           # inside _build: the policy installs the record afterwards
            self.record.entry = entry
            return True
        with owner._lock:
            active = owner._policy.active
            if not any(cg is self.record for cg in active):
                return False          # replaced or retired meanwhile
            self.record.entry = entry
            owner._install(active)
            return True

    def _switch(self, entry, why, forced=False):
        graph = self.record.graph
        if self._install(entry, forced):
            COUNTS["graphs_compiled"] += 1
            graph.meta["tier"], graph.meta["tier_reason"] = "compiled", why
            graph.meta["numpy_source"] = graph.meta.get("source")
            graph.meta["source"] = graph.meta["compiled_source"]
            self.record.tier = "compiled"
            self.record.code = graph.meta["compiled_source"]
            self.owner.events.add("tier", f"compiled tier serves graph: {why}", None,
                                  topic="tier")

    def _stay(self, entry, why):
        graph = self.record.graph
        if self._install(entry):
            graph.meta["tier"], graph.meta["tier_reason"] = "numpy", why
            self.owner.events.add("tier", f"NumPy tier kept: {why}", None, topic="tier")


class Measure:
    """An entry that alternates the NumPy-tier and compiled entries, timing each, and then
    installs the faster."""

    def __init__(self, job, numpy_entry, compiled_entry):
        self.job, self.n, self.c = job, numpy_entry, compiled_entry
        self.times = ([], [])
        self.calls = 0
        self.done = False

    def __call__(self, *args, **kwargs):
        which = self.calls % 2
        self.calls += 1
        entry = self.c if which else self.n
        t = time.process_time()          # CPU time: other processes' load does not count
        result = entry(*args, **kwargs)
        if type(result) is not Miss:
            self.times[which].append(time.process_time() - t)
        n = min(len(x) for x in self.times)
        if not self.done and n >= config.TIER_MEASURE_CALLS and (
                n >= 256 or sum(self.times[0]) + sum(self.times[1]) >= 0.02):
            self.done = True
            tn, tc = (statistics.median(x) for x in self.times)
            how = f"measured {tc * 1e6:.1f} µs compiled vs {tn * 1e6:.1f} µs NumPy tier"
            if tc < tn * (1 - config.TIER_MIN_GAIN):
                self.job._switch(self.c, how)
            else:
                self.job._stay(self.n, "compiled not faster: " + how)
        return result
