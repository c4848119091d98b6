"""Deferred state: what the function writes outside itself, committed only at the end.

The converter keeps a *heap* of `Box`es while converting: the attributes written on an
object, the items of a dict or list (created in the function, or mirrored from an
argument or attribute). Reads see earlier writes; nothing is written to a real object
until the graph's last step, after every assertion held — the ``commit`` nodes. Arrays
updated in place (``w -= lr * g`` on an argument) are updated in a private copy that is
copied back into the very same array object at commit, so aliases see the update.
"""
from __future__ import annotations

import inspect
import sys
import types
from dataclasses import dataclass, field

import numpy as np

from ..ir import Meta
from ..ir.ops_state import ABSENT
from ..runtime.guards import Guard, attr as attr_source, item as item_source
from .errors import ConversionError
from .part import Part
from .values import DICTS, BoxRef, Const, OrigRef, Ref, Splat, TupleVal, plain_attribute_set, \
    same_value


@dataclass
class Box:
    kind: str                      # "object" | "dict" | "list"
    origin: str | None = None      # node of the real object mirrored (None: made here)
    entries: dict = field(default_factory=dict)   # attr/key -> abstract value
    items: list = field(default_factory=list)     # list contents (made here)
    dirty: list = field(default_factory=list)     # attrs/keys written, in order
    appended: list = field(default_factory=list)  # values appended to a mirrored list
    maybe_absent: set = field(default_factory=set)  # keys set or deleted on one path only

    def copy(self) -> "Box":
        return Box(self.kind, self.origin, dict(self.entries), list(self.items),
                   list(self.dirty), list(self.appended), set(self.maybe_absent))


class Heap:
    """The boxes of one conversion and the bookkeeping of arrays updated in place: what
    the graph will write outside itself, none of it written before the commit."""

    def __init__(self):
        self.boxes: dict = {}                   # box id -> Box
        self.box_of: dict[str, int] = {}       # origin node -> box id
        self.cow: dict[str, str] = {}          # original array node -> working copy node
        self.identity: dict[str, str] = {}     # working-copy chain node -> original node
        self.outbox: str | None = None
        self.const_params: dict[int, str | None] = {}   # id(folded argument) -> its input
        self.flush_print = False               # a deferred print asked for flush=True
        self.start_reads: set = set()          # lists read as the call found them (len)
        self._next_box = 0

    def new_box(self, kind, origin=None) -> BoxRef:
        self._next_box += 1
        self.boxes[self._next_box] = Box(kind, origin)
        if origin is not None:
            self.box_of[origin] = self._next_box
        return BoxRef(self._next_box)

    def box(self, ref: BoxRef) -> Box:
        return self.boxes[ref.id]

    def mirror(self, origin: str, kind: str) -> Box:
        """The box mirroring real object ``origin`` (made on first use)."""
        bid = self.box_of.get(origin)
        if bid is None:
            # keyed by the object's node, so that boxes two branches make for one object
            # are recognized as one when the branches merge
            bid = "origin:" + origin
            self.boxes[bid] = Box(kind, origin)
            self.box_of[origin] = bid
        return self.boxes[bid]

    def snapshot(self):
        return {k: b.copy() for k, b in self.boxes.items()}, dict(self.box_of)

    def unchanged(self, snap) -> bool:
        before = snap[0]
        for bid, box in self.boxes.items():
            old = before.get(bid)
            if old is None:
                if box.origin is not None and (box.dirty or box.appended):
                    return False
                continue
            if box.dirty != old.dirty or len(box.appended) != len(old.appended) or \
                    len(box.items) != len(old.items) or box.entries.keys() != old.entries.keys():
                return False
            if not all(same_value(box.entries[k], old.entries[k]) for k in box.entries):
                return False
            if not all(same_value(x, y) for x, y in zip(box.items, old.items)):
                return False
        return True

    def restore(self, snap):
        self.boxes = {k: b.copy() for k, b in snap[0].items()}
        self.box_of = dict(snap[1])

    def forget(self, removed: set) -> None:
        """Nodes ``removed`` were rolled back (an abandoned unrolling): a private copy of
        an argument's array made among them is gone, so the next in-place update of that
        array makes a new one."""
        if removed:
            self.cow = {k: v for k, v in self.cow.items() if v not in removed}
            self.identity = {k: v for k, v in self.identity.items() if k not in removed}


