"""Guards: the cheap checks, compiled into the graph's entry, that a call fits the graph.

A `Source` says where a guarded value lives (a parameter, a global, a closure cell, an
item of another source). A `Guard` checks one fact about it. `GuardCode` turns a list of
guards into Python source lines, cheapest checks first, each returning the miss marker of
its index so the caller learns which assumption failed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Source:
    """Where a value is read from at call time."""
    kind: str            # "param" | "global" | "cell" | "item" | "attr" | "const"
    name: str            # param/global name, cell var name, attr name, or item index text
    base: "Source | None" = None
    holder: object = field(default=None, compare=False, hash=False)  # globals dict / cell

    def describe(self) -> str:
        if self.kind == "param":
            return self.name
        if self.kind == "global":
            return f"global {self.name}"
        if self.kind == "cell":
            return f"closure variable {self.name}"
        if self.kind == "item":
            return f"{self.base.describe()}[{self.name}]"
        if self.kind == "const":
            return self.name
        return f"{self.base.describe()}.{self.name}"

    @property
    def key(self):
        return (self.kind, self.name, self.base.key if self.base else None, id(self.holder))


def param(name: str) -> Source:
    return Source("param", name)


def global_(gdict: dict, name: str) -> Source:
    return Source("global", name, holder=gdict)


def cell(cell_obj, name: str) -> Source:
    return Source("cell", name, holder=cell_obj)


def item(base: Source, index) -> Source:
    return Source("item", repr(index), base)


def attr(base: Source, name: str) -> Source:
    return Source("attr", name, base)


def const_holder(obj, label: str) -> Source:
    """A fixed object (e.g. a class) whose attributes are guarded."""
    return Source("const", label, holder=obj)


PAIR_KINDS = ("distinct", "disjoint", "disjoint_items")
"""Guards that relate two sources (``expected`` is the other `Source`)."""


@dataclass
class Guard:
    """One checked fact. ``kind``: type | dtype | shape | dim | ndim | value | identity |
    absent | len | noattr | keys | writeable, or one of `PAIR_KINDS` (distinct | disjoint |
    disjoint_items: ``expected`` is the other `Source`). ``expected`` is what must hold;
    ``axis`` is used by ``dim``."""
    kind: str
    source: Source
    expected: object
    lineno: int | None = None
    axis: int | None = None

    _COST = {"absent": 0, "identity": 0, "type": 1, "len": 2, "dtype": 3, "ndim": 4,
             "shape": 4, "dim": 5, "value": 6, "keys": 6, "noattr": 6, "writeable": 7, "distinct": 8,
             "disjoint": 9, "disjoint_items": 10}

    @property
    def cost(self) -> int:
        return self._COST[self.kind]

    def describe(self) -> str:
        what = self.source.describe()
        e = self.expected
        return {
            "type": lambda: f"type({what}) is {getattr(e, '__name__', e)}",
            "dtype": lambda: f"{what}.dtype == {e}",
            "shape": lambda: f"{what}.shape == {e}",
            "dim": lambda: f"{what}.shape[{self.axis}] == {e}",
            "ndim": lambda: f"{what}.ndim == {e}",
            "value": lambda: f"{what} == {e!r}",
            "identity": lambda: f"{what} is {_name_of(e)}",
            "absent": lambda: f"{self.source.name!r} is not a global (builtin used)",
            "len": lambda: f"len({what}) == {e}",
            "keys": lambda: f"{what} has keys {list(e)}",
            "noattr": lambda: f"{what} has no instance attribute {e!r}",
            "writeable": lambda: f"{what} is a writeable array",
            "distinct": lambda: f"{what} and {e.describe()} are different objects",
            "disjoint": lambda: f"{what} and {e.describe()} share no memory",
            "disjoint_items": lambda: f"no item of {what} shares memory with {e.describe()}",
        }[self.kind]()

    def observe(self, value):
        """The fact as it stands for ``value`` (to say what a failed guard got instead)."""
        try:
            return {
                "type": lambda: type(value).__name__,
                "dtype": lambda: value.dtype,
                "shape": lambda: value.shape,
                "dim": lambda: value.shape[self.axis],
                "ndim": lambda: value.ndim,
                "value": lambda: value,
                "identity": lambda: _name_of(value),
                "len": lambda: len(value),
                "keys": lambda: list(value),
                "writeable": lambda: value.flags.writeable,
            }[self.kind]()
        except Exception:
            return type(value).__name__


def _may_share(a, b) -> bool:
    """Might two values share memory? (Only arrays can; the bounds check is cheap.)"""
    return type(a) is np.ndarray and type(b) is np.ndarray and np.may_share_memory(a, b)


def _name_of(obj) -> str:
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    return name if name else type(obj).__name__


class GuardCode:
    """Generates guard checks as source lines; constants go into ``consts``."""

    def __init__(self, consts: "ConstPool"):
        self.consts = consts

    def source_expr(self, src: Source) -> str:
        if src.kind == "param":
            return src.name
        if src.kind == "global":
            return f"{self.consts.add(src.holder, 'G')}[{src.name!r}]"
        if src.kind == "cell":
            return f"{self.consts.add(src.holder, 'cell')}.cell_contents"
        if src.kind == "item":
            return f"{self.source_expr(src.base)}[{src.name}]"
        if src.kind == "const":
            return self.consts.add(src.holder, "obj")
        return f"{self.source_expr(src.base)}.{src.name}"

    def condition(self, g: Guard) -> str:
        """A Python expression that is True when the guard FAILS."""
        s = self.source_expr(g.source)
        k = lambda v, hint="k": self.consts.add(v, hint)   # noqa: E731
        if g.kind == "type":
            return f"type({s}) is not {k(g.expected, 't')}"
        if g.kind == "dtype":
            if isinstance(g.expected, np.dtype) and g.expected.isbuiltin == 1:
                return f"{s}.dtype is not {k(g.expected, 'dt')}"
            return f"{s}.dtype != {k(g.expected, 'dt')}"
        if g.kind == "shape":
            return f"{s}.shape != {g.expected!r}"
        if g.kind == "dim":
            return f"{s}.shape[{g.axis}] != {g.expected!r}"
        if g.kind == "ndim":
            return f"{s}.ndim != {g.expected!r}"
        if g.kind == "value":
            e = g.expected
            if isinstance(e, (float, np.floating)) and e == 0:
                # 0.0 == -0.0: also compare the sign
                cs = self.consts.add(math.copysign, "copysign")
                return f"({s} != {k(e, 'v')} or {cs}(1.0, {s}) != {math.copysign(1.0, e)!r})"
            return f"{s} != {k(e, 'v')}"
        if g.kind == "identity":
            return f"{s} is not {k(g.expected, 'id')}"
        if g.kind == "absent":
            return f"{g.source.name!r} in {self.consts.add(g.source.holder, 'G')}"
        if g.kind == "len":
            return f"len({s}) != {g.expected!r}"
        if g.kind == "noattr":
            return f"{g.expected!r} in {s}.__dict__"
        if g.kind == "keys":
            return f"tuple({s}) != {k(tuple(g.expected), 'keys')}"
        if g.kind == "writeable":
            return f"not {s}.flags.writeable"
        if g.kind == "distinct":
            return f"{s} is {self.source_expr(g.expected)}"
        if g.kind == "disjoint_items":
            msm = self.consts.add(_may_share, "msm")
            return f"any({msm}(_i, {self.source_expr(g.expected)}) for _i in {s})"
        if g.kind == "disjoint":
            msm = self.consts.add(_may_share, "msm")
            return f"{msm}({s}, {self.source_expr(g.expected)})"
        raise ValueError(g.kind)

    def lines(self, guards, miss_name) -> list[str]:
        """``if <fails>: return MISS[i]`` per guard, in the given (already sorted) order."""
        out = []
        for i, g in enumerate(guards):
            out.append(f"if {self.condition(g)}: return {miss_name}[{i}]")
        return out


class ConstPool:
    """Values the generated code refers to by name (closure variables of the entry)."""

    def __init__(self):
        self.values: dict[str, object] = {}
        self._by_id: dict[int, str] = {}

    def add(self, value, hint: str = "k") -> str:
        name = self._by_id.get(id(value))
        if name is not None and self.values[name] is value:
            return name
        name = f"_{hint}{len(self.values)}"
        self.values[name] = value
        self._by_id[id(value)] = name
        return name


def order_guards(guards: list[Guard]) -> list[Guard]:
    """Cheapest first; a source's type guard always before the guards that read into it."""
    deps = {}
    for g in guards:
        deps.setdefault(g.source.key, []).append(g)

    def depth(src):
        return 0 if src.base is None else 1 + depth(src.base)

    def key(g):
        d = depth(g.source)
        if g.kind in PAIR_KINDS:
            d = max(d, depth(g.expected))
        return (g.cost >= 7, d, g.cost)
    return sorted(guards, key=key)
