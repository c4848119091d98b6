"""Structural ops and Python operators: the part of the op table every graph uses."""
from __future__ import annotations

import operator

import numpy as np

from .node import Meta
from .registry import OpDef, register, register_method
from .rules import by_example, ufunc_rule, matmul_rule, same_rule, CannotInfer, meta_of_value


class AssumptionFailed(Exception):
    """Raised by an ``assert`` node whose speculated condition does not hold."""

    def __init__(self, index: int, got=None):
        super().__init__(index, got)
        self.index = index
        self.got = got


def uncopy_impl(v, copy, orig, memo=None):
    """What the plain function returns or stores where the graph has ``v``: ``orig`` (the
    caller's array) when ``v`` is its private copy; when ``v`` is a view of that copy
    (``w[::-1]`` after ``w[...] = x``), the same view of ``orig`` — the plain function's view
    sees the caller's array change later, a view of the copy would not. The copy was made
    with ``orig``'s layout; where it was not (``orig`` not contiguous), or ``orig`` cannot be
    viewed that way, the run is abandoned (the plain function answers). ``memo`` (one dict
    per run, `uncopy_memo`): the same ``v`` gives the same object wherever it is kept (a view
    returned and kept by a branch, or appended: one object, as in Python)."""
    if v is copy:
        return orig
    if copy is orig:
        return v
    if memo is not None:
        hit = memo.get((id(v), id(copy)))
        if hit is not None and hit[0] is v:
            return hit[1]
    if type(v) in (list, dict, tuple):
        out = _uncopy_items(v, copy, orig, 0, memo)
    elif type(v) is not np.ndarray or v.base is not copy:
        out = v
    else:
        out = _view_of_orig(v, copy, orig)
    if memo is not None:
        memo[id(v), id(copy)] = (v, out)      # (v kept alive: its id is the key)
    return out


def _view_of_orig(v, copy, orig):
    if copy.strides != orig.strides or copy.shape != orig.shape or copy.dtype != orig.dtype \
            or not (orig.flags.c_contiguous or orig.flags.f_contiguous) or \
            not orig.flags.writeable == copy.flags.writeable:
        raise AliasUnmapped("a view of an array updated in place cannot be given as a view "
                            "of the caller's array")
    offset = v.__array_interface__["data"][0] - copy.__array_interface__["data"][0]
    out = np.ndarray(v.shape, v.dtype, buffer=orig if orig.flags.c_contiguous else orig.T,
                     offset=offset, strides=v.strides)
    if not v.flags.writeable:
        out.flags.writeable = False
    return out


def _uncopy_items(v, copy, orig, depth, memo):
    """`uncopy_impl` inside a list, dict or tuple the graph made (a branch that keeps
    ``{'W': W}`` after ``W -= lr * g``: the plain dict holds the caller's array). Lists and
    dicts are mended in place, so every place that keeps one sees it mended; a tuple is
    made again where an item changes. (The caller's own containers never hold a private
    copy: every write into them is a deferred commit of the original.)"""
    if depth > 16:
        raise AliasUnmapped("containers nested too deep to map an array updated in place")
    if type(v) is tuple:
        items = tuple(_uncopy_item(x, copy, orig, depth, memo) for x in v)
        return v if all(a is b for a, b in zip(items, v)) else items
    pairs = v.items() if type(v) is dict else enumerate(v)
    for k, x in list(pairs):
        y = _uncopy_item(x, copy, orig, depth, memo)
        if y is not x:
            v[k] = y
    return v


def _uncopy_item(x, copy, orig, depth, memo):
    if type(x) in (list, dict, tuple):
        return _uncopy_items(x, copy, orig, depth + 1, memo)
    return uncopy_impl(x, copy, orig, memo)


class AliasUnmapped(Exception):
    """`uncopy_impl` cannot give a view of the caller's array (the run is abandoned)."""


def assert_impl(cond, expect, index):
    got = bool(cond)
    if got is not expect:
        raise AssumptionFailed(index, got)
    return None


def unpack_impl(value, n):
    items = tuple(value)
    if len(items) != n:
        raise ValueError(f"expected {n} values to unpack, got {len(items)}")
    return items


def setitem_impl(target, index, value):
    target[index] = value
    return target


def select_impl(cond, a, b):
    return a if cond else b


def _const_rule(op, metas, attrs):
    value = attrs["value"]
    base = by_example_value(value)
    return Meta(base.type, base.dtype, base.shape, value)


def by_example_value(value):
    return meta_of_value(value)


