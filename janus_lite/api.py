"""`jit` and `SpeculativeFunction`: the decorator users see and the per-call dispatch."""
from __future__ import annotations

import functools
import inspect as _inspect
import logging
import threading
import time
import types
import warnings
from threading import get_ident as _get_ident

from . import config
from . import fastcall as _fastcall
from .backend import Miss, compile as backend_compile, resolve as resolve_backend
from .backend import for_specs, passes_for
from .frontend import ConversionError, check_supported, convert
from .frontend.unsupported import FRAME_READER
from .ir.ops_core import AssumptionFailed
from .passes import run_passes
from .profile import NoSource, Profiler, function_ast
from .profile.records import dask_array_type
from .profile.source import mangle, param_names, source_matches, strip_decorators
from .inspect.logs import log_graph
from .runtime.arbitrate import Arbiter, serving_classes
from .runtime.budget import COST as _COST, COST_PER_RECORD as _COST_PER_RECORD, Wait
from .runtime.compiled import CompiledGraph, Status
from .runtime.degrade import (PerformanceWarning, StrictModeError, hide_internal_frames,
                              user_frame, warn_performance)
from .runtime.events import EventLog
from .runtime.gc_pause import gc_paused
from .runtime.held_warnings import HeldWarnings as _Held, may_abandon
from .runtime.policy import Cause, Decision, Failure, Policy
from .options import check_jit_options
from .switch import SWITCH as _SWITCH, is_disabled as _is_disabled

__all__ = ["PerformanceWarning", "SpeculativeFunction", "StrictModeError",
           "instrumented_source", "jit"]

log = logging.getLogger("janus_lite")


def jit(fn=None, *, profile_runs: int | None = None, backend: str | None = None,
        max_graphs: int | None = None, strict: bool = False,
        dynamic_dims: dict | None = None, no_fold=(),
        exact: bool = True):
    """Make ``fn`` run as speculative graphs; it behaves exactly like ``fn``.

    Use as ``@jit`` or ``@jit(profile_runs=2, backend="auto", max_graphs=8)``, on functions,
    closures, methods in a class body, or from outside: ``Model.step = jit(Model.step)``.

    Options (each defaults to its ``janus_lite.config`` knob; checked here, so a bad value
    raises TypeError/ValueError at decoration, not in the first call):

    profile_runs : int >= 1
        Calls answered imperatively (and profiled) before the first graph is built
        (``config.PROFILE_RUNS``, 2).
    backend : str
        ``"numpy"`` (generated NumPy code, always there), ``"interpreter"`` (the reference
        node-by-node executor), or ``"auto"``: the fastest available (``config.BACKEND``).
    max_graphs : int >= 1
        Most graphs kept for this function; past it, calls no graph serves run imperatively
        (``config.MAX_GRAPHS``, 8).
    strict : bool
        Raise `StrictModeError` instead of degrading (a failed conversion, running
        imperatively, a retired graph, a full cache) — like torch.compile's
        ``fullgraph=True`` or numba's ``nopython=True``; for CI.
    dynamic_dims : dict
        ``{"X": (0,)}``: array parameters' axes built symbolic from the first graph on (a
        batch dimension), like ``torch._dynamo.mark_dynamic``.
    no_fold : tuple of str
        ``("lr",)``: scalar parameters fed as graph inputs, never folded in as constants (a
        learning rate that decays), the opposite of jax's ``static_argnames``.
    exact : bool
        With numba installed, graphs tier up to compiled code in the background
        (``backend="numpy"``: never). ``exact=False`` lets that code round differently from
        NumPy (libm transcendentals; the bound: docs/guide/compiled.md). Default True.

    The result has ``stats``, ``graphs``, ``events``, ``explain()`` and ``reset()``.
    ``JANUS_LITE_DISABLE=1`` or ``with janus_lite.disabled():`` makes it call ``fn`` plainly.
    """
    check_jit_options(profile_runs=profile_runs, backend=backend, max_graphs=max_graphs)
    options = dict(profile_runs=profile_runs, backend=backend, max_graphs=max_graphs,
                   strict=strict, dynamic_dims=dynamic_dims, no_fold=no_fold, exact=exact)
    if fn is None:
        _check_options(None, options)
        return lambda f: jit(f, **options)
    if isinstance(fn, staticmethod):
        return staticmethod(jit(fn.__func__, **options))
    if isinstance(fn, classmethod):
        return classmethod(jit(fn.__func__, **options))
    if isinstance(fn, types.MethodType):
        return types.MethodType(jit(fn.__func__, **options), fn.__self__)
    if isinstance(fn, SpeculativeFunction):
        return fn
    if not callable(fn):
        raise TypeError(f"jit() needs a callable, got {type(fn).__name__}")
    _check_options(fn, options)
    sf = SpeculativeFunction(fn, profile_runs, backend, max_graphs, strict=strict,
                             dynamic_dims=dynamic_dims, no_fold=no_fold)
    sf._exact = bool(exact)
    return sf


