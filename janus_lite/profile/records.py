"""What the profiler saw: per-site observations, bounded so long runs never grow memory."""
from __future__ import annotations

import collections
import sys
import threading
import types
from dataclasses import dataclass, field

import numpy as np

from .. import config

SCALARS = (bool, int, float, complex, str, type(None), bytes)
DICTS = (dict, collections.OrderedDict)
"""Types read item by item as dicts. An ``OrderedDict`` (numpy-ml keeps its layers in one)
reads, writes, deletes and iterates as a dict does; what differs (``copy()`` keeps the
type, ``popitem(last=)``, ``move_to_end``, order-sensitive ``==``) is refused."""
_FAST_SCALARS = frozenset((bool, int, float, str, type(None)))
_NP_SCALARS = frozenset((np.float64, np.float32, np.int64, np.int32, np.bool_))
_FUNCS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, np.ufunc,
          types.ModuleType, type)


@dataclass(frozen=True)
class Seen:
    """A summary of one observed value: type, and dtype/shape for arrays, the value itself
    for Python scalars and small tuples, the object for functions, classes and modules."""
    type: type
    dtype: np.dtype | None = None
    shape: tuple | None = None
    value: object = None
    has_value: bool = False
    items: tuple | None = None     # summaries of a small tuple/list's items

    def describe(self) -> str:
        if self.type is np.ndarray:
            return f"ndarray[{self.dtype}, shape={self.shape}]"
        if self.has_value:
            return f"{self.type.__name__} {self.value!r}"
        if self.dtype is not None:
            return f"{self.type.__name__}[{self.dtype}]"
        return self.type.__name__


def dask_array_type():
    """``dask.array.Array`` if dask.array has been imported, else None (never imports it:
    no Dask array can exist before then)."""
    mod = sys.modules.get("dask.array.core")
    return getattr(mod, "Array", None) if mod is not None else None


JIT_MARKER = "__janus_lite_jit__"
"""Class attribute (True) of `janus_lite.api.SpeculativeFunction`: the profile and the frontend
recognise a decorated function by it without importing the api layer above them."""


def is_jitted(value) -> bool:
    """Is ``value`` a decorated function (an instance of a class carrying `JIT_MARKER`)?"""
    return getattr(type(value), JIT_MARKER, False) is True


def _python_callable_object(t) -> bool:
    """An instance of a user class whose ``__call__`` is written in Python (a schedule, a
    layer), decorated or not (``Layer.__call__ = jit(Layer.__call__)``): summarized by its
    type like any object, so that graphs guard its type and attributes, not its identity,
    and a new object of the class fits them."""
    call = getattr(t, "__call__", None)
    if is_jitted(call):
        call = getattr(call, "__wrapped__", None)
    return isinstance(call, types.FunctionType) and \
        not (t.__module__ or "").startswith(("janus_lite", "numpy", "builtins"))


def _plain_key(k) -> bool:
    """A dict key the profile keeps: a str, an int, or a tuple of those (``(layer, name)``)."""
    return type(k) in (str, int) or type(k) is tuple and all(type(i) in (str, int) for i in k)


def summarize(value, depth: int = 0) -> Seen:
    t = type(value)
    if t is np.ndarray:
        return Seen(t, value.dtype, value.shape)
    if t in SCALARS:
        return Seen(t, value=value, has_value=True)
    if isinstance(value, np.generic):
        try:
            hash(value)
            return Seen(t, value.dtype, (), value, True)
        except TypeError:
            return Seen(t, value.dtype, ())
    if t in (tuple, list) and depth < config.MAX_TRACKED_DEPTH and \
            len(value) <= config.MAX_TRACKED_SEQUENCE:
        items = tuple(summarize(v, depth + 1) for v in value)
        if t is tuple and all(i.has_value for i in items):
            return Seen(t, value=value, has_value=True, items=items)
        return Seen(t, items=items)
    if t in DICTS and depth < config.MAX_TRACKED_DEPTH and \
            len(value) <= config.MAX_TRACKED_SEQUENCE and \
            all(_plain_key(k) for k in value):
        return Seen(t, value=tuple(value), items=tuple(summarize(v, depth + 1)
                                                       for v in value.values()))
    if isinstance(value, _FUNCS) or callable(value) and not _python_callable_object(t):
        return Seen(t, value=value, has_value=True)
    if t is dask_array_type():     # a chunked Dask array: its chunk structure as the value
        return Seen(t, value.dtype, value.shape, value.chunks)
    return Seen(t)


_BY_IDENTITY = frozenset((types.FunctionType, np.ufunc, types.ModuleType, type,
                          type(np.mean)))     # NumPy's array-function dispatchers
_PLAIN: dict = {}       # type -> does `summarize` give just Seen(type) for all its values?


