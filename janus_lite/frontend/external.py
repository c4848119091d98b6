"""Reads of state outside the function: globals, closure cells, attributes of objects.

Each read is classified once, from the value it has while converting: functions, modules
and classes become constants guarded by identity; Python scalars become constants guarded
by value (or run-time reads guarded by type once their value was seen to change); arrays
and objects become run-time reads (``source`` nodes) guarded by type, dtype and shape.
"""
from __future__ import annotations

import inspect
import types

import numpy as np

from ..ir import Meta
from ..ir.rules import meta_of_value
from ..runtime.guards import INT64_SPAN, Guard, attr as attr_source, const_holder, \
    global_, item as item_source, item_key
from ..runtime.spec import ParamSpec, dims_key, guards_for
from .errors import ConversionError
from .values import DICTS, IDENTITY_TYPES, Const, Ref, TupleVal, UserMethod, is_immutable_const, \
    is_jitted, plain_attribute_get
from .part import Part

_MISSING = object()
_SAFE_DESCRIPTORS = (types.MemberDescriptorType, types.GetSetDescriptorType)


def _hashable(value) -> bool:
    try:
        hash(value)
        return True
    except TypeError:
        return False


def _unequal_to_itself(value) -> bool:
    """A NaN (a float's, a NumPy scalar's, a complex number's part)."""
    try:
        return bool(value != value)
    except Exception:       # noqa: BLE001 (a scalar type whose comparison fails: no NaN)
        return False