def _check_options(fn, options) -> None:
    """Validate ``strict``, ``dynamic_dims`` and ``no_fold`` at decoration (names against
    ``fn``'s parameters where ``fn`` is known)."""
    if not isinstance(options["strict"], bool):
        raise TypeError(f"jit(strict=...) takes True or False, got {options['strict']!r}")
    dims, no_fold = options["dynamic_dims"], options["no_fold"]
    if dims is not None:
        if not isinstance(dims, dict):
            raise TypeError("jit(dynamic_dims=...) takes a dict such as {'X': (0,)}, got "
                            f"{type(dims).__name__}")
        for name, axes in dims.items():
            if not isinstance(name, str):
                raise TypeError(f"jit(dynamic_dims=...): keys are parameter names, got "
                                f"{name!r}")
            axes = (axes,) if isinstance(axes, int) else axes
            if not isinstance(axes, (tuple, list)) or not all(
                    isinstance(a, int) and not isinstance(a, bool) for a in axes):
                raise TypeError(f"jit(dynamic_dims=...): the axes of {name!r} must be an int "
                                f"or a tuple of ints, got {dims[name]!r}")
    if isinstance(no_fold, str):
        raise TypeError("jit(no_fold=...) takes a tuple of parameter names, e.g. "
                        f"no_fold=({no_fold!r},)")
    if not isinstance(no_fold, (tuple, list, set, frozenset)) or \
            not all(isinstance(n, str) for n in no_fold):
        raise TypeError(f"jit(no_fold=...) takes a tuple of parameter names, got {no_fold!r}")
    if fn is None:
        return
    try:
        params = _inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    for option, names in (("dynamic_dims", list(dims or ())), ("no_fold", list(no_fold))):
        unknown = [n for n in names if n not in params]
        if unknown:
            raise TypeError(f"jit({option}=...): {getattr(fn, '__qualname__', fn)} has no "
                            f"parameter {unknown[0]!r} (its parameters: "
                            f"{', '.join(params)})")


