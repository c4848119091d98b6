"""Guards: the cheap checks, compiled into the graph's entry, that a call fits the graph.

A `Source` says where a guarded value lives (a parameter, a global, a closure cell, an
item of another source). A `Guard` checks one fact about it. `GuardCode` turns a list of
guards into Python source lines, cheapest checks first, each returning the miss marker of
its index so the caller learns which assumption failed.
"""
from __future__ import annotations

import ast
import functools
import itertools
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@functools.lru_cache(maxsize=1024)
def item_key(text: str):
    """The index an ``item`` source's text names (``"0"`` → 0, ``"'lr'"`` → 'lr'),
    parsed once per text: it is read on every call that misses a graph."""
    return ast.literal_eval(text)


@dataclass(frozen=True)
class Source:
    """Where a value is read from at call time."""
    kind: str            # "param" | "global" | "cell" | "item" | "attr" | "const"
    name: str            # param/global name, cell var name, attr name, or item index text
    base: "Source | None" = None
    holder: object = field(default=None, compare=False, hash=False)  # globals dict / cell

    def describe(self) -> str:
        text = self.__dict__.get("_described")
        if text is None:       # said on every miss of a guard on it (fields never change)
            text = self.__dict__["_described"] = self._describe()
        return text

    def _describe(self) -> str:
        if self.kind == "param":
            return self.name
        if self.kind == "global":
            return f"global {self.name}"
        if self.kind == "cell":
            return f"closure variable {self.name}"
        if self.kind == "item":
            if self.base.kind == "const" and self.base.name.startswith(GLOBALS_OF):
                return f"global {self.name.strip(chr(39))}"   # a `global` name's item
            return f"{self.base.describe()}[{self.name}]"
        if self.kind == "const":
            return self.name
        return f"{self.base.describe()}.{self.name}"

    @property
    def key(self):
        key = self.__dict__.get("_key")
        if key is None:        # read on every miss (the policy's lazy-state memory)
            key = self.__dict__["_key"] = \
                (self.kind, self.name, self.base.key if self.base else None, id(self.holder))
        return key


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


GLOBALS_OF = "globals of "
"""The label of a module's globals dict read as a state dict (a function with `global`
statements): its items are described as the globals they are."""


def const_holder(obj, label: str) -> Source:
    """A fixed object (e.g. a class) whose attributes are guarded."""
    return Source("const", label, holder=obj)


@dataclass(frozen=True)
class GuardKind:
    """One kind of guard: what it costs to check (the order of checks), how it reads, what
    a value shows of it, and the generated condition that is True when it FAILS.
    ``describe(what, expected, guard)``; ``observe(value, guard)`` (None: not observable);
    ``fails(code, expr, guard)`` with ``code`` the `GuardCode` (constants, source texts)."""
    name: str
    cost: int
    describe: Callable
    fails: Callable
    observe: Callable | None = None
    pair: bool = False      # ``expected`` is another `Source` (two-source guards)


def _k(code, value, hint):
    return code.consts.add(value, hint)


def _dtype_fails(code, s, g):
    if isinstance(g.expected, np.dtype) and g.expected.isbuiltin == 1:
        return f"{s}.dtype is not {_k(code, g.expected, 'dt')}"
    return f"{s}.dtype != {_k(code, g.expected, 'dt')}"


def _value_fails(code, s, g):
    e = g.expected
    if _signed_zero(e):
        # 0.0 == -0.0: also compare the sign (of each part of a complex number)
        cs = code.consts.add(math.copysign, "copysign")
        if isinstance(e, (complex, np.complexfloating)):
            return (f"({s} != {_k(code, e, 'v')} or {cs}(1.0, {s}.real) != "
                    f"{math.copysign(1.0, e.real)!r} or {cs}(1.0, {s}.imag) != "
                    f"{math.copysign(1.0, e.imag)!r})")
        return f"({s} != {_k(code, e, 'v')} or {cs}(1.0, {s}) != {math.copysign(1.0, e)!r})"
    return f"{s} != {_k(code, e, 'v')}"


