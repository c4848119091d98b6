"""Calls: ops from the table, builtins decided while converting, and inlined user functions."""
from __future__ import annotations

import ast
import builtins
import copy
import functools
import inspect
import types

import numpy as np

from .. import config
from ..ir import op_for_callable, op_for_method, get_op
from ..runtime.guards import Guard, attr as attr_source, const_holder, item as item_source
from ..profile.records import SCALARS
from ..profile.source import NoSource, function_ast, mangle, strip_decorators, source_matches
from ..profile.source import _module_ast as module_ast
from .errors import ConversionError
from .scope import Scope
from .unsupported import check_supported
from .values import (DICTS, Const, Ref, TupleVal, BoundMethod, BoxRef, UserMethod, SuperOf,
                     LocalFunction, PartialCall, plain_view,
                     is_immutable_const, is_jitted)
from .part import Part

_SIDE_EFFECTS = {print: "print() output", input: "input()", open: "file I/O"}


class CallConverter(Part):
    def expr_Call(self, node):
        func = self.exprs.expr(node.func)
        if isinstance(func, Const) and (func.value is any or func.value is all) and \
                len(node.args) == 1 and not node.keywords and \
                isinstance(node.args[0], ast.GeneratorExp) and \
                len(node.args[0].generators) == 1 and not node.args[0].generators[0].is_async:
            gen = node.args[0]
            iterable = self.exprs.expr(gen.generators[0].iter)   # in the enclosing scope
            with self.containers._own_targets(gen):
                return self.comps.short_circuit_loop(gen, iterable, func.value is any)
        args = []
        for a in node.args:
            if isinstance(a, ast.GeneratorExp) and isinstance(func, Const) and \
                    _consumes_whole(func.value):
                # sum(f(p) for p in ps): consumed whole, so the same as over a list (a
                # graph's side effects are all or nothing); any()/all() stop early: not here
                args.append(self.containers.expr_ListComp(a))
            elif isinstance(func, Const) and _consumes_whole(func.value) and \
                    self._maps_a_known_function(a):
                # list(map(f, xs)), sum(map(float, xs)): [f(v) for v in xs]
                item = ast.Name(id=f".map{self.cx.n_comps}", ctx=ast.Load())
                comp = ast.ListComp(elt=ast.Call(func=a.args[0], args=[item], keywords=[]),
                                    generators=[ast.comprehension(
                                        target=ast.Name(id=item.id, ctx=ast.Store()),
                                        iter=a.args[1], ifs=[], is_async=0)])
                args.append(self.containers.expr_ListComp(
                    ast.fix_missing_locations(ast.copy_location(comp, a))))
            elif isinstance(a, ast.Starred):
                args.extend(self.exprs.static_items(self.exprs.expr(a.value), node.lineno))
            else:
                args.append(self.exprs.expr(a))
        kwargs = {}
        for k in node.keywords:
            if k.arg is None:
                v = self.exprs.expr(k.value)
                what = f"**mapping in a call (line {node.lineno})"
                pairs = self.dicts._mapping_pairs(v, what, node.lineno)
                for key, val in pairs:
                    if not isinstance(key, str):
                        raise ConversionError(f"{what}: keywords must be strings (TypeError: "
                                              f"runs imperatively)", node.lineno)
                    if key in kwargs:
                        raise ConversionError(f"{what}: keyword {key!r} given twice "
                                              f"(TypeError: runs imperatively)", node.lineno)
                    kwargs[key] = val
            else:
                if k.arg in kwargs:
                    raise ConversionError(f"keyword {k.arg!r} given twice in a call (TypeError:"
                                          f" runs imperatively)", node.lineno)
                kwargs[k.arg] = self.exprs.expr(k.value)
        return self.call(func, args, kwargs, node)

    def _maps_a_known_function(self, a) -> bool:
        """Is ``a`` ``map(f, xs)`` (the builtin, one iterable) with ``f`` known while
        converting, so that mapping it is ``[f(v) for v in xs]``?"""
        if not (isinstance(a, ast.Call) and len(a.args) == 2 and not a.keywords and
                not any(isinstance(x, ast.Starred) for x in a.args)):
            return False
        try:
            m, f = self.exprs.expr(a.func), self.exprs.expr(a.args[0])
        except ConversionError:
            return False
        return isinstance(m, Const) and m.value is map and isinstance(f, Const)

    def call(self, func, args, kwargs, node):
        lineno = node.lineno
        if isinstance(func, BoundMethod):
            if func.owner is list or func.owner in DICTS:
                return self.containers.container_method(func, args, kwargs, node)
            op = op_for_method(func.owner, func.name)
            recv = func.recv
            if op in ("ndarray.astype",) and isinstance(kwargs.get("copy"), Const) and \
                    kwargs["copy"].value is True:
                kwargs = {k: v for k, v in kwargs.items() if k != "copy"}   # the default
            if get_op(op).mutates:
                recv = self.state.writable(recv, lineno)
            if "out" in kwargs and isinstance(kwargs["out"], Ref):
                kwargs = dict(kwargs, out=self.state.writable(kwargs["out"], lineno))
            result = self.nodes.emit(op, [recv] + args, kwargs, lineno=lineno, site=node)
            if get_op(op).mutates:
                self.stmts.rebind(func.recv, recv)
            return result
        if isinstance(func, UserMethod):
            return self.inline(func.fn, [func.recv] + args, kwargs, node)
        if isinstance(func, LocalFunction):
            return self.closures.inline_local(func, args, kwargs, node)
        if isinstance(func, PartialCall):
            return self.call(func.func, list(func.args) + list(args),
                             {**func.kwargs, **kwargs}, node)
        if isinstance(func, Ref):
            owner = self.cx.graph[func.name].meta.type
            if owner is functools.partial:
                return self._call_partial(func, args, kwargs, node)
            if owner is np.vectorize:
                src = self.cx.sources.get(func.name)
                try:
                    obj = self.external.source_value(src) if src is not None else None
                except Exception:
                    obj = None
                _refuse_vectorize(obj, lineno)
            call = getattr(owner, "__call__", None) if owner is not None else None
            if isinstance(call, types.FunctionType) and owner.__module__ != "builtins":
                self.guard_class_attribute(owner, "__call__", call, lineno)
                return self.inline(call, [func] + args, kwargs, node)
        if not isinstance(func, Const):
            raise ConversionError("call of a value only known at run time", lineno)
        fn = func.value
        if id(fn) in _ITERATES or getattr(fn, "__name__", None) == "join" and \
                isinstance(getattr(fn, "__self__", None), str):
            args = [plain_view(a) for a in args]     # a dict view, only iterated
        special = _STATIC_BUILTINS.get(_id_of(fn))
        if special is not None:
            result = special(self, args, kwargs, node)
            if result is not None:
                return result
        if fn is print:
            return self.state.deferred_print(args, kwargs, lineno)
        if isinstance(fn, types.BuiltinMethodType) and isinstance(getattr(fn, "__self__", None),
                                                                  (str, bytes)):
            known = _str_method_now(self, fn, args, kwargs)
            if known is not None:
                return known
            return self.nodes.emit("call", args, kwargs, attrs={"fn": fn}, lineno=lineno)
        if op_for_callable(fn) in _COPY_DEFAULT_TRUE and \
                isinstance(kwargs.get("copy"), Const) and kwargs["copy"].value is True:
            # ``np.array(x, copy=True)`` is ``np.array(x)``: a new array, the graph's own
            kwargs = {k: v for k, v in kwargs.items() if k != "copy"}
        shuffled = self.draws.shuffle_made_list(fn, args, kwargs, lineno)
        if shuffled is not None:
            return shuffled
        op = op_for_callable(fn)
        if op is not None:
            mutates = get_op(op).mutates
            if mutates:        # ``np.add.at(a, idx, v)``: a private copy of an argument's
                args = list(args)
                for i in mutates:
                    if i < len(args) and not (isinstance(args[i], Ref) and
                                              self.cx.graph[args[i].name].meta.type is np.ndarray):
                        # a list (``np.random.shuffle(idx)`` on a list) would be updated
                        # through a materialized copy, not the list itself
                        kind = self.cx.graph[args[i].name].meta.type \
                            if isinstance(args[i], Ref) else None
                        what = "a list argument or attribute (its items would change at " \
                            "positions only known at run time)" if kind is list else \
                            "a value that is not known to be an array"
                        raise ConversionError(f"{op}() updates in place {what}", lineno)
                    if i < len(args) and isinstance(args[i], Ref):
                        target = self.state.writable(args[i], lineno)
                        self.stmts.rebind(args[i], target)
                        args[i] = target
            if "out" in kwargs and isinstance(kwargs["out"], Ref):
                out = self.state.writable(kwargs["out"], lineno)
                kwargs = dict(kwargs, out=out)
                result = self.nodes.emit(op, args, kwargs, lineno=lineno, site=node)
                self.stmts.rebind(out, result)
                return result
            return self.nodes.emit(op, args, kwargs, lineno=lineno, site=node)
        if is_jitted(fn):
            fn = fn.__wrapped__
        if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType) \
                and (is_immutable_const(fn.__self__) or isinstance(fn.__self__, type)):
            return self.inline(fn.__func__, [Const(fn.__self__)] + args, kwargs, node)
        if isinstance(fn, types.FunctionType):
            if (getattr(fn, "__module__", None) or "").startswith("numpy"):
                return self.inline_numpy(fn, args, kwargs, node)
            return self.inline(fn, args, kwargs, node)
        owner = type(fn)
        if owner is np.vectorize:
            _refuse_vectorize(fn, lineno)
        call = getattr(owner, "__call__", None)
        if isinstance(call, types.FunctionType) and owner.__module__ != "builtins":
            # a callable object known while converting (a model's layer): its __call__
            self.guard_class_attribute(owner, "__call__", call, lineno)
            return self.inline(call, [func] + args, kwargs, node)
        name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
        if fn in _SIDE_EFFECTS:
            raise ConversionError(f"{_SIDE_EFFECTS[fn]} is a side effect (kept imperative)",
                                  lineno, permanent=False)
        module = getattr(fn, "__module__", None) or ""
        if module.startswith("numpy.random") or "random" in name.split(".")[0:1]:
            raise ConversionError(f"random draw {name}() (kept imperative)", lineno)
        import random as _random
        if isinstance(getattr(fn, "__self__", None), _random.Random):
            raise ConversionError(f"random.{fn.__name__}() draws from Python's random module "
                                  f"(kept imperative: its state is not restored if a run is "
                                  f"abandoned)", lineno)
        if fn is np.vectorize or fn is np.frompyfunc:
            raise ConversionError(f"np.{name}() runs a Python function once per element "
                                  f"(kept imperative)", lineno)
        if module.startswith("numpy"):
            raise ConversionError(f"NumPy function np.{name} is not in the op table", lineno)
        if fn is super and not args and not kwargs:
            return self.zero_arg_super(lineno)
        if fn is super and len(args) == 2 and not kwargs and isinstance(args[0], Const) and \
                isinstance(args[0].value, type) and isinstance(args[1], Ref):
            # super(Cls, self): the MRO of the receiver's (guarded) type after Cls
            owner = self.static_type(args[1])
            if owner is None or not issubclass(owner, args[0].value):
                raise ConversionError("super(Cls, obj) with obj of a type not known to be a "
                                      "subclass of Cls", lineno)
            return SuperOf(args[0].value, args[1])
        if isinstance(fn, type):
            raise ConversionError(f"creating a {name} object (object state is not supported "
                                  f"yet)", lineno)
        raise ConversionError(f"call of unknown function {name}()", lineno)

    def _call_partial(self, func, args, kwargs, node):
        """``p(x)`` for a ``functools.partial`` read as state (``self.act =
        partial(leaky_relu, alpha=0.05)``): ``p.func(*p.args, x, **{**p.keywords, ...})``,
        its function, arguments and keyword values read (and guarded) like any attribute
        and item, so that another partial, or one whose keywords change, gets another
        graph."""
        fn = self.exprs.attribute(func, "func", node)
        bound = self.exprs.static_items(self.exprs.attribute(func, "args", node), node.lineno)
        kw = self.exprs.attribute(func, "keywords", node)
        keys = self.containers.dict_keys(kw, node.lineno) if isinstance(kw, Ref) else []
        given = {k: self.containers.container_getitem(kw, Const(k), node) for k in keys}
        if not all(isinstance(k, str) for k in given):
            raise ConversionError("functools.partial with keywords that are not strings",
                                  node.lineno)
        return self.call(fn, list(bound) + list(args), {**given, **kwargs}, node)

    def inline_numpy(self, fn, args, kwargs, node):
        """A NumPy function written in Python and not in the op table: its source is
        inlined; where that fails, the reason names the NumPy function at the user's line."""
        name = f"{fn.__module__.replace('numpy', 'np', 1)}.{fn.__qualname__}"
        why = _NUMPY_KEPT_IMPERATIVE.get(name)
        if why is not None:
            raise ConversionError(f"{name}() {why}; kept imperative", node.lineno)
        try:
            return self.inline(fn, args, kwargs, node)
        except ConversionError as exc:
            raise ConversionError(f"{name}() is not in the op table and its Python source "
                                  f"cannot be graphed ({exc.reason})", node.lineno) from None

    def pack_varargs(self, values):
        """A ``*args`` parameter: a static tuple of the extra positional arguments."""
        return TupleVal(tuple(values)) if not all(isinstance(v, Const) for v in values) \
            else Const(tuple(v.value for v in values))

    def zero_arg_super(self, lineno) -> SuperOf:
        """``super()`` in a method: the class it is written in (its ``__class__`` cell) and
        the method's first argument; attributes resolve along the receiver's MRO."""
        scope = self.cx.scope
        params = scope.fdef.args.posonlyargs + scope.fdef.args.args
        if "__class__" not in scope.cells or not params:
            raise ConversionError("super() outside a method", lineno)
        klass = self.exprs.load_name("__class__", lineno)
        recv = scope.env.get(params[0].arg)
        if not isinstance(klass, Const) or not isinstance(recv, Ref):
            raise ConversionError("super() with a receiver known only at run time", lineno)
        return SuperOf(klass.value, recv)

    def super_attribute(self, sup, attr, lineno):
        """``super().attr``: the function the MRO gives after the method's class, bound to
        the receiver (guarded on identity: a class attribute can be rebound)."""
        owner = self.static_type(sup.recv)
        if owner is None or sup.klass not in owner.__mro__:
            raise ConversionError("super() receiver of unknown type", lineno)
        mro = owner.__mro__
        for k in mro[mro.index(sup.klass) + 1:]:
            if attr in k.__dict__:
                fn = k.__dict__[attr]
                if not isinstance(fn, types.FunctionType) or k.__module__ == "builtins":
                    break
                self.guard_class_attribute(k, attr, fn, lineno)
                return UserMethod(sup.recv, fn)
        raise ConversionError(f"super().{attr} is not a Python method", lineno)

    def guard_class_attribute(self, klass, name, value, lineno) -> None:
        """Assume ``klass.name`` stays ``value`` (a method: a class attribute can be
        rebound)."""
        self.cx.add_guard(Guard("identity", attr_source(const_holder(klass, klass.__name__), name),
                                value, lineno))

    def static_type(self, ref):
        """The type a graph value has on every run of the graph, or None when not certain.

        Parameters and external reads are guarded by type. Arrays and NumPy scalars computed
        by NumPy ops keep the type the rules inferred (it follows from guarded dtypes and
        ranks); Python scalars computed at run time do not: ``2 ** k`` is an int or a float,
        ``max(n, 1.5)`` either argument, depending on values."""
        node_ = self.cx.graph[ref.name]
        t = node_.meta.type
        if t is None:
            return None
        if node_.op in ("input", "source") or self._spec_item(node_):
            return t
        if not (t is np.ndarray or issubclass(t, np.generic)) or node_.op in _VALUE_TYPED:
            return None
        if node_.op == "getitem" and self.cx.graph[node_.inputs[0]].meta.type is not np.ndarray:
            return None
        return t

    def _spec_item(self, node_) -> bool:
        """Is this an item (at a constant index) of a tuple/list whose item types are
        guarded (an argument, a guarded read, or an item of one)?"""
        if node_.op != "getitem":
            return False
        parent = self.cx.graph[node_.inputs[0]]
        index = self.cx.graph[node_.inputs[1]]
        if index.op != "const" or not isinstance(index.attrs["value"], int):
            return False
        if parent.op == "input" and parent.attrs.get("role") == "capture":
            parent = self.cx.graph[parent.attrs["outer"]]
        return parent.meta.items is not None and (parent.op in ("input", "source") or
                                                  self._spec_item(parent))

    def _default_value(self, fn, pname, kind, value, lineno):
        """A default the call left in place. An immutable one (or an array, read as the
        object it is) is a constant; a mutable one (``cache={}``, ``scale=[1.0]``), which the
        program may change between calls, is read as guarded state from the function's
        ``__defaults__``/``__kwdefaults__``, like an attribute."""
        if is_immutable_const(value) or type(value) is np.ndarray or \
                isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type,
                                   np.ufunc, types.MethodType)):
            return Const(value)
        holder = const_holder(fn, fn.__qualname__)
        if kind is inspect.Parameter.KEYWORD_ONLY:
            src = item_source(attr_source(holder, "__kwdefaults__"), pname)
        else:
            names = [p.name for p in inspect.signature(fn).parameters.values()
                     if p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                   inspect.Parameter.POSITIONAL_OR_KEYWORD)]
            first = len(names) - len(fn.__defaults__ or ())
            src = item_source(attr_source(holder, "__defaults__"), names.index(pname) - first)
        return self.external.read_external(src, value, lineno)

    def inline(self, fn, args, kwargs, node):
        """Convert a call of a user function by converting its body in place."""
        lineno = node.lineno
        if len(self.cx.scopes) >= config.MAX_INLINE_DEPTH:
            raise ConversionError(f"calls nested deeper than {config.MAX_INLINE_DEPTH} "
                                  f"(recursion is specialized on the structure of its "
                                  f"arguments, which must end sooner)", lineno)
        fdef, klass = _inline_ast(fn, lineno)
        try:
            bound = inspect.signature(fn).bind(*args, **kwargs)
        except TypeError as exc:
            raise ConversionError(f"call of {fn.__qualname__}: {exc}", lineno) from None
        bound.apply_defaults()
        scope = Scope.of(fn, fdef, klass, None)
        for pname, value in bound.arguments.items():
            kind = inspect.signature(fn).parameters[pname].kind
            if kind is inspect.Parameter.VAR_POSITIONAL:
                value = self.pack_varargs(value)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                box = self.cx.heap.new_box("dict")       # a new dict of the extra keywords
                self.cx.heap.box(box).entries = dict(value)
                value = box
            elif not isinstance(value, (Const, Ref, TupleVal, BoundMethod, BoxRef, UserMethod)):
                value = self._default_value(fn, pname, kind, value, lineno)
            scope.env[pname] = value
        self.cx.scopes.append(scope)
        saved, saved_file = self.cx.lineno, self.cx.filename
        file = _file_of(fn)
        self.cx.filename = file if file != self.cx.root_file else None
        try:
            body = fdef.body if isinstance(fdef.body, list) else \
                [ast.copy_location(ast.Return(fdef.body), fdef.body)]
            self.stmts.block(body)
        except ConversionError as exc:      # its line is in the callee's file
            if exc.filename is None:
                exc.filename = _file_of(fn)
            raise
        finally:
            self.cx.scopes.pop()
            self.cx.lineno, self.cx.filename = saved, saved_file
        return scope.returned if scope.done else Const(None)


