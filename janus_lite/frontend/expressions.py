"""One converter method per Python expression construct."""
from __future__ import annotations

import ast
import enum
import operator
import types

import numpy as np

from ..ir import Meta, get_op, op_for_method
from ..profile.instrument import site_key
from ..runtime.guards import Guard, Source, attr as attr_source, cell as cell_source, \
    GLOBALS_OF, const_holder, global_
from .context import trusted_name
from .control import UNBOUND
from .errors import ConversionError
from .values import (DICTS, BoxRef, Const, Ref, TupleVal, BoundMethod, SuperOf,
                     is_immutable_const, check_view, plain_view, static_tuple)
from .part import Part

BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
          ast.FloorDiv: "floordiv", ast.Mod: "mod", ast.Pow: "pow", ast.MatMult: "matmul",
          ast.LShift: "lshift", ast.RShift: "rshift", ast.BitAnd: "bitand",
          ast.BitOr: "bitor", ast.BitXor: "bitxor"}
CMPOPS = {ast.Lt: "lt", ast.LtE: "le", ast.Eq: "eq", ast.NotEq: "ne", ast.Gt: "gt",
          ast.GtE: "ge", ast.Is: "is_", ast.IsNot: "is_not", ast.In: "in_",
          ast.NotIn: "not_in"}
UNOPS = {ast.USub: "neg", ast.UAdd: "pos", ast.Invert: "invert", ast.Not: "not_"}
ARRAY_PROPERTIES = {"T", "shape", "ndim", "size", "dtype", "itemsize", "nbytes", "real",
                    "imag", "mT", "strides"}


