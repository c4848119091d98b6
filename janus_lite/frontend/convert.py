"""The converter driver: AST + profile + input specs → speculative IR graph.

`Converter` walks the function's AST once, following the one path the speculation picks
(branches on constants are decided statically, branches on data use the profiled
direction guarded by an ``assert`` node, loops over known sequences are unrolled).
Values known while converting are folded; everything else becomes graph nodes. Calls of
user functions are inlined (guarded by identity). Anything it cannot hold raises
`ConversionError` with a reason and a line.

The work is done by one converter object per construct family (`part.FAMILIES`), all
sharing one `ConversionContext` (context.py); this driver makes them, wires them to each
other, registers their AST handlers, and converts the parameters and the body.
"""
from __future__ import annotations

import ast

from ..ir import Graph, get_op, has_effect
from ..runtime.assumptions import Assumption
from ..runtime.held_warnings import silent
from ..runtime.guards import order_guards, param, item as item_source
from ..runtime.spec import guards_for
from .calls import CallConverter
from .closures import ClosureConverter
from .comprehensions import ComprehensionConverter
from .containers import ContainerConverter
from .context import ConversionContext
from .control import ControlConverter, check_escaped
from .dicts import DictConverter
from .errors import ConversionError
from .exceptions import ExceptionConverter
from .expressions import ExpressionConverter
from .external import ExternalConverter
from .loop_state import LoopStateConverter
from .loops import LoopConverter
from .nodes import NodeBuilder
from .part import FAMILIES
from .random_draws import RandomConverter
from .regions import RegionConverter
from .state import StateConverter
from .statements import StatementConverter
from .values import IDENTITY_TYPES, Const, Ref, TupleVal, spec_meta

FAMILY_CLASSES = {
    "exprs": ExpressionConverter, "stmts": StatementConverter, "calls": CallConverter,
    "external": ExternalConverter, "control": ControlConverter, "loops": LoopConverter,
    "state": StateConverter, "containers": ContainerConverter, "dicts": DictConverter,
    "loop_state": LoopStateConverter, "comps": ComprehensionConverter,
    "closures": ClosureConverter, "excepts": ExceptionConverter, "draws": RandomConverter,
    "regions": RegionConverter, "nodes": NodeBuilder}
"""The converter of each construct family, by the name the others reach it under."""
assert tuple(FAMILY_CLASSES) == FAMILIES


