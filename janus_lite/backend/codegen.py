"""Code-generating executor: each graph becomes one Python function, compiled once.

The function has the user's signature (defaults shared with the original), checks the
graph's guards first (returning the miss marker of the first that fails), then runs one
line per node, deleting values after their last use. Its code carries the user's file name
and line numbers, so warnings and tracebacks point at the user's source.
"""
from __future__ import annotations

import ast
import copy
import keyword
import types

from ..ir import get_op
from ..ir.ops_core import AssumptionFailed, unpack_impl
from ..runtime.guards import ConstPool, GuardCode
from . import state_ops
from .state_ops import UNDO, has_reversible, random_states
from .structured import emit_cond, emit_loop

_LITERAL_TYPES = (bool, int, str, type(None))

EMITTERS: dict = {}
"""op name → ``emit(codegen, node, input_vars) -> expression text or None``: how ops added
by passes (fused kernels, out= buffers, structured control flow) are generated. An emitter
may add statements with ``codegen.emit(text, lineno)`` and values shared by all calls with
``codegen.pool.add(value, hint)`` (closure constants of the entry)."""

PLANNED = "@out"
"""`EMITTERS` key of the emitter of every ``<op>@out`` twin (see `passes/ops.planned_op`)."""


class Miss:
    """Returned by a graph entry when guard ``index`` does not hold."""
    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __repr__(self):
        return f"Miss({self.index})"


def signature_text(fdef: ast.AST) -> str:
    """The parameter list of ``fdef`` without defaults or annotations."""
    args = copy.deepcopy(fdef.args)
    args.defaults, args.kw_defaults = [], [None] * len(args.kwonlyargs)
    for a in args.posonlyargs + args.args + args.kwonlyargs + \
            [x for x in (args.vararg, args.kwarg) if x]:
        a.annotation = None
    return ast.unparse(args)


class CodeGen:
    def __init__(self, graph, fn, fdef):
        self.graph = graph
        self.fn = fn
        self.fdef = fdef
        self.pool = ConstPool()
        self.guard_code = GuardCode(self.pool)
        self.lines: list[tuple[str, int | None]] = []
        self.indent = 0
        params = [n for n in graph.inputs]
        self.names = {n: n for n in params}
        self._taken = set(params) | set(keyword.kwlist)

    def var(self, node_name: str) -> str:
        name = self.names.get(node_name)
        if name is None:
            node = self._node(node_name)
            if node.op == "const":
                name = self.names[node_name] = self.const(node.attrs["value"])
            elif node.op == "input" and node.attrs.get("role") == "capture":
                name = self.names[node_name] = self.var(node.attrs["outer"])
        if name is None:
            base = "v_" + node_name
            name = base
            while name in self._taken:
                name += "_"
            self._taken.add(name)
            self.names[node_name] = name
        return name

    def const(self, value, hint="k") -> str:
        if type(value) in _LITERAL_TYPES or (type(value) is float and value == value
                                            and value not in (float("inf"), float("-inf"))):
            return repr(value)
        return self.pool.add(value, hint)

    def emit(self, text: str, lineno=None):
        self.lines.append(("    " * self.indent + text, lineno))

    # -- nodes --------------------------------------------------------------------------
    def node_expr(self, node) -> str | None:
        """The expression computing ``node`` (None for statements handled here)."""
        op = get_op(node.op)
        ins = [self.var(i) for i in node.inputs]
        kwn = node.attrs.get("kw", ())
        pos, kw = (ins[:len(ins) - len(kwn)], ins[len(ins) - len(kwn):]) if kwn else (ins, [])
        call_args = ", ".join(pos + [f"{k}={v}" for k, v in zip(kwn, kw)])
        custom = EMITTERS.get(node.op)
        if custom is None and node.op.endswith(PLANNED):
            custom = EMITTERS[PLANNED]
        if custom is not None:
            return custom(self, node, ins)
        if node.op == "const":
            return self.const(node.attrs["value"])
        if node.op == "source":
            return self.guard_code.source_expr(node.attrs["src"])
        if node.op == "assert":
            cond = ins[0]
            test = f"not {cond}" if node.attrs["expect"] else cond
            af = self.pool.add(AssumptionFailed, "AF")
            self.emit(f"if {test}: raise {af}({node.attrs['index']})", node.lineno)
            return None
        if node.op == "tuple":
            return "(" + "".join(i + ", " for i in ins) + ")"
        if node.op == "list":
            return "[" + ", ".join(ins) + "]"
        if node.op == "getitem":
            return f"{ins[0]}[{ins[1]}]"
        if node.op == "setitem":
            self.emit(f"{ins[0]}[{ins[1]}] = {ins[2]}", node.lineno)
            return ins[0]
        if node.op == "getattr":
            return f"{ins[0]}.{node.attrs['name']}"
        if node.op == "truth":
            return f"{self.pool.add(bool, 'bool')}({ins[0]})"
        if node.op == "select":
            return f"{ins[1]} if {ins[0]} else {ins[2]}"
        if node.op == "and_":
            return f"{ins[0]} and {ins[1]}"
        if node.op == "or_":
            return f"{ins[0]} or {ins[1]}"
        if node.op == "unpack":
            return f"{self.pool.add(unpack_impl, 'unpack')}({ins[0]}, {node.attrs['n']})"
        if node.op == "call":
            return f"{self.pool.add(node.attrs['fn'], 'fn')}({call_args})"
        if op.emit == "binop":
            if op.mutates:
                self.emit(f"{ins[0]} {op.symbol} {ins[1]}", node.lineno)
                return ins[0]
            return f"{ins[0]}{op.symbol}{ins[1]}" if op.symbol.startswith(" ") else \
                f"{ins[0]} {op.symbol} {ins[1]}"
        if op.emit == "unop":
            return f"{op.symbol}{ins[0]}"
        if op.emit == "method":
            rest = ", ".join(pos[1:] + [f"{k}={v}" for k, v in zip(kwn, kw)])
            return f"{pos[0]}.{op.symbol}({rest})"
        if op.emit == "attr":
            return f"{ins[0]}.{op.symbol}"
        if op.emit == "call":
            return f"{self.pool.add(op.impl, 'f')}({call_args})"
        raise NotImplementedError(f"codegen for op {node.op}")

    def _node(self, name):
        node = self._all.get(name)
        if node is None:
            self._all = {n.name: n for n in self.graph.all_nodes()}
            node = self._all[name]
        return node

    def body(self):
        """The graph's code; a graph that draws random numbers saves the generators' states
        first and restores them if anything aborts the run (the fallback redraws)."""
        self._all = {}
        saves, gens = random_states(self.graph)
        undo = has_reversible(self.graph)
        if not saves and not gens and not undo:
            self.emit_graph(self.graph)
            self.emit(f"return {self.var(self.graph.output)}", None)
            return
        restore = []
        if undo:
            self.emit(f"{UNDO} = []", None)
            restore.append(f"for _u in {UNDO}[::-1]: _u()")
        for i, (_, get, set_) in enumerate(saves):
            self.emit(f"_rng{i} = {self.pool.add(get, 'getstate')}()", None)
            restore.append(f"{self.pool.add(set_, 'setstate')}(_rng{i})")
        for j, g in enumerate(gens):
            node = self._node(g)
            while node.op == "input" and node.attrs.get("role") == "capture":
                node = self._node(node.attrs["outer"])
            where = self.guard_code.source_expr(node.attrs["src"]) if node.op == "source" \
                else self.var(node.name)
            self.emit(f"_genobj{j} = {where}", None)
            self.emit(f"_gen{j} = _genobj{j}.bit_generator.state", None)
            restore.append(f"_genobj{j}.bit_generator.state = _gen{j}")
        self.emit("try:", None)
        self.indent += 1
        self.emit_graph(self.graph)
        self.emit(f"return {self.var(self.graph.output)}", None)
        self.indent -= 1
        self.emit("except BaseException:", None)
        self.indent += 1
        for r in restore:
            self.emit(r, None)
        self.emit("raise", None)
        self.indent -= 1

    def emit_graph(self, graph):
        """Emit ``graph``'s nodes at the current indent (subgraphs recurse through here)."""
        last_use = {}
        for idx, node in enumerate(graph.nodes()):
            for i in node.inputs:
                last_use[i] = idx
        keep = set(graph.inputs) | {graph.output}
        for idx, node in enumerate(graph.nodes()):
            if node.op == "input":
                continue
            if node.op == "const":
                continue      # inlined where used (a literal or a closure constant)
            expr = self.node_expr(node)
            if expr is not None:
                target = self.var(node.name)
                if expr != target:
                    self.emit(f"{target} = {expr}", node.lineno)
            dead = [i for i in dict.fromkeys(node.inputs)
                    if last_use.get(i) == idx and i not in keep and i in graph.nx and
                    graph[i].op != "const" and self.var(i) != self.var(graph.output)
                    and self.var(i).startswith("v_")]
            if dead:
                self.emit("del " + ", ".join(self.var(i) for i in dead), node.lineno)

    def generate(self, guards):
        miss = self.pool.add(tuple(Miss(i) for i in range(len(guards))), "MISS")
        for text in self.guard_code.lines(guards, miss):
            self.emit(text, getattr(self.fdef, "lineno", None))
        self.body()
        sig = signature_text(self.fdef)
        out = [f"def __jl_graph({sig}):"]
        for text, lineno in self.lines:
            out.append(f"    {text}" + (f"  # line {lineno}" if lineno else ""))
        return "\n".join(out)


