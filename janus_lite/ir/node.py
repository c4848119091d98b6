"""The one node dataclass of the IR, and the static facts (`Meta`) a node's value carries."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


class _NoValue:
    """Marker: the node's value is not known while converting."""
    __slots__ = ()

    def __repr__(self):
        return "?"


NOVALUE = _NoValue()

IMMUTABLE_CONSTS = (bool, int, float, complex, str, bytes, type(None), tuple, frozenset,
                    range, slice, type(Ellipsis))


def is_immutable_const(value) -> bool:
    """May ``value`` be baked into a graph as a constant (nothing can mutate it)?"""
    if isinstance(value, tuple):
        return all(is_immutable_const(v) for v in value)
    return isinstance(value, IMMUTABLE_CONSTS) or \
        isinstance(value, (np.generic, np.dtype, np.finfo, np.iinfo))

Dim = int | str | None
"""One dimension: an int (exact, guarded), a str (symbolic, e.g. ``"N"``) or None (unknown)."""


@dataclass(frozen=True)
class Meta:
    """What is known about a value before it runs.

    ``type`` is the Python type (``np.ndarray``, ``float``, ``np.float32`` …) or None when
    unknown; ``dtype``/``shape`` describe arrays and NumPy scalars (``shape`` is a tuple of
    :data:`Dim`, or None when even the rank is unknown); ``value`` holds a constant's value.
    """
    type: type | None = None
    dtype: np.dtype | None = None
    shape: tuple | None = None
    value: Any = NOVALUE
    items: tuple | None = None     # metas of a tuple's items, when its length is known

    @property
    def is_const(self) -> bool:
        return self.value is not NOVALUE

    @property
    def is_array(self) -> bool:
        return self.type is np.ndarray

    @property
    def static_shape(self) -> bool:
        """Is the shape known in every dimension (the guards fix it)?"""
        return self.shape is not None and all(isinstance(d, int) for d in self.shape)

    @property
    def ndim(self) -> int | None:
        return None if self.shape is None else len(self.shape)

    def nbytes(self) -> int | None:
        """Bytes of an array value with a fully known shape, else None."""
        if self.dtype is None or self.shape is None or self.type is tuple:
            return None
        if not self.static_shape:
            return None
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    def shape_str(self) -> str:
        if self.items is not None:
            return "(" + ", ".join(m.type_str() + m.shape_str() for m in self.items) + \
                ("," if len(self.items) == 1 else "") + ")"
        if self.shape is None:
            return "?" if self.type is np.ndarray else ""
        return "(" + ", ".join("?" if d is None else str(d) for d in self.shape) + \
            ("," if len(self.shape) == 1 else "") + ")"

    def type_str(self) -> str:
        if self.dtype is not None:
            return str(self.dtype)
        return "?" if self.type is None else self.type.__name__


UNKNOWN = Meta()


@dataclass(eq=False)
class Node:
    """One operation. ``op`` must name a registered op (see :mod:`janus_lite.ir.registry`).

    ``inputs`` are names of earlier nodes; ``attrs`` are static parameters (never arrays);
    ``lineno`` is the user's source line the node came from (in ``filename`` when that is
    set: a function inlined from another file); ``subgraphs`` hold the bodies of structured
    ops (conditionals, loops, graph calls).
    """
    name: str
    op: str
    inputs: tuple[str, ...] = ()
    attrs: dict = field(default_factory=dict)
    meta: Meta = UNKNOWN
    lineno: int | None = None
    subgraphs: tuple = ()
    filename: str | None = None    # the file of ``lineno`` when it is an inlined callee's

    def __repr__(self):
        return f"Node({self.name}={self.op}({', '.join(self.inputs)}))"


def split_values(values, kw):
    """``values``, one per input of a call node in input order, split into (positional
    part, ``{keyword: value}``), where ``kw`` (the node's ``attrs["kw"]``) names the
    keywords the last inputs are passed as. The positional part is a slice of ``values``
    (``values`` itself when there are no keywords); the dict follows ``kw``'s order."""
    if not kw:
        return values, {}
    n = len(values) - len(kw)
    return values[:n], dict(zip(kw, values[n:]))


def split_inputs(node: Node, values):
    """`split_values` by ``node``'s keywords: ``values`` are ``node``'s inputs or what
    stands for them (their values when running it, their code when generating it)."""
    return split_values(values, node.attrs.get("kw", ()))


def same_dtype(a, b) -> bool:
    """Are dtypes ``a`` and ``b`` (each None where unknown) known and equal? Not ``a == b``:
    NumPy compares a dtype with None as with ``np.dtype(None)``, float64
    (``np.dtype('float64') == None`` is True), which made an unknown dtype pass for float64.
    """
    return a is not None and b is not None and a == b


def join(a: Meta, b: Meta) -> Meta:
    """The most specific meta true of both (for values merged by conditionals and loops)."""
    if a is b and not a.is_const:
        return a
    if a.type is not b.type or a.type is None:
        return UNKNOWN
    dtype = a.dtype if same_dtype(a.dtype, b.dtype) else None
    shape = None
    if a.shape is not None and b.shape is not None and len(a.shape) == len(b.shape):
        shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
    items = None
    if a.items is not None and b.items is not None and len(a.items) == len(b.items):
        items = tuple(join(x, y) for x, y in zip(a.items, b.items))
    return Meta(a.type, dtype, shape, NOVALUE, items)


def widened(m: Meta) -> Meta:
    """``m`` without its constant value (a loop-carried variable's meta)."""
    return Meta(m.type, m.dtype, m.shape, NOVALUE, m.items) if m.is_const else m