class SpeculativeFunction:
    """A function that profiles, converts to graphs, and runs them under guards."""

    __janus_lite_jit__ = True   # how the frontend recognises one (frontend.values.is_jitted)

    def __init__(self, fn, profile_runs=None, backend=None, max_graphs=None, *,
                 strict=False, dynamic_dims=None, no_fold=()):
        if type(self) is not SpeculativeFunction:     # reset(): a serving or fast class
            self.__class__ = SpeculativeFunction
        self._init_args = (fn, profile_runs, backend, max_graphs)     # for reset()
        self._init_options = dict(strict=strict, dynamic_dims=dynamic_dims, no_fold=no_fold)
        self._disabled = 0
        functools.update_wrapper(self, fn)
        self.__wrapped__ = fn
        self.profile_runs = config.PROFILE_RUNS if profile_runs is None else profile_runs
        self.backend = resolve_backend(backend or config.BACKEND)
        self._tier_request = backend or config.BACKEND     # "numpy": no compiled tier
        self._exact = getattr(self, "_exact", True)         # kept across reset()
        self.max_graphs = config.MAX_GRAPHS if max_graphs is None else max_graphs
        self.strict = strict
        self._entries: tuple = ()          # (graph, entry, hold warnings?, counts, index)
        self._plan = None                   # several graphs: (orders, learned successors)
        self._cur: tuple = ()               # the order the next call tries them in (with
        #                                     one graph, or none: the entries themselves)
        self._prev = 0                      # the graph that served the last call
        self._fast = False                  # fastcall.FastPath (None: none; False: not
        #                                     made yet, it is made with the first graph)
        self._lock = threading.RLock()
        self._other_calls = self._imperative = 0   # calls not answered by a graph hit
        self._hits_base = 0                 # graph_calls of graphs no longer installed
        self._fallbacks = self._conversions = 0
        self._arbiter = Arbiter()           # graphs vs the plain function, measured
        self._arbitrated = self._arb_left = self._arb_given = 0   # calls the plain function
        # served because it measured faster; _arb_left: fast-path calls before re-measuring
        self._run_s, self._runs_timed = 0.0, 0    # imperative runs timed (conversion budget)
        self._skip_left = 0                 # calls the plain function answers directly
        self._skip_next = config.MISS_STREAK_PLAIN    # ... the next time (doubling)
        self._streak = (0, 0)               # (graph_calls, policy's plain_streak) when the
        #                                     current run of misses without a hit began
        self.events = EventLog(getattr(fn, "__qualname__", repr(fn)))
        self._profiler = None
        self._fdef = self._klass = None
        self._imperative_reason: str | None = None
        self._warned: set = set()          # PerformanceWarning causes given already
        self._strict_error: str | None = None
        dims = {k: ((v,) if isinstance(v, int) else tuple(v))
                for k, v in (dynamic_dims or {}).items()}
        self._policy = Policy(_PolicyHost(self), dims, frozenset(no_fold))
        self._tls = threading.local()      # .depth: imperative runs of this function in flight
        self._set_up = False               # instrumenting waits for the first call
        self._wait = Wait(fn)              # the conversion budget before the first graph
        self._setup()                      # parse and check (instrumenting: lazily)
        if config.CONVERSION_PAYBACK > 0 and not strict and self._wait.size and \
                self._imperative_reason is None:
            self.__class__ = _Waiting      # its fast path until the budget is reached

    # -- set-up ---------------------------------------------------------------------------
    def _ensure_setup(self) -> None:
        """Instrument the source for profiling, once, when first needed (the first call
        that profiles, or an inspection); the source is parsed and checked at decoration
        (what cannot run as graphs is said there)."""
        if not self._set_up:
            with self._lock:
                if not self._set_up:
                    try:
                        if self._imperative_reason is None and self._fdef is not None:
                            self._instrument()
                    finally:           # set last: other threads wait on the lock till then
                        self._set_up = True

    def _setup(self):
        fn = self.__wrapped__
        try:
            fdef, klass = function_ast(fn)
            fdef = mangle(strip_decorators(fdef), klass)
            if not source_matches(fn, fdef):
                raise NoSource("the source on disk does not match the running code "
                               "(edited after import?)")
            self._fdef, self._klass = fdef, klass
        except NoSource as exc:
            self._go_imperative(f"no usable source: {exc}", None)
            return
        try:
            check_supported(fdef)
        except ConversionError as exc:
            self._go_imperative(exc.reason, exc.lineno, exc.filename)
            return

    def _instrument(self):
        fn, fdef = self.__wrapped__, self._fdef
        try:
            with gc_paused():      # AST copies and a compile: our objects only
                self._profiler = Profiler(fn, fdef)
        except Exception as exc:   # instrumentation must never break the user's function
            self._go_imperative(f"cannot instrument: {type(exc).__name__}: {exc}", None)

    def _go_imperative(self, reason, lineno, filename=None):
        """No graph will serve this function: every call runs the plain function."""
        self._imperative_reason = reason
        self._set_entries(())
        self._plan = None
        for cg in self._policy.active:
            cg.status = Status.RETIRED
            cg.fate = "the function runs imperatively for good"
        self._policy.active = []
        if not self.strict:                # strict: the call raises StrictModeError
            self.__class__ = _Direct
        self.events.add("imperative", f"runs imperatively for good: {reason}", lineno,
                        filename=filename)
        self._warn(Cause.IMPERATIVE, f"runs imperatively for good: {reason}", lineno, filename)

    def _warn(self, cause: Cause, text: str, lineno, filename=None) -> None:
        """One PerformanceWarning per cause, at the user's file and line (strict: an error
        raised when the call that caused it returns)."""
        if self.strict:
            where = self._where(lineno, filename)
            self._strict_error = f"{self.events.qualname}{where}: {text}"
            return
        if cause in self._warned:
            return
        self._warned.add(cause)
        code = getattr(self.__wrapped__, "__code__", None)
        if filename is None or not lineno:
            filename = code.co_filename if code is not None else None
        line = lineno or getattr(self._fdef, "lineno", None) or \
            getattr(code, "co_firstlineno", None)
        if filename is None:               # a builtin: the user's line that decorated it
            filename, line = user_frame()
        warn_performance(self.events.qualname, text, filename, line,
                         getattr(self.__wrapped__, "__module__", None))

    def _where(self, lineno, filename=None) -> str:
        code = getattr(self.__wrapped__, "__code__", None)
        if code is None:
            return ""
        return f" ({filename or code.co_filename}, line {lineno or code.co_firstlineno})"

    def _raise_if_strict(self):
        if self._strict_error is not None:
            msg, self._strict_error = self._strict_error, None
            raise StrictModeError(msg + " [jit(strict=True)]")

    # -- descriptor -----------------------------------------------------------------------
    def __get__(self, obj, objtype=None):
        """A descriptor, as plain functions are: ``obj.method`` binds ``self``."""
        if obj is None:
            return self
        return types.MethodType(self, obj)

    # -- the call ---------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """Call the function: a graph answers when its guards hold, else the Python function
        runs (profiled, until graphs are built); the result is the plain function's."""
        __tracebackhide__ = True
        if _SWITCH.on and _is_disabled():
            return self._disabled_call(args, kwargs)
        # a graph hit counts once, in its graph's ``hits`` (``calls`` and ``graph_calls``
        # are sums, see `_graph_calls`); every other way out counts in ``_other_calls``
        misses = None
        for cg, entry, hold, counts, at in self._cur:
            if hold:               # its warnings: shown only if its answer is kept
                held = _Held()
                held.shown, held.thread, held.active = warnings.showwarning, _get_ident(), True
                warnings.showwarning = held
                try:
                    result = entry(*args, **kwargs)
                except BaseException as exc:
                    self._other_calls += 1
                    if self._run_held(held, exc):
                        return self._answer(self._abandoned, args, kwargs, cg, exc,
                                            abandoned=exc)
                    raise
                held.active = False
                if warnings.showwarning is held:
                    warnings.showwarning = held.shown
                if held:           # it warned: shown now, or taken back for a Miss
                    if type(result) is Miss:
                        held.take_back()
                    else:
                        held.show()
            else:                  # it cannot be abandoned once it may have warned
                try:
                    result = entry(*args, **kwargs)
                except BaseException as exc:
                    self._other_calls += 1
                    if not isinstance(exc, Exception) or getattr(exc, "__jl_committed__",
                                                                 False):
                        raise      # met past the run's point of no return: the call happened
                    return self._answer(self._abandoned, args, kwargs, cg, exc, abandoned=exc)
            if type(result) is Miss:
                counts["guard_misses"][result.index] += 1
                if misses is None:
                    misses = []
                misses.append((cg, result.index))
                continue
            hits = counts["hits"] + 1   # cg.hits, past CompiledGraph's __getattr__ hook
            counts["hits"] = hits
            if hits == counts["tick_at"]:
                counts["tick"]()   # the tier's warm-up: time the next few calls
            plan = self._plan
            # learn which graph follows which (see _install); nothing to learn when the
            # graph tried first served again (the order is already the one it starts)
            cur = self._cur
            if plan is not None and (at != self._prev or not cur or cur[0][4] != at):
                byfirst, after = plan
                if at < len(byfirst):
                    after[self._prev] = byfirst[at]
                    self._prev = at
                    self._cur = after.get(at, byfirst[at])
            return result
        return self._misses_answer(misses, args, kwargs)

    @staticmethod
    def _run_held(held, exc) -> bool:
        """A graph run whose warnings ``held`` holds raised ``exc``: is the run abandoned?
        Then its warnings are taken back (the plain function answers, and warns). Else
        ``exc`` is the call's own outcome (met past the run's point of no return, or not an
        ``Exception``): its warnings are shown, and the caller re-raises it."""
        if isinstance(exc, Exception) and not getattr(exc, "__jl_committed__", False):
            held.forget()
            return True
        held.release()
        return False

    def _abandoned(self, args, kwargs, cg, exc):
        """A graph run raised: answer imperatively (an assertion failed, or an error the
        rerun gives genuinely). Arguments that do not bind (a bad keyword, wrong arity) are
        no fallback: the plain function raises its TypeError."""
        __tracebackhide__ = True
        if _is_binding_error(exc):
            self._imperative += 1
            return self.__wrapped__(*args, **kwargs)
        if isinstance(exc, AssumptionFailed):
            return self._fallback(args, kwargs, cg, assertion=exc)
        return self._fallback(args, kwargs, cg, error=exc)

    @staticmethod
    def _answer(how, *args, abandoned=None, **kwargs):
        """Answer imperatively; the user's own errors come without janus_lite's frames and
        without the abandoned graph run's exception as their context."""
        __tracebackhide__ = True
        try:
            return how(*args, **kwargs)
        except Exception as exc:
            hide_internal_frames(exc, abandoned)
            raise

    def _slow(self, args, kwargs, misses):
        if not self._wait.done and not self.strict and not self._policy.started and \
                not self._wait.ready():
            return self._wait_call(args, kwargs)
        if not self._set_up:
            self._ensure_setup()
        if self.strict and self._imperative_reason is not None:
            ev = next((e for e in reversed(list(self.events)) if e.kind == "imperative"), None)
            self._strict_error = self._strict_error or \
                f"{self.events.qualname}{self._where(ev and ev.lineno, ev and ev.filename)}: " \
                f"runs imperatively: {self._imperative_reason}"
            self._raise_if_strict()
        if self._imperative_reason is not None or getattr(self._tls, "depth", 0):
            # for good, or a recursive call inside an imperative run of this function: the
            # outer call's profile covers it (graphs specialize on the outer structure)
            self._imperative += 1
            return self._plain(self.__wrapped__, args, kwargs)
        if misses:
            return self._fallback(args, kwargs, None, misses=misses)
        if not self._policy.started:
            return self._profile_call(args, kwargs, first=True)
        return self._fallback(args, kwargs, None, counted=False)

    def _wait_call(self, args, kwargs):
        """Before the first conversion pays (runtime/budget.py): the plain function, timed."""
        self._imperative += 1
        tls = self._tls
        if getattr(tls, "depth", 0):        # a recursive call: the outer one is timed
            return self._plain(self.__wrapped__, args, kwargs)
        wait = self._wait
        tls.depth = 1
        t0 = time.perf_counter()
        try:
            return self._plain(self.__wrapped__, args, kwargs)
        finally:
            tls.depth = 0
            dt = time.perf_counter() - t0
            wait.seconds += dt
            wait.calls += 1
            self._run_s += dt
            self._runs_timed += 1

    def _wait_again(self) -> bool:
        """Profiled: does the conversion still pay, predicted from what the profiled runs
        recorded (runtime/budget.py)? If not, calls run the plain function again until the
        function's run time pays for it."""
        if config.CONVERSION_PAYBACK <= 0 or self.strict or self._wait.records:
            return False
        prof = self._profiler
        if self._wait.after_profiling(prof.records / max(prof.profile.runs, 1), self._run_s):
            return False
        self.__class__ = _Waiting
        return True

    def _profile_call(self, args, kwargs, first=False):
        """Answer the call imperatively through the profiler; convert when it is time."""
        self._imperative += 1
        summary = self._profiler.summarize_args(args, kwargs)
        result = self._run_profiled(args, kwargs)
        if summary is not None:
            self._profiler.profile.record_args(summary)
            if first and self._profiler.profile.runs >= self.profile_runs:
                if self._wait_again():
                    return result
                with self._lock:
                    if not self._policy.started:
                        self._after_plain(self._policy.build_initial,
                                          self._profiler.bind(args, kwargs) or {})
                        self._policy.example = {}
                self._raise_if_strict()
        return result

    def _fallback(self, args, kwargs, cg, misses=None, assertion=None, error=None,
                  counted=True):
        """Answer imperatively after the graphs could not (``counted``: one was tried)."""
        self._fallbacks += counted
        decision = self._policy.on_fallback(args, kwargs, cg, misses, assertion, error)
        if decision is Decision.PLAIN or self._profiler is None:
            self._imperative += 1
            result = self._plain(self.__wrapped__, args, kwargs)
            self._raise_if_strict()
            if decision is Decision.PLAIN and misses:
                self._skip_misses()
            return result
        if decision is Decision.SETTLE:
            self._imperative += 1
            result = self._plain(self.__wrapped__, args, kwargs)
            with self._lock:
                self._after_plain(self._policy.after_settle, misses,
                                  self._profiler.bind(args, kwargs) or {})
            self._raise_if_strict()
            return result
        self._imperative += 1
        summary = self._profiler.summarize_args(args, kwargs)
        result = self._run_profiled(args, kwargs)
        if summary is not None:
            self._profiler.profile.record_args(summary)
            with self._lock:
                self._after_plain(self._policy.after_fallback, summary, cg, misses, assertion,
                                  self._profiler.bind(args, kwargs) or {})
        self._raise_if_strict()
        return result

    def _skip_misses(self) -> None:
        """A call fit no graph and could lead to none. After ``config.MISS_STREAK_PLAIN``
        such calls in a row, with no graph answering one in between, the plain function
        answers the next calls directly (`_Skipping`): as many, then twice as many each time
        the graphs are tried again (for as many calls) and still miss, up to
        ``MISS_STREAK_PLAIN_MAX``; a graph serving a call among the tried ones starts over."""
        streak, first = self._policy.plain_streak, config.MISS_STREAK_PLAIN
        hits, since = self._streak
        if streak <= 1 or self._graph_calls != hits:        # a new run: a graph answered
            self._streak, self._skip_next = (self._graph_calls, streak - 1), first
            return
        if not first or streak - since < first or self.strict or \
                not self._dispatching():
            return
        n = self._skip_next
        self._skip_next = min(2 * n, max(config.MISS_STREAK_PLAIN_MAX, first))
        self._skip_left = n
        # after the stretch the graphs are tried for `first` calls again before the next
        # (longer) one: a call they serve among them (the calls changed) starts afresh
        self._streak = (self._graph_calls, streak)
        self.events.add("skipping", f"calls kept fitting no graph, and none could be built "
                        f"for them ({first} in a row): the plain function answers the next "
                        f"calls directly ({first}, doubling while the graphs still miss, up "
                        f"to {config.MISS_STREAK_PLAIN_MAX}), then the graphs are tried "
                        f"again", None, topic="fallbacks")
        self.__class__ = _Skipping

    def _after_plain(self, step, *args) -> None:
        """The policy's bookkeeping after the plain function answered a call: the call has
        happened, so a bug of ours here must not turn its result into an exception; it stops
        the graphs instead (logged, and said in explain())."""
        try:
            step(*args)
        except Exception as exc:   # noqa: BLE001 (a bug of ours: never the user's problem)
            reason = f"internal error {type(exc).__name__}: {exc}"
            self.events.add("internal-error", reason, None, level=logging.WARNING)
            self._go_imperative(reason, None)

    def _run_profiled(self, args, kwargs):
        tls = self._tls
        tls.depth = getattr(tls, "depth", 0) + 1
        t0 = time.perf_counter()
        try:
            return self._plain(self._profiler.instrumented, args, kwargs)
        finally:
            tls.depth -= 1
            self._run_s += time.perf_counter() - t0
            self._runs_timed += 1

    @staticmethod
    def _plain(fn, args, kwargs):
        """``fn(*args, **kwargs)``; Dask array arguments are gathered into NumPy arrays
        first (see ``config.DASK_GATHER_IMPERATIVE``)."""
        if dask_array_type() is not None and config.DASK_GATHER_IMPERATIVE:
            from .backend.dask_args import run_gathered
            return run_gathered(fn, args, kwargs)
        return fn(*args, **kwargs)

    # -- graphs -------------------------------------------------------------------------
    def _install(self, active):
        """The graphs calls are tried against, in order: (graph, its entry, hold its
        warnings?, its ``__dict__`` — where the dispatch counts its hits)."""
        entries = tuple((cg, cg.entry, may_abandon(cg.graph), vars(cg), i)
                        for i, cg in enumerate(active))
        self._set_entries(entries)
        if len(entries) > 1:
            # several graphs (one per layer, per parameter): calls usually come round in
            # the same order, so after graph i's hit, the graph that followed i's last hit
            # is tried first (``byfirst[j]``: the entries, graph j first; ``after[i]``:
            # the order to use after graph i served)
            byfirst = [(e,) + entries[:i] + entries[i + 1:] for i, e in enumerate(entries)]
            self._prev = 0
            self._plan = (byfirst, {})
        else:
            self._plan = None
        if self._dispatching():
            self._to_dispatch()

    def _dispatching(self) -> bool:
        """Do calls go through the graph dispatch (generic or fast), not a serving class?"""
        return type(self) is SpeculativeFunction or \
            (self._fast and type(self) is self._fast.cls)

    def _to_dispatch(self) -> None:
        """Calls go through the graph dispatch: the one generated for this function's
        signature (`fastcall`; with one graph, its entry bound in) once it has graphs, else
        the generic ``__call__``."""
        entries = self._entries
        if entries and config.FAST_DISPATCH:
            if self._fast is False:
                self._fast = _fastcall.build(SpeculativeFunction, self.__wrapped__,
                                             param_names(self._fdef))
            if self._fast:
                if len(entries) == 1 and self._plan is None:   # its entry bound in
                    cg, entry, hold, counts, _ = entries[0]
                else:                                          # reads _cur per call
                    cg = entry = hold = counts = None
                self._fast.set(self, entry, counts, cg, hold, Miss, _SWITCH, _is_disabled)
                self.__class__ = self._fast.cls
                return
        self.__class__ = SpeculativeFunction

    def _fast_abandoned(self, exc, cg, args, kwargs):
        """The fast path's graph run raised before its point of no return (counted there;
        see ``__call__``)."""
        __tracebackhide__ = True
        return self._answer(self._abandoned, args, kwargs, cg, exc, abandoned=exc)

    def _misses_answer(self, misses, args, kwargs, counts=None):
        """No graph answered: ``misses`` lists (graph, index of the guard that failed) of
        the graphs tried (``counts``: the one graph's counters, its miss not yet counted).
        The misses go to the policy in the graphs' own order."""
        __tracebackhide__ = True
        if counts is not None:
            counts["guard_misses"][misses[0][1]] += 1
        self._other_calls += 1
        if self._plan is not None and misses:   # as the graphs' own order would have met them
            pos = {id(e[0]): e[4] for e in self._entries}
            misses.sort(key=lambda m: pos.get(id(m[0]), len(pos)))
        return self._answer(self._slow, args, kwargs, misses)

    def _set_entries(self, entries) -> None:
        """Install ``entries`` (see `_install`) as the ones calls are tried against. The
        hits of graphs leaving them move into ``_hits_base``, so that `_graph_calls` (the
        base plus the installed graphs' hits) never changes here."""
        self._hits_base += sum(e[3]["hits"] for e in self._entries) - \
            sum(e[3]["hits"] for e in entries)
        self._entries = self._cur = entries

    @property
    def _graph_calls(self) -> int:
        """Calls answered entirely by a graph: the dispatch counts a hit only in its
        graph's ``hits`` (one counter on the hot path)."""
        return self._hits_base + sum(e[3]["hits"] for e in self._entries)

    @property
    def _calls(self) -> int:
        """Every call (answered by a graph or otherwise)."""
        return self._other_calls + self._graph_calls

    def _convert(self, specs, example=None, relaxed=frozenset()):
        """Convert for ``specs``: a CompiledGraph, or a `Failure` (its reason logged).

        A conversion that failed with state it writes folded (a step counter: the branch on
        it taken statically may be the side no graph holds) is tried once more with that
        state read at run time, as the graph that works would read it anyway; the graph
        then says so in ``relaxed_more``."""
        t0 = time.perf_counter()
        result = self._attempt(specs, example, relaxed)
        more = getattr(result, "written", frozenset()) - relaxed \
            if isinstance(result, ConversionError) and not result.permanent else None
        if more:
            again = self._attempt(specs, example, relaxed | more)
            if isinstance(again, CompiledGraph):
                again.relaxed_more = more
                result = again
        self._cost_learnt(time.perf_counter() - t0)
        if isinstance(result, CompiledGraph):
            result.seconds = time.perf_counter() - t0
            return result
        if isinstance(result, ConversionError):
            self.events.add("conversion-failed", result.reason, result.lineno,
                            filename=result.filename)
            if self.strict:
                self._strict_error = f"{self.events.qualname}" \
                                     f"{self._where(result.lineno, result.filename)}: " \
                                     f"conversion failed: {result.reason}"
            return Failure(result.reason, result.lineno, result.permanent, result.filename)
        # any other exception is a bug of ours: never the user's problem
        reason = f"internal error {type(result).__name__}: {result}"
        self.events.add("conversion-failed", reason, None, level=logging.WARNING)
        if self.strict:
            self._strict_error = f"{self.events.qualname}: conversion failed: {reason}"
        return Failure("conversion kept failing" if isinstance(result, RecursionError)
                       else reason)

    def _attempt(self, specs, example, relaxed):
        """One conversion: a CompiledGraph, or the exception that stopped it."""
        fn = self.__wrapped__
        try:
            with gc_paused():
                graph = convert(fn, self._fdef, self._klass, specs, self._profiler.profile,
                                fn.__name__, example, relaxed)
                backend = for_specs(specs, self.backend)
                run_passes(graph, passes_for(backend))
                guards = graph.guards
                entry, source = backend_compile(graph, fn, self._fdef, guards, backend)
        except Exception as exc:
            return exc
        graph.code = source                # for the IR graph's own views (summary, source())
        graph.backend = backend
        cg = CompiledGraph(graph, list(guards), entry, source, backend, specs)
        cg.tier_args = (example, relaxed)      # for the compiled tier's own conversion
        return cg

    def _cost_learnt(self, seconds) -> None:
        """Teach the conversion budget's cost models what this conversion cost."""
        _COST.record(self._wait.size, seconds)
        prof = self._profiler
        if prof is not None and prof.profile.runs:
            _COST_PER_RECORD.record(prof.records / prof.profile.runs, seconds)

    def _adopt(self, cg: CompiledGraph, why: str) -> None:
        self._conversions += 1
        cg.number, cg.why = self._conversions, why
        self.events.add("built", f"graph #{cg.number} built ({why}): "
                        f"{len(cg.graph)} nodes, {len(cg.assumptions)} assumptions",
                        getattr(self._fdef, "lineno", None))
        log_graph(self.events.qualname, cg.graph)   # DEBUG, topics graphs/guards
        self._arb_measure(config.ARBITRATE_WARMUP)
        if config.TIER != "off" and cg.backend == "numpy":   # not Dask/interpreter graphs
            from .backend.compiled import tier_up
            tier_up(self, cg, cg.specs, *getattr(cg, "tier_args", ({}, frozenset())))

    # -- arbitration: graphs vs the plain function (runtime/arbitrate.py) ----------------
    def _arb_measure(self, warmup) -> None:
        """Start timing calls both ways (after a graph is built, or to re-check)."""
        if not config.ARBITRATE or self.strict or \
                any(cg.backend not in ("numpy", "interpreter") for cg in self._policy.active):
            self._arb_flush()
            self._arbiter.mode = "off"
            self._to_dispatch()
            return
        self._arbiter.start(warmup)
        self.__class__ = _Measuring

    def _arb_step(self) -> None:
        """After a call of a measurement: decide once both sides have their samples."""
        arb = self._arbiter
        arb.tries += 1
        if arb.done():
            with self._lock:
                if type(self) is not _Measuring:
                    return
                before = arb.recheck
                mode = arb.decide()
                if mode == "plain":
                    arb.recheck = min(max(config.ARBITRATE_RECHECK_CALLS, before * 2),
                                      config.ARBITRATE_RECHECK_MAX)
                    self._arb_left = self._arb_given = arb.recheck
                    self.__class__ = _PlainServing
                else:
                    arb.recheck = 0
                    self._to_dispatch()
                self.events.add("arbitrated", arb.summary(), None, topic="graphs")
        elif arb.tries > 8 * (config.ARBITRATE_SAMPLES + config.ARBITRATE_WARMUP):
            # the graphs keep missing (new signatures): undecided, the graphs keep serving
            arb.mode = "off"
            self._to_dispatch()

    def _arb_flush(self) -> None:
        """Count the calls the plain fast path served since the last count (it only counts
        down ``_arb_left``, to stay cheap)."""
        served = self._arb_given - self._arb_left
        if served > 0:
            self._arb_given = self._arb_left
            self._other_calls += served
            self._arbitrated += served

    def _arb_recheck(self) -> None:
        """The plain function has served ``recheck`` calls: measure both again."""
        with self._lock:
            if type(self) is _PlainServing:
                self._arb_flush()
                self._arb_left = self._arb_given = 0
                self._arb_measure(0)

    # -- inspection -----------------------------------------------------------------------
    @property
    def stats(self) -> dict:
        """Counts, as a new dict: ``calls`` (every call), ``imperative_calls`` (answered by
        running the Python function: profile runs, fallbacks, disabled calls),
        ``graph_calls`` (answered entirely by a graph), ``fallbacks`` (graph runs abandoned
        because an assumption failed), ``conversions`` (graphs built),
        ``failed_conversions`` (attempts that gave up; reasons in ``explain()``), ``graphs``,
        ``disabled_calls`` (calls while janus_lite was turned off), ``plain_calls`` (answered
        by the plain function because it measured faster than the graphs: see
        ``config.ARBITRATE``; not counted in ``imperative_calls``)."""
        self._arb_flush()
        return {"calls": self._calls, "imperative_calls": self._imperative,
                "graph_calls": self._graph_calls, "fallbacks": self._fallbacks,
                "conversions": self._conversions, "failed_conversions":
                    self._policy.failures + self._policy.failed_general,
                "graphs": len(self._policy.active), "disabled_calls": self._disabled,
                "plain_calls": self._arbitrated}

    @property
    def graphs(self) -> list:
        """The graphs built so far, oldest first (each has ``summary()``, ``to_dot()``,
        ``draw(path)``, ``source()``, ``assumptions``, ``to_networkx()``; in a notebook it
        displays as a drawing). Each has ``.number`` and ``.status`` (active / replaced /
        retired); ``active_graphs`` lists those calls are tried against."""
        return list(self._policy.history)

    @property
    def active_graphs(self) -> list:
        """The graphs calls are tried against, in order."""
        return list(self._policy.active)

    @property
    def arbitration(self) -> tuple[str, str] | None:
        """The last measurement of graphs against the plain function (``config.ARBITRATE``):
        ``("plain", text)`` while the plain function serves the calls because it measured
        faster, ``("graph", text)`` while the graphs do; None before any was decided."""
        arb = self._arbiter
        return (arb.decided, arb.summary()) if arb.decided else None

    @property
    def budget_wait(self) -> str | None:
        """While the function waits for its first conversion to pay
        (``config.CONVERSION_PAYBACK``): what it waits for; else None."""
        if self._wait.done or self._policy.started or self.strict:
            return None
        return self._wait.describe()

    @property
    def imperative_reason(self) -> str | None:
        """Why the function runs imperatively for good (None while it may use graphs)."""
        self._ensure_setup()
        return self._imperative_reason

    @property
    def stopped_reason(self) -> str | None:
        """Why no more graphs are built (the working ones keep serving), or None."""
        return self._policy.stopped

    @property
    def source_lineno(self) -> int | None:
        """The line of the function's ``def`` in its file."""
        self._ensure_setup()
        code = getattr(self.__wrapped__, "__code__", None)
        return getattr(self._fdef, "lineno", None) or getattr(code, "co_firstlineno", None)

    @property
    def has_profiler(self) -> bool:
        """Is the function instrumented for profiling (it has usable source)?"""
        self._ensure_setup()
        return self._profiler is not None

    def explain(self) -> str:
        """Why calls ran as graphs or imperatively: the assumptions each graph makes, the
        fallbacks, regenerations and failed conversions, each with its source line. A
        ``str`` (print it); in a notebook it displays as a preformatted block."""
        from .inspect.explain import explain
        from .inspect.report import Report
        return Report(explain(self))

    def instrumented_source(self) -> str | None:
        """The instrumented source the profiler runs (None if there is none)."""
        self._ensure_setup()
        return self._profiler.source() if self._profiler is not None else None

    def __repr__(self):
        return f"<janus_lite.jit {self.events.qualname}>"

    # -- escape hatches, copying, pickling ------------------------------------------------
    events = property(lambda self: self._event_log,
                      lambda self, log: setattr(self, "_event_log", log),
                      doc="The log of what happened to this function (``EventLog``): "
                          "profiling, graphs built, fallbacks, regenerations, failed "
                          "conversions, each with its source line; ``explain()`` reads it.")

    def _disabled_call(self, args, kwargs):
        """janus_lite is off (``JANUS_LITE_DISABLE``, ``disabled()``): the plain function."""
        self._other_calls += 1
        self._imperative += 1
        self._disabled += 1
        return self.__wrapped__(*args, **kwargs)

    def reset(self) -> None:
        """Forget everything learned: graphs, profile, events and counters. The next calls
        profile again, as after decoration (options kept)."""
        with self._lock:
            self.__init__(*self._init_args, **self._init_options)

    def __reduce__(self):
        """Pickled by reference (as plain functions are): the importable qualified name."""
        import importlib
        module, qualname = self.__module__, self.__qualname__
        try:
            obj = importlib.import_module(module)
            for part in qualname.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            obj = None
        if obj is self:
            return qualname
        fn, profile_runs, backend, max_graphs = self._init_args
        if "<locals>" in qualname or obj is not fn:
            import pickle
            raise pickle.PicklingError(f"cannot pickle {self!r}: {module}.{qualname} is not "
                                       f"importable as this function")
        return (_rebuild, self._init_args + (self._init_options,))   # rebuilt around `plain`

    def __copy__(self):
        return self          # functions are immutable values for copy and deepcopy

    def __deepcopy__(self, memo):
        return self


