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
        self._plain_params = _plain_params(self.signature)

    def source(self) -> str:
        return to_source(instrument(self._fdef)[0])

    def bind(self, args, kwargs) -> dict | None:
        """Parameter name → value for a call, or None when the call does not bind (the
        same mapping as ``inspect.Signature.bind`` with its defaults applied, in the
        parameters' order; a signature of plain parameters is bound directly, ~20x faster:
        the policy binds every call that misses the graphs)."""
        plain = self._plain_params
        if plain is not None:
            return _bind_plain(plain, args, kwargs)
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


_NO_DEFAULT = inspect.Parameter.empty


def _plain_params(signature) -> tuple | None:
    """((name, default), ...) when every parameter is positional-or-keyword (no ``*args``,
    ``**kwargs``, keyword-only or positional-only ones); else None."""
    params = tuple(signature.parameters.values())
    if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params):
        return None
    return tuple((p.name, p.default) for p in params)


def _bind_plain(params, args, kwargs) -> dict | None:
    if len(args) > len(params):
        return None
    bound = {name: value for (name, _), value in zip(params, args)}
    if kwargs:
        names = {name for name, _ in params}
        for key, value in kwargs.items():
            if key in bound or key not in names:
                return None
            bound[key] = value
    if len(bound) == len(params) and not kwargs:
        return bound
    out = {}
    for name, default in params:
        value = bound.get(name, default)
        if value is _NO_DEFAULT and name not in bound:
            return None
        out[name] = value
    return out


__all__ = ["Profiler", "Profile", "Observation", "Seen", "summarize", "NoSource",
           "function_ast", "instrument", "site_key"]
