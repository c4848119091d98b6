"""The converter driver: AST + profile + input specs → speculative IR graph.

`Converter` walks the function's AST once, following the one path the speculation picks
(branches on constants are decided statically, branches on data use the profiled
direction guarded by an ``assert`` node, loops over known sequences are unrolled).
Values known while converting are folded; everything else becomes graph nodes. Calls of
user functions are inlined (guarded by identity). Anything it cannot hold raises
`ConversionError` with a reason and a line.
"""
from __future__ import annotations

import ast
import types

import numpy as np

from ..ir import Graph, Meta, get_op, infer_meta
from ..ir.quiet import intercepted
from ..ir.rules import meta_of_value
from ..profile.instrument import site_key
from ..runtime.assumptions import Assumption
from ..runtime.guards import (Guard, PAIR_KINDS, global_, cell as cell_source, param,
                              order_guards, item as item_source)
from ..runtime.spec import guards_for
from .errors import ConversionError
from .scope import Scope
from .values import (Const, Ref, TupleVal, BoundMethod, BoxRef, OrigRef, is_immutable_const,
                     spec_meta)
from .expressions import ExpressionConverter
from .statements import StatementConverter
from .calls import CallConverter
from .heap import HeapConverter
from .control import ControlConverter, UNBOUND
from .loops import LoopConverter
from .state import StateConverter
from .containers import ContainerConverter
from .dicts import DictConverter
from .loop_state import LoopStateConverter
from .comprehensions import ComprehensionConverter
from .closures import ClosureConverter
from .exceptions import ExceptionConverter
from .random_draws import RandomConverter

_TRUSTED_MODULES = ("numpy", "math", "builtins", "operator", "functools", "itertools")