_INLINE_AST: dict = {}
"""code object → (module AST, prepared fdef, klass): the checks below passed for it. The
converter never changes an fdef (a jitted function's own is reused for every conversion),
so the prepared copy is shared; a changed source file gives a new module AST (a miss)."""


def _inline_ast(fn, lineno):
    """``fn``'s AST ready to inline (decorators stripped, names mangled), its source checked
    against its code and its constructs against what graphs support."""
    code = fn.__code__
    hit = _INLINE_AST.get(code)
    if hit is not None:
        try:
            same = module_ast(code.co_filename) is hit[0]
        except NoSource:
            same = False
        if same:
            return hit[1], hit[2]
    try:
        fdef, klass = function_ast(fn)
        tree = module_ast(code.co_filename)
    except NoSource as exc:
        raise ConversionError(f"cannot inline {fn.__qualname__}: {exc}", lineno) from None
    fdef = mangle(strip_decorators(fdef), klass)
    if not source_matches(fn, fdef):
        raise ConversionError(f"source of {fn.__qualname__} does not match its code "
                              f"(edited after import?)", lineno)
    try:
        check_supported(fdef)
    except ConversionError as exc:
        raise ConversionError(f"in {fn.__qualname__}: {exc.reason}", exc.lineno,
                              filename=_file_of(fn)) from None
    if len(_INLINE_AST) > 256:
        _INLINE_AST.clear()
    _INLINE_AST[code] = (tree, fdef, klass)
    return fdef, klass


