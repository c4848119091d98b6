"""Abstract values the converter computes with: known constants, graph values, static
tuples, and methods bound to graph values."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Const:
    """A value known while converting (guarded, or computed from guarded constants)."""
    value: object


@dataclass(frozen=True)
class Ref:
    """A value computed by the graph at run time: the name of its node."""
    name: str


@dataclass(frozen=True)
class TupleVal:
    """A tuple whose length is known while converting; its items are abstract values.
    ``origin`` names the node of the very tuple object it came from (an argument), so that
    using it whole keeps its identity."""
    items: tuple
    origin: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BoundMethod:
    """``recv.name`` where ``recv`` is a graph value: only good for calling."""
    recv: Ref
    name: str
    owner: type


Value = Const | Ref | TupleVal | BoundMethod

IMMUTABLE_CONSTS = (bool, int, float, complex, str, bytes, type(None), tuple, frozenset,
                    range, slice, type(Ellipsis))


def is_immutable_const(value) -> bool:
    import numpy as np
    if isinstance(value, tuple):
        return all(is_immutable_const(v) for v in value)
    return isinstance(value, IMMUTABLE_CONSTS) or \
        isinstance(value, (np.generic, np.dtype, np.finfo, np.iinfo))


@dataclass(frozen=True)
class UserMethod:
    """A Python function bound to a receiver (``self.helper``): inlined when called."""
    recv: object
    fn: object


@dataclass(frozen=True)
class SuperOf:
    """``super()`` in a method written in class ``klass``, for receiver ``recv``: only good
    for reading a method off it."""
    klass: type
    recv: Ref


@dataclass(frozen=True)
class BoxRef:
    """A dict or list created in the function (or mirrored from state), whose contents the
    converter tracks item by item (see frontend/state.py)."""
    id: int


@dataclass(frozen=True)
class OrigRef(Ref):
    """A reference to an argument/state array itself, never to its private working copy
    (commits and returned values use it)."""


@dataclass(frozen=True)
class Splat:
    """Appended items only known at run time (a tuple value): ``list.extend(value)``."""
    value: object