_Measuring, _PlainServing, _Waiting, _Skipping = serving_classes(
    SpeculativeFunction, lambda exc: hide_internal_frames(exc, None))


class _Direct(SpeculativeFunction):
    """A function that runs imperatively for good: each call is the plain function's own,
    with no frame of janus_lite between it and its caller. ``__call__`` is a property: the
    type's call slot takes the function from it (counting the call) and calls it directly,
    so code that looks at its caller — ``warnings.warn(..., stacklevel=2)``,
    ``sys._getframe(1)`` — sees the caller it sees undecorated, and an error's traceback
    holds no janus_lite frame. (Once Dask is imported, a call of a function that does not
    look at its caller still goes through `_plain`, which gathers Dask arrays.)"""
    __slots__ = ()

    @property
    def __call__(self):
        self._other_calls += 1
        self._imperative += 1
        if _SWITCH.on and _is_disabled():
            self._disabled += 1
        if dask_array_type() is not None and config.DASK_GATHER_IMPERATIVE and \
                not self._imperative_reason.startswith(FRAME_READER):
            return lambda *args, **kwargs: self._plain(self.__wrapped__, args, kwargs)
        return self.__wrapped__


_Direct.__name__, _Direct.__qualname__ = SpeculativeFunction.__name__, \
    SpeculativeFunction.__qualname__       # as the serving classes (runtime/arbitrate.py)