def _file_of(fn) -> str | None:
    code = getattr(fn, "__code__", None)
    return code.co_filename if code is not None else None


_COPY_DEFAULT_TRUE = ("np.array", "np.astype")

_NUMPY_KEPT_IMPERATIVE = {
    "np.lib.stride_tricks.as_strided": "makes a view with arbitrary strides over its "
                                             "argument's memory (read through "
                                             "__array_interface__)",
}


def _id_of(fn):
    try:
        return id(fn) if fn in _STATIC_OBJECTS else None
    except TypeError:
        return None


def _refuse_vectorize(obj, lineno):
    """A call of an ``np.vectorize`` object: its Python function runs once per element,
    and NumPy picks the result dtype from the first element's result (a value only the
    run knows); no graph op reproduces that exactly."""
    fn = getattr(obj, "pyfunc", None)
    code = getattr(fn, "__code__", None)
    what = f"{getattr(fn, '__qualname__', 'a function')}" + \
        (f" (line {code.co_firstlineno})" if code is not None else "")
    raise ConversionError(f"np.vectorize object calls {what} once per element in Python, "
                          f"and its result dtype comes from the first element's result: "
                          f"kept imperative (write it with array operations, or call it outside "
                          f"the decorated function)", lineno)


# -- builtins decided while converting ------------------------------------------------------
def _len(self, args, kwargs, node):
    if len(args) == 1 and not kwargs:
        v = args[0]
        boxed = self.containers.container_len(v)
        if boxed is not None:
            return boxed
        if isinstance(v, TupleVal):
            return Const(len(v.items))
        if isinstance(v, Ref):
            meta = self.cx.graph[v.name].meta
            if meta.type is np.ndarray and meta.shape and isinstance(meta.shape[0], int) \
                    and self.exprs.shape_is_static(v.name):
                return Const(meta.shape[0])
    return None


