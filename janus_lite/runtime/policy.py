"""The fallback policy: when to build, relax, specialize, keep or give up — decided here only.

* After ``profile_runs`` profiled calls, build a graph for the merged input specs.
* A guard miss on a relaxable fact (a dim, a scalar's value) rebuilds that graph relaxed
  (dim → symbolic, constant → input) after ``RELAX_AFTER`` misses; a miss on a type,
  dtype or rank builds another graph specialized for the new signature.
* A miss on state the function reads (an attribute, a global) that the call itself settles
  (``if self.m is None: self.m = np.zeros_like(g)``) builds nothing: the graph for the
  steady state serves the next call. State that stays different (a ReLU layer and an
  identity layer) gets a graph of its own beside the first one, never instead of it.
* Bools stay specialized by value (two graphs at most) so branches on flags stay static.
* An assertion that fails mid-graph ``MAX_FALLBACKS_BEFORE_REGENERATE`` times rebuilds the
  graph from the (now richer) profile. If the rebuild fails, the graph is kept (it serves
  the calls its speculation holds for) until it has failed more often than it held, over
  ``RETIRE_MIN_CALLS`` calls at least: then the calls take the other side for good (a
  history that filled up), so the profile forgets that branch and the graph is rebuilt
  for the side they take (up to ``MAX_REBUILDS``), else retired.
* A state array whose shape differs (another layer's ``self.W``) is read with any dims of
  its rank (`_relax_dims`), one graph for all shapes — unless that graph would update
  arrays in place through private copies where the graph for one shape wrote them
  directly: then, while there is room, a graph per shape serves (`_costlier`).
* A relaxation that fails to convert because of a value it reads at run time (a dict key)
  is not tried again for that value: later calls with another value get a graph
  specialized for it at once.
* A failed conversion never drops a working graph: after ``MAX_FAILED_CONVERSIONS`` the
  function stops converting and keeps its graphs (with none, it runs imperatively).
* Conversion has a budget: after the first graph, conversion time may not exceed
  ``CONVERSION_FREE_S`` plus ``CONVERSION_TIME_SHARE`` × the function's own run time so
  far; past it, calls that fit no graph run the plain function (said once).
* At most ``max_graphs`` graphs. When they are all kept and a call needs another, a graph
  that has served no call in ``RETIRE_MIN_CALLS`` tries (built for state that never came
  back: a cache entry before it existed) makes room; else calls that fit none run
  imperatively.

The policy talks to its function through the small `Host` interface (no private fields)
and answers `on_fallback` with a `Decision`.
"""
from __future__ import annotations

import collections
import enum
from dataclasses import replace
from typing import Protocol

from .. import config
from .compiled import CompiledGraph, Status
from .guards import item_key, keys_text
from .policy_facts import (FACT_KINDS, as_seq, callee_file, describe_relaxation, error_line,
                           exact, from_spec, holds, merge_specs, spec_key, state_differs,
                           values_relaxed)
from .spec import Unspecable, dims_key, name_symbols


class Decision(enum.Enum):
    """How to answer a call the graphs did not."""
    PLAIN = "plain"          # the plain function: nothing to learn from this call
    PROFILE = "profile"      # the instrumented function; then `after_fallback` may build
    SETTLE = "settle"        # the plain function; then `after_settle` checks the state it set


class Cause(enum.Enum):
    """What a `PerformanceWarning` is about (one warning per function and cause)."""
    IMPERATIVE = "runs imperatively for good"
    RETIRED = "graph retired"
    KEPT = "graph kept after a failed rebuild"
    CACHE_FULL = "max_graphs reached"
    GUARDS_MISS = "guards keep missing"
    STOPPED = "stopped converting"
    BUDGET = "conversion budget spent"


class Host(Protocol):
    """What the policy needs from the function it decides for (api.SpeculativeFunction's
    `_PolicyHost`)."""
    events: object
    max_graphs: int
    profile_runs: int

    def profiled_args(self) -> list: ...
    def summarize(self, args, kwargs) -> dict | None: ...
    def bind(self, args, kwargs) -> dict | None: ...
    def convert(self, specs, example, relaxed) -> CompiledGraph | Failure: ...
    def adopt(self, cg: CompiledGraph, why: str) -> None: ...
    def install(self, active: list) -> None: ...
    def go_imperative(self, reason: str, lineno, filename=None) -> None: ...
    def warn(self, cause: Cause, text: str, lineno, filename=None) -> None: ...
    def run_seconds(self) -> float: ...
    def forget_truth(self, site) -> None: ...


