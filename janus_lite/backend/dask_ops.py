"""Helpers of the Dask backend (`dask_backend`): which values are lazy, which NumPy
functions Dask runs chunked, how computed values are typed, which branches can be built
without being taken, and an order-keeping ``dask.compute``."""
from __future__ import annotations

import numpy as np

import dask
import dask.array as da
from dask.delayed import Delayed

from ..ir import get_op

MAX_DEPTH = 4


def is_lazy(v) -> bool:
    return isinstance(v, (da.Array, Delayed))


def has_lazy(v, depth=0) -> bool:
    if isinstance(v, (da.Array, Delayed)):
        return True
    if depth < MAX_DEPTH and type(v) in (tuple, list):
        return any(has_lazy(i, depth + 1) for i in v)
    if depth < MAX_DEPTH and type(v) is dict:
        return any(has_lazy(i, depth + 1) for i in v.values())
    return False


def dask_implements(fn) -> bool:
    """Does Dask run ``fn`` (a NumPy function or ufunc) on Dask arrays without computing
    them? (Mirrors ``dask.array.Array.__array_function__``'s lookup.)"""
    if isinstance(fn, np.ufunc):
        return True
    if not (getattr(fn, "__module__", None) or "").startswith("numpy"):
        return False        # builtins (bool, float...) would compute the array right away
    from dask.array.core import _HANDLED_FUNCTIONS
    if fn in _HANDLED_FUNCTIONS:
        return True
    module = da
    for sub in (getattr(fn, "__module__", None) or "").split(".")[1:]:
        module = getattr(module, sub, None)
        if module is None:
            return False
    f = getattr(module, getattr(fn, "__name__", ""), None)
    return f is not None and f is not fn


def call_method(name, obj, *args, **kwargs):
    return getattr(obj, name)(*args, **kwargs)


def mutated(fn, index):
    """``fn`` applied to a private copy of argument ``index``, returning that copy."""
    def run(*args, **kwargs):
        args = list(args)
        args[index] = np.array(args[index], copy=True)
        fn(*args, **kwargs)
        return args[index]
    return run


class Text:
    """A deferred print's place in the outbox until its values are computed."""


def typed(value, meta):
    """A computed value typed as the NumPy run types it (0-d array vs NumPy scalar)."""
    t = getattr(meta, "type", None)
    if t is np.ndarray and isinstance(value, np.generic):
        return np.asarray(value)
    if t is not None and t is not np.ndarray and issubclass(t, np.generic) and \
            type(value) is np.ndarray and value.ndim == 0:
        return value[()]
    return value


def choose(pred, a, b):
    return a if pred else b


_SAFE = frozenset({"input", "const", "tuple", "getitem", "getattr", "truth"})


def pure_branch(graph) -> bool:
    """A branch that can be built without being taken: pure ops only (no assertion, print,
    random draw, state update or nested control flow)."""
    for node in graph.nodes():
        if node.subgraphs or node.op in ("call", "list", "dict", "assert"):
            return False
        if node.op not in _SAFE and not get_op(node.op).pure:
            return False
    return True


def compute_in_order(values) -> tuple:
    """``dask.compute(*values)``, all as Dask arrays: dask 2026.8.0 returns the results of
    mixed Delayed and Array collections grouped by kind, not in argument order (Delayed
    objects become 0-d object arrays, whose result is the object itself). Array results are
    checked against their shapes, so a reordering could never go unnoticed."""
    values = [da.from_delayed(v, (), object) if isinstance(v, Delayed) else v
              for v in values]
    out = dask.compute(*values)
    for v, r in zip(values, out):
        if isinstance(v, da.Array) and v.dtype != object and \
                np.shape(r) != v.shape and not any(map(np.isnan, v.shape)):
            raise RuntimeError("dask.compute returned results out of order")
    return out


def static_cluster(graph, lazy) -> set:
    """Nodes that depend on a Dask argument (run on the cluster); the runs add the ones
    only data decides (values carried around loops)."""
    lazy = set(lazy)

    def walk(g):
        for node in g.nodes():
            if node.op == "input":
                if node.attrs.get("role") == "capture" and node.attrs.get("outer") in lazy:
                    lazy.add(node.name)
                continue
            if any(i in lazy for i in node.inputs):
                lazy.add(node.name)
            for sub in node.subgraphs:
                walk(sub)
    walk(graph)
    return lazy


def meta_of(graph, name):
    try:
        return graph[name].meta
    except Exception:
        return None