def _range(self, args, kwargs, node):
    return None   # folded by the op table when the bounds are known, else a range node


# ops whose result type may depend on run-time values even when the input types are fixed
_VALUE_TYPED = {"select", "and_", "or_", "call", "builtin.min", "builtin.max", "builtin.sum",
                "builtin.abs", "builtin.round", "builtin.pow", "pow", "ipow", "unpack"}


def _isinstance(self, args, kwargs, node):
    if len(args) == 2 and isinstance(args[1], Const):
        v = args[0]
        if isinstance(v, TupleVal) and v.view is None:
            return Const(isinstance((), args[1].value))
        if isinstance(v, Ref):
            t = self.static_type(v)
            if t is not None:
                return Const(issubclass(t, args[1].value))
    return None


def _type(self, args, kwargs, node):
    """``type(v)`` folded when the type is certain (see `CallConverter.static_type`)."""
    if len(args) == 1 and not kwargs and isinstance(args[0], Const):
        return Const(type(args[0].value))
    if len(args) == 1 and not kwargs and isinstance(args[0], Ref):
        t = self.static_type(args[0])
        if t is not None:
            return Const(t)
    return None


def _known_items(self, v):
    """Items of a value of statically known length, else None (no nodes emitted)."""
    if isinstance(v, TupleVal):
        return list(v.items)
    if isinstance(v, Const) and isinstance(v.value, (tuple, list, range)):
        return [Const(x) for x in v.value]
    return self.containers.container_items(v, self.cx.lineno)