class Converter:
    """Drives one conversion: ``Converter(...).run()`` returns the graph. The families
    are attributes (``conv.exprs``, ``conv.state``, ...), so a test can convert one
    construct on its own after `enter`."""

    def __init__(self, fn, fdef, klass, specs: dict, profile, name: str, example=None,
                 relaxed=frozenset()):
        self.cx = cx = ConversionContext(fn, fdef, klass, specs, profile, name, example,
                                         relaxed)
        parts = {attr: cls(cx) for attr, cls in FAMILY_CLASSES.items()}
        for part in parts.values():
            part.__dict__.update(parts)
            for table, node_type, method in part.handlers():
                if node_type in table:
                    raise TypeError(f"two handlers for {node_type.__name__}")
                table[node_type] = method
        self.__dict__.update(parts)

    # -- entry ------------------------------------------------------------------------
    def enter(self):
        """Open the function's scope and bind its parameters (guards, input nodes)."""
        cx = self.cx
        scope = cx.top
        cx.scopes.append(scope)
        named = _named(scope.fdef)
        for pname, spec in cx.specs.items():
            src = param(pname)
            # a parameter the function never names (``cur_loss=None`` kept for its callers'
            # sake) is read by nothing: no guard on it, so its value changing (a loss
            # passed along) neither misses the graph nor folds into it
            for g in guards_for(spec, src, cx.lineno) if pname in named else ():
                cx.add_guard(g)
            attrs = {"name": pname}
            span = cx.expected(src, "span")
            if span is not None:
                attrs["span"] = span           # an int read at run time, its range guarded
            node = cx.graph.add("input", attrs=attrs, meta=spec_meta(spec),
                                lineno=cx.lineno, name=pname)
            cx.aliases.roots[node.name] = frozenset({node.name})
            cx.sources[node.name] = src
            value = Ref(node.name)
            if pname not in named:
                pass      # unguarded: never folded, nor taken for its value's object
            elif spec.kind == "scalar" and spec.has_value or \
                    spec.kind == "const" and not _stateful_object(spec.value):
                value = Const(spec.value)
                # returned or stored as it is, it is the caller's own object
                cx.heap.const_params[id(spec.value)] = \
                    None if id(spec.value) in cx.heap.const_params else node.name
            elif spec.kind == "tuple":
                value = self._tuple_param(node.name, spec)
            if spec.kind == "seq":
                cx.seq_params[node.name] = spec  # no guarded items to read one by one
            if spec.kind == "dict":
                cx.known_keys[node.name] = tuple(spec.value)
            if spec.kind in ("list", "dict"):
                cx.param_specs[node.name] = spec
            scope.env[pname] = value
        return scope

    def run(self) -> Graph:
        cx = self.cx
        scope = self.enter()
        self.stmts.block(_body(scope.fdef))
        check_escaped(cx)
        result = scope.returned if scope.done else Const(None)
        end = getattr(scope.fdef, "end_lineno", None)
        # the result is handed back after the commit: a container argument returned whole
        # (``return next_w, config``) is the caller's object with every deferred write in it
        with cx.scoped(output_mode=True):
            result = self.state.committed_value(result)
            output = self.nodes.materialize(result)
        self.state.emit_commits(end)
        cx.graph.output = output
        cx.graph.keep = self._dead_user_code()
        cx.graph.mutated = set(cx.aliases.mutated)
        self.dicts.narrow_key_guards()
        ordered = order_guards(cx.guards)
        cx.graph.guards = ordered
        cx.graph.assumptions = [Assumption.of_guard(i, g) for i, g in enumerate(ordered)] + \
            cx.asserts
        return cx.graph

    def _tuple_param(self, node_name, spec):
        """A tuple argument: a static tuple of its items (nested tuples recursively)."""
        cx = self.cx
        items = []
        for i, sub in enumerate(spec.items):
            if sub.kind in ("const",) or (sub.kind == "scalar" and sub.has_value):
                items.append(Const(sub.value))
                continue
            idx = cx.const_node(i)
            n = cx.graph.add("getitem", (node_name, idx), meta=spec_meta(sub),
                             lineno=cx.lineno)
            cx.aliases.roots[n.name] = cx.aliases.roots[node_name]
            cx.sources[n.name] = item_source(cx.sources[node_name], i)
            items.append(self._tuple_param(n.name, sub) if sub.kind == "tuple" else Ref(n.name))
        return TupleVal(tuple(items), origin=node_name)

    def _dead_user_code(self) -> set:
        """Nodes the function computes but never uses: dead-code elimination must keep
        them, since they may raise (``x.reshape(-1, 2)`` on an odd size) or warn, and the
        function must too; only those that can do neither (`silent`) go. Nodes that only
        become dead after a pass rewrites their users are fair game."""
        g = self.cx.graph
        nodes = {n.name: n for n in g.nodes()}
        # dead: used by nothing that the output or an effect (a commit, a draw, an
        # assertion) needs; a whole dead chain counts, not only its last node (in
        # ``np.ones_like(np.maximum(np.sqrt(s), 0))`` unused, ``ones_like`` is silent but
        # ``sqrt`` warns on a negative ``s``: dropping the silent end must not drop it)
        live = set()
        for name in reversed(g.order):
            if name == g.output or has_effect(nodes[name]) or \
                    any(u in live for u in g.nx.successors(name)):
                live.add(name)
        return {n.name for n in nodes.values()
                if n.name not in live and get_op(n.op).may_raise and not silent(n, nodes)}


def _named(fdef) -> set:
    """The names the function's code uses (its nested functions' included), and its
    first parameter when it calls zero-argument ``super()``, which reads it unnamed."""
    names = {n.id for n in ast.walk(fdef) if isinstance(n, ast.Name)}
    args = fdef.args.posonlyargs + fdef.args.args
    if "super" in names and args:
        names.add(args[0].arg)
    return names


def _stateful_object(value) -> bool:
    """A callable object with attributes (a model, a layer): passed as itself (guarded on
    identity), but its attributes are state, read at call time like ``self.W``."""
    t = type(value)
    return t.__module__ != "builtins" and hasattr(value, "__dict__") and \
        not isinstance(value, IDENTITY_TYPES)


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
    converter = Converter(fn, fdef, klass, specs, profile, name or fn.__name__, example,
                          relaxed)
    try:
        return converter.run()
    except ConversionError as exc:
        exc.written = converter.state.written_so_far()
        raise