class StateConverter(Part):
    # -- objects ------------------------------------------------------------------------
    def read_attr(self, base: Ref, owner, name, lineno):
        bid = self.cx.heap.box_of.get(base.name)
        if bid is not None and name in self.cx.heap.boxes[bid].entries:
            value = self.cx.heap.boxes[bid].entries[name]
            if isinstance(value, Const) and value.value is ABSENT:
                raise ConversionError(f"attribute {name} read where it may not exist", lineno)
            return value
        value = self.external.object_attribute(base, owner, name, lineno)
        return value

    def write_attr(self, base, name, value, lineno):
        if not isinstance(base, Ref):
            raise ConversionError(f"setting .{name} on a constant", lineno)
        owner = self.cx.graph[base.name].meta.type
        if owner is None or owner.__module__ == "builtins" or owner is np.ndarray:
            raise ConversionError(f"setting .{name} on a value of type "
                                  f"{getattr(owner, '__name__', 'unknown')}", lineno)
        if base.name not in self.cx.sources and not self._is_source(base.name):
            raise ConversionError(f"setting .{name} on an object made in the function", lineno)
        static = inspect.getattr_static(owner, name, None)
        if type(static) is property and isinstance(static.fset, types.FunctionType) and \
                plain_attribute_set(owner):
            # a property setter: its Python function, inlined (guarded on the property)
            self.calls.guard_class_attribute(_defining_class(owner, name), name, static, lineno)
            self.calls.inline(static.fset, [base, value], {}, types.SimpleNamespace(lineno=lineno))
            return
        if static is not None and hasattr(type(static), "__set__") and \
                not isinstance(static, (type(owner.__dict__.get("__weakref__")),)) and \
                type(static).__name__ not in ("member_descriptor",):
            raise ConversionError(f"{owner.__name__}.{name} is a descriptor/property", lineno)
        if not plain_attribute_set(owner):
            raise ConversionError(f"{owner.__name__} customizes attribute assignment", lineno)
        box = self.cx.heap.mirror(base.name, "object")
        box.entries[name] = value
        if name not in box.dirty:
            box.dirty.append(name)
        self.distinct_from_others(base.name, lineno)

    def _rebinds_itself(self, origin, name, value) -> bool:
        """Is writing ``value`` to ``.name`` of the object ``origin`` rebinding the very object
        the attribute holds (``self.W += g``: ``W`` rebound to the array it read, updated in
        place), so that there is nothing to commit? Only for an attribute of the instance
        (no class attribute of that name but a slot): ``object.__setattr__`` (`write_attr`
        refused any other) then leaves everything as it was."""
        src = self.cx.sources.get(origin)
        node = self.cx.graph[value] if isinstance(value, str) and value in self.cx.graph else None
        if src is None or node is None or node.op != "source" or \
                node.attrs["src"].key != attr_source(src, name).key:
            return False
        owner = self.cx.graph[origin].meta.type
        static = inspect.getattr_static(owner, name, None) if isinstance(owner, type) else 0
        return static is None or type(static).__name__ == "member_descriptor"

    def _is_source(self, name) -> bool:
        node = self.cx.graph[name]
        return node.op in ("input", "source")

    def distinct_from_others(self, origin, lineno):
        """Writes through one name must not be missed through another: guard that every
        other mirrored object of the same type is a different object."""
        src = self.cx.sources.get(origin)
        t = self.cx.graph[origin].meta.type
        if src is None:
            return
        for other, src2 in self.cx.sources.items():
            if other == origin or self.cx.graph[other].meta.type is not t or src2 is None:
                continue
            if self.cx.graph[other].op not in ("input", "source"):
                continue
            a, b = sorted([src, src2], key=lambda s: s.describe())
            self.cx.add_guard(Guard("distinct", a, b, lineno))

    # -- arrays updated in place ------------------------------------------------------
    def writable(self, ref: Ref, lineno) -> Ref:
        """A value about to be updated in place: itself if the graph owns it, else (an
        argument's or attribute's array) a private copy committed back at the end."""
        name = self.cx.heap.cow.get(ref.name, ref.name)
        if self.cx.aliases.fresh(name):
            return Ref(name)
        node = self.cx.graph[name]
        src = self.cx.sources.get(self.outer_name(name))
        if src is None or node.meta.type is not np.ndarray:
            raise ConversionError(f"in-place update{self.cx.statement_text()} of a view of (or "
                                  f"an alias to) an argument or state array", lineno)
        name = self.outer_name(name)
        self.cx.add_guard(Guard("writeable", src, True, lineno))
        root = self.cx.graph.root()
        with self.cx.scoped(graph=root):
            # np.copy keeps the memory layout (order='K'): reductions and products over
            # the copy then run exactly as over the caller's array
            copy = self.nodes.emit("np.copy", [Ref(name)], lineno=lineno)
        self.cx.heap.cow[name] = copy.name
        self.cx.heap.identity[copy.name] = name
        return copy

    def note_inplace_result(self, target: str, result: str) -> None:
        """``result`` is the same object as ``target`` (updated in place): if that is the
        private copy of an argument's array, the result stands for that array too. The copy
        node itself stays the array's stand-in (it is one object, updated in place)."""
        origin = self.cx.heap.identity.get(self.outer_name(target))
        if origin is not None:
            self.cx.heap.identity[result] = origin

    def outer_name(self, name: str) -> str:
        """The node a subgraph's capture input stands for (the name itself otherwise)."""
        try:
            node = self.cx.graph[name]
            while node.op == "input" and node.attrs.get("role") == "capture":
                name = node.attrs["outer"]
                node = self.cx.graph[name]
        except KeyError:      # a node of a finished subgraph: never a capture here
            pass
        return name

    def original_in(self, graph, name: str) -> str:
        """`original` of a node of ``graph`` (a finished subgraph)."""
        with self.cx.scoped(graph=graph):
            return self.original(name)

    def original(self, name: str) -> str:
        name = self.outer_name(name)
        return self.cx.heap.identity.get(name, name)

    # -- deferred print -----------------------------------------------------------------
    def deferred_print(self, args, kwargs, lineno):
        for k, v in kwargs.items():
            if k == "file" and (self._stream(v) or isinstance(v, Const) and v.value is None):
                continue        # sys.stderr, a log file: written at the commit, in order
            if k not in ("sep", "end", "flush") or not isinstance(v, Const):
                raise ConversionError(f"print(..., {k}=...) is kept imperative", lineno)
        if self.cx.heap.outbox is None:
            root = self.cx.graph.root()
            node = root.add("list", (), meta=Meta(list), lineno=lineno,
                            before=root.order[len(root.inputs)] if len(root.order) >
                            len(root.inputs) else None)
            self.cx.aliases.roots[node.name] = frozenset({node.name})
            self.cx.heap.outbox = node.name
        kw = {k: v for k, v in kwargs.items() if k in ("sep", "end", "file")}
        if isinstance(kw.get("file"), Const) and kw["file"].value is None:
            del kw["file"]          # file=None: sys.stdout, as without it
        self.cx.heap.flush_print = self.cx.heap.flush_print or \
            bool(kwargs.get("flush", Const(False)).value)
        self.nodes.emit("print", [Ref(self.cx.heap.outbox)] + list(args), kw, lineno=lineno)
        return Const(None)

    def _stream(self, v) -> bool:
        """A ``file=`` for print: a stream object, known while converting or read at call
        time (``sys.stderr``: its type guarded), with a ``write`` method."""
        if isinstance(v, Const):
            return v.value is not None and callable(getattr(v.value, "write", None))
        t = self.cx.graph[v.name].meta.type if isinstance(v, Ref) else None
        return isinstance(t, type) and t.__module__ != "builtins" and \
            callable(getattr(t, "write", None))

    # -- commit -------------------------------------------------------------------------
    def emit_commits(self, lineno):
        """The graph's last step: write every deferred update, in program order."""
        written = self.cx.graph.written
        # an object (list, dict) written through one name and read through another read
        # only after the write (``tr.model.t += 1`` then ``tr.opt.model.t``): the guards
        # that they are different objects, now that every read is known
        for box in list(self.cx.heap.boxes.values()):
            if box.origin is not None and (box.dirty or box.appended):
                self.distinct_from_others(box.origin, lineno)

        # every array updated in place must share no memory with any other array the
        # graph reads (the other read would miss the update until the commit)
        for orig in self.cx.heap.cow:
            src = self.cx.sources.get(orig)
            for seq, spec in self.cx.seq_params.items():   # items read at run time: check all
                if src is not None and seq in self.cx.sources and \
                        (not spec.items or spec.items[0].kind not in ("scalar", "const")):
                    self.cx.add_guard(Guard("disjoint_items", self.cx.sources[seq], src, lineno))
            for other, src2 in self.cx.sources.items():
                if other != orig and src is not None and \
                        self.cx.aliases.op_of(other) in ("input", "source") and \
                        self.cx.graph[other].meta.type in (np.ndarray, None):
                    a, b = sorted([src, src2], key=lambda s: s.describe())
                    self.cx.add_guard(Guard("disjoint", a, b, lineno))

        def add(op, names, attrs=None):
            node = self.cx.graph.add(op, names, attrs or {}, Meta(type(None), value=None), lineno)
            self.cx.aliases.roots[node.name] = frozenset()
            src = self.cx.sources.get(names[0])
            if src is not None:          # which guarded reads this graph itself changes
                if not (op == "commit_setitem" and isinstance(attrs["key"], int)):
                    written.add(src.key)       # (an item write keeps a list's length)
                if op == "commit_setattr":
                    written.add(attr_source(src, attrs["name"]).key)
                elif op == "commit_setitem":
                    written.add(item_source(src, attrs["key"]).key)
        # reversible writes first (undone if the run aborts), then one final step that
        # writes the arrays and the printed text (see ir/ops_state.py). A container stored
        # whole (``C = self.cache; C[k] = v; self.cache = C``) is stored as itself: the
        # commit makes its own deferred changes too, and nothing reads it in between
        with self.cx.scoped(output_mode=True):
            self._emit_writes(add)
        pairs = [n for orig, work in self.cx.heap.cow.items() for n in (orig, work)]
        if pairs or self.cx.heap.outbox is not None:
            outbox = [self.cx.heap.outbox] if self.cx.heap.outbox else []
            node = self.cx.graph.add("commit_final", outbox + pairs,
                                     {"flush": self.cx.heap.flush_print,
                                      "outbox": self.cx.heap.outbox is not None},
                                     Meta(type(None), value=None), lineno)
            self.cx.aliases.roots[node.name] = frozenset()
            for orig in self.cx.heap.cow:
                if orig in self.cx.sources:
                    written.add(self.cx.sources[orig].key)

    def written_so_far(self) -> frozenset:
        """Keys of the state values (attributes, dict and list items) the code converted so
        far writes: on a failed conversion, the policy may retry with them read at run
        time (``self.step += 1; if self.step % 10 == 0: log.info(...)``: folded, the step
        taken statically may be the one no graph holds)."""
        keys = set()
        for box in self.cx.heap.boxes.values():
            src = self.cx.sources.get(box.origin) if box.origin is not None else None
            if src is None:
                continue
            for name in box.dirty:
                keys.add((attr_source(src, name) if box.kind == "object"
                          else item_source(src, name)).key)
        return frozenset(keys)

    def check_stale_object(self, name: str) -> None:
        """An object of a class of the program handed to code the graph does not see into
        (``str(self)``, ``len(buffer)``, an operator, ``np.asarray(obj)``: its dunder methods
        run at run time) would read the state as the call found it while this call's writes
        wait for the commit: refuse, once any write waits (output mode, the commit itself,
        is after them)."""
        if self.cx.output_mode:
            return
        t = self.cx.graph[name].meta.type if name in self.cx.graph.nx else None
        if not isinstance(t, type) or t.__module__ in ("builtins", "collections") or \
                t.__module__.split(".")[0] in ("numpy", "janus_lite") or t in DICTS:
            return              # (janus_lite's own: the marker of a maybe-unbound name)
        heap = self.cx.heap
        if heap.cow or any(b.origin is not None and (b.dirty or b.appended)
                           for b in heap.boxes.values()):
            raise ConversionError(f"an object of class {t.__name__} is handed to code the "
                                  f"graph does not see into (its methods would read the "
                                  f"state before this call's writes)", self.cx.lineno)

    def check_stale_view(self, name: str) -> None:
        """A view of an array taken before the array was updated in place would show the
        update imperatively; the graph's copy-on-write cannot: refuse."""
        if not self.cx.heap.cow:
            return
        if self.cx.output_mode and name in self.cx.final_names:
            return     # made of committed values, each checked as it was materialized: the
            #            caller's own array updated in place is one of them, not a stale view
        for root in self.cx.aliases.roots.get(name, ()):
            if root in self.cx.heap.cow and root != name and name not in self.cx.heap.identity:
                raise ConversionError("a view of an array is used after the array was "
                                      "updated in place", self.cx.lineno)

    def materialize_box(self, ref: BoxRef) -> str:
        """A real list/dict for a container made in the function (a fresh object).

        In output mode (the returned value and the commits, made once the function's code
        has run) a container is made once, however many places keep it (``self.states =
        states; self.cache['states'] = states``: one list, as in Python), and it holds what
        the commit stores: the caller's own arrays, not the private copies an in-place
        update worked on (``W -= lr * g; self.best = {'W': W}`` keeps ``W`` itself)."""
        box = self.cx.heap.box(ref)
        if box.origin is not None:
            if (box.appended or box.dirty) and not self.cx.output_mode:
                raise ConversionError("a mirrored container is used whole after being "
                                      "changed", self.cx.lineno)
            return self.nodes.materialize(Ref(box.origin))
        memo = self.cx.branch_objects
        if memo is not None and ref.id in memo:
            return memo[ref.id]
        if ref.id in self.cx.escaped_boxes:
            raise ConversionError("a list or dict made in the function is kept by a branch "
                                  "on a run-time condition and used whole again after it "
                                  "(one object in Python, two here)", self.cx.lineno)
        final = self.cx.output_mode
        if final and ref.id in self.cx.final_objects:
            return self.cx.final_objects[ref.id]
        held = self.committed_value if final else (lambda v: v)
        if box.kind == "list":
            made = self.nodes.emit("list", [held(v) for v in box.items], lineno=self.cx.lineno)
        else:
            flat = []
            for k, v in box.entries.items():
                flat += [Const(k), held(v)]
            made = self.nodes.emit("dict", flat, lineno=self.cx.lineno)
        if final and isinstance(made, Ref):
            self.cx.final_names.add(made.name)
        name = self.nodes.materialize(made)
        if final:
            self.cx.final_objects[ref.id] = name
        elif memo is not None:
            memo[ref.id] = name
        return name

    def _emit_writes(self, add) -> None:
        """The commits of the deferred attribute and item writes, appends and extends."""
        written = self.cx.graph.written
        for bid, box in self.cx.heap.boxes.items():
            if box.origin is None:
                continue
            for name in box.dirty:
                value = self.nodes.materialize(self.committed_value(box.entries[name]))
                if box.kind == "object":
                    if self._rebinds_itself(box.origin, name, value):
                        written.add(attr_source(self.cx.sources[box.origin], name).key)
                        continue
                    add("commit_setattr", [box.origin, value], {"name": name})
                else:
                    add("commit_setitem", [box.origin, value], {"key": name})
            plain = []
            for v in box.appended + [None]:
                if v is None or isinstance(v, Splat):
                    if plain:
                        add("commit_append", [box.origin] + plain)
                        plain = []
                    if v is not None:
                        add("commit_extend", [box.origin, self.nodes.materialize(
                            self.committed_value(v.value))])
                else:
                    plain.append(self.nodes.materialize(self.committed_value(v)))

    def _container(self, name) -> bool:
        """Is node ``name`` (in the graph being built or an enclosing one) a list, tuple or
        dict?"""
        g = self.cx.graph
        while g is not None:
            if name in g.nx:
                return _container_type(g[name].meta.type)
            g = g.parent
        return False

    def committed_value(self, v):
        """What a deferred write stores: original arrays (not private copies), containers
        made in the function as real objects."""
        if isinstance(v, Ref):
            orig = self.original(v.name)
            container = self._container(v.name) and self.cx.heap.cow and \
                self.cx.aliases.op_of(orig) not in ("input", "source")   # the caller's own
            #                                       containers never hold a private copy
            if orig != self.outer_name(v.name) and not container:
                return OrigRef(orig)
            # a value that only at run time is or is not a private copy (a branch rebinds
            # the name): the caller's own array when it is the copy
            heap = self.cx.heap
            held = self.cx.aliases.roots.get(v.name, ())
            if container:
                # a list, tuple or dict made by an op (appended to in a loop node, a
                # branch's output): the aliases do not follow its items; any copy may be
                # one (mended item by item, `ir.ops_core.uncopy_impl`)
                held = set(held) | set(heap.cow.values())
            copies = [c for c in sorted(held)
                      if heap.cow.get(heap.identity.get(c)) == c and c != v.name]
            roots = self.cx.aliases.roots.get(v.name)
            # one value, one object, however many places keep it: a view remade on the
            # caller's array is made once (``self.a = v; self.b = v``: ``a is b``)
            memo = self.cx.uncopied if self.cx.output_mode and copies else {}
            key = (id(self.cx.graph), v.name)
            if key in memo:
                return memo[key]
            v = OrigRef(orig)
            for c in copies:
                v = self.nodes.emit("uncopy", [v, Ref(c), OrigRef(self.cx.heap.identity[c]),
                                               self._uncopy_memo()], lineno=self.cx.lineno)
                if roots is not None:    # the argument itself is never a stale view of it
                    self.cx.aliases.roots[v.name] = roots
            memo[key] = v
            return v
        if isinstance(v, Const) and self.cx.heap.const_params.get(id(v.value)) is not None:
            return OrigRef(self.cx.heap.const_params[id(v.value)])
        if isinstance(v, TupleVal):
            made = TupleVal(tuple(self.committed_value(i) for i in v.items), origin=v.origin)
            if not self.cx.output_mode or v.origin is not None:
                return made
            # one tuple object however many places keep it (``self.a = t; return t``)
            key = (id(self.cx.graph), id(v))
            self.nodes.check_tuple_kept(v)
            if key not in self.cx.uncopied:
                # holding what it held (no private copy swapped back): the tuple made before
                same = all(self._same_node(a, b) for a, b in zip(made.items, v.items))
                name = self.nodes.materialize(v if same else made)
                self.cx.final_names.add(name)
                self.cx.uncopied[key] = (v, Ref(name))      # (v kept alive: its id is the key)
            return self.cx.uncopied[key][1]
        if isinstance(v, BoxRef):
            return Ref(self.nodes.materialize(v))
        return v

    def _same_node(self, a, b) -> bool:
        """Do abstract values ``a`` and ``b`` materialize to the same node? (A `Ref` to an
        array updated in place materializes to its private copy, an `OrigRef` to the
        caller's array.)"""
        if isinstance(a, Ref) and isinstance(b, Ref):
            return a.name == b.name and (type(a) is type(b) or a.name not in self.cx.heap.cow)
        return a is b

    def _uncopy_memo(self) -> Ref:
        """The node of this graph's run memo for ``uncopy`` (made once per graph)."""
        name = self.cx.uncopy_memos.get(id(self.cx.graph))
        if name is None or name not in self.cx.graph.nx:
            node = self.cx.graph.add("uncopy_memo", (), {}, Meta(dict), self.cx.lineno)
            self.cx.aliases.roots[node.name] = frozenset()
            name = self.cx.uncopy_memos[id(self.cx.graph)] = node.name
        return Ref(name)


def _container_type(t) -> bool:
    return t in (list, tuple) + DICTS


def _defining_class(owner, name):
    """The class in ``owner``'s MRO whose ``__dict__`` holds ``name``."""
    for k in owner.__mro__:
        if name in k.__dict__:
            return k
    return owner


_ = (sys,)