def _tuple_rule(op, metas, attrs):
    if all(m.is_const for m in metas):
        return Meta(tuple, value=tuple(m.value for m in metas), items=tuple(metas))
    return Meta(tuple, items=tuple(metas))


def _getattr_rule(op, metas, attrs):
    name = attrs["name"]
    if name == "T" and metas[0].shape is not None:
        return Meta(metas[0].type, metas[0].dtype, tuple(reversed(metas[0].shape)))
    if name == "shape" and metas[0].shape is not None:
        return Meta(tuple)
    getter = OpDef("getattr", lambda x: getattr(x, name))
    return by_example(getter, metas, {})


def _getitem_rule(op, metas, attrs):
    x, idx = metas
    if x.items is not None and idx.is_const and isinstance(idx.value, int):
        try:
            return x.items[idx.value]
        except IndexError:
            return Meta()
    return by_example(op, metas, attrs)


def _none_rule(op, metas, attrs):
    return Meta(type(None), value=None)


def _truth_rule(op, metas, attrs):
    return Meta(bool)


SPECIAL = [
    OpDef("input", None, "special", may_raise=False, doc="A parameter of the function."),
    OpDef("const", None, "special", infer=_const_rule, may_raise=False, doc="A value fixed at conversion."),
    OpDef("assert", assert_impl, "special", side_effect=True, pure=False, infer=_none_rule,
          doc="Speculated condition: raises AssumptionFailed when bool(input) is not attrs['expect']."),
    OpDef("tuple", lambda *xs: xs, "special", infer=_tuple_rule, may_raise=False,
          doc="Build a tuple."),
    # not fresh: the list holds its inputs, so updating an item in place updates them
    OpDef("list", lambda *xs: list(xs), "special", fresh=False, may_raise=False,
          infer=lambda o, m, a: Meta(list, items=tuple(m)),
          doc="Build a new list."),
    # the keys are constants the converter hashed already
    OpDef("dict", lambda *kv: dict(zip(kv[::2], kv[1::2])), "call", fresh=False, may_raise=False,
          infer=lambda o, m, a: Meta(dict), doc="Build a new dict from key, value, key, ..."),
    OpDef("unpack", unpack_impl, "call", fresh=False,
          infer=lambda o, m, a: Meta(tuple, items=m[0].items if m[0].items is not None and
                                     len(m[0].items) == a["n"] else None),
          doc="tuple(value), checked to hold attrs['n'] items."),
    OpDef("getitem", operator.getitem, "special", fresh=False, infer=_getitem_rule,
          doc="value[index]."),
    OpDef("setitem", setitem_impl, "special", mutates=(0,), pure=False, fresh=False,
          infer=same_rule, doc="value[index] = item, in place; the node's value is the target."),
    OpDef("getattr", getattr, "special", fresh=False, infer=_getattr_rule, may_raise=False,
          doc="value.<attrs['name']>."),
    # of values whose truth the converter knows to be defined (a scalar, a guarded shape)
    OpDef("truth", bool, "call", infer=_truth_rule, may_raise=False, doc="bool(value)."),
    OpDef("select", select_impl, "call", fresh=False,
          doc="a if cond else b (both computed; exceptions fall back)."),
    OpDef("uncopy", uncopy_impl, "call", fresh=False, infer=lambda o, m, a: m[0],
          doc="orig when v is its private copy (an argument updated in place), the same "
              "view of orig when v is a view of that copy, else v (one object per v and "
              "run, given the run's memo)."),
    OpDef("uncopy_memo", dict, "call", pure=False, may_raise=False,
          infer=lambda o, m, a: Meta(dict), doc="A new dict: one run's memo for uncopy."),
    OpDef("and_", lambda a, b: a and b, "call", fresh=False, doc="a and b (b computed eagerly)."),
    OpDef("or_", lambda a, b: a or b, "call", fresh=False, doc="a or b (b computed eagerly)."),
    OpDef("call", None, "special", pure=True,
          doc="Call of a known pure callable held in attrs['fn'] (kwargs named in attrs['kw'])."),
]