class Converter(ExpressionConverter, StatementConverter, CallConverter, HeapConverter,
                ControlConverter, LoopConverter, StateConverter, ContainerConverter,
                DictConverter, LoopStateConverter, ComprehensionConverter,
                ClosureConverter, ExceptionConverter, RandomConverter):
    def __init__(self, fn, fdef, klass, specs: dict, profile, name: str, example=None,
                 relaxed=frozenset()):
        self.example = example or {}
        self.init_state()
        self.known_keys: dict = {}          # dict argument node -> its guarded keys
        self.key_uses: dict = {}            # dict node -> keys asked about (None: all)
        self.keys_guards: dict = {}         # state dict node -> its "keys" guard
        self.seq_params: dict = {}          # list arguments of changing length -> spec
        self.param_specs: dict = {}         # list/dict argument node -> its spec
        self.maybe_unbound: set = set()     # loop results that may be the unbound marker
        self.pending_return = None          # (flag, value) after a loop whose body returns
        self.tail_dup = False               # converting a branch that holds the block's rest
        self.relaxed = relaxed
        self.output_mode = False            # materializing the returned value
        self.sources: dict = {}
        self.graph = Graph(name)
        self.guards: list[Guard] = []
        self._guarded: set = set()
        self.asserts: list[Assumption] = []
        self.roots: dict[str, frozenset] = {}     # node -> alias roots (see fresh())
        self.mutated: set[str] = set()
        self.scopes: list[Scope] = []
        self.top = Scope.of(fn, fdef, klass, profile)
        self.specs = specs
        self.lineno = getattr(fdef, "lineno", None)

    # -- entry ------------------------------------------------------------------------
    def run(self) -> Graph:
        scope = self.top
        self.scopes.append(scope)
        for pname, spec in self.specs.items():
            src = param(pname)
            for g in guards_for(spec, src, self.lineno):
                self.add_guard(g)
            node = self.graph.add("input", attrs={"name": pname}, meta=spec_meta(spec),
                                  lineno=self.lineno, name=pname)
            self.roots[node.name] = frozenset({node.name})
            self.sources[node.name] = src
            value = Ref(node.name)
            if spec.kind == "scalar" and spec.has_value or \
                    spec.kind == "const" and not _stateful_object(spec.value):
                value = Const(spec.value)
                # returned or stored as it is, it is the caller's own object
                self.const_params[id(spec.value)] = \
                    None if id(spec.value) in self.const_params else node.name
            elif spec.kind == "tuple":
                value = self._tuple_param(node.name, spec)
            if spec.kind == "seq":
                self.seq_params[node.name] = spec  # no guarded items to read one by one
            if spec.kind == "dict":
                self.known_keys[node.name] = tuple(spec.value)
            if spec.kind in ("list", "dict"):
                self.param_specs[node.name] = spec
            scope.env[pname] = value
        self.block(_body(scope.fdef))
        result = scope.returned if scope.done else Const(None)
        end = getattr(scope.fdef, "end_lineno", None)
        # the result is handed back after the commit: a container argument returned whole
        # (``return next_w, config``) is the caller's object with every deferred write in it
        self.output_mode = True
        result = self.committed_value(result)
        output = self.materialize(result)
        self.output_mode = False
        self.emit_commits(end)
        self.graph.output = output
        self.graph.meta["keep"] = self._dead_user_code()
        self.graph.meta["mutated"] = set(self.mutated)
        self.narrow_key_guards()
        ordered = order_guards(self.guards)
        self.graph.meta["guards"] = ordered
        self.graph.assumptions = [Assumption.of_guard(i, g) for i, g in enumerate(ordered)] + \
            self.asserts
        return self.graph

    def _tuple_param(self, node_name, spec):
        """A tuple argument: a static tuple of its items (nested tuples recursively)."""
        items = []
        for i, sub in enumerate(spec.items):
            if sub.kind in ("const",) or (sub.kind == "scalar" and sub.has_value):
                items.append(Const(sub.value))
                continue
            idx = self.const_node(i)
            n = self.graph.add("getitem", (node_name, idx), meta=spec_meta(sub),
                               lineno=self.lineno)
            self.roots[n.name] = self.roots[node_name]
            self.sources[n.name] = item_source(self.sources[node_name], i)
            items.append(self._tuple_param(n.name, sub) if sub.kind == "tuple" else Ref(n.name))
        return TupleVal(tuple(items), origin=node_name)

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    # -- guards and assumptions -----------------------------------------------------
    def add_guard(self, guard: Guard) -> None:
        other = guard.expected.key if guard.kind in PAIR_KINDS else \
            guard.expected if guard.kind == "noattr" else None
        key = (guard.source.key, guard.kind, guard.axis, other)
        if key not in self._guarded:
            self._guarded.add(key)
            self.guards.append(guard)

    def add_assert(self, cond: Ref, expect: bool, kind: str, text: str, lineno) -> None:
        index = len(self.asserts)
        a = Assumption(kind=kind, lineno=lineno, text=text, expected=expect, index=index,
                       is_guard=False)
        self.asserts.append(a)
        node = self.graph.add("assert", (cond.name,), attrs={"expect": expect, "index": index},
                              meta=Meta(type(None), value=None), lineno=lineno)
        self.roots[node.name] = frozenset()

    # -- graph building ---------------------------------------------------------------
    def const_node(self, value) -> str:
        node = self.graph.add("const", attrs={"value": value}, meta=_const_meta(value),
                              lineno=None)
        self.roots[node.name] = frozenset({node.name}) if not is_immutable_const(value) \
            else frozenset()
        return node.name

    def materialize(self, v) -> str:
        if isinstance(v, Ref):
            name = v.name if isinstance(v, OrigRef) else self.cow.get(v.name, v.name)
            self.check_stale_view(name)
            self.check_container_read(name)
            return name if name in self.graph.nx else self.capture(name)
        if isinstance(v, BoxRef):
            return self.materialize_box(v)
        if isinstance(v, Const):
            return self.const_node(v.value)
        if isinstance(v, TupleVal):
            if v.origin is not None:
                return self.materialize(Ref(v.origin))
            return self.emit("tuple", list(v.items), lineno=self.lineno).name
        if isinstance(v, BoundMethod):
            raise ConversionError(f"method {v.name} used as a value", self.lineno)
        from .values import LocalFunction
        if isinstance(v, LocalFunction):
            raise ConversionError(f"the function {v.name} defined in the function (line "
                                  f"{v.fdef.lineno}) is used as a value: returned, stored or "
                                  f"passed on (only its calls are graphed)", self.lineno)
        raise ConversionError(f"cannot use {v!r} as a graph value", self.lineno)

    def emit(self, op: str, args: list, kw: dict | None = None, attrs: dict | None = None,
             lineno=None, site: ast.AST | None = None):
        """Add an op node (or fold it) and return its abstract value."""
        opdef = get_op(op)
        kw = kw or {}
        attrs = dict(attrs or {})
        if kw:
            attrs["kw"] = tuple(kw)
        values = list(args) + list(kw.values())
        impl = opdef.impl if op != "call" else attrs.get("fn")
        if opdef.pure and not opdef.side_effect and impl is not None and \
                all(isinstance(v, Const) for v in values) and op not in ("tuple", "list"):
            folded = self._fold(impl, args, kw)
            if folded is not None:
                return folded
        inputs = [self.materialize(v) for v in values]
        metas = [self.graph[i].meta for i in inputs]
        meta = infer_meta(opdef, metas, attrs)
        meta = self._check_meta(meta, site)
        node = self.graph.add(op, inputs, attrs, meta, lineno or self.lineno)
        fresh = opdef.fresh(attrs) if callable(opdef.fresh) else opdef.fresh
        if fresh and not opdef.mutates and meta.type not in (None, list, tuple, dict, set):
            self.roots[node.name] = frozenset({node.name})
        elif fresh and not opdef.mutates:
            # a new container (or a value of unknown type) may hold its inputs' objects;
            # of unknown type (a join of float and np.float64, an op on such a value), it
            # holds none of its plain-valued inputs: a fresh op shares no memory with an
            # array, and a scalar is immutable
            held = inputs if meta.type is not None else \
                [i for i in inputs if not _plain_value(self.graph[i].meta)]
            self.roots[node.name] = frozenset({node.name}).union(
                *(self.roots.get(i, frozenset({i})) for i in held))
        else:
            # what the result may alias: the updated input of an in-place op, the container
            # of an item read, else (conservatively) every input
            aliased = [inputs[opdef.mutates[0]]] if opdef.mutates else \
                inputs[:1] if op in ("getitem", "getattr", "setitem") else inputs
            self.roots[node.name] = frozenset().union(*(self.roots.get(i, frozenset({i}))
                                                        for i in aliased))
        for idx in opdef.mutates:
            self.mark_mutated(inputs[idx], lineno)
            self.note_inplace_result(inputs[idx], node.name)
        if "out" in kw:
            target = inputs[len(args) + list(kw).index("out")]
            self.mark_mutated(target, lineno)
            self.roots[node.name] = self.roots[target]
            self.note_inplace_result(target, node.name)
        return Ref(node.name)

    def _fold(self, impl, args, kw):
        """Evaluate an op on constants now; not when it raises or warns (the run must show
        the warning, or raise under the caller's np.errstate)."""
        try:
            with np.errstate(all="raise"), intercepted(error=True):
                value = impl(*[a.value for a in args], **{k: v.value for k, v in kw.items()})
        except Exception:
            return None   # let it happen at run time: the fallback shows the real outcome
        return Const(value) if is_immutable_const(value) else None

    def _check_meta(self, meta: Meta, site):
        """Cross-check an inferred meta against the profile; disagreement → unknown."""
        if site is None or self.scope.profile is None:
            return meta
        obs = self.scope.profile.sites.get(site_key(site))
        seen = obs.single if obs is not None else None
        if seen is None:
            return meta
        if meta.type is None:
            return meta     # a profiled type is not guarded: never build on it unchecked
        if meta.type is not seen.type or (meta.dtype is not None and meta.dtype != seen.dtype):
            return Meta()
        return meta

    def _dead_user_code(self) -> set:
        """Nodes the function computes but never uses: dead-code elimination must keep
        them, since they may raise (``x.reshape(-1, 2)`` on an odd size), and the function
        must raise too. Nodes that only become dead after a pass rewrites their users are
        fair game."""
        g = self.graph
        return {n.name for n in g.nodes()
                if n.name != g.output and get_op(n.op).may_raise
                and not any(True for _ in g.nx.successors(n.name))}

    def _any_symbolic(self) -> bool:
        return any(isinstance(d, str) for n in self.graph.inputs
                   for d in (self.graph[n].meta.shape or ()))

    def fresh(self, name: str) -> bool:
        """Is the value owned by the graph (so updating it in place is invisible outside)?"""
        return all(self._op_of(r) not in ("input", "source", "const")
                   for r in self.roots.get(name, {name}))

    def _op_of(self, name: str) -> str:
        """The op of node ``name`` wherever it is (a finished subgraph included)."""
        try:
            return self.graph[name].op
        except KeyError:
            for g in (self.graph, self.graph.root()):
                for node in g.all_nodes():
                    if node.name == name:
                        return node.op
            return "unknown"      # a discarded attempt's node: owned by no one outside

    def mark_mutated(self, name: str, lineno) -> None:
        if not self.fresh(name):
            t = self._type_name(name)
            raise ConversionError(f"in-place update{self.statement_text()} of {t} that may be "
                                  f"an argument, a global or a constant (only arrays of "
                                  f"arguments and state get a private copy)", lineno)
        self.mutated |= set(self.roots.get(name, {name}))

    def statement_text(self) -> str:
        """`` `stmt` `` for the simple statement being converted (for reasons), else ''."""
        stmt = getattr(self, "current_stmt", None)
        if stmt is None or isinstance(stmt, (ast.If, ast.For, ast.While, ast.FunctionDef,
                                             ast.Try)):
            return ""
        text = ast.unparse(stmt).splitlines()[0]
        return f" `{text[:60]}`"

    def _type_name(self, name: str) -> str:
        try:
            t = self.graph[name].meta.type
        except KeyError:
            t = None
        return f"a {t.__name__}" if t is not None else "a value of unknown type"

    # -- names ----------------------------------------------------------------------------
    def load_name(self, name: str, lineno, scope=None):
        scope = scope or self.scope
        if name in scope.env:
            value = scope.env[name]
            if isinstance(value, Ref) and value.name in self.maybe_unbound:
                self.maybe_unbound.discard(value.name)
                bound = self.emit("is_not", [value, Const(UNBOUND)], lineno=lineno)
                self.add_assert(bound, True, "bound", f"{name} is bound after the loop", lineno)
            return value
        if name in scope.local_names:
            raise ConversionError(f"local variable {name!r} may be unbound here", lineno)
        if scope.parent is not None:
            # a function defined in the function: free names are the enclosing function's
            # variables as they are when it is called (late binding, as Python's closures)
            return self.load_name(name, lineno, scope.parent)
        if name in scope.cells:
            cell_obj = scope.cells[name]
            try:
                value = cell_obj.cell_contents
            except ValueError:
                raise ConversionError(f"closure variable {name!r} is empty", lineno) from None
            return self.read_external(cell_source(cell_obj, name), value, lineno)
        if name in scope.globals:
            return self.read_external(global_(scope.globals, name), scope.globals[name], lineno)
        if name in scope.builtins:
            self.add_guard(Guard("absent", global_(scope.globals, name), None, lineno))
            return Const(scope.builtins[name])
        raise ConversionError(f"name {name!r} is not defined", lineno)

    def trusted_module(self, module) -> bool:
        return (module.__name__ or "").split(".")[0] in _TRUSTED_MODULES


