"""Code-generating executor: each graph becomes one Python function, compiled once.

The function has the user's signature (defaults shared with the original), checks the
graph's guards first (returning the miss marker of the first that fails), then runs one
line per node (each op as its row in the numpy table, `numpy_rules.TABLE`, says), deleting
values after their last use. Its code carries the user's file name
and line numbers, so warnings and tracebacks point at the user's source.
"""
from __future__ import annotations

import ast
import keyword
import types

import numpy as np

from ..profile.astcopy import copy_ast
from ..profile.source import param_names
from ..ir.ops_state import undo_all
from ..ir.pycode import function_code
from ..runtime.guards import ConstPool, GuardCode
from . import linetable
from .aborts import direct_copies, draws, fp_errors_quiet, only_the_update_after, raises_from, \
    writes_directly
from .numpy_rules import TABLE
from .structured import plan as plan_structured
from .state_ops import QUIET, UNDO, WROTE, mark_committed, needs_undo, random_states

_LITERAL_TYPES = (bool, int, str, type(None))


def _scalar(node) -> bool:
    """Is ``node``'s value a Python or NumPy scalar?"""
    t = node.meta.type
    return t is not None and (t in _SCALAR_TYPES or issubclass(t, np.generic))


_SCALAR_TYPES = (bool, int, float, complex, type(None))


class Miss:
    """Returned by a graph entry when guard ``index`` does not hold."""
    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __repr__(self):
        return f"Miss({self.index})"