def _disjoint_fails(code, s, g) -> str:
    """`_may_share`, spelled inline when guards before it fixed both values' type to
    ``np.ndarray`` (the common case: two distinct arrays that each own their buffer need
    no call)."""
    o = code.source_expr(g.expected)
    if g.source.key in code.arrays and g.expected.key in code.arrays:
        msm = code.consts.add(np.may_share_memory, "msm")
        return f"({s} is {o} or not ({s}.flags.owndata and {o}.flags.owndata)) and " \
               f"{msm}({s}, {o})"
    return f"{code.consts.add(_may_share, 'msm')}({s}, {o})"


def _short_chunks(chunks) -> str:
    """A Dask array's chunk structure, shortened for messages."""
    return "(" + ", ".join(f"{len(c)} chunks of {c[0]}" if len(c) > 3 else repr(c)
                           for c in chunks) + ")"


def _name_of(obj) -> str:
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    return name if name else type(obj).__name__


def keys_text(keys, most=8) -> str:
    """A dict's keys for a message: all of them, or the first and the last few and how many
    (a dict that gets a key per call must not make each message longer)."""
    if not isinstance(keys, (dict, tuple, list)):
        keys = list(keys)
    n = len(keys)
    if n <= most:
        return repr(list(keys))
    head = ", ".join(map(repr, itertools.islice(keys, most - 2)))  # not the whole dict:
    last, before = itertools.islice(reversed(keys), 2)             # a miss per call on a
    return f"[{head}, ..., {before!r}, {last!r}] ({n} keys)"       # growing dict reads it


def _keys_fails(code, s, g) -> str:
    """The length first (about 40 ns more on a hit): a dict that gets a key per call (a
    history) then misses in constant time, where ``tuple(d)`` of all its keys made every
    call cost more as the dict grew (quadratic over a run)."""
    want = _k(code, tuple(g.expected), "keys")
    return f"({code.builtin(len)}({s}) != {len(g.expected)} or " \
        f"{code.builtin(tuple)}({s}) != {want})"


def _haskeys_text(w, expected) -> str:
    has = [k for k, p in expected if p]
    lacks = [k for k, p in expected if not p]
    parts = ([f"has key{'s' * (len(has) > 1)} {', '.join(map(repr, has))}"] if has else []) + \
        ([f"lacks key{'s' * (len(lacks) > 1)} {', '.join(map(repr, lacks))}"] if lacks else [])
    return f"{w} " + " and ".join(parts)


def _may_share(a, b) -> bool:
    """Might two values share memory? Only arrays can; two different arrays that each
    allocated their own buffer cannot (no bounds arithmetic needed); else the bounds check."""
    if type(a) is not np.ndarray or type(b) is not np.ndarray:
        return False
    if a is not b and a.flags.owndata and b.flags.owndata:
        return False
    return np.may_share_memory(a, b)


INT64_SPAN = (-2 ** 63, 2 ** 63 - 1)
"""The range a Python int read at run time is guarded to lie in (`span` guards): NumPy then
takes it beside any float or 64-bit operand without an OverflowError, so the op is known
not to raise (`held_warnings`), and an int beyond it misses the graph instead."""


def _span_text(w, e) -> str:
    if tuple(e) == INT64_SPAN:
        return f"{w} fits in 64 bits (-2**63 <= {w} < 2**63)"
    return f"{e[0]} <= {w} <= {e[1]}"