class ExpressionConverter(Part):
    def expr(self, node: ast.expr):
        method = self.cx.expr_handlers.get(type(node))
        if method is None:
            raise ConversionError(f"{type(node).__name__} expressions are not supported in "
                                  f"graphs yet", getattr(node, "lineno", None))
        self.cx.lineno = getattr(node, "lineno", self.cx.lineno)
        value = method(node)
        if type(value) is Ref:
            self.note_profiled_items(value, node)
        return value

    def note_profiled_items(self, value, node) -> None:
        """Remember the items a run-time list/tuple had while profiling (one length seen),
        so that unpacking it needs no static length: the ``unpack`` node checks the length
        at run time (another length raises inside the graph, and the call falls back)."""
        meta = self.cx.graph[value.name].meta
        profile = self.cx.scope.profile
        if meta.type not in (list, tuple, None) or profile is None:
            return
        obs = profile.sites.get(site_key(node))
        if obs is None or obs.overflow or not obs.seen:
            return
        seen = list(obs.seen)
        kind = meta.type or seen[0].type       # unknown type: the unpack node checks it
        if kind not in (list, tuple) or \
                any(s.type is not kind or s.items is None for s in seen) or \
                len({len(s.items) for s in seen}) != 1:
            return
        self.cx.profiled_items[value.name] = seen[0].items if len(seen) == 1 else \
            (None,) * len(seen[0].items)

    def expr_Constant(self, node):
        return Const(node.value)

    def expr_Name(self, node):
        return self.load_name(node.id, node.lineno)

    # -- names ----------------------------------------------------------------------------
    def load_name(self, name: str, lineno, scope=None):
        scope = scope or self.cx.scope
        if name in scope.declared_globals:
            return self.global_item(scope.globals, name, lineno)
        if name in scope.declared_nonlocals:
            return self.cell_value(scope, name, lineno)
        if name in scope.env:
            value = scope.env[name]
            if isinstance(value, Ref) and value.name in self.cx.maybe_unbound:
                self.cx.maybe_unbound.discard(value.name)
                bound = self.nodes.emit("is_not", [value, Const(UNBOUND)], lineno=lineno)
                self.cx.add_assert(bound, True, "bound", f"{name} is bound after the loop", lineno)
            return value
        if name in scope.local_names:
            raise ConversionError(f"local variable {name!r} may be unbound here", lineno)
        if scope.parent is not None:
            # a function defined in the function: free names are the enclosing function's
            # variables as they are when it is called (late binding, as Python's closures)
            return self.load_name(name, lineno, scope.parent)
        if name in scope.cells:
            return self.cell_value(scope, name, lineno)
        if name in scope.globals:
            if id(scope.globals) in self.cx.global_dicts:
                # a module whose globals this call writes (`global n; n += 1`): every read
                # of them goes through the same deferred writes
                return self.global_item(scope.globals, name, lineno)
            return self.external.read_external(global_(scope.globals, name),
                                               scope.globals[name], lineno)
        if name in scope.builtins:
            self.cx.add_guard(Guard("absent", global_(scope.globals, name), None, lineno))
            return Const(scope.builtins[name])
        raise ConversionError(f"name {name!r} is not defined", lineno)

    def cell_ref(self, scope, name: str, lineno) -> Ref:
        """The closure cell of ``name`` (a ``nonlocal`` the function writes) as a state
        object whose ``cell_contents`` the write defers, made once per conversion."""
        cell = scope.cells.get(name)
        if cell is None:       # a function defined in the function: its enclosing
            raise ConversionError(f"nonlocal {name!r} of a function defined in the "
                                  f"function", lineno)      # variable is no cell here
        self._contents(cell, name, lineno)          # an empty cell: nothing to undo to
        ref = self.cx.cell_refs.get(id(cell))
        if ref is None:
            ref = self.external._source_node(const_holder(cell, f"closure cell {name}"),
                                             Meta(type(cell)), lineno)
            self.cx.cell_refs[id(cell)] = ref
        return ref

    def cell_value(self, scope, name: str, lineno):
        """A closure variable as the call has it now: what it wrote into the cell (a
        ``nonlocal``), or the cell's contents, read and guarded."""
        cell = scope.cells.get(name)
        if cell is None:
            self.cell_ref(scope, name, lineno)      # raises: no cell to read
        ref = self.cx.cell_refs.get(id(cell))
        bid = self.cx.heap.box_of.get(ref.name) if ref is not None else None
        box = self.cx.heap.boxes.get(bid) if bid is not None else None
        if box is not None and "cell_contents" in box.entries:
            return box.entries["cell_contents"]
        value = self._contents(cell, name, lineno)
        return self.external.read_external(cell_source(cell, name), value, lineno)

    @staticmethod
    def _contents(cell, name, lineno):
        try:
            return cell.cell_contents
        except ValueError:
            raise ConversionError(f"closure variable {name!r} is empty", lineno) from None

    def global_dict(self, gdict: dict, lineno) -> Ref:
        """The module globals dict ``gdict`` as a state dict (item reads guarded, writes
        deferred and committed with the rest), made once per conversion."""
        ref = self.cx.global_dicts.get(id(gdict))
        if ref is None:
            name = gdict.get("__name__", "?")
            ref = self.external.read_external(const_holder(gdict, GLOBALS_OF + name),
                                              gdict, lineno)
            self.cx.global_dicts[id(gdict)] = ref
        return ref

    def global_item(self, gdict: dict, name: str, lineno):
        """A global read through its module's globals dict (see `global_dict`)."""
        return self.subscript(self.global_dict(gdict, lineno), Const(name),
                              types.SimpleNamespace(lineno=lineno))

    def expr_Tuple(self, node):
        items = []
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                v = self.expr(elt.value)
                items.extend(self.static_items(v, elt.lineno))
            else:
                items.append(self.expr(elt))
        if all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))
        return TupleVal(tuple(items))

    def static_items(self, v, lineno) -> list:
        """The items of a value whose length is known while converting."""
        if isinstance(v, TupleVal):
            return list(v.items)
        boxed = self.containers.container_items(v, lineno)
        if boxed is not None:
            return boxed
        if isinstance(v, Const) and isinstance(v.value, (tuple, list, range)):
            return [Const(x) for x in v.value]
        if isinstance(v, Ref):
            meta = self.cx.graph[v.name].meta
            if meta.type is np.ndarray and meta.shape and isinstance(meta.shape[0], int) \
                    and meta.shape[0] <= 64:
                n = meta.shape[0]
            elif meta.type in (tuple, list) and meta.items is not None:
                n = len(meta.items)
            elif isinstance(meta.type, type) and issubclass(meta.type, tuple) and \
                    isinstance(getattr(meta.type, "_fields", None), tuple):
                n = len(meta.type._fields)     # a named tuple (np.linalg.eig's EigResult)
            elif v.name in self.cx.profiled_items:
                return self._unpack_profiled(v, lineno)
            else:
                raise ConversionError("unpacking a value of unknown length", lineno)
            packed = self.nodes.emit("unpack", [v], attrs={"n": n}, lineno=lineno)
            return [self.nodes.emit("getitem", [packed, Const(i)], lineno=lineno) for i in range(n)]
        raise ConversionError("unpacking a value of unknown length", lineno)

    def _unpack_profiled(self, v, lineno) -> list:
        """Unpack a list/tuple by its profiled length; items whose meta the rules cannot
        infer take the profiled type and dtype (not the shape: it may depend on run-time
        values even when the length does not)."""
        seen_items = self.cx.profiled_items[v.name]
        packed = self.nodes.emit("unpack", [v], attrs={"n": len(seen_items)}, lineno=lineno)
        items = []
        for i, seen in enumerate(seen_items):
            item = self.nodes.emit("getitem", [packed, Const(i)], lineno=lineno)
            node = self.cx.graph[item.name]
            if node.meta.type is None and seen is not None and not seen.has_value:
                node.meta = Meta(seen.type, seen.dtype)
            items.append(item)
        return items

    def expr_BinOp(self, node):
        left, right = self.expr(node.left), self.expr(node.right)
        return self.binop(BINOPS[type(node.op)], left, right, node)

    def binop(self, op, left, right, node):
        check_view(left, "in an arithmetic or set operation", node.lineno)
        check_view(right, "in an arithmetic or set operation", node.lineno)
        if isinstance(left, TupleVal) or isinstance(right, TupleVal):
            if op == "add" and all(isinstance(x, (TupleVal, Const)) for x in (left, right)):
                return TupleVal(tuple(self.static_items(left, node.lineno) +
                                      self.static_items(right, node.lineno)))
        return self.nodes.emit(op, [left, right], lineno=node.lineno, site=node)

    def expr_UnaryOp(self, node):
        operand = self.expr(node.operand)
        if isinstance(node.op, ast.Not) and not isinstance(operand, (Const, Ref)):
            operand = Const(True) if isinstance(operand, TupleVal) and operand.items \
                else operand
        return self.nodes.emit(UNOPS[type(node.op)], [operand], lineno=node.lineno, site=node)

    def expr_Compare(self, node):
        left = self.expr(node.left)
        result = None
        for op, comp in zip(node.ops, node.comparators):
            right = self.expr(comp)
            if isinstance(op, (ast.In, ast.NotIn)) and self._hashes_as_a_view_does(left, right):
                right = plain_view(right)       # ``k in d.keys()``: membership as in a tuple
            part = self.none_identity(op, left, right)
            if part is None and isinstance(op, (ast.In, ast.NotIn)):
                part = self.dicts.static_in(CMPOPS[type(op)], left, right)
            if part is None:
                part = self.nodes.emit(CMPOPS[type(op)], [left, right], lineno=node.lineno,
                                       site=node if len(node.ops) == 1 else None)
            result = part if result is None else self.bool_and(result, part, node)
            left = right
        return result

    def none_identity(self, op, left, right):
        """``v is None`` / ``v is not None`` decided while converting when ``v`` is a graph
        value whose type is certain (``if b is not None:`` on an array parameter)."""
        if not isinstance(op, (ast.Is, ast.IsNot)):
            return None
        is_ = isinstance(op, ast.Is)
        if isinstance(left, BoxRef) or isinstance(right, BoxRef):
            # a list or dict made in the function is one object however many names it has;
            # made each time it is used whole, its nodes cannot answer ``is``
            if isinstance(left, BoxRef) and isinstance(right, BoxRef):
                return Const((left.id == right.id) == is_)
            other = right if isinstance(left, BoxRef) else left
            if isinstance(other, (Const, TupleVal)) or isinstance(other, Ref) and \
                    self.cx.aliases.op_of(other.name) in ("input", "source"):
                return Const(not is_)       # a constant, a tuple, or an object the call was
                #                             given (it existed before): never that list
            raise ConversionError("`is` between a list or dict made in the function and a "
                                  "value known only at run time", self.cx.lineno)
        for a, b in ((left, right), (right, left)):
            if isinstance(b, Const) and b.value is None and isinstance(a, Ref):
                t = self.calls.static_type(a)
                if t is not None:
                    return Const((t is type(None)) == isinstance(op, ast.Is))
        return None

    def bool_and(self, a, b, node):
        if isinstance(a, Const):
            return b if a.value else a
        return self.nodes.emit("and_", [a, b], lineno=node.lineno)

    def expr_BoolOp(self, node):
        is_and = isinstance(node.op, ast.And)
        result = self.expr(node.values[0])
        for sub in node.values[1:]:
            if isinstance(result, Const):
                if bool(result.value) != is_and:     # short-circuit decided statically
                    return result
                result = self.expr(sub)
                continue
            truth = self.speculate_truth(result, node.values[node.values.index(sub) - 1])
            if truth is not None:
                if truth != is_and:
                    return result
                result = self.expr(sub)
                continue
            left = result
            if is_and:
                result = self.lazy_select(left, lambda: self.expr(sub), lambda: left, node)
            else:
                result = self.lazy_select(left, lambda: left, lambda: self.expr(sub), node)
        return result

    def lazy_select(self, test, then_fn, else_fn, node):
        """``then_fn() if test else else_fn()`` with only the chosen side evaluated (a cond
        node): the other side may raise or rest on assumptions only true when chosen."""
        scope = self.cx.scope
        slot = f".select{node.lineno}_{node.col_offset}_{len(self.cx.graph)}"

        def branch(fn):
            def run():
                scope.env[slot] = fn()
            return run
        with self.cx.scoped(tail_dup=False):
            self.control.cond(test, branch(then_fn), branch(else_fn), node.lineno)
        return scope.env.pop(slot)

    def _hashes_as_a_view_does(self, left, right) -> bool:
        """Is ``left in right`` (``right`` a dict view) what it is with ``right`` a tuple of
        its items? A keys (items) view hashes the key: only for a key known to be hashable."""
        if not (isinstance(right, TupleVal) and right.view is not None):
            return False
        if right.view == "values":
            return True
        key = left
        if right.view == "items":
            if isinstance(left, Const) and type(left.value) is tuple and len(left.value) == 2:
                key = Const(left.value[0])
            elif isinstance(left, TupleVal) and len(left.items) == 2:
                key = left.items[0]
            else:
                return False
        key = static_tuple(key)
        if isinstance(key, Const):
            try:
                hash(key.value)
                return True
            except TypeError:
                return False
        return isinstance(key, Ref) and self.cx.graph[key.name].meta.type in (str, int, float,
                                                                               bool)

    def expr_IfExp(self, node):
        test = self.expr(node.test)
        if isinstance(test, Const):
            return self.expr(node.body if test.value else node.orelse)
        truth = self.speculate_truth(test, node.test)
        if truth is not None:
            return self.expr(node.body if truth else node.orelse)
        return self.lazy_select(test, lambda: self.expr(node.body),
                                lambda: self.expr(node.orelse), node)

    def expr_Attribute(self, node):
        base = self.expr(node.value)
        return self.attribute(base, node.attr, node)

    def _class_attribute(self, klass, attr, lineno):
        """``Cfg.lr`` / ``type(self).scale``: an attribute of a class of the program, which
        the program may set between calls (``Cfg.lr = 0.01``), read as guarded state (a
        method: guarded on its identity). A class method or another descriptor is taken as
        the class gives it, guarded on what the class's dict holds."""
        try:
            value = getattr(klass, attr)
        except AttributeError:
            raise ConversionError(f"{klass.__name__} has no {attr}", lineno) from None
        defining = next((k for k in klass.__mro__ if attr in vars(k)), None)
        if defining is None:
            return Const(value)        # the metaclass's (``__name__``, ``mro``)
        static = vars(defining)[attr]
        if isinstance(static, (classmethod, property)) or \
                (hasattr(type(static), "__get__") and
                 not isinstance(static, (types.FunctionType, staticmethod))):
            self.external.guard_class_entry(klass, attr, static, lineno)
            return Const(value)
        src = attr_source(const_holder(klass, klass.__name__), attr)
        return self.external.read_external(src, value, lineno)

    def attribute(self, base, attr, node):
        lineno = node.lineno
        if isinstance(base, Const):
            value = base.value
            if isinstance(value, type(np)):
                if not self.cx.trusted_module(value):
                    # a user module's attribute may be rebound: read it as a guarded global
                    src = Source("global", attr, holder=value.__dict__)
                    return self.external.read_external(src, getattr(value, attr), lineno)
                try:
                    return Const(getattr(value, attr))
                except AttributeError:
                    raise ConversionError(f"module {value.__name__} has no {attr}",
                                          lineno) from None
            if isinstance(value, np.ufunc):
                from ..ir.ops_numpy import ufunc_method
                bound = ufunc_method(value, attr)
                if bound is not None:
                    return Const(bound)
                raise ConversionError(f"np.{value.__name__}.{attr} (a ufunc method not in the "
                                      f"op table) is kept imperative", lineno)
            if isinstance(value, type) and _mutable_class(value):
                return self._class_attribute(value, attr, lineno)
            if is_immutable_const(value) or isinstance(value, (np.dtype, type)):
                try:
                    return Const(getattr(value, attr))
                except AttributeError:
                    raise ConversionError(f"{type(value).__name__} has no {attr}",
                                          lineno) from None
            raise ConversionError(f"attribute {attr} of a {type(value).__name__} constant",
                                  lineno)
        if isinstance(base, TupleVal):
            raise ConversionError(f"attribute {attr} of a tuple", lineno)
        if isinstance(base, SuperOf):
            return self.calls.super_attribute(base, attr, lineno)
        boxed = self.containers.container_attribute(base, attr, node)
        if boxed is not None:
            return boxed
        if not isinstance(base, Ref):
            raise ConversionError(f"attribute {attr} of {base!r}", lineno)
        meta = self.cx.graph[base.name].meta
        owner = meta.type
        if owner is None:
            meta = self.assume_array(base, attr, node)
            owner = meta.type
        if owner is np.ndarray or (owner is not None and issubclass(owner, np.generic)):
            if attr in ("shape", "size") and meta.shape and not self.shape_is_static(base.name):
                meta = Meta(meta.type, meta.dtype, (None,) * len(meta.shape))
            if attr in ARRAY_PROPERTIES:
                folded = _fold_property(meta, attr)
                if folded is not None:
                    return folded
                if attr == "shape" and meta.shape is not None:
                    return self.shape_items(base, meta, lineno, node)
                return self.nodes.emit("getattr", [base], attrs={"name": attr}, lineno=lineno,
                                       site=node)
            if op_for_method(owner, attr) is not None:
                return BoundMethod(base, attr, owner)
            raise ConversionError(f"array method/attribute .{attr} is not supported", lineno)
        if owner is list or owner in DICTS:
            return self.containers.container_attribute(base, attr, node)
        if owner is not None and op_for_method(owner, attr) is not None:
            return BoundMethod(base, attr, owner)      # e.g. a Generator's draws
        if owner is not None and owner.__module__ != "builtins":
            return self.state.read_attr(base, owner, attr, lineno)
        raise ConversionError(f"attribute .{attr} of a value of type "
                              f"{getattr(owner, '__name__', 'unknown')}", lineno)

    def assume_array(self, base, attr, node):
        """A value of unknown type used like an array (``v.T``, ``v.sum()``): assert at run
        time that it is an ndarray, and go on knowing that much (plus the profiled dtype)."""
        if attr not in ARRAY_PROPERTIES and op_for_method(np.ndarray, attr) is None:
            return self.cx.graph[base.name].meta
        check = self.nodes.emit("type_is", [base, Const(np.ndarray)], lineno=node.lineno)
        self.cx.add_assert(check, True, "type", f"{ast.unparse(node.value)} is an ndarray",
                           node.lineno)
        seen = self.profiled(node.value)
        dtype = seen.dtype if seen is not None and seen.type is np.ndarray else None
        ndim = len(seen.shape) if seen is not None and seen.type is np.ndarray else None
        meta = Meta(np.ndarray, dtype, (None,) * ndim if ndim is not None else None)
        self.cx.graph[base.name].meta = meta
        return meta

    def profiled(self, site):
        """The one summary the profile saw at ``site`` (top-level function only), or None."""
        profile = self.cx.scope.profile
        if profile is None:
            return None
        obs = profile.sites.get(site_key(site))
        return obs.single if obs is not None else None

    def shape_is_static(self, name: str) -> bool:
        """May the exact dims in ``name``'s meta be folded as constants?

        Rules infer shapes by running ops on stand-ins, and the profile fills in shapes it
        saw; both are right only when the shape follows from guarded input shapes and
        constants. Not when it depends on values: a boolean-mask index, ``np.nonzero`` or
        ``np.unique``, or a run-time scalar given to a non-elementwise op
        (``np.arange(n)``, ``x.reshape(n, -1)``, ``x[:n]``). Those dims are read at run time."""
        memo = self.__dict__.setdefault("_shape_static", {})
        if name not in memo:
            memo[name] = False            # (no cycles in a graph; just in case)
            memo[name] = self._shape_is_static(name)
        return memo[name]

    def _shape_is_static(self, name: str) -> bool:
        try:
            node = self.cx.graph[name]
            opdef = get_op(node.op)
        except KeyError:
            return False
        op = node.op
        if op in ("input", "source", "const") or node.meta.is_const:
            return True
        if op in _VALUE_SHAPED or (op == "np.where" and len(node.inputs) == 1):
            return False
        if op == "getitem":
            return self.shape_is_static(node.inputs[0]) and \
                self._static_index(node.inputs[1])
        if op == "setitem":
            return self.shape_is_static(node.inputs[0])
        return all(self._static_operand(i, opdef.elementwise) for i in node.inputs)

    def _static_operand(self, name: str, elementwise: bool) -> bool:
        node = self.cx.graph[name]
        m = node.meta
        if m.is_const:
            return True
        if m.type is np.ndarray:
            return self.shape_is_static(name)
        if node.op in ("tuple", "list"):
            return all(self._static_operand(i, False) for i in node.inputs)
        # a run-time scalar sets no shape in an elementwise op; elsewhere it may
        return elementwise and m.type is not None and \
            (m.type in (bool, int, float, complex) or issubclass(m.type, np.generic))

    def _static_index(self, name: str) -> bool:
        node = self.cx.graph[name]
        m = node.meta
        if m.is_const:
            return True
        if m.type is np.ndarray:     # an integer array index: the result has its shape
            return m.dtype is not None and m.dtype != np.bool_ and self.shape_is_static(name)
        if m.type in (bool, int) or (m.type is not None and issubclass(m.type, np.integer)):
            return True              # an integer drops the axis, whatever its value
        if node.op == "tuple":
            return all(self._static_index(i) for i in node.inputs)
        return False                 # a run-time slice (or unknown)

    def shape_items(self, base, meta, lineno, node):
        """``x.shape`` with some symbolic dims: a static tuple of ints and run-time dims."""
        shape = self.nodes.emit("getattr", [base], attrs={"name": "shape"}, lineno=lineno)
        items = []
        for i, d in enumerate(meta.shape):
            if isinstance(d, int):
                items.append(Const(d))
            else:
                item = self.nodes.emit("getitem", [shape, Const(i)], lineno=lineno)
                self.cx.graph[item.name].meta = Meta(int)
                items.append(item)
        return TupleVal(tuple(items))

    def expr_Subscript(self, node):
        base = self.expr(node.value)
        index = self.index_value(node.slice)
        return self.subscript(base, index, node)

    def subscript(self, base, index, node):
        boxed = self.containers.container_getitem(base, index, node)
        if boxed is not None:
            return boxed
        check_view(base, "indexed", node.lineno)
        if isinstance(base, TupleVal) and isinstance(index, Const):
            try:
                picked = base.items[index.value]
            except (IndexError, TypeError):
                raise ConversionError("tuple index out of range", node.lineno) from None
            return TupleVal(tuple(picked)) if isinstance(picked, tuple) else picked
        return self.nodes.emit("getitem", [base, index], lineno=node.lineno, site=node)

    def index_value(self, node):
        if isinstance(node, ast.Slice):
            parts = [self.expr(p) if p is not None else Const(None)
                     for p in (node.lower, node.upper, node.step)]
            if all(isinstance(p, Const) for p in parts):
                return Const(slice(*(p.value for p in parts)))
            return self.nodes.emit("call", parts, attrs={"fn": slice}, lineno=node.lineno)
        if isinstance(node, ast.Tuple):
            items = [self.index_value(e) for e in node.elts]
            if all(isinstance(i, Const) for i in items):
                return Const(tuple(i.value for i in items))
            return TupleVal(tuple(items))
        return static_tuple(self.expr(node))

    def expr_Starred(self, node):
        raise ConversionError("starred expression here is not supported", node.lineno)

    def truth_counts(self, site) -> dict | None:
        """How often the profiled runs saw condition ``site`` true and false."""
        profile = self.cx.scope.profile
        if profile is None:
            return None
        return profile.truths.get(site_key(site)) or _truth_from_sites(profile, site)

    def speculate_truth(self, value, site, forced=None, other_fails=None):
        """Speculate a run-time condition from the profile: the direction it always took,
        guarded by an assertion node; None when both directions were seen (or no profile).
        ``forced``: that direction, both seen (a conditional node holding both failed:
        ``other_fails`` says why, in the assertion's text)."""
        counts = self.truth_counts(site)
        if not counts:
            return None
        seen = [t for t, n in counts.items() if n]
        text = ""
        if len(seen) != 1:
            if forced is None:
                return None
            seen = [forced]
            text = f" (calls that take the other branch run the plain function: " \
                   f"{other_fails})"
        truth = seen[0]
        cond = self.nodes.emit("truth", [value], lineno=site.lineno)
        self.cx.add_assert(cond, truth, "branch" if not text else "branch-only",
                           f"{ast.unparse(site)} is {truth}{text}", site.lineno,
                           site=site_key(site))
        return truth


