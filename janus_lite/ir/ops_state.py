"""Ops of deferred state: the commit step's writes, deferred printing, random draws."""
from __future__ import annotations

import sys

import numpy as np

from .node import Meta
from .registry import OpDef, register, register_method


class _Absent:
    """An attribute or key that does not exist (a commit skips it)."""

    def __repr__(self):
        return "<absent>"


ABSENT = _Absent()


def commit_setattr(obj, value, name):
    if value is not ABSENT:
        setattr(obj, name, value)


def commit_setitem(obj, value, key):
    if value is not ABSENT:
        obj[key] = value


def commit_copyto(dst, src):
    dst[...] = src


def commit_append(obj, *values):
    for v in values:
        obj.append(v)


def commit_extend(obj, values):
    obj.extend(values)


def deferred_print(outbox, *args, sep=" ", end="\n"):
    outbox.append((" " if sep is None else sep).join(map(str, args)) +
                  ("\n" if end is None else end))


def flush_prints(outbox, flush=False):
    out = sys.stdout
    if out is None:
        return
    for text in outbox:
        out.write(text)
    if flush:
        out.flush()


def _none(op, metas, attrs):
    return Meta(type(None), value=None)


for _name, _fn, _emit, _doc in [
    ("commit_setattr", commit_setattr, "special", "setattr(obj, attrs['name'], value)."),
    ("commit_setitem", commit_setitem, "special", "obj[attrs['key']] = value."),
    ("commit_copyto", commit_copyto, "call", "dst[...] = src: an in-place update committed into "
                                             "the caller's array."),
    ("commit_append", commit_append, "call", "obj.append(v) for each v."),
    ("commit_extend", commit_extend, "call", "obj.extend(values): appends known at run time."),
    ("print", deferred_print, "call", "print(*args) deferred: its text goes to the outbox."),
    ("flush_prints", flush_prints, "special", "write the outbox to sys.stdout (last step)."),
]:
    register(OpDef(_name, _fn, _emit, side_effect=True, pure=False, fresh=False, infer=_none,
                   doc=_doc))

# Random draws: they advance a generator's state, so they are never folded, merged, removed
# or reordered; a graph that draws saves the generators' states on entry and restores them
# if it is abandoned (see backend/codegen.py).
GLOBAL_RANDOM = ["rand", "randn", "randint", "random", "random_sample", "normal", "uniform",
                 "choice", "permutation", "binomial", "standard_normal", "multinomial", "beta",
                 "exponential", "poisson", "gamma", "laplace", "logistic", "lognormal",
                 "dirichlet", "multivariate_normal", "bytes", "sample", "ranf"]
GENERATOR_METHODS = ["normal", "uniform", "integers", "random", "choice", "permutation",
                     "standard_normal", "binomial", "exponential", "poisson", "gamma", "beta",
                     "multinomial", "dirichlet", "multivariate_normal", "laplace", "logistic",
                     "lognormal", "bytes"]
def _draw_rule(method: str, generator: bool):
    """Result meta of a draw, found by drawing from a private generator (never the user's)."""
    def infer(op, metas, attrs):
        from .rules import by_example
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