# (name, operator function, symbol, ufunc it is on arrays)
BINARY = [
    ("add", operator.add, "+", np.add), ("sub", operator.sub, "-", np.subtract),
    ("mul", operator.mul, "*", np.multiply), ("truediv", operator.truediv, "/", np.true_divide),
    ("floordiv", operator.floordiv, "//", np.floor_divide), ("mod", operator.mod, "%", np.remainder),
    ("pow", operator.pow, "**", np.power), ("lshift", operator.lshift, "<<", np.left_shift),
    ("rshift", operator.rshift, ">>", np.right_shift), ("bitand", operator.and_, "&", np.bitwise_and),
    ("bitor", operator.or_, "|", np.bitwise_or), ("bitxor", operator.xor, "^", np.bitwise_xor),
    ("lt", operator.lt, "<", np.less), ("le", operator.le, "<=", np.less_equal),
    ("eq", operator.eq, "==", np.equal), ("ne", operator.ne, "!=", np.not_equal),
    ("gt", operator.gt, ">", np.greater), ("ge", operator.ge, ">=", np.greater_equal),
]
INPLACE = [
    ("iadd", operator.iadd, "+="), ("isub", operator.isub, "-="), ("imul", operator.imul, "*="),
    ("itruediv", operator.itruediv, "/="), ("ifloordiv", operator.ifloordiv, "//="),
    ("imod", operator.imod, "%="), ("ipow", operator.ipow, "**="),
    ("imatmul", operator.imatmul, "@="), ("ilshift", operator.ilshift, "<<="),
    ("irshift", operator.irshift, ">>="), ("ibitand", operator.iand, "&="),
    ("ibitor", operator.ior, "|="), ("ibitxor", operator.ixor, "^="),
]
UNARY = [
    ("neg", operator.neg, "-", np.negative), ("pos", operator.pos, "+", np.positive),
    ("invert", operator.invert, "~", np.invert), ("not_", operator.not_, "not ", None),
]
IDENTITY = [("is_", operator.is_, " is "), ("is_not", operator.is_not, " is not "),
            ("in_", lambda a, b: a in b, " in "), ("not_in", lambda a, b: a not in b, " not in ")]


def _register_all():
    for op in SPECIAL:
        register(op)
    for name, fn, sym, uf in BINARY:
        register(OpDef(name, fn, "binop", sym, infer=ufunc_rule(uf), elementwise=True))
    register(OpDef("matmul", operator.matmul, "binop", "@", infer=matmul_rule))
    for name, fn, sym in INPLACE:
        register(OpDef(name, fn, "binop", sym, mutates=(0,), pure=False, fresh=False,
                       infer=same_rule, elementwise=name != "imatmul",
                       doc=f"x {sym} y: updates x in place when x is mutable."))
    for name, fn, sym, uf in UNARY:
        register(OpDef(name, fn, "unop", sym, infer=ufunc_rule(uf) if uf else _truth_rule,
                       elementwise=uf is not None))
    for name, fn, sym in IDENTITY:
        register(OpDef(name, fn, "binop", sym, infer=_truth_rule, fresh=True))


_register_all()

__all__ = ["AssumptionFailed", "CannotInfer"]

register(OpDef("source", None, "special", fresh=False, pure=False, may_raise=False,
               doc="Read a global, closure cell or attribute at call time (attrs['src'])."))
register(OpDef("type_is", lambda x, t: type(x) is t, "call", infer=_truth_rule,
               doc="type(x) is t (t a constant input): used to assert a value's type."))
register(OpDef("cond", None, "special", side_effect=True, pure=False, fresh=False,
               may_raise=False,    # its branches' nodes say for themselves
               doc="if inputs[0]: run subgraphs[0] else subgraphs[1]; value: the taken "
                   "branch's output tuple. Other inputs are values the branches capture."))
register(OpDef("errstate", None, "special", side_effect=True, pure=False, fresh=False,
               may_raise=False,    # its region's nodes say for themselves
               doc="with np.errstate(**dict(attrs['errstate'])): run subgraphs[0] (a block of "
                   "the function); value: its output tuple. Inputs: values it captures."))
register(OpDef("loop", None, "special", side_effect=True, pure=False, fresh=False,
               may_raise=False,    # its body's nodes say for themselves
               doc="A for/while loop: subgraphs (body,) or (cond, body) over loop-carried "
                   "values; value: the final carried tuple (see backend/structured.py)."))



def _register_list_methods():
    """Methods of lists the graph made itself (a list built by a run-time loop)."""
    for name, mutating in (("append", True), ("extend", True), ("pop", True),
                           ("insert", True), ("copy", False), ("index", False),
                           ("count", False)):
        register(OpDef(f"list.{name}", getattr(list, name), "method", name,
                       mutates=(0,) if mutating else (), pure=not mutating,
                       fresh=name == "copy", infer=None if not mutating else _none_rule,
                       doc=f"list.{name} on a list the graph owns."))
        register_method(list, name, f"list.{name}")


_register_list_methods()