def _stateful_object(value) -> bool:
    """A callable object with attributes (a model, a layer): passed as itself (guarded on
    identity), but its attributes are state, read at call time like ``self.W``."""
    t = type(value)
    return t.__module__ != "builtins" and hasattr(value, "__dict__") and \
        not isinstance(value, (type, types.FunctionType, types.MethodType,
                               types.BuiltinFunctionType, types.ModuleType))


_PLAIN_SCALARS = (bool, int, float, complex, str, bytes, type(None))


def _plain_value(meta) -> bool:
    """A value no container can hold a mutable part of: an array of a non-object dtype,
    a NumPy scalar other than a structured one (np.void views its array), a Python
    scalar."""
    t = meta.type
    if t is np.ndarray:
        return meta.dtype is not None and meta.dtype != np.dtype(object)
    if t is not None and issubclass(t, np.generic):
        return not issubclass(t, (np.void, np.object_))
    return t in _PLAIN_SCALARS


def _const_meta(value) -> Meta:
    m = meta_of_value(value)
    return Meta(m.type, m.dtype, m.shape, value)


def _body(fdef):
    if isinstance(fdef, ast.Lambda):
        return [ast.copy_location(ast.Return(fdef.body), fdef.body)]
    return fdef.body


def convert(fn, fdef, klass, specs, profile, name=None, example=None,
            relaxed=frozenset()) -> Graph:
    """Build the speculative graph of ``fn`` for parameter ``specs``; raises ConversionError.

    ``example`` maps parameters to the values of a recent call (used to classify state the
    function reads); ``relaxed`` holds keys of sources whose scalar values are read at run
    time instead of folded."""
    return Converter(fn, fdef, klass, specs, profile, name or fn.__name__, example,
                     relaxed).run()