def _plain_type(t) -> bool:
    plain = _PLAIN.get(t)
    if plain is None:
        plain = _PLAIN[t] = not (t in SCALARS or t in (np.ndarray, tuple, list) + DICTS
                                 or issubclass(t, (np.generic,) + _FUNCS)
                                 or any("__call__" in vars(c) for c in t.__mro__)
                                 and not _python_callable_object(t)
                                 or t is dask_array_type())
    return plain


def _fast_key(value):
    """A key whose equality implies equal summaries (``summarize`` gives equal `Seen`s),
    cheap to compute, or None. Keys naming objects by ``id`` stay valid: the memo's summary
    holds the object alive."""
    t = type(value)
    if t is np.ndarray:
        return value.dtype, value.shape
    if t in _FAST_SCALARS or t in _NP_SCALARS:
        return t, value
    if t is types.MethodType:
        return t, id(value.__self__), id(value.__func__)
    if t is types.BuiltinMethodType:
        return t, id(value.__self__), value.__name__
    if t in _BY_IDENTITY:
        return t, id(value)
    if _plain_type(t):
        return (t,)
    return None


class Observation:
    """Everything seen at one site: how often, and each distinct summary with its count.

    A loop records its sites once per trip: a value whose cheap key (`_fast_key`) was seen
    before is counted under that key (``_pending``, no summary made or hashed) and folded
    into ``seen`` when someone reads it."""
    __slots__ = ("count", "_seen", "overflow", "memo", "_pending")

    def __init__(self):
        self.count = 0
        self._seen: dict = {}       # Seen -> count
        self.overflow = False       # more distinct summaries than we keep
        self.memo: dict = {}        # fast key -> its Seen (one of _seen's keys)
        self._pending: dict = {}    # fast key -> calls not yet counted in _seen

    @property
    def seen(self) -> dict:
        if self._pending:
            for fast, n in self._pending.items():
                self._seen[self.memo[fast]] += n
            self._pending.clear()
        return self._seen

    def add(self, s: Seen) -> None:
        self.count += 1
        seen = self._seen
        try:
            if s in seen:
                seen[s] += 1
            elif len(seen) < config.MAX_DISTINCT_OBSERVATIONS:
                seen[s] = 1
            else:
                self.overflow = True
        except TypeError:         # unhashable value inside: keep the type only
            self.add(Seen(s.type))
            self.count -= 1

    def add_fast(self, fast, value) -> None:
        """Count ``value``, whose `_fast_key` is ``fast``."""
        if fast in self.memo:
            self.count += 1
            self._pending[fast] = self._pending.get(fast, 0) + 1
            return
        if self.overflow:
            # a key never seen, so a summary not among the kept ones (values of these types
            # come only this way, and every kept one has its key in the memo): counted, as
            # `add` would, without making it (a value that changes every trip)
            self.count += 1
            return
        s = summarize(value)
        self.add(s)
        if len(self.memo) < config.MAX_DISTINCT_OBSERVATIONS:
            for k in self._seen:
                if k == s:                # the very key object: counted under it
                    self.memo[fast] = k
                    break

    @property
    def single(self) -> Seen | None:
        if len(self.seen) == 1 and not self.overflow:
            return next(iter(self.seen))
        return None

    def __repr__(self):
        return f"Observation(count={self.count}, seen={self.seen!r}, overflow={self.overflow})"


@dataclass
class Profile:
    """Observations for one function: its arguments per call, each expression site,
    each condition's truth values and each loop's trip counts."""
    sites: dict = field(default_factory=dict)      # key -> Observation
    truths: dict = field(default_factory=dict)     # key -> {True: n, False: n}
    trips: dict = field(default_factory=dict)      # key -> Observation of int trip counts
    args: list = field(default_factory=list)       # recent calls: {param: Seen}
    runs: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, key, value):
        obs = self.sites.get(key)
        if obs is None:
            obs = self.sites[key] = Observation()
        fast = _fast_key(value)
        if fast is None:
            obs.add(summarize(value))
        else:
            obs.add_fast(fast, value)
        return value

    def record_truth(self, key, value) -> bool:
        truth = bool(value)
        counts = self.truths.get(key)
        if counts is None:
            counts = self.truths[key] = {True: 0, False: 0}
        counts[truth] += 1
        return truth

    def record_trip(self, key, n: int) -> None:
        obs = self.trips.get(key)
        if obs is None:
            obs = self.trips[key] = Observation()
        obs.add(Seen(int, value=n, has_value=True))

    def record_args(self, summary: dict) -> None:
        self.args.append(summary)
        if len(self.args) > config.MAX_PROFILED_CALLS:
            del self.args[0]
        self.runs += 1

    def reset_sites(self) -> None:
        self.sites.clear()
        self.truths.clear()
        self.trips.clear()