def signature_text(fdef: ast.AST) -> str:
    """The parameter list of ``fdef`` without defaults or annotations."""
    args = copy_ast(fdef.args)
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
        self.guard_code = GuardCode(self.pool, frozenset(param_names(fdef) or ()))
        self.lines: list[tuple[str, int | None]] = []
        self.direct = frozenset()      # np.copy nodes that may be the caller's array
        self.wrote_at = None           # the top-level node that first updates one of them
        self.skip: set = set()         # nodes not emitted (a structured node assigns them)
        self.virtual: set = set()      # nodes never assigned (their getitems are aliased)
        self._aliased: set = set()     # getitem nodes that read a variable of `alias`
        self._owners = self._captures = None
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
            text = repr(value)
            # a number in parentheses: ``(-2) ** x`` (spelled ``-2 ** x`` it is -(2 ** x)),
            # ``(5).real``
            return f"({text})" if type(value) in (int, float) else text
        return self.pool.add(value, hint)

    def emit(self, text: str, lineno=None):
        self.lines.append(("    " * self.indent + text, lineno))

    # -- nodes --------------------------------------------------------------------------
    def node_expr(self, node) -> str | None:
        """The expression computing ``node`` (None when its rule emitted statements)."""
        if node.name in self._aliased:
            return self.var(node.name)
        ins = [self.var(i) for i in node.inputs]
        if node.name in self.direct:      # the caller's array itself, when it may be
            return f"{ins[0]} if {QUIET} else {TABLE.rule(node.op)(self, node, ins)}"
        rule = TABLE.rule(node.op)
        if rule is None:
            raise NotImplementedError(f"codegen for op {node.op}")
        return rule(self, node, ins)

    def alias(self, node_name: str, var: str) -> None:
        """``node_name`` (a ``getitem``) is the variable ``var``: nothing is emitted for it."""
        self.names[node_name] = var
        self._aliased.add(node_name)

    def owner_graph(self, name):
        """The graph (the root or a subgraph) that holds node ``name``."""
        if self._owners is None:
            self._owners = {}
            stack = [self.graph]
            while stack:
                g = stack.pop()
                for n in g.nodes():
                    self._owners[n.name] = g
                    stack.extend(n.subgraphs)
        return self._owners.get(name)

    def captured(self) -> set:
        """Names of outer values some subgraph captures."""
        if self._captures is None:
            self._captures = {n.attrs.get("outer") for n in self.graph.all_nodes()
                              if n.op == "input" and n.attrs.get("role") == "capture"}
        return self._captures

    def _node(self, name):
        node = self._all.get(name)
        if node is None:
            self._all = {n.name: n for n in self.graph.all_nodes()}
            node = self._all[name]
        return node

    def body(self):
        """The graph's code. A graph that draws random numbers saves the generators' states
        first and restores them if anything aborts the run (the fallback redraws) — unless
        nothing from the first draw on may raise and floating-point errors only warn in
        this call (`aborts.fp_errors_quiet`, tested once per call as ``_q``). Under the same
        two conditions arrays updated in place are updated in the caller's array directly
        (`aborts.direct_copies`) instead of in a copy that the commit step copies back."""
        self._all = {}
        plan_structured(self)
        saves, gens = random_states(self.graph)
        gens = [g for g in gens if self._outer_node(g).op in ("input", "source")]
        undo = self.keeps_undo = needs_undo(self.graph)
        # from `wrote_at` (its first update) on, the caller's array is written
        self.direct, self.wrote_at = direct_copies(self.graph)
        self.graph.writes_directly = writes_directly(self.graph, self.direct)
        # the states are saved only where the run may still be abandoned after a draw
        always = (saves or gens) and raises_from(self.graph, set(draws(self.graph)))
        if self.direct and not saves and not gens and \
                only_the_update_after(self.graph, self.direct):
            self.emit(f"{QUIET} = True", None)     # direct in every call (see there)
        elif self.direct or ((saves or gens) and not always):
            self.emit(f"{QUIET} = {self.pool.add(fp_errors_quiet, 'quiet')}()", None)
        if self.direct:
            self.emit(f"{WROTE} = False", None)
        if not saves and not gens and not undo and not self.direct:
            self.emit_graph(self.graph)
            self.emit(f"return {self.var(self.graph.output)}", None)
            return
        restore = []
        if undo:
            self.emit(f"{UNDO} = []", None)
            restore.append(f"{self.pool.add(undo_all, 'undo')}({UNDO})")
        when = "" if always else f" if not {QUIET} else None"
        for i, (_, get, set_) in enumerate(saves):
            self.emit(f"_rng{i} = {self.pool.add(get, 'getstate')}(){when}", None)
            restore.append(f"if _rng{i} is not None: {self.pool.add(set_, 'setstate')}(_rng{i})")
        for j, g in enumerate(gens):
            node = self._outer_node(g)
            where = self.guard_code.source_expr(node.attrs["src"]) if node.op == "source" \
                else self.var(node.name)
            self.emit(f"_genobj{j} = {where}", None)
            self.emit(f"_gen{j} = _genobj{j}.bit_generator.state{when}", None)
            restore.append(f"if _gen{j} is not None: _genobj{j}.bit_generator.state = _gen{j}")
        self.emit("try:", None)
        self.indent += 1
        self.emit_graph(self.graph)
        self.emit(f"return {self.var(self.graph.output)}", None)
        self.indent -= 1
        # an exception the commit step's last part met is the call's own (it happened)
        builtin = self.guard_code.builtin     # a parameter may be named like a builtin
        self.emit(f"except {builtin(BaseException)} as _exc:", None)
        self.indent += 1
        if self.direct:     # past an update of the caller's array: the call happened
            self.emit(f"if {WROTE}: {self.pool.add(mark_committed, 'committed')}(_exc)", None)
        if restore:
            self.emit(f"if not {builtin(getattr)}(_exc, '__jl_committed__', False):", None)
            self.indent += 1
            for r in restore:
                self.emit(r, None)
            self.indent -= 1
        self.emit("raise", None)
        self.indent -= 1

    def emit_graph(self, graph):
        """Emit ``graph``'s nodes at the current indent (subgraphs recurse through here).
        Per-call economies: a ``truth`` node that only a ``cond`` or an ``assert`` tests is
        not computed (their ``if`` takes the truth of its input, the same ``__bool__``), and
        scalar values are not deleted after their last use (a ``del`` frees no memory
        worth its cost there)."""
        last_use = {}
        nodes = list(graph.nodes())
        for idx, node in enumerate(nodes):
            for i in node.inputs:
                last_use[i] = idx
        inline = self._tested_truths(graph, nodes)
        for t, src in inline.items():
            self.names[t] = self.var(src)
            last_use[src] = max(last_use.get(src, -1), last_use.get(t, -1))
        keep = set(graph.inputs) | {graph.output}
        for idx, node in enumerate(nodes):
            if node.op == "input" or node.name in inline:
                continue
            if node.op == "const":
                continue      # inlined where used (a literal or a closure constant)
            if node.name == self.wrote_at:
                self.emit(f"{WROTE} = {QUIET}", node.lineno)
            skipped = node.name in self.skip
            if not skipped:
                expr = self.node_expr(node)
                if expr is not None:
                    target = self.var(node.name)
                    if expr != target:
                        self.emit(f"{target} = {expr}", node.lineno)
            dead = [i for i in dict.fromkeys(node.inputs)
                    if last_use.get(i) == idx and i not in keep and i in graph.nx and
                    i not in inline and i not in self.virtual and graph[i].op != "const"
                    and not _scalar(graph[i])
                    and self.var(i) != self.var(graph.output)
                    and self.var(i).startswith("v_")]
            # a skipped node's inputs go straight into the variables of the structured node
            # that stands for it: deleting them would free nothing
            if dead and not skipped:
                self.emit("del " + ", ".join(self.var(i) for i in dead), node.lineno)

    @staticmethod
    def _tested_truths(graph, nodes) -> dict:
        """``truth`` nodes of ``graph`` whose every use is the condition of a ``cond`` or an
        ``assert`` in ``graph`` (none captured by a subgraph, none the output): name → its
        input."""
        truths = {n.name: n.inputs[0] for n in nodes if n.op == "truth" and
                  n.name != graph.output}
        if not truths:
            return {}
        for n in nodes:
            for k, i in enumerate(n.inputs):
                if i in truths and not (k == 0 and n.op in ("cond", "assert")):
                    truths.pop(i)
            for sub in n.subgraphs:
                for inner in sub.all_nodes():
                    if inner.op == "input" and inner.attrs.get("outer") in truths:
                        truths.pop(inner.attrs["outer"])
        return truths

    def _outer_node(self, name):
        """The node ``name`` stands for outside the subgraphs that capture it."""
        node = self._node(name)
        while node.op == "input" and node.attrs.get("role") == "capture":
            node = self._node(node.attrs["outer"])
        return node

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
    consts = list(gen.pool.values)
    linenos = tuple(ln for _, ln in gen.lines)
    first = getattr(fdef, "lineno", 1)
    key = (text, linenos, first, tuple(consts), fn.__code__.co_filename)
    make_code = _CODE_CACHE.get(key)
    if make_code is None:
        make_code = _compile_factory(text, linenos, first, consts, fn.__code__.co_filename)
        if len(_CODE_CACHE) >= _CODE_CACHE_SIZE:
            _CODE_CACHE.pop(next(iter(_CODE_CACHE)))
        _CODE_CACHE[key] = make_code
    make = types.FunctionType(make_code, fn.__globals__, "__jl_make")
    entry = make(*(gen.pool.values[c] for c in consts))
    entry.__name__ = fn.__name__
    entry.__qualname__ = fn.__qualname__
    entry.__defaults__ = fn.__defaults__
    entry.__kwdefaults__ = fn.__kwdefaults__
    return entry, text