def compile_graph(graph, fn, fdef, guards):
    """(entry function, generated source text) for ``graph``."""
    gen = CodeGen(graph, fn, fdef)
    text = gen.generate(guards)
    tree = ast.parse(text)
    func = tree.body[0]
    linenos = [ln for _, ln in gen.lines]
    first = getattr(fdef, "lineno", 1)
    for stmt, ln in zip(func.body, linenos):
        for sub in ast.walk(stmt):
            if hasattr(sub, "lineno"):
                sub.lineno = sub.end_lineno = ln or first
    func.lineno = first
    func.end_lineno = max([first] + [ln for ln in linenos if ln])
    func.args.lineno = func.args.end_lineno = first
    consts = list(gen.pool.values)
    factory = ast.FunctionDef(
        name="__jl_make", args=ast.arguments(posonlyargs=[], args=[ast.arg(c) for c in consts],
                                             kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[func, ast.Return(ast.Name(func.name, ast.Load()))], decorator_list=[],
        returns=None, type_params=[])
    module = ast.Module([factory], type_ignores=[])
    ast.fix_missing_locations(module)
    factory.lineno, factory.end_lineno = first, func.end_lineno
    code = compile(module, fn.__code__.co_filename, "exec", dont_inherit=True)
    make_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    make = types.FunctionType(make_code, fn.__globals__, "__jl_make")
    entry = make(*(gen.pool.values[c] for c in consts))
    entry.__name__ = fn.__name__
    entry.__qualname__ = fn.__qualname__
    entry.__defaults__ = fn.__defaults__
    entry.__kwdefaults__ = fn.__kwdefaults__
    return entry, text


def _register_structured():
    EMITTERS.setdefault("cond", emit_cond)
    EMITTERS.setdefault("loop", emit_loop)
    for op, fn in state_ops.EMITTERS.items():
        EMITTERS.setdefault(op, fn)


_register_structured()
