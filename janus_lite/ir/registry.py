"""The op registry: one `OpDef` per op name, a closed set checked when nodes are built.

Each entry is a row of a rule table: how to run the op (``impl`` and how code generation
spells it), how to infer its result `Meta` (``infer``; the default runs the op on small
stand-in values), and the flags the passes and the runtime read (``elementwise``,
``side_effect``, ``fresh``, ``mutates``, ``pure``, ``may_raise``). How each backend runs
an op is that backend's table (`ir.tables`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class OpDef:
    """One row of the op table.

    ``emit`` says how generated code spells a call: ``"call"`` (``impl(*args, **kw)``),
    ``"method"`` (``args[0].<symbol>(*args[1:], **kw)``), ``"binop"``/``"unop"``
    (Python operator ``symbol``), ``"attr"`` (``args[0].<symbol>``), ``"special"``
    (handled by name in the backends).
    ``fresh``: the result never aliases an input (so it may be updated in place).
    ``mutates``: indices of inputs the op updates in place.
    ``pure``: same inputs, same output, nothing else touched (foldable and CSE-able).
    ``may_raise``: running the op may raise once the graph's guards held (so dead-code
    elimination keeps a dead one the user wrote, and a graph holding one may be abandoned
    mid-run; see `runtime.held_warnings.may_abandon`). False only for ops that cannot.
    """
    name: str
    impl: Callable | None
    emit: str = "call"
    symbol: str = ""
    infer: Callable | None = None
    elementwise: bool = False
    side_effect: bool = False
    fresh: bool = True
    pure: bool = True
    mutates: tuple = ()
    doc: str = ""
    may_raise: bool = True


_OPS: dict[str, OpDef] = {}
_BY_CALLABLE: dict[int, tuple[Any, str]] = {}
_METHODS: dict[tuple[type, str], str] = {}


def register(op: OpDef, *callables) -> OpDef:
    """Add ``op`` to the table; ``callables`` are the Python objects a call resolves to it."""
    if op.name in _OPS:
        raise ValueError(f"op {op.name!r} registered twice")
    _OPS[op.name] = op
    for fn in callables:
        _BY_CALLABLE[id(fn)] = (fn, op.name)
    return op


def register_method(owner: type, method: str, opname: str) -> None:
    _METHODS[(owner, method)] = opname


def get_op(name: str) -> OpDef:
    try:
        return _OPS[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}: the op set is closed "
                       f"(see janus_lite.ir.registry)") from None


def has_effect(node) -> bool:
    """Does ``node`` do something besides computing its value (an input, a side effect, an
    in-place update, a write into an ``out=`` array)? Such a node is never dead code."""
    op = get_op(node.op)
    return node.op == "input" or op.side_effect or bool(op.mutates) or \
        "out" in node.attrs.get("kw", ())


def op_for_callable(fn) -> str | None:
    """The op a call of ``fn`` becomes, or None when ``fn`` is not a known pure function."""
    try:
        hit = _BY_CALLABLE.get(id(fn))
    except TypeError:
        return None
    return hit[1] if hit is not None and hit[0] is fn else None


def op_for_method(owner: type, method: str) -> str | None:
    for klass in owner.__mro__:
        name = _METHODS.get((klass, method))
        if name is not None:
            return name
    return None


def all_ops() -> dict[str, OpDef]:
    return dict(_OPS)


def known_callables() -> list:
    return [fn for fn, _ in _BY_CALLABLE.values()]
