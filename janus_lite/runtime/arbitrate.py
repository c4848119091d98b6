"""Measured arbitration: a decorated function is never slower than the plain one.

Once graphs serve a function's calls, a few of its calls are timed both ways, interleaved:
answered by the graphs (the whole dispatch: guards, graph, commit) and by the plain,
uninstrumented function. If the graphs are not faster than the plain function by
``config.ARBITRATE_MARGIN``, its calls are served by the plain function through a fast path
(no guards, no profiling: one counter and one call) and the graphs stay built (inspection
still shows them) — re-measured after ``ARBITRATE_RECHECK_CALLS`` calls (doubling each time
the plain function wins again, up to ``ARBITRATE_RECHECK_MAX``), since argument sizes may
change. A new graph also starts a new measurement.

The plain function is the reference: it is always exact, so the choice never changes a
result, a warning or the state a call leaves.

The three ways of answering a call are three classes of one object: the dispatch of
`api.SpeculativeFunction` itself (no measurement cost), `measuring` (times calls both ways)
and `plain_serving` (the fast path). Switching is an assignment to ``__class__``, so the
decided states cost nothing in the graph dispatch and ~0.1 µs in the plain one.
"""
from __future__ import annotations

import time

from .. import config

_clock = time.perf_counter


class Arbiter:
    """Per function: the samples of the current measurement and what was decided."""

    def __init__(self):
        self.mode = "off"              # off | measuring | graph | plain
        self.graph_t: list = []        # seconds per graph-served call (this measurement)
        self.plain_t: list = []        # seconds per plain call (this measurement)
        self.tries = 0                 # calls seen in this measurement
        self.skip = 0                  # graph-served calls still to skip (warm-up)
        self.turn = False              # next sampled call runs the plain function?
        self.recheck = 0               # calls between re-measurements (plain mode)
        self.decisions = 0
        self.decided = None            # the last decision ("graph" | "plain"), kept while
        #                                a re-measurement runs
        self.graph_us = self.plain_us = None   # the last decision's per-call times
        self.numbers: set = set()      # graphs that answered the timed calls

    def start(self, warmup: int) -> None:
        self.mode = "measuring"
        self.graph_t, self.plain_t = [], []
        self.tries, self.skip, self.turn = 0, warmup, False

    def done(self) -> bool:
        n = config.ARBITRATE_SAMPLES
        return len(self.graph_t) >= n and len(self.plain_t) >= n

    def decide(self) -> str:
        """``"graph"`` or ``"plain"``, from the fastest call of each side."""
        g, p = min(self.graph_t), min(self.plain_t)
        self.graph_us, self.plain_us = g * 1e6, p * 1e6
        self.decisions += 1
        self.mode = "graph" if g <= p * (1.0 - config.ARBITRATE_MARGIN) else "plain"
        self.decided = self.mode
        return self.mode

    def summary(self) -> str:
        nums = ", ".join(f"#{n}" for n in sorted(self.numbers)) or "the graphs"
        if self.decided == "plain":
            return (f"plain function is faster here: {self.plain_us:.1f} µs vs "
                    f"{self.graph_us:.1f} µs per call by graph {nums}; graph kept but not "
                    f"used (re-measured every {self.recheck} calls)")
        if self.decided == "graph":
            return (f"graph {nums} is faster than the plain function: {self.graph_us:.1f} µs "
                    f"vs {self.plain_us:.1f} µs per call")
        return ""


def serving_classes(base, hide_frames):
    """The measuring, plain-serving and waiting subclasses of ``base``
    (api.SpeculativeFunction).
    ``hide_frames(exc)`` drops janus_lite's frames from a plain call's exception."""
    from ..switch import SWITCH, is_disabled
    graph_call = base.__call__

    class Measuring(base):
        """Times calls both ways, alternating; decides once both have their samples."""
        __slots__ = ()

        def __call__(self, *args, **kwargs):
            __tracebackhide__ = True
            arb = self._arbiter
            if arb.turn and not arb.skip and not (SWITCH.on and is_disabled()):
                arb.turn = False
                self._other_calls += 1
                self._arbitrated += 1
                t0 = _clock()
                try:
                    result = self.__wrapped__(*args, **kwargs)
                except Exception as exc:
                    hide_frames(exc)
                    raise
                arb.plain_t.append(_clock() - t0)
                self._arb_step()
                return result
            served = self._graph_calls
            hits = [(cg, cg.hits) for cg in self._policy.active]
            t0 = _clock()
            result = graph_call(self, *args, **kwargs)
            dt = _clock() - t0
            if self._graph_calls == served + 1:
                if arb.skip:
                    arb.skip -= 1
                else:
                    if not arb.graph_t:
                        arb.numbers = set()
                    arb.graph_t.append(dt)
                    arb.turn = True
                    arb.numbers.update(cg.number for cg, n in hits if cg.hits != n)
            self._arb_step()
            return result

    class PlainServing(base):
        """The plain function answers (it measured faster); re-measure now and then."""
        __slots__ = ()

        def __call__(self, *args, **kwargs):
            __tracebackhide__ = True
            if SWITCH.on and is_disabled():
                return self._disabled_call(args, kwargs)
            left = self._arb_left - 1
            if left < 0:
                self._arb_recheck()
                return self(*args, **kwargs)
            self._arb_left = left          # counted in stats by _arb_flush()
            try:
                return self.__wrapped__(*args, **kwargs)
            except Exception as exc:
                hide_frames(exc)
                raise

    class Waiting(base):
        """Before the first conversion pays (runtime/budget.py): the plain function, timed;
        the function's own dispatch takes over once the budget is reached."""
        __slots__ = ()

        def __call__(self, *args, **kwargs):
            __tracebackhide__ = True
            if SWITCH.on and is_disabled():
                return self._disabled_call(args, kwargs)
            if self._wait.ready():
                if type(self) is Waiting:
                    self._to_dispatch()
                return graph_call(self, *args, **kwargs)
            self._other_calls += 1
            try:
                return self._wait_call(args, kwargs)     # the plain function, timed
            except Exception as exc:
                hide_frames(exc)
                raise

    class Skipping(base):
        """Calls kept fitting no graph, and none could be built: the plain function answers
        the next ``_skip_left`` calls directly (no guards tried, no policy asked); then the
        function's own dispatch tries the graphs again (`api._skip_misses`)."""
        __slots__ = ()

        def __call__(self, *args, **kwargs):
            __tracebackhide__ = True
            if SWITCH.on and is_disabled():
                return self._disabled_call(args, kwargs)
            left = self._skip_left - 1
            if left < 0:
                if type(self) is Skipping:
                    self._to_dispatch()
                return graph_call(self, *args, **kwargs)
            self._skip_left = left
            self._other_calls += 1
            self._imperative += 1
            try:
                return self.__wrapped__(*args, **kwargs)
            except Exception as exc:
                hide_frames(exc)
                raise

    for cls in (Measuring, PlainServing, Waiting, Skipping):
        cls.__name__, cls.__qualname__, cls.__module__ = \
            base.__name__, base.__qualname__, base.__module__
    return Measuring, PlainServing, Waiting, Skipping
