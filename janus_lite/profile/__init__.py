"""Profiling: an instrumented copy of the function records what each site evaluates to."""
from __future__ import annotations

import inspect

from .instrument import instrument, to_source, site_key, REC, TRUTH, ITER
from .records import Profile, Observation, Seen, summarize
from .source import NoSource, build_function, function_ast


class Profiler:
    """Runs calls of ``fn`` through its instrumented copy and fills ``self.profile``."""

    def __init__(self, fn, fdef):
        self.fn = fn
        self.profile = Profile()
        tree, keys = instrument(fdef)
        self._fdef = fdef     # the instrumented tree is not kept (~400 tracked objects per
        #                       function for the collector to walk): `source` makes it again
        profile = self.profile

        self.records = 0         # values recorded over all profiled runs (≈ graph size)
        count = self

        def rec(i, value, _record=profile.record, _keys=keys):
            count.records += 1
            return _record(_keys[i], value)

        def truth(i, value, _record=profile.record_truth, _keys=keys):
            return _record(_keys[i], value)

        def iterate(i, iterable, _record=profile.record_trip, _keys=keys):
            n = 0
            try:
                for v in iterable:
                    n += 1
                    yield v
            finally:
                _record(_keys[i], n)

        self.instrumented, _ = build_function(fn, tree, {REC: rec, TRUTH: truth,
                                                         ITER: iterate}, owned=True)
        self.signature = inspect.signature(fn)

    def source(self) -> str:
        return to_source(instrument(self._fdef)[0])

    def bind(self, args, kwargs) -> dict | None:
        """Parameter name → value for a call, or None when the call does not bind."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError:
            return None   # the call itself will raise the genuine TypeError
        bound.apply_defaults()
        return dict(bound.arguments)

    def summarize_args(self, args, kwargs) -> dict | None:
        """Summaries of a call's arguments, taken before the call can mutate them."""
        bound = self.bind(args, kwargs)
        if bound is None:
            return None
        return {k: summarize(v) for k, v in bound.items()}


__all__ = ["Profiler", "Profile", "Observation", "Seen", "summarize", "NoSource",
           "function_ast", "instrument", "site_key"]
