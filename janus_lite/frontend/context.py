"""What one conversion shares: the graph being built and everything recorded about it.

The converters of the construct families (expressions, statements, calls, loops, ...)
are separate objects; each receives the one `ConversionContext` of the conversion and
reaches the other families by name (``self.calls``, ``self.state``, set when the
driver wires them, see `part.Part`). State that a speculative attempt may have to
undo — the scope's bindings and the heap of deferred writes — is saved and put back with
`snapshot` / `restore`; flags that hold while one construct is converted are set with
`scoped`, so that they are put back however the construct ends.
"""
from __future__ import annotations

import ast
from contextlib import contextmanager

from ..ir import Graph, Meta
from ..ir.rules import meta_of_value
from ..runtime.assumptions import Assumption
from ..runtime.guards import Guard, PAIR_KINDS
from .aliases import AliasTracker
from .errors import ConversionError
from .scope import Scope
from .state import Heap
from .values import Ref, is_immutable_const

_TRUSTED_MODULES = ("numpy", "math", "builtins", "operator", "functools", "itertools")


class ConversionContext:
    """The graph under construction, its guards and assertions, the scopes being
    converted, the alias tracker and the heap of deferred state."""

    def __init__(self, fn, fdef, klass, specs: dict, profile, name: str, example=None,
                 relaxed=frozenset()):
        self.graph = Graph(name)               # the (sub)graph nodes are added to now
        self.guards: list[Guard] = []
        self._guarded: dict = {}            # (source, kind, axis, other) -> expected
        self.asserts: list[Assumption] = []
        self.aliases = AliasTracker(self)
        self.heap = Heap()
        self.top = Scope.of(fn, fdef, klass, profile)
        self.scopes: list[Scope] = []
        self.specs = specs
        self.example = example or {}          # parameter -> a recent call's value
        self.relaxed = relaxed                 # source keys read at run time, not folded
        self.lineno = getattr(fdef, "lineno", None)
        self.filename: str | None = None       # the file of ``lineno`` when not fn's own
        self.root_file = getattr(getattr(fn, "__code__", None), "co_filename", None)
        self.current_stmt: ast.stmt | None = None
        self.sources: dict = {}                # node -> the Source it reads (guards, commits)
        # facts about containers
        self.known_keys: dict = {}             # dict argument node -> its guarded keys
        self.key_uses: dict = {}               # dict node -> keys asked about (None: all)
        self.keys_guards: dict = {}            # state dict node -> its "keys" guard
        self.global_dicts: dict = {}           # id(module globals) -> its state dict node
        self.cell_refs: dict = {}              # id(closure cell) -> its node (nonlocal writes)
        self.seq_params: dict = {}             # list arguments of changing length -> spec
        self.param_specs: dict = {}            # list/dict argument node -> its spec
        self.profiled_items: dict = {}         # run-time list node -> items seen profiling
        # control flow
        self.maybe_unbound: set = set()        # loop results that may be the unbound marker
        self.pending_return = None             # (flag, value) after a loop whose body returns
        self.tail_dup = False                  # converting a branch that holds the block's rest
        self.output_mode = False               # materializing the returned value
        self.final_objects: dict = {}          # BoxRef id -> the node made for it in
        #                                        output mode (one object per container)
        self.uncopied: dict = {}               # output mode, one object per value: (graph
        #                                        id, node) -> it remade on the caller's
        #                                        arrays; (graph id, id(TupleVal)) -> its tuple
        self.uncopy_memos: dict = {}           # graph id -> its `uncopy_memo` node
        self.tuple_nodes: dict = {}            # (graph id, id(TupleVal)) -> (it, its node)
        self.final_names: set = set()          # containers made in output mode of committed
        #                                        values (no stale views: state.check_stale_view)
        self.branch_objects = None             # while a branch's outputs are made: BoxRef
        #                                        id -> its node (one object per branch)
        self.escaped_boxes: dict = {}          # BoxRef id -> its Box as a branch output
        #                                        kept it (see ControlConverter.cond); for a
        #                                        TupleVal: ("tuple", id) -> None
        self.branch_tuples: dict = {}          # ("tuple", id) -> the TupleVal a branch's
        #                                        outputs made (kept alive: its id is a key)
        self.active_slots: list = []           # state slots of the enclosing loop nodes
        self.n_comps = 0                       # comprehensions converted (fresh names)
        self.repeats: dict = {}                # (graph id, key) -> (graph, node): reads
        #                                        computed once (NodeBuilder._repeat_key)
        # the handlers of AST node types, filled by the families (see `Part.handlers`)
        self.expr_handlers: dict[type, object] = {}
        self.stmt_handlers: dict[type, object] = {}

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    # -- undoing a speculative attempt -------------------------------------------------
    def snapshot(self):
        """The current scope's bindings and exit state and the heap, to `restore`."""
        s = self.scope
        return dict(s.env), s.done, s.returned, s.loop_exit, self.heap.snapshot()

    def restore(self, state) -> None:
        s = self.scope
        s.env, s.done, s.returned, s.loop_exit = dict(state[0]), state[1], state[2], state[3]
        self.heap.restore(state[4])

    @contextmanager
    def scoped(self, **fields):
        """Set context fields while a construct is converted; put back however it ends."""
        saved = {k: getattr(self, k) for k in fields}
        for k, v in fields.items():
            setattr(self, k, v)
        try:
            yield
        finally:
            for k, v in saved.items():
                setattr(self, k, v)

    # -- guards and assumptions -----------------------------------------------------
    def add_guard(self, guard: Guard) -> None:
        other = guard.expected.key if guard.kind in PAIR_KINDS else \
            guard.expected if guard.kind == "noattr" else None
        key = (guard.source.key, guard.kind, guard.axis, other)
        if key in self._guarded:
            if not _same_expectation(self._guarded[key], guard.expected):
                # two readings of one value disagree (say, an argument's length before the
                # profiled call ran and after it appended): a graph built on both would
                # contradict its own guards
                raise ConversionError(f"inconsistent assumptions about "
                                      f"{guard.source.describe()} ({guard.kind}: "
                                      f"{self._guarded[key]!r} and {guard.expected!r})",
                                      guard.lineno)
            return
        self._guarded[key] = guard.expected
        if guard.filename is None and guard.lineno is not None:
            guard.filename = self.filename
        self.guards.append(guard)

    def expected(self, src, kind: str):
        """What the guard of ``kind`` (one without a second source) on ``src`` expects, or
        None when there is none."""
        return self._guarded.get((src.key, kind, None, None))

    def add_assert(self, cond: Ref, expect: bool, kind: str, text: str, lineno,
                   site=None) -> None:
        index = len(self.asserts)
        a = Assumption(kind=kind, lineno=lineno, text=text, expected=expect, index=index,
                       is_guard=False, filename=self.filename, site=site)
        self.asserts.append(a)
        node = self.graph.add("assert", (cond.name,), attrs={"expect": expect, "index": index},
                              meta=Meta(type(None), value=None), lineno=lineno)
        self.aliases.roots[node.name] = frozenset()

    # -- constants ----------------------------------------------------------------------
    def const_node(self, value) -> str:
        node = self.graph.add("const", attrs={"value": value}, meta=_const_meta(value),
                              lineno=None)
        self.aliases.roots[node.name] = frozenset({node.name}) \
            if not is_immutable_const(value) else frozenset()
        return node.name

    # -- words for reasons ------------------------------------------------------------------
    def statement_text(self) -> str:
        """`` `stmt` `` for the simple statement being converted (for reasons), else ''."""
        stmt = self.current_stmt
        if stmt is None or isinstance(stmt, (ast.If, ast.For, ast.While, ast.FunctionDef,
                                             ast.Try)):
            return ""
        text = ast.unparse(stmt).splitlines()[0]
        return f" `{text[:60]}`"

    def type_name(self, name: str) -> str:
        try:
            t = self.graph[name].meta.type
        except KeyError:
            t = None
        return f"a {t.__name__}" if t is not None else "a value of unknown type"

    @staticmethod
    def trusted_module(module) -> bool:
        return trusted_name(module.__name__)


def trusted_name(module_name) -> bool:
    """Is ``module_name`` (``"numpy.linalg"``) in a library whose objects the program does
    not rebind (its module attributes, its classes' attributes)?"""
    return (module_name or "").split(".")[0] in _TRUSTED_MODULES


def _same_expectation(a, b) -> bool:
    """Do two guards on one value expect the same of it?"""
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:       # noqa: BLE001 (a comparison that fails: not the same)
        return False


def _const_meta(value) -> Meta:
    m = meta_of_value(value)
    return Meta(m.type, m.dtype, m.shape, value)