class Failure:
    """A conversion attempt that gave up (the host has logged and counted it)."""

    def __init__(self, reason: str, lineno=None, permanent=False, filename=None):
        self.reason, self.lineno, self.permanent, self.filename = \
            reason, lineno, permanent, filename


class Policy:
    def __init__(self, host: Host, dynamic_dims: dict | None = None,
                 no_fold: frozenset = frozenset()):
        self.host = host
        self.started = False
        self.history: collections.deque = collections.deque(maxlen=max(16, config.MAX_GRAPHS * 2))
        self.active: list[CompiledGraph] = []
        self.failed_keys: set = set()
        self.plain_streak = 0            # calls in a row that could not lead to a graph
        self.transient_seen: dict = {}   # id of a dict argument → calls that changed its keys
        self.transient_skip = 0          # misses answered plainly before profiling again
        self.transient_backoff = 8       # ... the next time a dict's keys change again
        self.relaxed: set = set()        # keys of non-parameter sources read at run time
        self.lazy: set = set()           # `_lazy_key`s of guards that missed on state the
        #                                  call itself then set (lazily initialised state)
        self.example: dict = {}          # arguments of the call a conversion runs for
        self.failures = 0                # conversion attempts that gave up
        self.failed_general = 0          # ... of them, relaxations (not counted in failures)
        self.hopeless: set = set()       # `values_relaxed` path sets of failed relaxations
        self.rigid: set = set()          # `dims_key`s kept specialized (`_costlier`)
        self.stopped: str | None = None  # why no more conversions are tried (graphs kept)
        self.conversion_seconds = 0.0
        self.fingerprints: dict = {}     # the assumptions of each graph built -> how often
        self.dynamic_dims = dynamic_dims or {}
        self.no_fold = no_fold

    # -- building -------------------------------------------------------------------------
    def _within_budget(self) -> bool:
        """May another conversion run? (The first one always may.)"""
        if self.stopped is not None:
            return False
        if not self.history:
            return True
        allowance = config.CONVERSION_FREE_S + \
            config.CONVERSION_TIME_SHARE * self.host.run_seconds()
        if self.conversion_seconds <= allowance:
            return True
        self.host.events.add("budget", f"conversion budget spent: {self.conversion_seconds:.2f} s "
                             f"converting vs {self.host.run_seconds():.2f} s running the function; "
                             f"calls that fit no graph run the plain function until the "
                             f"function's own run time pays for another conversion")
        self.host.warn(Cause.BUDGET, f"conversion took {self.conversion_seconds:.2f} s, more "
                       f"than the function's own run time allows "
                       f"(config.CONVERSION_TIME_SHARE); calls that fit no graph run the "
                       f"plain function", None)
        return False

    def _shape_specs(self, specs: dict) -> dict:
        """Apply the user's declarations: ``dynamic_dims`` symbolic, ``no_fold`` as inputs."""
        out = dict(specs)
        for name, axes in self.dynamic_dims.items():
            sp = out.get(name)
            if sp is not None and sp.kind == "array" and sp.shape is not None:
                shape = list(sp.shape)
                for ax in axes:
                    if -len(shape) <= ax < len(shape) and not isinstance(shape[ax], str):
                        shape[ax] = "?"
                out[name] = replace(sp, shape=tuple(shape))
        for name in self.no_fold:
            sp = out.get(name)
            if sp is not None and sp.kind == "scalar" and sp.has_value:
                out[name] = replace(sp, value=None, has_value=False)
        return out

    def _convert(self, specs, why, general=False, unlike=None):
        """One attempt: a CompiledGraph (not yet adopted) or None. A failed ``general``
        attempt (relaxing a graph that works) is remembered but does not count toward
        MAX_FAILED_CONVERSIONS: a graph specialized for the call may still be built.
        ``unlike``: a graph the new one must differ from in its assumptions (None if not)."""
        key = self._key_of(specs)
        if key is not None and key in self.failed_keys:
            return None
        if not self._within_budget():
            return None
        host = self.host
        named = name_symbols(specs, host.profiled_args())
        built = host.convert(named, self.example, frozenset(self.relaxed))
        if isinstance(built, CompiledGraph) and built.relaxed_more:
            self.relaxed |= built.relaxed_more    # read at run time from now on
            why += "; state it writes read at run time"
        if isinstance(built, CompiledGraph):
            self.conversion_seconds += built.seconds
            # a value the graph itself writes changes every call: read it at run time
            # instead of folding it (saves one fallback per such value)
            written = built.graph.written
            stale = {g.source.key for g in built.guards
                     if g.kind in ("value", "len") and g.source.key in written
                     and not from_spec(g.source)} - self.relaxed
            grown = {p for p, sp in named.items() if sp.kind in ("list", "tuple")
                     and ("param", p, None, id(None)) in written}
            if grown:          # a list argument the function appends to: any length
                named = {p: (as_seq(sp) if p in grown else sp) for p, sp in named.items()}
            if stale or grown:
                before = set(self.relaxed)
                self.relaxed |= stale
                again = host.convert(named, self.example, frozenset(self.relaxed))
                if isinstance(again, CompiledGraph):
                    self.conversion_seconds += again.seconds
                    why += "; state it writes read at run time"
                    built = again
                else:        # the graph that folds them serves: later ones fold them too
                    self.relaxed = before
        if not isinstance(built, CompiledGraph):
            if general:
                self.failed_general += 1
            else:
                self._failed(built)
            if key is not None and len(self.failed_keys) < 64:
                self.failed_keys.add(key)
            return None
        if unlike is not None and _fingerprint(built) == _fingerprint(unlike):
            return None
        if self._built_before(built):
            return None
        self.host.adopt(built, why)
        self.history.append(built)
        return built

    def _built_before(self, built) -> bool:
        """Has a graph with the very same assumptions been built ``REBUILT_SAME`` times
        already? Then graphs keep replacing each other (more parameters or layers than
        ``max_graphs``, each relaxation undoing the last): stop converting; the working
        graphs keep serving, and the calls that fit none run the plain function."""
        fp = _fingerprint(built)
        n = self.fingerprints[fp] = self.fingerprints.get(fp, 0) + 1
        if n <= config.REBUILT_SAME:
            return False
        self._stop("graphs keep replacing each other",
                   f"because a graph with the same assumptions was built {n} times (graphs "
                   f"kept replacing each other, max_graphs={self.host.max_graphs})",
                   f"the same graph was built {n} times: graphs kept replacing each other; "
                   f"raise jit(max_graphs=...)")
        return True

    def _stop(self, reason, why, short, lineno=None, filename=None) -> None:
        """No more conversions: the working graphs keep serving (said once, in an event
        and a PerformanceWarning, ``why`` and ``short`` the reason at length and in brief)."""
        if self.stopped is not None:
            return
        self.stopped = reason
        n = len(self.active)
        self.host.events.add("stopped", f"stopped converting {why}; the {n} working "
                             f"graph(s) keep serving", lineno, filename=filename)
        self.host.warn(Cause.STOPPED, f"no more graphs are built ({short}); the {n} working "
                       f"graph(s) keep serving, other calls run the plain function", lineno,
                       filename)

    def _failed(self, failure: Failure) -> None:
        """After a failed attempt: give up for good only where no graph works."""
        self.failures += 1
        if not (failure.permanent or self.failures >= config.MAX_FAILED_CONVERSIONS):
            return
        reason = f"conversion failed: {failure.reason}"
        if self.active:
            self._stop(reason, f"after {self.failures} failed attempts (last: {failure.reason})",
                       failure.reason, failure.lineno, failure.filename)
        else:
            self.host.go_imperative(reason, failure.lineno, failure.filename)

    def _install(self, active) -> None:
        self.active = list(active)
        self.host.install(self.active)

    def build_initial(self, example):
        self.started = True
        self.example = example
        calls = self.host.profiled_args()
        try:
            specs = exact(calls[-1])
            for summary in calls[-self.host.profile_runs:-1]:
                specs = merge_specs(exact(summary), specs)
        except Unspecable:
            try:
                specs = exact(calls[-1])
            except Unspecable as exc:
                self._failed(Failure(str(exc)))
                self.host.events.add("conversion-failed", str(exc))
                return
        built = self._convert(self._shape_specs(specs), "after profiling")
        if built is not None:
            self._install([built])

    # -- fallbacks ---------------------------------------------------------------------------
    def on_fallback(self, args, kwargs, cg, misses, assertion, error) -> Decision:
        """Note why the graphs did not answer; decide how to answer the call."""
        events = self.host.events
        if misses:
            rec, idx = misses[0]
            guard = rec.guards[idx]
            # the value it got, for the first misses of each guard; past them one event
            # counts the rest (reading and describing the value cost more than the call)
            got = self._observe(guard, args, kwargs) if \
                rec.guard_misses[idx] <= _OBSERVED_MISSES else "other values too"
            rec.assumptions[idx].failed += 1
            events.add("fallback", f"assumed {guard.describe()}, got {got}", guard.lineno,
                       topic="fallbacks", filename=guard.filename)
        elif assertion is not None:
            a = cg.assumptions[cg.n_guards + assertion.index]
            a.failed += 1
            cg.assert_failures[assertion.index] += 1
            events.add("fallback", f"assumed {a.text}, but it did not hold (assertion "
                       f"failed mid-graph)", a.lineno, topic="fallbacks", filename=a.filename)
        elif error is not None:
            cg.errors += 1
            filename, lineno = error_line(error.__traceback__)
            filename = callee_file(cg.graph, lineno) or filename
            events.add("fallback", f"graph raised {type(error).__name__}: {error} — "
                       f"rerun imperatively for the genuine outcome", lineno,
                       topic="fallbacks", filename=filename)
        if misses and any(_lazy_key(rec, idx) in self.lazy for rec, idx in misses):
            return Decision.SETTLE       # seen before: a fresh object's first call sets it
        if error is not None:
            return Decision.PLAIN        # the graph stays; nothing to learn from this call
        if assertion is not None:
            if cg.assumptions[cg.n_guards + assertion.index].kind == "branch-only":
                cg.rebuild_failed = True   # the other branch cannot be graphed: a rebuild
                #                            would give this graph again
            if cg.rebuild_failed:        # kept as it is: nothing to rebuild, retire or keep
                return self._keep_or_retire(cg, assertion)
            return Decision.PROFILE      # the profile decides how to regenerate
        if self._may_build(args, kwargs, misses):
            self.plain_streak = 0
            return Decision.PROFILE
        self.plain_streak += 1
        if misses:
            rec, idx = misses[0]
            guard = rec.guards[idx]
            if guard.kind in ("value", "len") and not from_spec(guard.source) and \
                    guard.source.key in self.relaxed:
                self._retire_if_useless(rec)
        if misses and not self._room():
            self._cache_full()
        elif self.active and misses and self.plain_streak >= config.GUARD_MISS_WARN_AFTER:
            rec, idx = misses[0]
            self.host.warn(Cause.GUARDS_MISS, f"{self.plain_streak} calls fit no graph and "
                           f"none can be built for them (first miss: assumed "
                           f"{rec.guards[idx].describe()}); they ran the plain function",
                           rec.guards[idx].lineno)
        if not self.active and self.plain_streak >= config.MAX_FAILED_CONVERSIONS * 3:
            last = next((e.text for e in reversed(list(events))
                         if e.kind == "conversion-failed"), "conversion failed")
            self.host.go_imperative(f"no graph could be built for any signature seen "
                                    f"(last reason: {last})", None)
        return Decision.PLAIN

    def _may_build(self, args, kwargs, misses) -> bool:
        """Could this call lead to a new graph? (Else it runs the plain function: profiling
        a call that cannot change anything would only slow it down.)"""
        if self.stopped is not None:
            return False
        if self.transient_skip:          # a dict argument changes its keys on every call
            self.transient_skip -= 1
            return False
        summary = self.host.summarize(args, kwargs)
        if summary is None:
            return False
        try:
            new = exact(summary)
        except Unspecable:
            return False
        candidates = []
        for rec, idx in misses or ():
            guard = rec.guards[idx]
            if not from_spec(guard.source):
                if guard.kind in ("value", "len") and guard.source.key in self.relaxed:
                    # read at run time already and still guarded (a list that grows every
                    # call): relaxing again changes nothing, only a graph for other
                    # arguments could; else profiling this call would only slow it down
                    candidates.append(rec.specs)
                    continue
                return True          # state: relaxed, settled by the call, or a variant
            try:
                candidates.append(merge_specs(rec.specs, new))
            except Unspecable:
                pass
        if self._room():
            candidates.append(new)
        return any(self._key_of(c) not in self.failed_keys for c in candidates)

    def _key_of(self, specs):
        key = spec_key(specs)
        return None if key is None else (key, frozenset(self.relaxed))

    def after_settle(self, misses, example) -> None:
        """After a `Decision.SETTLE` call: did it set the state again? If not, the next such
        miss is profiled (it may need a graph of its own)."""
        self.example = example
        try:
            if not self._settled(misses):
                self.lazy.difference_update(_lazy_key(rec, idx) for rec, idx in misses)
        finally:
            self.example = {}

    def after_fallback(self, summary, cg, misses, assertion, example):
        self.example = example
        try:
            return self._after_fallback(summary, cg, misses, assertion)
        finally:
            self.example = {}

    def _after_fallback(self, summary, cg, misses, assertion):
        host = self.host
        try:
            new = self._shape_specs(exact(summary))
        except Unspecable as exc:
            host.events.add("conversion-failed", str(exc))
            return
        if assertion is not None:
            if cg.rebuild_failed:       # `_keep_or_retire` asked for this profiled call
                self._respeculate(cg)
                return
            if cg.assert_failures[assertion.index] < config.MAX_FALLBACKS_BEFORE_REGENERATE:
                return
            if cg.rebuilds >= config.MAX_REBUILDS:
                self._retire(cg, "its speculation kept failing even after rebuilding")
            else:
                self._rebuild(cg)
            return
        if cg is not None:         # the graph raised: keep it (errors are the input's)
            return
        if misses and self._settled(misses):
            return
        if self.active and self._transient(new):
            return
        for rec, idx in misses or ():
            guard = rec.guards[idx]
            if guard.kind in ("shape", "dim") and not from_spec(guard.source) and \
                    self._relax_dims(rec, new):
                return
            if guard.kind in ("value", "len") and not from_spec(guard.source) and \
                    rec.guard_misses[idx] >= config.RELAX_AFTER:
                before = set(self.relaxed)
                self.relaxed.add(guard.source.key)
                self.relaxed |= self._changed_sources(rec)
                if self._replace(rec, rec.specs, f"relaxed: {guard.source.describe()} "
                                 f"→ read at run time"):
                    return
                # no graph reads it at run time (a flag that decides a list's length):
                # keep it folded, and build a graph for the new value beside this one
                self.relaxed = before
            if sum(rec.guard_misses) < config.RELAX_AFTER:
                continue
            try:
                relaxed = merge_specs(rec.specs, new)
            except Unspecable:
                continue
            if relaxed == rec.specs and not from_spec(guard.source):
                # the arguments fit; state the function reads (an attribute's type, an
                # object's structure) differs: keep this graph, add one for the new state
                # (replacing would churn when the state alternates)
                continue
            if self._hopeless(rec.specs, relaxed):
                continue
            why = "relaxed: " + describe_relaxation(rec.specs, relaxed)
            changed = self._changed_sources(rec) - self.relaxed
            if changed:
                # state this graph folded has changed too (a step counter bumped between
                # calls): relax it with the argument, or the relaxed graph misses on it next
                before = set(self.relaxed)
                self.relaxed |= changed
                if self._replace(rec, relaxed, why + "; state that changed read at run time"):
                    return
                self.relaxed = before
            if self._replace(rec, relaxed, why):
                return
            self._note_hopeless(rec.specs, relaxed)
        if self._room(evict=True):
            built = self._convert(new, "specialized for a new signature" if self.active
                                  else "retry for a new signature")
            if built is not None:
                self._install(self.active + [built])
        elif misses:
            self._cache_full()

    def _hopeless(self, old, relaxed) -> bool:
        """Would ``relaxed`` read at run time a value whose relaxation already failed to
        convert (a dict key: ``self.m[key]`` needs it folded)? Then a graph specialized for
        the call is built at once, without the conversion that would fail again."""
        paths = values_relaxed(old, relaxed)
        return any(f <= paths for f in self.hopeless)

    def _note_hopeless(self, old, relaxed) -> None:
        paths = values_relaxed(old, relaxed)
        if paths and len(self.hopeless) < 64:
            self.hopeless.add(paths)

    def _relax_dims(self, rec, new) -> bool:
        """A state array (``self.W`` of another layer, a cache that grew) missed ``rec``'s
        shape guard: the graph relaxed to read every state array whose shape changed
        with any dims of its rank (and the arguments merged with the call's), so one graph
        serves the layers of one class instead of one graph each. Kept folded (False)
        where no such graph can be built (a loop over a dim)."""
        reshaped = self._reshaped(rec) - self.relaxed
        if not reshaped or not config.RELAX_STATE_DIMS or \
                (reshaped & self.rigid and len(self.active) < self.host.max_graphs):
            return False
        try:
            specs = merge_specs(rec.specs, new)
        except Unspecable:
            specs = rec.specs
        before = set(self.relaxed)
        self.relaxed |= reshaped
        names = ", ".join(sorted(g.source.describe() for g in rec.guards
                                 if dims_key(g.source) in reshaped and g.kind in ("shape", "dim")))
        why = f"relaxed: the shape of {names} → any"
        if specs != rec.specs:
            why += "; " + describe_relaxation(rec.specs, specs)
        if rec.graph.writes_directly is True and reshaped & _updated_in_place(rec) and \
                len(self.active) < self.host.max_graphs:
            self.rigid |= reshaped        # it would copy them (see below): not even built
            self.relaxed = before
            self.host.events.add("per-shape", f"the shape of {names} kept exact: this graph "
                                 f"updates some of them in place directly; with their shapes "
                                 f"read at run time it would copy them on every call; a graph per "
                                 f"shape serves instead (while there is room)")
            return False
        built = self._convert(specs, why, general=True)
        if built is not None and self._costlier(rec, built):
            # its shapes unknown, an update in place may raise (operands that do not
            # broadcast): the graph would copy and commit on every call. A graph per
            # shape serves faster; kept so while there is room for them
            built.status, built.fate = Status.RETIRED, \
                "not used: with the shapes read at run time its updates in place go " \
                "through private copies on every call; a graph per shape serves instead"
            self.rigid |= reshaped
            built = None
        if built is None:
            self.relaxed = before
            return False
        self._adopt_relaxed(rec, built, why)
        return True

    def _costlier(self, old, new) -> bool:
        """Would ``new`` (state shapes read at run time) cost more per call than ``old``
        (one shape) — its updates in place through private copies and a commit where
        ``old`` wrote directly — while there is room for a graph per shape? (Warnings held
        where ``old`` showed them cost ~0.3 µs a call: less than a graph per shape.)"""
        return len(self.active) < self.host.max_graphs and \
            old.graph.writes_directly is True and new.graph.writes_directly is False

    def _room(self, evict=False) -> bool:
        """Is there room for another graph? Full, a graph that served no call in
        RETIRE_MIN_CALLS tries makes room (``evict``: it is retired now)."""
        if len(self.active) < self.host.max_graphs:
            return True
        idle = [cg for cg in self.active
                if cg.hits == 0 and sum(cg.guard_misses) >= config.RETIRE_MIN_CALLS]
        if not idle:
            return False
        if evict:
            old = max(idle, key=lambda cg: sum(cg.guard_misses))
            old.status, old.fate = Status.RETIRED, \
                f"evicted: served no call in {sum(old.guard_misses)} tries"
            self._install([r for r in self.active if r is not old])
            self.host.events.add("evicted", f"graph #{old.number} evicted: it served no "
                                 f"call in {sum(old.guard_misses)} tries and "
                                 f"max_graphs={self.host.max_graphs} are kept; a graph for "
                                 f"the calls that fit none takes its place")
        return True

    def _cache_full(self) -> None:
        host = self.host
        host.events.add("cache-full", f"{host.max_graphs} graphs kept (max_graphs); calls "
                        f"that fit none run imperatively")
        host.warn(Cause.CACHE_FULL, f"max_graphs={host.max_graphs} graphs are kept and a "
                  f"call fits none of them; such calls run the plain function (raise "
                  f"jit(max_graphs=...) or keep argument types stable)", None)

    def _settled(self, misses) -> bool:
        """Did the call itself settle the state a guard missed on (lazy initialisation:
        ``self.m`` was None and is an array now)? Then the graph it missed serves the next
        call: build nothing."""
        for n, (rec, idx) in enumerate(misses):
            guard = rec.guards[idx]
            # state, or the keys of a dict argument the call fills in (a fresh
            # ``bn_param = {"mode": "train"}`` that gets its running averages)
            if (from_spec(guard.source) and guard.kind != "keys") or \
                    not self._holds_now(guard):
                continue
            # a later graph's miss counts only where this call's arguments fit it (the
            # graph for the other parameter of a per-parameter optimizer missed first)
            if n == 0 or all(self._holds_now(g) for g in rec.guards
                              if from_spec(g.source) and g.kind in FACT_KINDS):
                break
        else:
            return False
        self.lazy.add(_lazy_key(rec, idx))
        self.host.events.add("settled", f"{guard.source.describe()} did not fit graph "
                             f"#{rec.number} ({guard.describe()}) until this call set it: "
                             f"lazily initialised state; the graph for the steady state "
                             f"serves the next calls", guard.lineno)
        return True

    def _transient(self, new) -> bool:
        """Did the call change the keys of a dict argument it was given (a fresh optimizer
        config: ``config.setdefault('momentum', 0.9)``)? Then the state the call found does
        not come back for that dict: a graph specialized for it would serve nothing (one
        per parameter, every run). Build none; the calls that find the settled dict get
        the graph (said in explain())."""
        for name, spec in new.items():
            now = self.example.get(name)
            if spec.kind != "dict" or type(now) is not dict or tuple(now) == spec.value:
                continue
            self.host.events.add("settled", f"{name} had keys {keys_text(spec.value)} and "
                                 f"this call changed them to {keys_text(now)}: lazily "
                                 f"initialised state; no graph is built for the keys it "
                                 f"found, the calls that find the settled dict get one")
            self._changed_again(now, name)
            return True
        return False

    def _changed_again(self, d, name) -> None:
        """The same dict changed its keys in an earlier call too (a history dict that gets
        a key per call): no graph can serve such calls, so the next misses run the plain
        function without profiling, for a stretch that doubles each time (8, 16, ... 1024
        misses) before one is profiled again."""
        seen = self.transient_seen
        if len(seen) > 256:
            seen.clear()
        seen[id(d)] = n = seen.get(id(d), 0) + 1
        if n < 2:
            return
        self.transient_skip = self.transient_backoff
        self.host.events.add("settled", f"{name} changes its keys on every call: the calls "
                             f"that miss run the plain function, profiled again after "
                             f"{self.transient_backoff} of them")
        self.transient_backoff = min(2 * self.transient_backoff, 1024)

    def _rebuild(self, old) -> None:
        """An assertion keeps failing: rebuild from the richer profile; if that fails, keep
        the graph while it serves at least as many calls as it wastes."""
        built = self._convert(old.specs, "rebuilt because an assertion kept failing")
        if built is not None:
            built.rebuilds = old.rebuilds + 1
            self._swap(old, built, Status.REPLACED, f"replaced by graph #{built.number}")
            return
        # keep it: it serves the calls its speculation holds for (retired later only if it
        # fails more often than it holds, over RETIRE_MIN_CALLS calls at least)
        old.rebuild_failed = True
        last = next((e for e in reversed(list(self.host.events))
                     if e.kind == "conversion-failed"), None)
        why = f": {last.text}" if last else ""
        self.host.events.add("kept", f"graph #{old.number} kept: a graph with both outcomes "
                             f"could not be built{why}; it serves the calls its assertions "
                             f"hold for, the others run the plain function",
                             getattr(last, "lineno", None),
                             filename=getattr(last, "filename", None))
        self.host.warn(Cause.KEPT, f"graph #{old.number} serves only the calls its "
                       f"speculation holds for: a graph for the other case could not be "
                       f"built{why}", getattr(last, "lineno", None),
                       getattr(last, "filename", None))

    def _retire_if_useless(self, cg) -> None:
        """A graph whose guard on state read at run time misses on nearly every call, where
        no graph can be built for the calls it misses (a list that grows every call, still
        guarded when read at run time): retired, so those calls stop paying for its guards. One that serves a fair
        share of the calls (more than 1 in RETIRE_USELESS_RATIO) is kept."""
        missed = sum(cg.guard_misses)
        if cg.active and missed >= config.RETIRE_MIN_CALLS and \
                cg.hits * config.RETIRE_USELESS_RATIO < missed:
            self._retire(cg, f"its guards missed on {missed} calls and held on {cg.hits}, "
                             f"and no graph could be built for the calls it missed")

    def _wasteful(self, cg) -> bool:
        """Have a kept graph's assertions failed on more calls than they held, over
        RETIRE_MIN_CALLS calls at least?"""
        wasted = sum(cg.assert_failures.values())
        return cg.active and wasted > cg.hits and wasted + cg.hits >= config.RETIRE_MIN_CALLS

    def _keep_or_retire(self, cg, assertion) -> Decision:
        """A graph kept after a failed rebuild (one side of a branch speculated), whose
        assertion ``assertion`` just failed. Kept while it holds as often as it fails. Past
        that, the calls take the other side now (a history that filled up, a warm-up that
        ended): the profile forgets how that branch went and profiles this call, and
        `_respeculate` builds the graph for the side the calls take; after MAX_REBUILDS,
        the graph is retired instead."""
        if not self._wasteful(cg):
            return Decision.PLAIN
        site = cg.assumptions[cg.n_guards + assertion.index].site
        if cg.rebuilds < config.MAX_REBUILDS and site is not None:
            self.host.forget_truth(site)
            return Decision.PROFILE
        self._retire(cg, f"its speculation failed on {sum(cg.assert_failures.values())} "
                         f"calls and held on {cg.hits}, and no graph with both outcomes "
                         f"could be built")
        return Decision.PLAIN

    def _respeculate(self, cg) -> None:
        """After `_keep_or_retire` chose to: the graph for the side the calls take now."""
        wasted = sum(cg.assert_failures.values())
        built = self._convert(cg.specs, "rebuilt: the calls took the other side of the "
                              "branch it speculated", unlike=cg)
        if built is None:
            self._retire(cg, f"its speculation failed on {wasted} calls and held on "
                             f"{cg.hits}, and no graph for the side the calls take could be "
                             f"built")
            return
        built.rebuilds = cg.rebuilds + 1
        self._swap(cg, built, Status.REPLACED, f"replaced by graph #{built.number}: the "
                   f"calls took the other side of its branch ({wasted} calls, its own side "
                   f"{cg.hits})")

    def _replace(self, old, specs, why) -> bool:
        """Relax ``old`` for the call that missed. The relaxed graph replaces it, unless it
        was built for other state than ``old`` (the receiver's attributes differ: another
        layer of the same class): then both serve, side by side."""
        built = self._convert(specs, why, general=True)
        if built is None:
            return False
        self._adopt_relaxed(old, built, why)
        return True

    def _adopt_relaxed(self, old, built, why) -> None:
        if state_differs(old, built) and len(self.active) < self.host.max_graphs:
            self._install(self.active + [built])
        else:
            self._swap(old, built, Status.REPLACED, f"replaced by graph #{built.number} ({why})")

    def _swap(self, old, new, status, fate) -> None:
        old.status, old.fate = status, fate
        self._install([new if r is old else r for r in self.active])

    def _retire(self, old, why: str) -> None:
        """Drop a graph whose speculation keeps failing; calls of its signature then run
        the plain function (its spec is remembered as failed, so it is not rebuilt)."""
        old.status, old.fate = Status.RETIRED, why
        self._install([r for r in self.active if r is not old])
        key = self._key_of(old.specs)
        if key is not None:
            self.failed_keys.add(key)
        self.host.events.add("retired", f"graph #{old.number} retired: {why}; calls it "
                             f"served run imperatively")
        self.host.warn(Cause.RETIRED, f"graph #{old.number} retired: {why}; the calls it "
                       f"served run the plain function", None)

    def _changed_sources(self, rec) -> set:
        """State sources whose guarded value, length or shape differs now (after the call
        that missed): they would miss next time too, so relax them together."""
        return {g.source.key for g in rec.guards
                if g.kind in ("value", "len") and not from_spec(g.source)
                and not self._holds_now(g)} | self._reshaped(rec)

    def _reshaped(self, rec) -> set:
        """`dims_key`s of the state arrays whose shape differs now from what ``rec``
        guards (same rank: a rank guard missing means another kind of value)."""
        if not config.RELAX_STATE_DIMS:
            return set()
        out = set()
        for g in rec.guards:
            if g.kind not in ("shape", "dim") or from_spec(g.source) or self._holds_now(g):
                continue
            try:
                value = self._read(g.source)
            except Exception:
                continue
            ndim = len(g.expected) if g.kind == "shape" else next(
                (h.expected for h in rec.guards
                 if h.kind == "ndim" and h.source.key == g.source.key), None)
            if getattr(value, "ndim", None) == ndim:
                out.add(dims_key(g.source))
        return out

    def _holds_now(self, guard) -> bool:
        """Does ``guard`` hold for the state as the call left it? A path that is gone (an item
        past a list's new end, an attribute deleted) does not hold."""
        try:
            value = self._read(guard.source)
        except Exception:
            return False
        return holds(guard, value)

    def _read(self, src, args=(), kwargs=None):
        """The value at ``src`` now (for a parameter: in this call's arguments, or in the
        call a conversion runs for)."""
        path = []
        root = src
        while root.base is not None:
            path.append(root)
            root = root.base
        if root.kind == "param":
            bound = self.host.bind(args, kwargs or {}) if args or kwargs else self.example
            value = bound[root.name]
        elif root.kind == "global":
            value = root.holder[root.name]
        elif root.kind == "cell":
            value = root.holder.cell_contents
        elif root.kind == "const":
            value = root.holder
        else:
            raise LookupError(root.kind)
        for step in reversed(path):
            value = value[item_key(step.name)] if step.kind == "item" else \
                getattr(value, step.name)
        return value

    def _observe(self, guard, args, kwargs):
        try:
            value = self._read(guard.source, args, kwargs)
        except Exception:
            return "a value that could not be read"
        return guard.observe(value)


_OBSERVED_MISSES = 8
"""Misses of one guard whose values `Policy.on_fallback` reads and names in its event."""


def _updated_in_place(cg) -> set:
    """`dims_key`s of the state arrays ``cg`` updates in place (its commit's pairs)."""
    g = cg.graph
    out = set()
    for node in g.nodes():
        if node.op == "commit_final":
            for dst in node.inputs[0::2]:
                src = g[dst].attrs.get("src") if dst in g else None
                if src is not None:
                    out.add(dims_key(src))
    return out


def _lazy_key(rec, idx) -> tuple:
    """What `Policy.lazy` remembers of a guard that missed on lazily initialised state: its
    kind and the state it reads (``self.m`` has a key), not the graph and index it had, so
    that the graphs built later (a relaxed one replacing it, one per parameter) and the next
    fresh object's first call are answered plainly without being profiled again."""
    guard = rec.guards[idx]
    return guard.kind, guard.source.key


def _fingerprint(cg) -> tuple:
    """A graph's assumptions, in order (two graphs with equal ones are the same graph)."""
    return tuple((a.kind, a.text) for a in cg.graph.assumptions)