def _enumerate(self, args, kwargs, node):
    if len(args) >= 1 and not kwargs:
        start = args[1] if len(args) > 1 else Const(0)
        items = _known_items(self, args[0])
        if items is not None and isinstance(start, Const):
            return TupleVal(tuple(TupleVal((Const(start.value + i), v))
                                  for i, v in enumerate(items)))
    return None


def _zip(self, args, kwargs, node):
    if not kwargs:
        lists = [_known_items(self, a) for a in args]
        if all(items is not None for items in lists):
            return TupleVal(tuple(TupleVal(t) for t in zip(*lists)))
    return None


def _reversed(self, args, kwargs, node):
    if len(args) == 1:
        items = _known_items(self, args[0])
        if items is not None:
            return TupleVal(tuple(reversed(items)))
    return None


def _tuple(self, args, kwargs, node):
    if len(args) == 1 and isinstance(args[0], (TupleVal,)):
        return args[0]
    return None


def _list(self, args, kwargs, node):
    """``list(x)`` of a value of statically known length: a list the function made (a
    box), so that appends, slices and item reads on it stay static. ``list(a)`` of an
    array with a guarded first dim holds ``a[0]``, ``a[1]``, … (scalars of a 1-d array,
    row views of a higher one: a later in-place update of ``a`` then refuses them)."""
    if kwargs or len(args) > 1:
        return None
    if not args:
        return self.cx.heap.new_box("list")
    v = args[0]
    items = None
    if isinstance(v, Ref):
        meta = self.cx.graph[v.name].meta
        if meta.type is np.ndarray and meta.shape and isinstance(meta.shape[0], int) \
                and meta.shape[0] <= config.MAX_UNROLL and self.exprs.shape_is_static(v.name):
            items = [self.nodes.emit("getitem", [v, Const(i)], lineno=node.lineno)
                     for i in range(meta.shape[0])]
    if items is None and (isinstance(v, (TupleVal, Const, BoxRef)) or isinstance(v, Ref) and
                          self.cx.graph[v.name].meta.type in (list, tuple) + DICTS):
        items = _known_items(self, v)
    if items is None:
        return None
    out = self.cx.heap.new_box("list")
    self.cx.heap.box(out).items = list(items)
    return out