class ExternalConverter(Part):
    def read_external(self, src, value, lineno):
        """Classify a value read from ``src`` (see module doc); returns an abstract value."""
        if isinstance(value, IDENTITY_TYPES) or is_jitted(value):
            self.cx.add_guard(Guard("identity", src, value, lineno))
            return Const(value)
        if is_immutable_const(value) and _hashable(value):
            self.cx.add_guard(Guard("type", src, type(value), lineno))
            scalar = isinstance(value, (bool, int, float, complex, np.generic))
            if scalar and (src.key in self.cx.relaxed or _unequal_to_itself(value)):
                # relaxed, or a NaN: no value guard can fix it (nan != nan), so it is read
                # at run time (folding it unguarded would answer later calls with it)
                if type(value) is int:
                    self.cx.add_guard(Guard("span", src, INT64_SPAN, lineno))
                return self._source_node(src, Meta(type(value), getattr(value, "dtype", None),
                                                   () if isinstance(value, np.generic) else None),
                                         lineno)
            if value is not None:
                self.cx.add_guard(Guard("value", src, value, lineno))
            return Const(value)
        if type(value) is np.ndarray:
            if dims_key(src) in self.cx.relaxed:       # its shape varies: any dims
                spec = ParamSpec("array", np.ndarray, value.dtype, ("?",) * value.ndim)
                meta = Meta(np.ndarray, value.dtype, (None,) * value.ndim)
            else:
                spec = ParamSpec("array", np.ndarray, value.dtype, tuple(value.shape))
                meta = meta_of_value(value)
            for g in guards_for(spec, src, lineno):
                self.cx.add_guard(g)
            return self._source_node(src, meta, lineno)
        if type(value) is tuple and len(value) <= 64:
            self.cx.add_guard(Guard("type", src, tuple, lineno))
            self.cx.add_guard(Guard("len", src, len(value), lineno))
            whole = self._source_node(src, Meta(tuple), lineno)
            items = tuple(self.read_external(item_source(src, i), v, lineno)
                          for i, v in enumerate(value))
            return TupleVal(items, origin=whole.name)
        if type(value) is list or type(value) in DICTS:
            self.cx.add_guard(Guard("type", src, type(value), lineno))
            ref = self._source_node(src, Meta(type(value)), lineno)
            if type(value) in DICTS:
                keys = tuple(value)
                if len(keys) <= 64 and all(isinstance(k, (str, int)) or type(k) is tuple and
                                           all(type(i) in (str, int) for i in k)
                                           for k in keys):
                    guard = Guard("keys", src, keys, lineno)
                    self.cx.add_guard(guard)
                    self.cx.known_keys[ref.name] = keys
                    self.cx.keys_guards.setdefault(ref.name, guard)
            return ref
        if type(value) is np.random.Generator:
            self.cx.add_guard(Guard("type", src, type(value), lineno))
            return self._source_node(src, Meta(type(value)), lineno)
        if _plain_object(value):
            self.cx.add_guard(Guard("type", src, type(value), lineno))
            return self._source_node(src, Meta(type(value)), lineno)
        raise ConversionError(f"reads {src.describe()} of type {type(value).__name__} "
                              f"(not supported in graphs yet)", lineno)

    def _source_node(self, src, meta, lineno) -> Ref:
        for name, known in self.cx.sources.items():
            if known.key == src.key and self.cx.graph[name].op == "source":
                return Ref(name)
        root = self.cx.graph.root()      # reads happen on entry: writes are deferred anyway
        attrs = {"src": src}
        span = self.cx.expected(src, "span") if meta.type is int else None
        if span is not None:
            attrs["span"] = span            # its range is guarded (`held_warnings._int_span`)
        node = root.add("source", attrs=attrs, meta=meta, lineno=lineno,
                        before=_after_inputs(root))
        self.cx.aliases.roots[node.name] = frozenset({node.name})
        self.cx.sources[node.name] = src
        return Ref(node.name)

    def source_value(self, src):
        """The value ``src`` has in the example call the conversion runs for."""
        if src.kind == "param":
            if src.name not in self.cx.example:
                raise ConversionError(f"no example value for {src.name}", self.cx.lineno)
            return self.cx.example[src.name]
        if src.kind == "global":
            return src.holder[src.name]
        if src.kind == "cell":
            return src.holder.cell_contents
        if src.kind == "const":
            return src.holder
        base = self.source_value(src.base)
        if src.kind == "item":
            return base[item_key(src.name)]
        return getattr(base, src.name)

    def guard_class_entry(self, klass, name, static, lineno) -> None:
        """Assume the class dict along ``klass``'s MRO that defines ``name`` keeps holding
        ``static`` (a class method or another descriptor: reading it through the class or
        an instance gives a new object each time, so only the dict entry can be guarded)."""
        defining = next((k for k in klass.__mro__ if name in vars(k)), klass)
        self.cx.add_guard(Guard("identity", global_(vars(defining), name), static, lineno))

    def object_attribute(self, base: Ref, owner: type, name: str, lineno):
        """``obj.name`` for a plain Python object known by type."""
        if not plain_attribute_get(owner):
            raise ConversionError(f"{owner.__name__} customizes attribute access", lineno)
        static = inspect.getattr_static(owner, name, _MISSING)
        holder = const_holder(owner, owner.__name__)
        # a plain method, or another method decorated with jit (its Python function is
        # inlined): guarded on the class attribute's identity either way
        target = static if isinstance(static, types.FunctionType) else \
            static.__wrapped__ if is_jitted(static) and \
            isinstance(static.__wrapped__, types.FunctionType) else None
        if target is not None:
            self.cx.add_guard(Guard("identity", attr_source(holder, name), static, lineno))
            src = self.cx.sources.get(base.name)
            if src is not None and "__dict__" in dir(owner):
                # an instance attribute of that name would shadow the method
                self.cx.add_guard(Guard("noattr", src, name, lineno))
            return UserMethod(base, target)
        if isinstance(static, staticmethod):
            self.cx.add_guard(Guard("identity", attr_source(holder, name), static.__func__, lineno))
            return Const(static.__func__)
        if isinstance(static, classmethod):
            self.guard_class_entry(owner, name, static, lineno)
            return Const(types.MethodType(static.__func__, owner))
        if type(static) is property and isinstance(static.fget, types.FunctionType):
            # a read-only use of a property: its getter, inlined (guarded on identity)
            self.cx.add_guard(Guard("identity", attr_source(holder, name), static, lineno))
            site = types.SimpleNamespace(lineno=lineno)
            return self.calls.inline(static.fget, [base], {}, site)
        if static is not _MISSING and hasattr(type(static), "__get__") and \
                not isinstance(static, _SAFE_DESCRIPTORS):
            raise ConversionError(f"{owner.__name__}.{name} is a {type(static).__name__} "
                                  f"(descriptors/properties are not supported yet)", lineno)
        src = self.cx.sources.get(base.name)
        if src is None:
            raise ConversionError(f"attribute .{name} of an object computed in the function",
                                  lineno)
        s = attr_source(src, name)
        try:
            value = self.source_value(s)
        except ConversionError:
            raise
        except Exception as exc:
            raise ConversionError(f"cannot read {s.describe()}: {type(exc).__name__}",
                                  lineno) from None
        return self.read_external(s, value, lineno)


def _after_inputs(root):
    """Insert point for a read at the start of the root graph (right after inputs)."""
    for name in root.order:
        if root[name].op not in ("input", "source"):
            return name
    return None


def _plain_object(value) -> bool:
    t = type(value)
    return t.__module__ not in ("builtins",) and not isinstance(value, (np.ndarray, np.generic)) \
        and hasattr(value, "__dict__") or hasattr(t, "__slots__") and t.__module__ != "builtins"
