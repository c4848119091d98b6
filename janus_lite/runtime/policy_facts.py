"""What the policy reads off specs and guards: merging and keying specs, whether a guard
holds for a value now, whether two graphs guard state differently, what a relaxation
changed. Pure functions, no decisions (those are in `policy`)."""
from __future__ import annotations

import os
from dataclasses import replace

import numpy as np

from ..profile.records import DICTS
from .degrade import is_internal
from .spec import ParamSpec, Unspecable, from_seen, merge


def merge_specs(a: dict, b: dict) -> dict:
    if a.keys() != b.keys():
        raise Unspecable("parameters differ")
    out = {}
    for k in a:
        x, y = a[k], b[k]
        if x.kind == "scalar" and x.type is bool and x.has_value and \
                (not y.has_value or x.value != y.value):
            raise Unspecable("bool flag changed: specialize")
        out[k] = merge(x, y)
    return out


def exact(summary: dict) -> dict:
    return {k: from_seen(s) for k, s in summary.items()}


def _unnamed(spec):
    """A spec with its symbolic dims unnamed (so named and merged specs compare equal)."""
    if spec.kind == "array" and spec.shape is not None:
        return replace(spec, shape=tuple("?" if isinstance(d, str) else d for d in spec.shape))
    if spec.items:
        return replace(spec, items=tuple(_unnamed(i) for i in spec.items))
    return spec


def spec_key(specs: dict):
    try:
        key = tuple(sorted((k, _unnamed(v)) for k, v in specs.items()))
        hash(key)
        return key
    except TypeError:
        return None


_HOLDS = {
    "type": lambda v, e, g: type(v) is e,
    "dtype": lambda v, e, g: v.dtype == e,
    "shape": lambda v, e, g: v.shape == e,
    "dim": lambda v, e, g: v.shape[g.axis] == e,
    "ndim": lambda v, e, g: v.ndim == e,
    "value": lambda v, e, g: type(v) is type(e) and bool(v == e),
    "identity": lambda v, e, g: v is e,
    "len": lambda v, e, g: len(v) == e,
    "span": lambda v, e, g: type(v) is int and e[0] <= v <= e[1],
    "haskeys": lambda v, e, g: all((k in v) == p for k, p in e),
    "keys": lambda v, e, g: type(v) in DICTS and tuple(v) == tuple(e),
}
"""How `holds` checks each guard kind on one value."""

FACT_KINDS = frozenset(_HOLDS)
"""Guard kinds `holds` can check on one value (the others relate two arrays' memory)."""


def holds(guard, value) -> bool:
    """Does ``guard`` hold for ``value`` now? (False where unsure.)"""
    check = _HOLDS.get(guard.kind)
    if check is None:
        return False
    try:
        return check(value, guard.expected, guard)
    except Exception:
        return False


def _state_facts(cg) -> dict:
    return {(g.source.key, g.kind, g.axis): g.expected for g in cg.guards
            if not from_spec(g.source)}


def state_differs(a, b) -> bool:
    """Do two graphs guard a piece of state (an attribute, a global) on different facts?"""
    fa, fb = _state_facts(a), _state_facts(b)
    for k in fa.keys() & fb.keys():
        x, y = fa[k], fb[k]
        try:
            same = x is y or (type(x) is type(y) and bool(x == y))
        except Exception:
            same = False
        if not same:
            return True
    return False


def as_seq(spec):
    return ParamSpec("seq", spec.type, items=())


def from_spec(src) -> bool:
    """Is this source checked by a parameter's spec (the parameter or items of it), rather
    than by a read the converter classified (globals, cells, attributes)?"""
    while src.kind == "item":
        src = src.base
    return src.kind == "param"


def values_relaxed(old: dict, new: dict) -> frozenset:
    """The paths (parameter, then item indexes) of the scalars whose folded value ``new``
    reads at run time instead (``key[1]`` of ``update(key, p, g)``)."""
    out = set()

    def walk(a, b, path):
        if a is None or b is None:
            return
        if a.kind == "scalar" and b.kind == "scalar":
            if a.has_value and not b.has_value:
                out.add(path)
            return
        for i, (x, y) in enumerate(zip(a.items or (), b.items or ())):
            walk(x, y, path + (i,))

    for k in new:
        walk(old.get(k), new[k], (k,))
    return frozenset(out)


def describe_relaxation(old: dict, new: dict) -> str:
    """What a relaxation changed, e.g. ``X.shape[0] 64 → symbolic; lr 0.1 → input``."""
    parts = []
    for k in new:
        a, b = old.get(k), new[k]
        if a == b or a is None:
            continue
        if a.kind == "array":
            for i, (x, y) in enumerate(zip(a.shape, b.shape)):
                if x != y:
                    parts.append(f"{k}.shape[{i}] {x} → symbolic")
        elif a.kind == "scalar":
            parts.append(f"{k} {a.value!r} → input")
        else:
            parts.append(f"{k} {a.describe()} → {b.describe()}")
    return "; ".join(parts) or "respecialized"


_LIBRARIES = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep
                   for m in (np, os))      # NumPy's package and the standard library


def callee_file(graph, lineno) -> str | None:
    """The file of ``lineno`` in ``graph``'s generated code when every node at that line came
    from one function inlined from another file (the code object carries the decorated
    function's file only); None when the line is the function's own, or is ambiguous."""
    if not lineno:
        return None
    files = {n.filename for n in graph.all_nodes() if n.lineno == lineno}
    return files.pop() if len(files) == 1 else None


def error_line(tb) -> tuple[str | None, int | None]:
    """The file and last line of the user's code (or of the graph made from it) in a
    traceback: frames inside janus_lite, NumPy or the standard library are skipped."""
    where = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not is_internal(filename) and \
                not os.path.abspath(filename).startswith(_LIBRARIES):
            where = (filename if os.path.isabs(filename) else None, tb.tb_lineno)
        tb = tb.tb_next
    return where