def _str_method_now(self, fn, args, kwargs):
    """A method of a string known while converting, with arguments known too
    (``name.split("_")[0].upper()`` over a dict's keys): its result now — a constant, or
    a list the function made (``split``), item by item. None when an argument is only
    known at run time or the method raises (the call stays in the graph and raises there)."""
    values = list(args) + list(kwargs.values())
    if not all(isinstance(v, Const) and is_immutable_const(v.value) for v in values):
        return None
    try:
        out = fn(*[a.value for a in args], **{k: v.value for k, v in kwargs.items()})
    except Exception:
        return None
    if type(out) is list and all(type(i) in (str, bytes) for i in out):
        made = self.cx.heap.new_box("list")
        self.cx.heap.box(made).items = [Const(i) for i in out]
        return made
    return Const(out) if is_immutable_const(out) else None


def _attr_name(args, n) -> str | None:
    """The attribute name of ``getattr``/``setattr`` (``n`` arguments) when it is a string
    known while converting (a literal, or a name the loop or the profile fixed), else
    None."""
    if len(args) == n and isinstance(args[1], Const) and isinstance(args[1].value, str) and \
            args[1].value.isidentifier() and not args[1].value.startswith("__"):
        return args[1].value
    return None


def _getattr(self, args, kwargs, node):
    """``getattr(obj, "w")`` with a name known while converting is ``obj.w`` (with its
    guards). With a default (``getattr(self, "bias", None)``), the same when the object
    has the attribute (an object without it is then a miss of its type guard); when it
    has not, the call stays a call (its absence would have to be guarded, class and all)."""
    name = _attr_name(args, len(args)) if len(args) in (2, 3) else None
    if name is None or kwargs:
        return None
    if len(args) == 3:
        src = self.cx.sources.get(args[0].name) if isinstance(args[0], Ref) else None
        if src is None:
            return None
        try:
            self.external.source_value(attr_source(src, name))
        except Exception:
            return None
    return self.exprs.attribute(args[0], name, node)