KINDS: dict[str, GuardKind] = {k.name: k for k in [
    GuardKind("absent", 0, lambda w, e, g: f"{g.source.name!r} is not a global (builtin used)",
              lambda c, s, g: f"{g.source.name!r} in {c.consts.add(g.source.holder, 'G')}"),
    GuardKind("identity", 0, lambda w, e, g: f"{w} is {_name_of(e)}",
              lambda c, s, g: f"{s} is not {_k(c, g.expected, 'id')}",
              lambda v, g: _name_of(v)),
    GuardKind("type", 1, lambda w, e, g: f"type({w}) is {getattr(e, '__name__', e)}",
              lambda c, s, g: f"{c.builtin(type)}({s}) is not {_k(c, g.expected, 't')}",
              lambda v, g: type(v).__name__),
    GuardKind("span", 2, lambda w, e, g: _span_text(w, e),
              lambda c, s, g: f"not {g.expected[0]!r} <= {s} <= {g.expected[1]!r}",
              lambda v, g: v),
    GuardKind("len", 2, lambda w, e, g: f"len({w}) == {e}",
              lambda c, s, g: f"{c.builtin(len)}({s}) != {g.expected!r}",
              lambda v, g: len(v)),
    GuardKind("dtype", 3, lambda w, e, g: f"{w}.dtype == {e}", _dtype_fails,
              lambda v, g: v.dtype),
    GuardKind("ndim", 4, lambda w, e, g: f"{w}.ndim == {e}",
              lambda c, s, g: f"{s}.ndim != {g.expected!r}", lambda v, g: v.ndim),
    GuardKind("shape", 4, lambda w, e, g: f"{w}.shape == {e}",
              lambda c, s, g: f"{s}.shape != {g.expected!r}", lambda v, g: v.shape),
    GuardKind("dim", 5, lambda w, e, g: f"{w}.shape[{g.axis}] == {e}",
              lambda c, s, g: f"{s}.shape[{g.axis}] != {g.expected!r}",
              lambda v, g: v.shape[g.axis]),
    GuardKind("value", 6, lambda w, e, g: f"{w} == {e!r}", _value_fails, lambda v, g: v),
    GuardKind("keys", 6, lambda w, e, g: f"{w} has keys {keys_text(e)}",
              lambda c, s, g: _keys_fails(c, s, g),
              lambda v, g: keys_text(v)),
    GuardKind("haskeys", 6, lambda w, e, g: _haskeys_text(w, e),
              lambda c, s, g: "(" + " or ".join(f"{k!r} {'not in' if p else 'in'} {s}"
                                                for k, p in g.expected) + ")",
              lambda v, g: keys_text(v)),
    GuardKind("noattr", 6, lambda w, e, g: f"{w} has no instance attribute {e!r}",
              lambda c, s, g: f"{g.expected!r} in {s}.__dict__"),
    GuardKind("chunks", 6, lambda w, e, g: f"{w}.chunks == {_short_chunks(e)}",
              lambda c, s, g: f"{s}.chunks != {_k(c, g.expected, 'chunks')}",
              lambda v, g: _short_chunks(v.chunks)),      # a Dask array's chunk structure
    GuardKind("writeable", 7, lambda w, e, g: f"{w} is a writeable array",
              lambda c, s, g: f"not {s}.flags.writeable", lambda v, g: v.flags.writeable),
    GuardKind("distinct", 8, lambda w, e, g: f"{w} and {e.describe()} are different objects",
              lambda c, s, g: f"{s} is {c.source_expr(g.expected)}", pair=True),
    GuardKind("disjoint", 9, lambda w, e, g: f"{w} and {e.describe()} share no memory",
              lambda c, s, g: _disjoint_fails(c, s, g), pair=True),
    GuardKind("disjoint_items", 10,
              lambda w, e, g: f"no item of {w} shares memory with {e.describe()}",
              lambda c, s, g: f"any({c.consts.add(_may_share, 'msm')}(_i, "
                              f"{c.source_expr(g.expected)}) for _i in {s})", pair=True),
]}
"""Every guard kind, one row each."""

PAIR_KINDS = tuple(k.name for k in KINDS.values() if k.pair)
"""Guards that relate two sources (``expected`` is the other `Source`)."""