def _rebuild(fn, profile_runs, backend, max_graphs, options=None):
    """Unpickling of ``g = jit(plain)``: a fresh decorated ``plain`` (graphs are not sent)."""
    return SpeculativeFunction(fn, profile_runs, backend, max_graphs, **(options or {}))


class _PolicyHost:
    """What `runtime.policy.Policy` may ask of its function (see `policy.Host`)."""

    def __init__(self, f: SpeculativeFunction):
        self.f = f
        self.events = f.events

    @property
    def max_graphs(self):
        return self.f.max_graphs

    @property
    def profile_runs(self):
        return self.f.profile_runs

    def profiled_args(self):
        return self.f._profiler.profile.args

    def summarize(self, args, kwargs):
        return self.f._profiler.summarize_args(args, kwargs)

    def bind(self, args, kwargs):
        return self.f._profiler.bind(args, kwargs)

    def convert(self, specs, example, relaxed):
        return self.f._convert(specs, example, relaxed)

    def adopt(self, cg, why):
        self.f._adopt(cg, why)

    def install(self, active):
        self.f._install(active)

    def go_imperative(self, reason, lineno, filename=None):
        self.f._go_imperative(reason, lineno, filename)

    def warn(self, cause, text, lineno, filename=None):
        self.f._warn(cause, text, lineno, filename)

    def forget_truth(self, site) -> None:
        """Forget how the profiled calls went at condition ``site``: the next conversion
        speculates the way the calls profiled from now on go."""
        profile = self.f._profiler.profile
        with profile.lock:
            profile.truths.pop(site, None)
            profile.sites.pop(site, None)

    def run_seconds(self) -> float:
        """The function's own run time so far, estimated: calls × mean imperative run."""
        f = self.f
        f._arb_flush()
        return f._calls * f._run_s / f._runs_timed if f._runs_timed else 0.0


def _is_binding_error(exc) -> bool:
    """Did calling a graph's entry fail to bind the arguments (a bad keyword, wrong arity)?
    Then nothing ran: the traceback holds only the caller's frame."""
    if type(exc) is not TypeError:
        return False
    tb = exc.__traceback__
    return tb is not None and tb.tb_next is None


def instrumented_source(f) -> str:
    """The instrumented source the profiler runs for a ``jit``-decorated function."""
    target = getattr(f, "__func__", f)
    if not isinstance(target, SpeculativeFunction):
        raise TypeError("instrumented_source() takes a janus_lite.jit function")
    src = target.instrumented_source()
    if src is None:
        raise ValueError(f"{target.events.qualname} has no instrumented source: "
                         f"{target._imperative_reason}")
    return src
