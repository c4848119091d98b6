"""Ops of deferred state: the commit step's writes, deferred printing, random draws."""
from __future__ import annotations

import sys

import numpy as np

from .node import Meta
from .registry import OpDef, register, register_method
from .rules import by_example


class _Absent:
    """An attribute or key that does not exist (a commit skips it)."""

    def __repr__(self):
        return "<absent>"


ABSENT = _Absent()


class _Deleted:
    """A key the function deleted (``d.pop(k)``): the commit deletes it."""

    def __repr__(self):
        return "<deleted>"


DELETED = _Deleted()


# The commit step is transactional. The reversible writes (attributes, items, appends)
# come first, each recording how to undo it in the run's ``undo`` list; if anything aborts
# the run, the graph undoes them before it re-raises (and the call falls back on untouched
# state). Then one `commit_final` writes the arrays updated in place and the printed text:
# from there on there is no way back, so it runs to the end even when interrupted, and an
# exception it met is re-raised marked as committed (the call must not be re-run).
def commit_setattr(obj, value, name, undo=None):
    if value is ABSENT:
        return
    if undo is not None:
        undo.append((obj, name, getattr(obj, name, ABSENT)))     # see `undo_all`
    setattr(obj, name, value)


def undo_all(undo) -> None:
    """Undo the reversible commits of an abandoned run, last first. Each entry is a
    callable, or ``(obj, name, old)`` for an attribute written (by `commit_setattr`, or
    inline by generated code: `backend.state_ops.emit_commit_setattr`): ``old`` is what it
    held, or ABSENT."""
    for u in reversed(undo):
        if type(u) is tuple:
            obj, name, old = u
            if old is ABSENT:
                delattr(obj, name)
            else:
                setattr(obj, name, old)
        else:
            u()


def commit_setitem(obj, value, key, undo=None):
    if value is ABSENT:
        return
    if value is DELETED:
        if undo is not None:           # a re-inserted key goes last: restore the order too
            before = list(obj.items())
            undo.append(lambda: (obj.clear(), obj.update(before)))
        del obj[key]
        return
    if undo is not None:
        try:
            old = obj[key]
        except (KeyError, IndexError):
            old = ABSENT

        def back():
            if old is ABSENT:
                del obj[key]
            else:
                obj[key] = old
        undo.append(back)
    obj[key] = value


def commit_copyto(dst, src):
    dst[...] = src


def _truncate(obj, n):
    def back():
        del obj[n:]
    return back


def commit_append(obj, *values, undo=None):
    if undo is not None:
        undo.append(_truncate(obj, len(obj)))
    for v in values:
        obj.append(v)


def commit_extend(obj, values, undo=None):
    if undo is not None:
        undo.append(_truncate(obj, len(obj)))
    obj.extend(values)


def commit_final(undo, outbox, flush, *pairs):
    """Copy each ``src`` into its ``dst`` (pairs), then write the printed text; run to the
    end whatever interrupts it, then re-raise the first exception, marked as committed."""
    if undo is not None:
        undo.clear()          # past the point of no return
    n = len(pairs)
    done = 0          # pair items taken (each copy counts once taken), n + 1: printing
    try:
        while done < n:
            dst, src = pairs[done], pairs[done + 1]
            done += 2
            commit_copyto(dst, src)
        if outbox is not None:
            done += 1
            flush_prints(outbox, flush)
    except BaseException as exc:            # noqa: B036 (re-raised by the rest)
        _commit_rest(exc, outbox if done <= n else None, flush, pairs[done:])