@dataclass
class Guard:
    """One checked fact: ``kind`` names its row in `KINDS`. ``expected`` is what must hold;
    ``axis`` is used by ``dim``."""
    kind: str
    source: Source
    expected: object
    lineno: int | None = None
    axis: int | None = None
    filename: str | None = None    # the file of ``lineno`` when it is an inlined callee's

    @property
    def cost(self) -> int:
        return KINDS[self.kind].cost

    def describe(self) -> str:
        text = self.__dict__.get("_described")
        if text is None:       # said on every miss; a guard's fields never change
            text = self.__dict__["_described"] = \
                KINDS[self.kind].describe(self.source.describe(), self.expected, self)
        return text

    def observe(self, value):
        """The fact as it stands for ``value`` (to say what a failed guard got instead)."""
        row = KINDS[self.kind]
        try:
            if row.observe is None:
                raise KeyError(self.kind)
            return row.observe(value, self)
        except Exception:
            return type(value).__name__


class GuardCode:
    """Generates guard checks as source lines; constants go into ``consts``.

    An item of a list or tuple argument (``params[0]``) that several guards read is read
    once, into a local (``_s0 = params[0]``), just before the first guard that reads it
    (where that guard would have read it); an attribute or a global, right after its type
    guard held (`_bind_typed`). Later guards and the graph's own reads of that source
    (`source_expr`) use the local."""

    def __init__(self, consts: "ConstPool", shadowed=frozenset()):
        self.consts = consts
        self.shadowed = shadowed       # names the function's own parameters take
        self.bound: dict = {}          # Source.key → the local holding its value
        self._seqs: set = set()        # keys of sources guarded to be a list or tuple
        self._keyed: set = set()       # keys of dicts whose key tuple was checked already
        self._present: set = set()     # (dict's key, repr of a key it was checked to have)
        self.arrays: set = set()       # keys of sources guarded (earlier) to be an ndarray

    def builtin(self, obj) -> str:
        """How the generated code names builtin ``obj``: by its name, unless a parameter of
        the user's function takes that name (``def f(x, type=...)``); then by a closure
        constant (``_type3``)."""
        name = obj.__name__
        return self.consts.add(obj, name) if name in self.shadowed else name

    def source_expr(self, src: Source) -> str:
        name = self.bound.get(src.key)
        if name is not None:
            return name
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
        row = KINDS.get(g.kind)
        if row is None:
            raise ValueError(g.kind)
        return row.fails(self, self.source_expr(g.source), g)

    def lines(self, guards, miss_name) -> list[str]:
        """``if <fails>: return MISS[i]`` per guard, in the given (already sorted) order.
        A run of two or more guards of one kind is first checked as a whole, and its
        guards one by one only when that fails (to name the one that did): ``dtype``,
        ``shape`` and ``ndim`` facts of several values compared as one tuple, ``disjoint``
        pairs by `_all_own` (when every array they name allocated its own buffer and no
        two are the same object, none can fail)."""
        out = []
        self._seqs = {g.source.key for g in guards
                      if g.kind == "type" and g.expected in (list, tuple)}
        self.arrays, self._keyed, self._present = set(), set(), set()
        runs = []                      # [kind, [(index, guard)...]], merged as below
        for kind, run in itertools.groupby(enumerate(guards), key=lambda ig: ig[1].kind):
            run = list(run)
            if runs and kind in _TUPLE_KINDS and runs[-1][0] in (_TUPLE_KINDS, *_TUPLE_KINDS):
                runs[-1] = [_TUPLE_KINDS, runs[-1][1] + run]   # dtype, shape...: one tuple
            else:
                runs.append([kind, run])
        k = 0
        while k < len(runs):
            kind, run = runs[k]
            for _, g in run:
                self._bind(g.source, out)
                if isinstance(g.expected, Source):
                    self._bind(g.expected, out)
            nxt = runs[k + 1] if k + 1 < len(runs) else None
            if kind == "writeable" and nxt is not None and nxt[0] == "disjoint":
                for _, g in nxt[1]:
                    self._bind(g.source, out)
                    self._bind(g.expected, out)
                both = self._writeable_and_own(run, nxt[1], miss_name)
                if both is not None:   # the two runs checked at once
                    out.extend(both)
                    k += 2
                    continue
            out.extend(self._run_lines(kind, run, miss_name))
            self.arrays |= {g.source.key for _, g in run
                            if g.kind == "type" and g.expected is np.ndarray}
            if kind == "keys":
                self._keyed |= {g.source.key for _, g in run}
            if kind == "haskeys":      # items of the keys it found are bound like those
                self._present |= {(g.source.key, repr(k)) for _, g in run
                                  for k, present in g.expected if present}
            if kind == "type":
                self._bind_typed(run, out)
            k += 1
        return out

    def _bind_typed(self, run, out: list) -> None:
        """Read each global that a run of ``type`` guards just checked into a local
        (``_s3 = _G1['SCALE']``), once its type held: the later guards (dtype, shape,
        flags, values) and the graph's own reads use the local instead of reading the
        globals dict again. (An attribute was read into its local by its type guard
        itself, `_reads_attr`; this binds any the run left.)"""
        for _, g in run:
            src = g.source
            if src.kind in ("attr", "global") and src.key not in self.bound:
                name = f"_s{len(self.bound)}"
                out.append(f"{name} = {self.source_expr(src)}")
                self.bound[src.key] = name

    def _run_lines(self, kind, run, miss_name) -> list[str]:
        each = [line for i, g in run for line in self._reads_attr(g, miss_name, i)]
        whole = self._whole(kind, [g for _, g in run]) if len(run) > 1 else None
        if whole is None or len(each) > len(run):
            return each
        return [f"if {whole}:"] + ["    " + line for line in each]

    def _reads_attr(self, g: Guard, miss_name, i) -> list[str]:
        """Guard ``g``'s check. The first read of an attribute (a ``type`` or ``identity``
        guard, before `_bind_typed` would bind it) goes into a local inside ``try``
        (``_s3 = self.out``), and the check reads the local: an object without that
        attribute (a layer whose ``forward`` never set ``self.out``) is then a miss of
        this guard, so that the next graph (or the policy) answers, rather than an error
        of the graph's run; and the attribute is read once. Free when the attribute is
        there (3.11's exception table: no setup cost)."""
        src = g.source
        if g.kind not in ("type", "identity") or src.kind != "attr" or src.key in self.bound:
            return [f"if {self.condition(g)}: return {miss_name}[{i}]"]
        name = f"_s{len(self.bound)}"
        read = f"try: {name} = {self.source_expr(src)}"
        self.bound[src.key] = name
        return [read, f"except {self.builtin(AttributeError)}: return {miss_name}[{i}]",
                f"if {self.condition(g)}: return {miss_name}[{i}]"]

    def _writeable_and_own(self, wrun, drun, miss_name) -> list[str] | None:
        """A ``writeable`` run followed by a ``disjoint`` run, checked at once (one
        ``flags`` object per array); the runs one by one only when that fails. None when
        some writeable value is in no disjoint pair."""
        exprs = dict.fromkeys(self.source_expr(s) for _, g in drun
                              for s in (g.source, g.expected))
        written = list(dict.fromkeys(self.source_expr(g.source) for _, g in wrun))
        if not set(written) <= set(exprs):
            return None
        values = written + [e for e in exprs if e not in written]
        inner = self._run_lines("writeable", wrun, miss_name) + \
            self._run_lines("disjoint", drun, miss_name)
        keys = {g.source.key for _, g in wrun} | \
            {s.key for _, g in drun for s in (g.source, g.expected)}
        if keys <= self.arrays:        # all typed np.ndarray by guards before: inline
            pairs = [(self.source_expr(g.source), self.source_expr(g.expected))
                     for _, g in drun]
            whole = _own_writeable_inline(self.consts, written, values[len(written):], pairs)
        elif len(drun) > 1:
            fn = self.consts.add(_own_writeable, "ownw")
            whole = f"{fn}({len(written)}, {', '.join(values)})"
        else:
            return None
        return [f"if not ({whole}):"] + ["    " + line for line in inner]

    def _bind(self, src: Source, out: list) -> None:
        """Read ``src`` into a local before the guard that first reads it, when it is an
        item of a value guarded to be a list or tuple, or of a dict whose keys were checked
        (``_s1 = config['velocity']``: the key is there, and reading it again for its
        dtype, its shape and the graph costs a lookup each); its bases first, likewise."""
        if src.base is not None:
            self._bind(src.base, out)
        if src.kind != "item" or src.key in self.bound or \
                (src.base.key not in self._seqs and src.base.key not in self._keyed and
                 (src.base.key, src.name) not in self._present):
            return
        name = f"_s{len(self.bound)}"
        out.append(f"{name} = {self.source_expr(src)}")
        self.bound[src.key] = name

    def _whole(self, kind, run) -> str | None:
        """A condition True when some guard of ``run`` (all of ``kind``) may fail."""
        if kind == "disjoint":
            exprs = dict.fromkeys(self.source_expr(s) for g in run
                                  for s in (g.source, g.expected))
            return f"not {self.consts.add(_all_own, 'own')}({', '.join(exprs)})"
        if kind is _TUPLE_KINDS:       # a merged run of several of these kinds
            hint = "facts"
        elif kind in _TUPLE_KINDS:
            hint = kind
        else:
            return None
        if any(g.kind == "value" and _signed_zero(g.expected) for g in run):
            return None                # 0.0 == -0.0: those compare their sign one by one
        got = "".join(f"{self.source_expr(g.source)}{_TUPLE_KINDS[g.kind]}, " for g in run)
        want = self.consts.add(tuple(g.expected for g in run), hint)
        return f"({got}) != {want}"