def _truth_from_sites(profile, site):
    obs = profile.sites.get(site_key(site))
    if obs is None or obs.overflow:
        return None
    counts = {True: 0, False: 0}
    for seen, n in obs.seen.items():
        if not seen.has_value:
            return None
        try:
            counts[bool(seen.value)] += n
        except Exception:
            return None
    return counts


# ops whose result shape depends on the values of array operands, or that pick one of
# several operands at run time
_VALUE_SHAPED = {"np.nonzero", "ndarray.nonzero", "np.flatnonzero", "np.argwhere", "np.unique",
                 "np.bincount", "np.repeat", "ndarray.repeat", "np.extract", "np.compress",
                 "np.trim_zeros", "np.delete", "np.insert", "select", "and_", "or_", "call",
                 "unpack"}


def _fold_property(meta, attr):
    if attr == "shape" and meta.shape is not None and all(isinstance(d, int)
                                                          for d in meta.shape):
        return Const(tuple(meta.shape))
    if attr == "ndim" and meta.shape is not None:
        return Const(len(meta.shape))
    if attr == "dtype" and meta.dtype is not None:
        return Const(meta.dtype)
    if attr == "size" and meta.shape is not None and all(isinstance(d, int) for d in meta.shape):
        return Const(int(np.prod(meta.shape, dtype=np.int64)))
    if attr == "itemsize" and meta.dtype is not None:
        return Const(meta.dtype.itemsize)
    return None