def _commit_rest(first, outbox, flush, pairs):
    """The rest of `commit_final` after ``first`` interrupted it: the remaining pairs, then
    the printed text (None: the printing itself was interrupted); re-raises ``first``."""
    steps = [(commit_copyto, pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    if outbox is not None:
        steps.append((flush_prints, outbox, flush))
    i = 0
    while i < len(steps):
        try:
            while i < len(steps):
                fn, a, b = steps[i]
                i += 1
                fn(a, b)
        except BaseException as exc:        # noqa: B036 (re-raised below)
            first = first or exc
    if first is not None:
        try:
            first.__jl_committed__ = True
        except AttributeError:
            pass
        raise first


def deferred_print(outbox, *args, sep=" ", end="\n", file=None):
    text = (" " if sep is None else sep).join(map(str, args)) + ("\n" if end is None else end)
    outbox.append(text if file is None else (file, text))


def flush_prints(outbox, flush=False):
    """Write the outbox: a text to ``sys.stdout`` as it is now (as ``print`` looks it up),
    a (file, text) pair to its file; with ``flush``, flush every stream written."""
    out = sys.stdout
    written = []
    for item in outbox:
        if type(item) is tuple:
            stream, item = item
        elif out is None:
            continue        # print() with no sys.stdout writes nothing
        else:
            stream = out
        stream.write(item)
        if flush and stream not in written:
            written.append(stream)
    for stream in written:
        stream.flush()


def _none(op, metas, attrs):
    return Meta(type(None), value=None)


for _name, _fn, _emit, _doc in [
    ("commit_setattr", commit_setattr, "special", "setattr(obj, attrs['name'], value)."),
    ("commit_setitem", commit_setitem, "special", "obj[attrs['key']] = value."),
    ("commit_copyto", commit_copyto, "call", "dst[...] = src: an in-place update committed into "
                                             "the caller's array."),
    ("commit_append", commit_append, "special", "obj.append(v) for each v."),
    ("commit_extend", commit_extend, "special", "obj.extend(values): appends known at run "
                                                "time."),
    ("print", deferred_print, "call", "print(*args) deferred: its text goes to the outbox."),
    ("flush_prints", flush_prints, "special", "write the outbox to sys.stdout (last step)."),
    ("commit_final", commit_final, "special", "the last step: arrays updated in place copied "
                                              "into the caller's, then the outbox printed."),
]:
    register(OpDef(_name, _fn, _emit, side_effect=True, pure=False, fresh=False, infer=_none,
                   doc=_doc, may_raise=_name == "commit_copyto"))   # dst[...] = src may
                                                                    # not broadcast or fit

# Random draws: they advance a generator's state, so they are never folded, merged, removed
# or reordered; a graph that draws saves the generators' states on entry and restores them
# if it is abandoned (see backend/codegen.py).
GLOBAL_RANDOM = ["rand", "randn", "randint", "random", "random_sample", "normal", "uniform",
                 "choice", "permutation", "binomial", "standard_normal", "multinomial", "beta",
                 "exponential", "poisson", "gamma", "laplace", "logistic", "lognormal",
                 "dirichlet", "multivariate_normal", "bytes", "sample", "ranf", "seed"]
GENERATOR_METHODS = ["normal", "uniform", "integers", "random", "choice", "permutation",
                     "standard_normal", "binomial", "exponential", "poisson", "gamma", "beta",
                     "multinomial", "dirichlet", "multivariate_normal", "laplace", "logistic",
                     "lognormal", "bytes"]
def _draw_rule(method: str, generator: bool):
    """Result meta of a draw, found by drawing from a private generator (never the user's)."""
    def infer(op, metas, attrs):
        private = np.random.default_rng(0) if generator else np.random.RandomState(0)
        twin = OpDef(op.name, lambda *a, **k: getattr(private, method)(*a, **k))
        return by_example(twin, metas[1:] if generator else metas, attrs)
    return infer


for _n in GLOBAL_RANDOM:
    _f = getattr(np.random, _n, None)
    if _f is not None:
        register(OpDef(f"np.random.{_n}", _f, side_effect=True, pure=False,
                       infer=_draw_rule(_n, False),
                       doc="A draw from NumPy's global random stream."), _f)
for _n in GENERATOR_METHODS:
    if hasattr(np.random.Generator, _n):
        register(OpDef(f"Generator.{_n}", getattr(np.random.Generator, _n), "method", _n,
                       side_effect=True, pure=False, infer=_draw_rule(_n, True),
                       doc="A draw from a Generator."))
        register_method(np.random.Generator, _n, f"Generator.{_n}")
register(OpDef("np.random.default_rng", np.random.default_rng,
               doc="A new Generator (deterministic given its seed)."), np.random.default_rng)
# np.random.shuffle(x): a draw from the global stream that permutes x in place (its first
# axis) and returns None; the converter hands it a private copy of an argument's array,
# committed back like any in-place update, and the stream is restored if the run is
# abandoned (it is an ``np.random.`` op: see backend/state_ops.random_states).
register(OpDef("np.random.shuffle", np.random.shuffle, side_effect=True, pure=False,
               fresh=False, mutates=(0,), infer=_none,
               doc="np.random.shuffle(x): permutes x in place from the global stream; "
                   "returns None."), np.random.shuffle)


# Python's ``random`` module (its global instance): draws that advance its state, saved on
# entry and restored if a run is abandoned like NumPy's global stream (see
# backend/state_ops.random_states). ``random.shuffle`` permutes its argument in place (an
# array here: a list the function made is shuffled through ``random.shuffled``, a copy).
import random as _random  # noqa: E402

PY_RANDOM = ["random", "uniform", "gauss", "normalvariate", "lognormvariate", "expovariate",
             "vonmisesvariate", "gammavariate", "betavariate", "paretovariate",
             "weibullvariate", "triangular", "randint", "randrange", "choice", "choices",
             "sample", "getrandbits", "seed"]


def _py_draw_rule(method: str):
    """Result meta of a draw, found by drawing from a private ``random.Random``."""
    def infer(op, metas, attrs):
        private = _random.Random(0)
        twin = OpDef(op.name, lambda *a, **k: getattr(private, method)(*a, **k))
        return by_example(twin, metas, attrs)
    return infer


for _n in PY_RANDOM:
    register(OpDef(f"random.{_n}", getattr(_random, _n), side_effect=True, pure=False,
                   fresh=False, infer=_py_draw_rule(_n),
                   doc="A draw from Python's global random module."), getattr(_random, _n))
register(OpDef("random.shuffle", _random.shuffle, side_effect=True, pure=False, fresh=False,
               mutates=(0,), infer=_none,
               doc="random.shuffle(x): permutes x in place from Python's random module; "
                   "returns None."), _random.shuffle)


def _shuffled(shuffle):
    def impl(seq):
        out = list(seq)
        shuffle(out)         # the same draws as shuffling ``seq`` itself (only len matters)
        return out
    return impl


register(OpDef("random.shuffled", _shuffled(_random.shuffle), side_effect=True, pure=False,
               fresh=False, infer=lambda o, m, a: Meta(list),
               doc="A new list: the items of a list the function made, shuffled by "
                   "Python's random module."))
register(OpDef("np.random.shuffled", _shuffled(np.random.shuffle), side_effect=True,
               pure=False, fresh=False, infer=lambda o, m, a: Meta(list),
               doc="A new list: the items of a list the function made, shuffled from "
                   "NumPy's global stream."))

# Clocks (``t0 = time.perf_counter()`` ... ``time.perf_counter() - t0``): read when the
# graph runs, in program order among the graph's other effects, never folded or merged
# (two reads are two readings). Nothing to undo when a run is abandoned.
import time as _time  # noqa: E402

for _n in ("time", "perf_counter", "monotonic", "process_time", "thread_time", "time_ns",
           "perf_counter_ns", "monotonic_ns", "process_time_ns", "thread_time_ns"):
    _clock = getattr(_time, _n)
    register(OpDef(f"time.{_n}", _clock, side_effect=True, pure=False, fresh=False,
                   infer=(lambda t: lambda o, m, a: Meta(t))(int if _n.endswith("_ns")
                                                            else float),
                   may_raise=False, doc=f"time.{_n}(): the clock, read at run time."), _clock)