_TUPLE_KINDS = {"dtype": ".dtype", "shape": ".shape", "ndim": ".ndim", "value": ""}
"""Guard kinds whose facts compare as a tuple (``==`` per item, as each guard does: the
tuple's identity shortcut only lets through a value that *is* the expected object);
consecutive runs of them (the dtypes, the shapes, then the values of Python scalars the
graph specialized on) are compared as one tuple."""


def _signed_zero(v) -> bool:
    """Is ``v`` equal to a value of other bits: a float zero (``0.0 == -0.0``), a complex
    number with a zero part (``complex(-1, 0.0) == complex(-1, -0.0)``, whose square roots
    are 1j and -1j)?"""
    if isinstance(v, (float, np.floating)):
        return v == 0
    if isinstance(v, (complex, np.complexfloating)):
        return v.real == 0 or v.imag == 0
    return False


def _own_writeable_inline(consts, written, others, pairs) -> str:
    """`_own_writeable`'s test spelled inline, for values the guards before it typed
    ``np.ndarray``: the ``written`` ones writeable, all of them owning their buffers, and
    the two values of each pair in ``pairs`` different objects (for many pairs: all the
    values different, as `_own_writeable` asks). True when it holds; one ``flags`` object
    per array."""
    parts = [f"(_fl := {w}.flags).writeable and _fl.owndata" for w in written]
    parts += [f"{o}.flags.owndata" for o in others]
    n = len(written) + len(others)
    if len(pairs) <= 4 * n:
        parts += [f"{a} is not {b}" for a, b in pairs]
    else:
        id_, len_ = consts.add(id, "id"), consts.add(len, "len")
        ids = ", ".join(f"{id_}({v})" for v in (*written, *others))
        parts.append(f"{len_}({{{ids}}}) == {n}")
    return " and ".join(parts)


def _own_writeable(n_writeable, *values, _nd=np.ndarray) -> bool:
    """Are these all arrays that allocated their own buffers, no two the same object, the
    first ``n_writeable`` of them writeable?"""
    i = 0
    for v in values:
        if type(v) is not _nd:
            return False
        flags = v.flags
        if not flags.owndata or (i < n_writeable and not flags.writeable):
            return False
        i += 1
    return len(set(map(id, values))) == len(values)


def _all_own(*values) -> bool:
    """Are these all arrays that allocated their own buffers, no two the same object?"""
    for v in values:
        if type(v) is not np.ndarray or not v.flags.owndata:
            return False
    return len(set(map(id, values))) == len(values)


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