def _setattr(self, args, kwargs, node):
    """``setattr(obj, "w", v)`` with a name known while converting is ``obj.w = v`` (a
    deferred state write, as the statement)."""
    name = _attr_name(args, 3)
    if name is None or kwargs:
        return None
    self.state.write_attr(args[0], name, args[2], node.lineno)
    return Const(None)


def _copy(self, args, kwargs, node, shallow=False):
    """``copy.copy(x)`` / ``copy.deepcopy(x)`` of an array whose dtype holds no Python
    objects: ``ndarray.__copy__``/``__deepcopy__`` are ``np.copy(x)`` (a new array in the
    same memory order, ``K``); of a Python int, float, str, None ...: the object itself, as
    the copy module returns it. ``copy.copy`` (``shallow``) of a list or dict is
    ``list.copy``/``dict.copy`` (a new container holding the same items), of a tuple the
    tuple itself. Anything else (a deep copy of a container, whose copy keeps aliases
    between its items; an object) stays the call."""
    if kwargs or len(args) != 1:
        return None
    v = args[0]
    if isinstance(v, Const) and type(v.value) in SCALARS:
        return v
    kind = self.cx.heap.box(v).kind if isinstance(v, BoxRef) else \
        self.cx.graph[v.name].meta.type if isinstance(v, Ref) else None
    if isinstance(v, Ref) and kind is np.ndarray:
        dtype = self.cx.graph[v.name].meta.dtype
        if dtype is not None and not dtype.hasobject:
            return self.nodes.emit("np.copy", [v], lineno=node.lineno, site=node)
    if shallow and kind in ("list", list):
        return _list(self, [v], {}, node)
    if shallow and kind in ("dict", dict):
        return self.dicts.dict_method(v, "copy", [], {}, node)
    if shallow and isinstance(v, TupleVal):
        return v
    return None


