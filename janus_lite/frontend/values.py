"""Abstract values the converter computes with: known constants, graph values, static
tuples, and methods bound to graph values."""
from __future__ import annotations

import functools
import types
from dataclasses import dataclass, field

import numpy as np

from ..ir.node import IMMUTABLE_CONSTS, Meta, is_immutable_const  # noqa: F401  (re-exported)
from ..profile.records import DICTS, JIT_MARKER, is_jitted  # noqa: F401  (re-exported)
from ..runtime.spec import _same_value
from .errors import ConversionError


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
    view: str | None = field(default=None, compare=False)
    """``"keys"``/``"values"``/``"items"``: a dict's view. It iterates, unpacks, counts and
    answers ``in`` as these items do; anything else (``==`` compares keys as a set, it cannot
    be indexed, added to or made a tuple) refuses (`plain_view`, `check_view`)."""
    dict_of: object = field(default=None, compare=False)     # a view's dict


ORDERED_DICT_METHODS = frozenset(("items", "keys", "values", "get", "setdefault", "pop",
                                  "update"))
"""The ``OrderedDict`` methods a graph converts: those whose behaviour is dict's."""


@dataclass(frozen=True)
class BoundMethod:
    """``recv.name`` where ``recv`` is a graph value: only good for calling."""
    recv: Ref
    name: str
    owner: type


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


Value = Const | Ref | TupleVal | BoundMethod | UserMethod | SuperOf | BoxRef | OrigRef | Splat
"""Every abstract value the converter computes with."""



def same_value(a, b) -> bool:
    """Are two abstract values certainly the same value (no merge needed)?"""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, Ref):
        return a.name == b.name
    if isinstance(a, Const):
        if a.value is b.value:
            return True
        return not isinstance(a.value, np.ndarray) and _same_value(a.value, b.value)
    if isinstance(a, TupleVal):
        return len(a.items) == len(b.items) and all(same_value(x, y)
                                                    for x, y in zip(a.items, b.items))
    return False


def spec_meta(spec) -> Meta:
    """The `Meta` a value read as `runtime.spec.ParamSpec` ``spec`` has."""
    if spec.kind == "array":
        return Meta(np.ndarray, spec.dtype, tuple(spec.shape))
    if spec.kind == "scalar":
        return Meta(spec.type, spec.dtype, spec.shape,
                    spec.value if spec.has_value else Meta().value)
    if spec.kind == "const":
        return Meta(spec.type, value=spec.value)
    if spec.kind in ("tuple", "list"):
        return Meta(spec.type, items=tuple(spec_meta(i) for i in spec.items))
    return Meta(spec.type)     # "dict" (items read by key), "seq" (items unchecked: read at
                               # run time), "object"


@dataclass(frozen=True, eq=False)
class LocalFunction:
    """A ``def`` or ``lambda`` in the function: inlined where called, with its free names
    read from the enclosing scope at call time (frontend/closures.py)."""
    fdef: object                   # ast.FunctionDef | ast.Lambda
    scope: object                  # the enclosing Scope
    signature: object              # inspect.Signature, defaults as abstract values
    name: str


@dataclass(frozen=True, eq=False)
class PartialCall:
    """``functools.partial(f, *args, **kwargs)`` made in the function (``f`` known while
    converting): only good for calling, as ``f(*args, *more, **{**kwargs, **more_kw})``;
    stored, returned or passed on, it is refused (no partial object is made)."""
    func: object
    args: tuple
    kwargs: dict


def plain_view(v):
    """A dict view's items as a plain static tuple (for what only iterates it), else ``v``."""
    return TupleVal(v.items) if isinstance(v, TupleVal) and v.view is not None else v


def check_view(v, what, lineno) -> None:
    """Refuse a dict view used otherwise than by iterating it (it is no tuple)."""
    if isinstance(v, TupleVal) and v.view is not None:
        raise ConversionError(f"a dict's .{v.view}() view {what} (it is not a tuple: runs "
                              f"imperatively)", lineno)


def static_tuple(v):
    """``v`` as a Const when it is a tuple of constants (a ``(layer, name)`` argument used as
    a dict key or an index), else ``v`` itself."""
    if isinstance(v, TupleVal) and v.view is None:
        items = [static_tuple(i) for i in v.items]
        if all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))
    return v


NUMPY_FUNCTION = type(np.mean)
"""NumPy's functions (``np.mean``, ``np.clip``, ``np.linalg.norm``): like ufuncs, objects
with a ``__dict__`` but no state a call reads; held in an argument or an attribute, they
are constants guarded by identity."""

IDENTITY_TYPES = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
                  types.MethodType, types.BuiltinMethodType, np.ufunc, type, np.dtype,
                  types.MethodDescriptorType, types.WrapperDescriptorType,
                  types.MethodWrapperType, types.ClassMethodDescriptorType, NUMPY_FUNCTION)
"""Values a graph holds as constants guarded by identity (modules, functions, classes,
ufuncs, NumPy's functions, dtypes, descriptors): nothing a call reads lives in them."""

_GENERIC_GET = (object.__getattribute__, types.SimpleNamespace.__getattribute__,
                functools.partial.__getattribute__)
_GENERIC_SET = (object.__setattr__, types.SimpleNamespace.__setattr__,
                functools.partial.__setattr__)


def plain_attribute_get(owner: type) -> bool:
    """Do instances of ``owner`` read attributes the generic way (``object``'s lookup:
    no ``__getattribute__``/``__getattr__`` of their own, no metaclass lookup)?
    ``types.SimpleNamespace`` (a config object: ``cfg.lr``) and ``functools.partial`` have
    slots of their own that are CPython's generic functions (``PyObject_GenericGetAttr``)."""
    return type(owner).__getattribute__ is type.__getattribute__ and \
        owner.__getattribute__ in _GENERIC_GET and not hasattr(owner, "__getattr__")


def plain_attribute_set(owner: type) -> bool:
    """Do instances of ``owner`` assign attributes the generic way (see
    `plain_attribute_get`)?"""
    return owner.__setattr__ in _GENERIC_SET