_ = operator


def _join_parts(*parts):
    return "".join(parts)


_CONVERSIONS = {-1: None, 115: str, 114: repr, 97: ascii}


def _expr_joined_str(self, node):
    """f-strings: each ``{value!conv:spec}`` is ``format(conv(value), spec)``, joined."""
    parts = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            parts.append(Const(part.value))
            continue
        value = self.expr(part.value)
        conv = _CONVERSIONS.get(part.conversion)
        if conv is not None:
            value = self.nodes.emit("call", [value], attrs={"fn": conv}, lineno=node.lineno)
        spec = self.expr(part.format_spec) if part.format_spec is not None else Const("")
        parts.append(self.nodes.emit("call", [value, spec],
                     attrs={"fn": format}, lineno=node.lineno))
    return self.nodes.emit("call", parts, attrs={"fn": _join_parts}, lineno=node.lineno)


ExpressionConverter.expr_JoinedStr = _expr_joined_str


_HEAPTYPE = 1 << 9           # Py_TPFLAGS_HEAPTYPE: a class made by a class statement


def _mutable_class(klass) -> bool:
    """A class whose attributes the program may set (defined by a class statement outside
    the libraries janus_lite trusts); built-in and extension types cannot be changed, nor
    an Enum's members."""
    return bool(klass.__flags__ & _HEAPTYPE) and not isinstance(klass, enum.EnumMeta) and \
        not trusted_name(getattr(klass, "__module__", None))