def _shallow_copy(self, args, kwargs, node):
    return _copy(self, args, kwargs, node, shallow=True)


def _partial(self, args, kwargs, node):
    """``functools.partial(f, ...)`` made in the function, with ``f`` a callable known while
    converting: a `PartialCall` (only called, never made). Otherwise the call stays (``f``
    not callable raises the TypeError there)."""
    if not args:
        return None
    f = args[0]
    if isinstance(f, Const) and not callable(f.value) or \
            not isinstance(f, (Const, LocalFunction, UserMethod, BoundMethod, PartialCall)):
        return None
    return PartialCall(f, tuple(args[1:]), dict(kwargs))


def _by_key(kind: str):
    """``max(xs, key=f)``, ``min(...)``, ``sorted(xs, key=f, reverse=r)`` over items known
    one by one while converting (``max(counts, key=counts.get)``, ``sorted(pairs, key=lambda
    p: p[1])``): ``f`` called on each item in order (inlined, as the builtin calls it), then
    one op picks or orders the items by those keys (ir/ops_python). None (the call stays)
    for any other form."""
    def handler(self, args, kwargs, node):
        key = kwargs.get("key")
        if key is None or isinstance(key, Const) and key.value is None or not args:
            return None
        extra = set(kwargs) - ({"key", "reverse"} if kind == "sorted" else {"key", "default"})
        reverse = kwargs.get("reverse", Const(False))
        if extra or not isinstance(reverse, Const) or \
                (kind == "sorted" or "default" in kwargs) and len(args) != 1:
            return None
        items = self.exprs.static_items(args[0], node.lineno) if len(args) == 1 \
            else list(args)
        if any(isinstance(v, BoxRef) for v in items):
            return None     # a list made here, picked: it would be a second object here
        if not items:
            if kind == "sorted":
                return self.cx.heap.new_box("list")
            return kwargs.get("default")       # None: the call raises ValueError there
        keys = [self.call(key, [v], {}, node) for v in items]
        n = Const(len(items))
        if kind != "sorted":
            return self.nodes.emit(f"builtin.{kind}_by_key", [n] + items + keys,
                                   lineno=node.lineno)
        ordered = self.nodes.emit("builtin.sorted_by_key", [n, reverse] + items + keys,
                                  lineno=node.lineno)
        out = self.cx.heap.new_box("list")
        self.cx.heap.box(out).items = [self.nodes.emit("getitem", [ordered, Const(i)],
                                                       lineno=node.lineno)
                                       for i in range(len(items))]
        return out
    return handler


_STATIC = {builtins.list: _list, builtins.len: _len, builtins.range: _range,
           builtins.isinstance: _isinstance,
           builtins.type: _type, builtins.enumerate: _enumerate, builtins.zip: _zip,
           builtins.reversed: _reversed, builtins.tuple: _tuple,
           builtins.getattr: _getattr, builtins.setattr: _setattr,
           copy.copy: _shallow_copy, copy.deepcopy: _copy, functools.partial: _partial,
           builtins.max: _by_key("max"), builtins.min: _by_key("min"),
           builtins.sorted: _by_key("sorted")}
_STATIC_OBJECTS = set(_STATIC)
_STATIC_BUILTINS = {id(k): v for k, v in _STATIC.items()}


_WHOLE_CONSUMERS = (sum, tuple, list, min, max, sorted, set, frozenset, len)


def _consumes_whole(fn) -> bool:
    """Builtins that exhaust an iterable argument before they return (or raise)."""
    return any(fn is c for c in _WHOLE_CONSUMERS)


_ITERATES = frozenset(map(id, _WHOLE_CONSUMERS + (any, all, enumerate, zip, reversed, dict,
                                                  iter, map, filter)))
"""Builtins that only iterate (or count) an iterable argument, wholly or in part: a dict
view given to them is its items."""