_CODE_CACHE: dict = {}
"""(source text, line numbers, first line, constant names, file) → the factory's code
object: a graph converted again (a new model object, a replaced graph) is not compiled
again. Code objects are immutable; each entry still gets its own function and constants."""
_CODE_CACHE_SIZE = 256


def _relocate(root, linenos, first):
    """Every node under ``root`` (itself included) that has a line number gets its line of
    the user's file: generated line k + 2 is ``linenos[k]`` (else ``first``). Walks what
    `ast.walk` walks, without its generators."""
    stack = [root]
    pop, push, AST, n = stack.pop, stack.append, ast.AST, len(linenos)
    while stack:
        node = pop()
        if "lineno" in node._attributes:
            k = node.lineno - 2
            node.lineno = node.end_lineno = (linenos[k] if 0 <= k < n else None) or first
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        push(item)
            elif isinstance(value, AST):
                push(value)


def _located(node, lineno, col, end_lineno, end_col):
    node.lineno, node.col_offset = lineno, col
    node.end_lineno, node.end_col_offset = end_lineno, end_col
    return node


def _compile_factory(text, linenos, first, consts, filename):
    """The code object of ``def __jl_make(<consts>): <text>; return __jl_graph`` with each
    statement of the graph function on its line of the user's file."""
    if not linetable.SUPPORTED:
        return _compile_factory_ast(text, linenos, first, consts, filename)
    # compiled from text, then its positions moved where the renumbered AST
    # (`_compile_factory_ast`) puts them: source line 1 is the factory, 2 the graph
    # function, 3.. the graph's lines, the last the factory's return
    src = f"def __jl_make({', '.join(consts)}):\n    " + text.replace("\n", "\n    ") + \
        "\n    return __jl_graph"
    # A NOP (``try:``, ``while True:``) on a line of its own is kept here where the
    # renumbered AST's compile may drop it (its moved line equals a neighbour's): the two
    # codes then differ by that NOP only, which nothing but a line tracer can tell apart
    # (positions, jumps and the exception table are the compiler's own). Going through
    # the AST for such code cost ~2 ms per graph, and most graphs have a ``try:`` guard.
    make = function_code(src, filename)
    last = text.count("\n") + 3
    end = max([first] + [ln for ln in linenos if ln])
    # source line → the user's line (the graph function's lines; the rest: its own line)
    lines = [first, first, first] + [ln or first for ln in linenos]
    lines += [first] * (last + 1 - len(lines))

    def move(pos):
        s, e, col, end_col = pos
        if e == s and col and end_col is not None and 2 < s < last:   # most: the graph's
            new = lines[s]
            return new, new, col - 4, end_col - 4
        if col == 0 and end_col == 0 and e == s:    # a code object's start (RESUME)
            new = lines[s]
            return new, new, 0, 0
        if s == last:
            return 1, 1, 0, 0
        col = None if col is None else col - 4
        end_col = None if end_col is None else end_col - 4
        if s == 2:                   # the graph function's definition, in the factory
            return first, end, col, end_col
        new = lines[s]
        return new, new, col, end_col

    return linetable.relocated(make, move, lines.__getitem__)


def _compile_factory_ast(text, linenos, first, consts, filename):
    """`_compile_factory` through the AST (Python versions whose location table
    `linetable` does not know)."""
    tree = ast.parse(text)
    func = tree.body[0]
    _relocate(func, linenos, first)
    func.lineno = first
    func.end_lineno = max([first] + [ln for ln in linenos if ln])
    func.args.lineno = func.args.end_lineno = first
    # the nodes made here get the locations ast.fix_missing_locations would give them
    # (line 1, column 0: a Module has none to inherit); the parsed ones have theirs
    factory = _located(ast.FunctionDef(
        name="__jl_make",
        args=ast.arguments(posonlyargs=[], args=[_located(ast.arg(c), 1, 0, 1, 0)
                                                 for c in consts],
                           kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[func, _located(ast.Return(_located(ast.Name(func.name, ast.Load()),
                                                 1, 0, 1, 0)), 1, 0, 1, 0)],
        decorator_list=[], returns=None, type_params=[]), 1, 0, 1, 0)
    module = ast.Module([factory], type_ignores=[])
    factory.lineno, factory.end_lineno = first, func.end_lineno
    return function_code(module, filename)
