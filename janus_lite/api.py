"""`jit` and `SpeculativeFunction`: the decorator users see and the per-call dispatch."""
from __future__ import annotations

import functools
import logging
import threading
import types
import warnings

from . import config
from .backend import Miss, compile as backend_compile, resolve as resolve_backend
from .frontend import ConversionError, check_supported, convert
from .ir.ops_core import AssumptionFailed
from .passes import run_passes
from .profile import NoSource, Profiler, function_ast
from .profile.source import mangle, source_matches, strip_decorators
from .inspect.logs import log_graph
from .runtime.events import EventLog
from .runtime.held_warnings import HeldWarnings, may_abandon
from .runtime.policy import GraphRecord, Policy
from .options import check_jit_options
from .switch import SWITCH as _SWITCH, is_disabled as _is_disabled

log = logging.getLogger("janus_lite")


def jit(fn=None, *, profile_runs: int | None = None, backend: str | None = None,
        max_graphs: int | None = None, exact: bool = True):
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
    exact : bool
        With numba installed, graphs tier up to compiled code in the background
        (``backend="numpy"``: never). ``exact=False`` lets that code round differently from
        NumPy (libm transcendentals; the bound: docs/guide/compiled.md). Default True.

    The result has ``stats``, ``graphs``, ``events``, ``explain()`` and ``reset()``.
    ``JANUS_LITE_DISABLE=1`` or ``with janus_lite.disabled():`` makes it call ``fn`` plainly.
    """
    check_jit_options(profile_runs=profile_runs, backend=backend, max_graphs=max_graphs)
    if fn is None:
        return lambda f: jit(f, profile_runs=profile_runs, backend=backend,
                             max_graphs=max_graphs, exact=exact)
    if isinstance(fn, staticmethod):
        return staticmethod(jit(fn.__func__, profile_runs=profile_runs, backend=backend,
                                max_graphs=max_graphs, exact=exact))
    if isinstance(fn, classmethod):
        return classmethod(jit(fn.__func__, profile_runs=profile_runs, backend=backend,
                               max_graphs=max_graphs, exact=exact))
    if isinstance(fn, types.MethodType):
        inner = jit(fn.__func__, profile_runs=profile_runs, backend=backend,
                    max_graphs=max_graphs, exact=exact)
        return types.MethodType(inner, fn.__self__)
    if isinstance(fn, SpeculativeFunction):
        return fn
    if not callable(fn):
        raise TypeError(f"jit() needs a callable, got {type(fn).__name__}")
    sf = SpeculativeFunction(fn, profile_runs, backend, max_graphs)
    sf._exact = bool(exact)
    return sf


class _Answer:
    """The fallback's answer to a call whose graph run was abandoned."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class SpeculativeFunction:
    """A function that profiles, converts to graphs, and runs them under guards."""

    __janus_lite_jit__ = True   # how the frontend recognises one (frontend.values.is_jitted)

    def __init__(self, fn, profile_runs=None, backend=None, max_graphs=None):
        self._init_args = (fn, profile_runs, backend, max_graphs)     # for reset()
        self._disabled = 0
        functools.update_wrapper(self, fn)
        self.__wrapped__ = fn
        self.profile_runs = config.PROFILE_RUNS if profile_runs is None else profile_runs
        self.backend = resolve_backend(backend or config.BACKEND)
        self._tier_request = backend or config.BACKEND     # "numpy": no compiled tier
        self._exact = True
        self.max_graphs = config.MAX_GRAPHS if max_graphs is None else max_graphs
        self._records: list[GraphRecord] = []
        self._entries: tuple = ()          # (record, entry, hold warnings?), tried in order
        self._lock = threading.RLock()
        self._calls = self._imperative = self._graph_calls = 0
        self._fallbacks = self._conversions = self._failed = 0
        self.events = EventLog(getattr(fn, "__qualname__", repr(fn)))
        self._profiler = None
        self._fdef = self._klass = None
        self._imperative_reason: str | None = None
        self._policy = Policy(self)
        self._tls = threading.local()      # .depth: imperative runs of this function in flight
        self._setup()

    # -- set-up ---------------------------------------------------------------------------
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
            self._go_imperative(exc.reason, exc.lineno)
            return
        try:
            self._profiler = Profiler(fn, fdef)
        except Exception as exc:   # instrumentation must never break the user's function
            self._go_imperative(f"cannot instrument: {type(exc).__name__}: {exc}", None)

    def _go_imperative(self, reason, lineno):
        self._imperative_reason = reason
        self._entries = ()
        self.events.add("imperative", f"runs imperatively for good: {reason}", lineno)

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
        if _SWITCH.on and _is_disabled():
            return self._disabled_call(args, kwargs)
        self._calls += 1
        misses = None
        for record, entry, hold in self._entries:
            if hold:                       # its warnings: shown only if its answer is kept
                result = self._run_held(record, entry, args, kwargs)
                if type(result) is _Answer:
                    return result.value
            else:                          # it cannot be abandoned once it computes
                try:
                    result = entry(*args, **kwargs)
                except Exception as exc:
                    if getattr(exc, "__jl_committed__", False):
                        raise      # met past the run's point of no return: the call happened
                    return self._abandoned(args, kwargs, record, exc)
            if type(result) is Miss:
                record.guard_misses[result.index] += 1
                if misses is None:
                    misses = []
                misses.append((record, result.index))
                continue
            record.hits += 1
            self._graph_calls += 1
            return result
        return self._slow(args, kwargs, misses)

    def _run_held(self, record, entry, args, kwargs):
        """Run a graph that can be abandoned once it computes, holding its warnings until
        its answer is kept: its result, a `Miss`, or the fallback's `_Answer`."""
        held = HeldWarnings()
        warnings.showwarning = held
        try:
            result = entry(*args, **kwargs)
        except Exception as exc:
            if getattr(exc, "__jl_committed__", False):
                held.release()
                raise      # met by the commit step's last part: the call happened
            held.forget()
            return _Answer(self._abandoned(args, kwargs, record, exc))
        except BaseException:
            held.release()
            raise
        if type(result) is Miss:
            held.forget()
        else:
            held.release()
        return result

    def _abandoned(self, args, kwargs, record, exc):
        """A graph run raised: answer imperatively (an assertion failed, or an error the
        rerun gives genuinely)."""
        if isinstance(exc, AssumptionFailed):
            return self._fallback(args, kwargs, record, assertion=exc)
        return self._fallback(args, kwargs, record, error=exc)

    def _slow(self, args, kwargs, misses):
        if self._imperative_reason is not None or getattr(self._tls, "depth", 0):
            # for good, or a recursive call inside an imperative run of this function: the
            # outer call's profile covers it (graphs specialize on the outer structure)
            self._imperative += 1
            return self.__wrapped__(*args, **kwargs)
        if misses:
            return self._fallback(args, kwargs, None, misses=misses)
        if not self._policy.started:
            return self._profile_call(args, kwargs, first=True)
        return self._fallback(args, kwargs, None, counted=False)

    def _profile_call(self, args, kwargs, first=False):
        """Answer the call imperatively through the profiler; convert when it is time."""
        self._imperative += 1
        summary = self._profiler.summarize_args(args, kwargs)
        result = self._run_profiled(args, kwargs)
        if summary is not None:
            self._profiler.profile.record_args(summary)
            if first and self._profiler.profile.runs >= self.profile_runs:
                with self._lock:
                    if not self._policy.started:
                        self._policy.build_initial(self._profiler.bind(args, kwargs) or {})
                        self._policy.example = {}
        return result

    def _fallback(self, args, kwargs, record, misses=None, assertion=None, error=None,
                  counted=True):
        """Answer imperatively after the graphs could not (``counted``: one was tried)."""
        self._fallbacks += counted
        decision = self._policy.on_fallback(args, kwargs, record, misses, assertion, error)
        if decision == "plain" or self._profiler is None:
            self._imperative += 1
            return self.__wrapped__(*args, **kwargs)
        self._imperative += 1
        summary = self._profiler.summarize_args(args, kwargs)
        result = self._run_profiled(args, kwargs)
        if summary is not None:
            self._profiler.profile.record_args(summary)
            with self._lock:
                self._policy.after_fallback(summary, record, misses, assertion,
                                            self._profiler.bind(args, kwargs) or {})
        return result

    def _run_profiled(self, args, kwargs):
        tls = self._tls
        tls.depth = getattr(tls, "depth", 0) + 1
        try:
            return self._profiler.instrumented(*args, **kwargs)
        finally:
            tls.depth -= 1

    # -- graphs -------------------------------------------------------------------------
    def _install(self, records):
        self._records = list(records)
        self._entries = tuple((r, r.entry, may_abandon(r.graph)) for r in self._records)

    def _build(self, specs, why: str, example=None, relaxed=frozenset()):
        """Convert for ``specs``; returns a GraphRecord, or None (reason kept in events)."""
        fn = self.__wrapped__
        try:
            graph = convert(fn, self._fdef, self._klass, specs, self._profiler.profile,
                            fn.__name__, example, relaxed)
            run_passes(graph)
            guards = graph.meta["guards"]
            entry, source = backend_compile(graph, fn, self._fdef, guards, self.backend)
        except ConversionError as exc:
            self._failed += 1
            self.events.add("conversion-failed", exc.reason, exc.lineno)
            if exc.permanent or self._failed >= config.MAX_FAILED_CONVERSIONS:
                self._go_imperative(f"conversion failed: {exc.reason}", exc.lineno)
            return None
        except Exception as exc:   # a bug of ours: never the user's problem
            self._failed += 1
            self.events.add("conversion-failed",
                            f"internal error {type(exc).__name__}: {exc}", None,
                            level=logging.WARNING)
            if self._failed >= config.MAX_FAILED_CONVERSIONS:
                self._go_imperative("conversion kept failing", None)
            return None
        graph.meta["source"] = source
        graph.meta["backend"] = self.backend
        self._conversions += 1
        record = GraphRecord(graph, entry, specs, len(guards))
        self.events.add("built", f"graph #{self._conversions} built ({why}): "
                        f"{len(graph)} nodes, {len(graph.assumptions)} assumptions",
                        getattr(self._fdef, "lineno", None))
        log_graph(self.events.qualname, graph)   # DEBUG, topics graphs/guards
        if config.TIER != "off":
            from .backend.compiled import tier_up
            tier_up(self, record, specs, example, relaxed)
        return record

    # -- inspection -----------------------------------------------------------------------
    @property
    def stats(self) -> dict:
        """Counts, as a new dict: ``calls`` (every call), ``imperative_calls`` (answered by
        running the Python function: profile runs, fallbacks, disabled calls),
        ``graph_calls`` (answered entirely by a graph), ``fallbacks`` (graph runs abandoned
        because an assumption failed), ``conversions`` (graphs built),
        ``failed_conversions`` (attempts that gave up; reasons in ``explain()``), ``graphs``,
        ``disabled_calls`` (calls while janus_lite was turned off)."""
        return {"calls": self._calls, "imperative_calls": self._imperative,
                "graph_calls": self._graph_calls, "fallbacks": self._fallbacks,
                "conversions": self._conversions, "failed_conversions": self._failed,
                "graphs": len(self._records), "disabled_calls": self._disabled}

    @property
    def graphs(self) -> list:
        """The graphs built so far, oldest first (each has ``summary()``, ``to_dot()``,
        ``draw(path)``, ``source()``, ``assumptions``, ``to_networkx()``; in a notebook it
        displays as a drawing)."""
        return self._policy.all_graphs()

    def explain(self) -> str:
        """Why calls ran as graphs or imperatively: the assumptions each graph makes, the
        fallbacks, regenerations and failed conversions, each with its source line. A
        ``str`` (print it); in a notebook it displays as a preformatted block."""
        from .inspect.explain import explain
        from .inspect.report import Report
        return Report(explain(self))

    def instrumented_source(self) -> str | None:
        """The instrumented source the profiler runs (None if there is none)."""
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
        self._calls += 1
        self._imperative += 1
        self._disabled += 1
        return self.__wrapped__(*args, **kwargs)

    def reset(self) -> None:
        """Forget everything learned: graphs, profile, events and counters. The next calls
        profile again, as after decoration (options kept)."""
        with self._lock:
            self.__init__(*self._init_args)

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
        return (_rebuild, self._init_args)      # `g = jit(plain)`: rebuilt around `plain`

    def __copy__(self):
        return self          # functions are immutable values for copy and deepcopy

    def __deepcopy__(self, memo):
        return self


def _rebuild(fn, profile_runs, backend, max_graphs):
    """Unpickling of ``g = jit(plain)``: a fresh decorated ``plain`` (graphs are not sent)."""
    return SpeculativeFunction(fn, profile_runs, backend, max_graphs)


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
