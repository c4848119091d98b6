"""Lists and dicts: made in the function (tracked item by item while converting, so their
length and keys are static), or mirrored from arguments and state (reads become graph
reads, writes and appends are deferred to the commit)."""
from __future__ import annotations

import ast
import collections
from contextlib import contextmanager

from ..ir import Meta, op_for_method
from ..ir.ops_state import DELETED
from ..runtime.guards import Guard, item as item_source
from ..runtime.spec import guards_for
from .errors import ConversionError
from .values import DICTS, ORDERED_DICT_METHODS, BoundMethod, BoxRef, Const, Ref, Splat, TupleVal, \
    spec_meta
from .part import Part


class RuntimeFilter(ConversionError):
    """A comprehension's filter depends on run-time data (it becomes a loop node)."""


class ContainerConverter(Part):
    # -- literals -------------------------------------------------------------------------
    def expr_List(self, node):
        items = []
        for e in node.elts:
            if isinstance(e, ast.Starred):
                items.extend(self.exprs.static_items(self.exprs.expr(e.value), node.lineno))
            else:
                items.append(self.exprs.expr(e))
        ref = self.cx.heap.new_box("list")
        self.cx.heap.box(ref).items = items
        return ref

    def expr_Dict(self, node):
        ref = self.cx.heap.new_box("dict")
        box = self.cx.heap.box(ref)
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise ConversionError("**mapping in a dict display", node.lineno)
            key = self.exprs.expr(k)
            if not isinstance(key, Const):
                raise ConversionError("dict key only known at run time", node.lineno)
            box.entries[key.value] = self.exprs.expr(v)
        return ref

    @contextmanager
    def _own_targets(self, node):
        """A comprehension's variables are its own, even where the function declares a
        ``global`` of that name (``global k; [k * 2 for k in xs]`` leaves ``k`` alone)."""
        scope = self.cx.scope
        declared, cells = scope.declared_globals, scope.declared_nonlocals
        own = {n.id for g in node.generators for n in ast.walk(g.target)
               if isinstance(n, ast.Name)}
        scope.declared_globals, scope.declared_nonlocals = declared - own, cells - own
        try:
            yield
        finally:
            scope.declared_globals, scope.declared_nonlocals = declared, cells

    def expr_DictComp(self, node):
        """``{k: v for target in <static sequence>}`` unrolled (keys known while converting)."""
        with self._own_targets(node):
            pairs = self._comprehension(node, lambda: (
                self.exprs.expr(node.key), self.exprs.expr(node.value)))
        ref = self.cx.heap.new_box("dict")
        for key, value in pairs:
            if not isinstance(key, Const):
                raise ConversionError("dict key only known at run time", node.lineno)
            self.cx.heap.box(ref).entries[key.value] = value
        return ref

    def expr_ListComp(self, node):
        """``[expr for target in <static sequence> (if <static cond>)]`` unrolled; over a
        sequence known only at run time, or with a filter on run-time data, a loop node
        that appends to a graph-owned list (frontend/comprehensions.py)."""
        with self._own_targets(node):
            return self._list_comp(node)

    def _list_comp(self, node):
        if len(node.generators) != 1 or node.generators[0].is_async:
            raise ConversionError("nested comprehensions (several for clauses) are not "
                                  "supported yet", node.lineno)
        iterable = self.exprs.expr(node.generators[0].iter)
        items = self.stmts.static_loop_items(iterable)
        if items is not None:
            before, n_asserts, state = set(self.cx.graph.order), len(
                self.cx.asserts), self.cx.snapshot()
            try:
                ref = self.cx.heap.new_box("list")
                self.cx.heap.box(ref).items = self._comprehension(
                    node, lambda: self.exprs.expr(node.elt), items)
                return ref
            except RuntimeFilter:
                self.stmts.roll_back(before, n_asserts)
                self.cx.restore(state)
        return self.comps.comprehension_loop(node, iterable)

    def _comprehension(self, node, element, items=None):
        if len(node.generators) != 1 or node.generators[0].is_async:
            raise ConversionError("nested comprehensions (several for clauses) are not "
                                  "supported yet", node.lineno)
        gen = node.generators[0]
        if items is None:
            items = self.stmts.static_loop_items(self.exprs.expr(gen.iter))
        if items is None:
            raise ConversionError("dict comprehension over a sequence known only at run "
                                  "time", node.lineno)
        scope = self.cx.scope
        saved = dict(scope.env)
        out = []
        try:
            for item in items:
                self.stmts.assign(gen.target, item)
                keep = True
                for cond in gen.ifs:
                    c = self.exprs.expr(cond)
                    if not isinstance(c, Const):
                        raise RuntimeFilter("dict comprehension with a filter on run-time "
                                            "data", node.lineno)
                    keep = keep and bool(c.value)
                if keep:
                    out.append(element())
        finally:
            scope.env = saved       # the comprehension's variable does not leak
        return out

    # -- reads ------------------------------------------------------------------------------
    def container_items(self, value, lineno):
        """Items a loop or unpacking gets from a container (None: not a container)."""
        if isinstance(value, Ref) and self._mirrored(value.name):
            src = self.cx.sources[value.name]
            if src.key in self.cx.relaxed:
                return None         # its length changes between calls: read at run time
            if self.cx.graph[value.name].meta.type in DICTS:
                return [Const(k) for k in self.dict_keys(value, lineno)]
            n = self._start_len(value.name, src)
            if n > 64:
                return None
            self.cx.add_guard(Guard("len", src, n, lineno))
            bid = self.cx.heap.box_of.get(value.name)
            appended = list(self.cx.heap.boxes[bid].appended) if bid is not None else []
            if any(not isinstance(v, (Const, Ref, TupleVal, BoxRef)) for v in appended):
                raise ConversionError("a list is read after appends known only at run time "
                                      "(made in a run-time loop, or in one branch of a "
                                      "run-time condition)", lineno)
            written = self.cx.heap.boxes[bid].entries if bid is not None else {}
            return [written[i] if i in written else self.read_item(value, src, i, lineno)
                    for i in range(n)] + appended
        if isinstance(value, BoxRef):
            box = self.cx.heap.box(value)
            if box.origin is not None:
                return None
            if box.kind == "list":
                return list(box.items)
            return [Const(k) for k in box.entries]
        return None

    def _mirrored(self, name) -> bool:
        """A list/tuple/dict read from an argument or state, item by item (guarded)."""
        return self.cx.graph[name].meta.type in (list, tuple) + DICTS and \
            name in self.cx.sources \
            and name not in self.cx.seq_params

    def container_len(self, value):
        grown = self._len_after_appends(value)
        if grown is not None:
            return grown
        if isinstance(value, Ref) and self._mirrored(value.name):
            items = self.container_items(value, self.cx.lineno)
            return Const(len(items)) if items is not None else None
        if isinstance(value, BoxRef) and self.cx.heap.box(value).origin is None:
            box = self.cx.heap.box(value)
            return Const(len(box.items) if box.kind == "list" else len(box.entries))
        return None

    def _len_after_appends(self, value):
        """``len(lst)`` of an argument's or attribute's list that this call appended to and
        changed in no other way (``self.history.append(loss); return len(self.history)``):
        its length when the call started, read at run time (the appends wait for the
        commit), plus the items appended — no guard on a length that grows every call.
        None otherwise."""
        if not isinstance(value, Ref) or self.cx.graph[value.name].meta.type is not list:
            return None
        bid = self.cx.heap.box_of.get(value.name)
        box = self.cx.heap.boxes[bid] if bid is not None else None
        if box is None or not box.appended or box.entries or box.dirty or \
                any(isinstance(v, Splat) or type(v) is tuple for v in box.appended):
            return None
        self.cx.heap.start_reads.add(value.name)
        try:
            start = self.nodes.emit("builtin.len", [value], lineno=self.cx.lineno)
        finally:
            self.cx.heap.start_reads.discard(value.name)
        return self.nodes.emit("add", [start, Const(len(box.appended))], lineno=self.cx.lineno)

    def container_getitem(self, base, index, node):
        """``base[index]`` for containers; None when ``base`` is not one."""
        if isinstance(base, BoxRef):
            box = self.cx.heap.box(base)
            if not isinstance(index, Const):
                raise ConversionError("container index only known at run time", node.lineno)
            try:
                if box.kind == "list" and isinstance(index.value, slice):
                    ref = self.cx.heap.new_box("list")           # a new list of some of the items
                    self.cx.heap.box(ref).items = box.items[index.value]
                    return ref
                if box.kind == "list":
                    return box.items[index.value]
                return box.entries[index.value]
            except (IndexError, KeyError, TypeError):
                raise ConversionError(f"index {index.value!r} is not in the container (the call "
                                      f"raises: runs imperatively)", node.lineno) from None
        if isinstance(base, Ref):
            meta = self.cx.graph[base.name].meta
            if meta.type in (list, tuple) and isinstance(index, Const) and \
                    isinstance(index.value, slice) and self._mirrored(base.name):
                items = self.container_items(base, node.lineno)
                if items is not None:          # a new list/tuple of some of the items
                    picked = items[index.value]
                    if meta.type is tuple:
                        return TupleVal(tuple(picked))
                    ref = self.cx.heap.new_box("list")
                    self.cx.heap.box(ref).items = list(picked)
                    return ref
            bid = self.cx.heap.box_of.get(base.name)
            appended = self.cx.heap.boxes[bid].appended if bid is not None else ()
            if meta.type is list and isinstance(index, Const) and type(index.value) is int \
                    and -len(appended) <= index.value < 0 and \
                    not any(isinstance(v, Splat) for v in appended[index.value:]):
                # ``self.history.append(loss); self.history[-1]``: an item this call
                # appended, whatever the list's length (no guard on it)
                return appended[index.value]
            if meta.type in (list, tuple) + DICTS and isinstance(index, Const) and \
                    self._mirrored(base.name):
                bid = self.cx.heap.box_of.get(base.name)
                if meta.type in DICTS and bid is not None and \
                        index.value in self.cx.heap.boxes[bid].entries:
                    value = self.cx.heap.boxes[bid].entries[index.value]
                    if index.value in self.cx.heap.boxes[bid].maybe_absent or \
                            isinstance(value, Const) and value.value is DELETED:
                        raise ConversionError(f"key {index.value!r} read where it may have "
                                              f"been deleted or never set", node.lineno)
                    return value
                if meta.type is list and bid is not None and self.cx.heap.boxes[bid].entries and \
                        type(index.value) is int:
                    items = self.container_items(base, node.lineno)
                    if items is not None and -len(items) <= index.value < len(items):
                        return items[index.value]
                if meta.type is list and bid is not None and self.cx.heap.boxes[bid].appended:
                    items = self.container_items(base, node.lineno)
                    if items is not None and isinstance(index.value, int):
                        return items[index.value]
                src = self.cx.sources[base.name]
                if literal_key(index.value):
                    return self.read_item(base, src, index.value, node.lineno)
        return None

    def read_item(self, base, src, key, lineno):
        """``container[key]`` of an argument or state container: a guarded read."""
        if isinstance(key, int) and self.cx.graph[base.name].meta.type is list:
            if src.key in self.cx.relaxed:       # length varies: read the item at run time
                return self.nodes.emit("getitem", [base, Const(key)], lineno=lineno)
            n = self._start_len(base.name, src)
            self.cx.add_guard(Guard("len", src, n, lineno))
            if key < 0:
                key += n
        if self.cx.graph[base.name].meta.type in DICTS:
            self.dicts.note_key(base.name, key)
        s = item_source(src, key)
        spec = self.item_spec(base.name, key)
        if spec is not None:
            return self.read_spec(s, spec, lineno)
        try:
            value = self.external.source_value(s)
        except Exception:
            raise ConversionError(f"{s.describe()} does not exist (the call raises: runs "
                                  f"imperatively)", lineno) from None
        return self.external.read_external(s, value, lineno)

    def _start_len(self, name, src) -> int:
        """The length the list ``src`` (node ``name``) has when a call starts: an argument's
        from its spec, merged over the profiled calls before they ran (the example the
        conversion reads was bound after its call ran, which may have appended to the list:
        its length there disagrees with the guard); state's from the example (as the call
        left it: what the next call finds)."""
        spec = self.cx.param_specs.get(name)
        if spec is not None and spec.kind == "list" and spec.items is not None:
            return len(spec.items)
        return len(self.external.source_value(src))

    def item_spec(self, name, key):
        """The spec of an argument container's item (its speculation was merged over the
        profiled calls: a relaxed item is read at run time, not folded)."""
        spec = self.cx.param_specs.get(name)
        if spec is None or not spec.items:
            return None
        if spec.kind == "list" and isinstance(key, int) and -len(spec.items) <= key < \
                len(spec.items):
            return spec.items[key]
        if spec.kind == "dict" and key in (spec.value or ()):
            return spec.items[list(spec.value).index(key)]
        return None

    def read_spec(self, src, spec, lineno):
        """A guarded read of ``src`` as ``spec`` says (constants folded, the rest read)."""
        for g in guards_for(spec, src, lineno):
            self.cx.add_guard(g)
        if spec.kind == "const" or (spec.kind == "scalar" and spec.has_value):
            return Const(spec.value)
        ref = self.external._source_node(src, spec_meta(spec), lineno)
        if spec.kind in ("list", "dict"):
            self.cx.param_specs[ref.name] = spec
            if spec.kind == "dict":
                self.cx.known_keys[ref.name] = tuple(spec.value)
        if spec.kind == "tuple":
            return TupleVal(tuple(self.read_spec(item_source(src, i), sub, lineno)
                                  for i, sub in enumerate(spec.items)), origin=ref.name)
        return ref

    # -- writes -----------------------------------------------------------------------------
    def container_setitem(self, base, index, value, node) -> bool:
        if isinstance(base, BoxRef):
            box = self.cx.heap.box(base)
            if not isinstance(index, Const):
                raise ConversionError("container index only known at run time", node.lineno)
            if box.kind == "list":
                try:
                    box.items[index.value] = value
                except (IndexError, TypeError):
                    raise ConversionError("list assignment index out of range (runs "
                                          "imperatively)", node.lineno) from None
            else:
                box.entries[index.value] = value
            return True
        if isinstance(base, Ref) and self.cx.graph[base.name].meta.type in DICTS:
            if not isinstance(index, Const):
                raise ConversionError("dict key only known at run time", node.lineno)
            if not self.state._is_source(base.name):
                raise ConversionError("item assignment into a dict made at run time",
                                      node.lineno)
            box = self.cx.heap.mirror(base.name, "dict")
            old = box.entries.get(index.value)
            if isinstance(old, Const) and old.value is DELETED or index.value in box.maybe_absent:
                raise ConversionError(f"key {index.value!r} set again after it was deleted "
                                      f"(its place in the dict's order is only known at run "
                                      f"time)", node.lineno)
            box.entries[index.value] = value
            if index.value not in box.dirty:
                box.dirty.append(index.value)
            self.state.distinct_from_others(base.name, node.lineno)
            return True
        if isinstance(base, Ref) and self.cx.graph[base.name].meta.type is list:
            self._list_setitem(base, index, value, node.lineno)
            return True
        return False

    def _list_setitem(self, base, index, value, lineno) -> None:
        """``lst[i] = v`` on a list argument or attribute: a deferred item write."""
        if not isinstance(index, Const) or type(index.value) is not int:
            raise ConversionError("item assignment into a list argument or attribute with an "
                                  "index (or slice) known only at run time", lineno)
        if not self.state._is_source(base.name) or not self._mirrored(base.name):
            raise ConversionError("item assignment into a list made at run time", lineno)
        src = self.cx.sources[base.name]
        if src.key in self.cx.relaxed:
            raise ConversionError("item assignment into a list argument whose length "
                                  "changes between calls", lineno)
        n = self._start_len(base.name, src)
        self.cx.add_guard(Guard("len", src, n, lineno))
        i = index.value + n if index.value < 0 else index.value
        if not 0 <= i < n:
            raise ConversionError("list assignment index out of range (IndexError: runs "
                                  "imperatively)", lineno)
        box = self.cx.heap.mirror(base.name, "list")
        if box.appended:
            raise ConversionError("item assignment into a list after appending to it",
                                  lineno)
        box.entries[i] = value
        if i not in box.dirty:
            box.dirty.append(i)
        self.state.distinct_from_others(base.name, lineno)

    # -- methods ----------------------------------------------------------------------------
    def container_attribute(self, base, attr, node):
        if isinstance(base, BoxRef):
            return BoundMethod(base, attr, list if self.cx.heap.box(base).kind == "list" else dict)
        if isinstance(base, Ref) and (self.cx.graph[base.name].meta.type is list or
                                      self.cx.graph[base.name].meta.type in DICTS):
            return BoundMethod(base, attr, self.cx.graph[base.name].meta.type)
        return None

    def container_method(self, func: BoundMethod, args, kwargs, node):
        recv, name, lineno = func.recv, func.name, node.lineno
        if isinstance(recv, BoxRef) and self.cx.heap.box(recv).origin is None:
            box = self.cx.heap.box(recv)
            if box.kind == "list":
                if name == "append" and len(args) == 1 and not kwargs:
                    box.items.append(args[0])
                    return Const(None)
                if name == "extend" and len(args) == 1:
                    box.items.extend(self.exprs.static_items(args[0], lineno))
                    return Const(None)
                if name == "pop" and not kwargs:
                    idx = args[0].value if args and isinstance(args[0], Const) else -1
                    if not box.items:
                        raise ConversionError("pop from an empty list (runs imperatively)",
                                              lineno)
                    return box.items.pop(idx)
                if name == "reverse" and not args and not kwargs:
                    box.items.reverse()
                    return Const(None)
                if name == "copy" and not args:
                    out = self.cx.heap.new_box("list")
                    self.cx.heap.box(out).items = list(box.items)
                    return out
            else:
                if name in ("items", "keys", "values") and not args:
                    if name == "keys":
                        return TupleVal(tuple(Const(k) for k in box.entries), view=name,
                                        dict_of=recv)
                    if name == "values":
                        return TupleVal(tuple(box.entries.values()), view=name, dict_of=recv)
                    return TupleVal(tuple(TupleVal((Const(k), v))
                                          for k, v in box.entries.items()), view=name,
                                    dict_of=recv)
                handled = self.dicts.dict_method(recv, name, args, kwargs, node)
                if handled is not None:
                    return handled
            raise ConversionError(f"{box.kind}.{name}() is not supported in graphs yet", lineno)
        if isinstance(recv, Ref):
            kind = self.cx.graph[recv.name].meta.type
            if kind is collections.OrderedDict:
                if name not in ORDERED_DICT_METHODS:
                    raise ConversionError(f"OrderedDict.{name}() is not supported in graphs "
                                          f"(it differs from dict's)", lineno)
                kind = dict           # the rest reads and writes it as a dict
            if kind is list and self.cx.aliases.fresh(recv.name) and op_for_method(list, name):
                # a list the graph owns (built by a run-time loop): a real method call
                return self.nodes.emit(op_for_method(list, name), [recv] + list(args), kwargs,
                                       lineno=lineno)
            if kind is list and name == "append" and len(args) == 1 and not kwargs:
                pending = self.loop_state.loop_append(recv, args[0])
                if pending is not None:
                    return pending
                if not self.state._is_source(recv.name):
                    raise ConversionError("append to a list made at run time", lineno)
                box = self.cx.heap.mirror(recv.name, "list")
                box.appended.append(args[0])
                self.state.distinct_from_others(recv.name, lineno)
                return Const(None)
            if kind is dict:
                handled = self.dicts.dict_method(recv, name, args, kwargs, node)
                if handled is not None:
                    return handled
            if kind is dict and name in ("items", "keys", "values") and not args:
                keys = self.dict_keys(recv, lineno)
                vals = [self.container_getitem(recv, Const(k), node) for k in keys]
                if name == "keys":
                    return TupleVal(tuple(Const(k) for k in keys), view=name, dict_of=recv)
                if name == "values":
                    return TupleVal(tuple(vals), view=name, dict_of=recv)
                return TupleVal(tuple(TupleVal((Const(k), v)) for k, v in zip(keys, vals)),
                                view=name, dict_of=recv)
            raise ConversionError(f"{getattr(kind, '__name__', '?')}.{name}() on an argument or "
                                  f"attribute is not supported in graphs yet", lineno)
        raise ConversionError(f".{name}() of a container", lineno)

    def iterated_dict_keys(self, iterable, lineno):
        """The keys, now, of the dict a ``for`` loop iterates (itself or a view of it);
        None when it iterates no dict. A loop whose body changes them raises RuntimeError
        in Python at the next step: `StatementConverter.stmt_For` refuses that."""
        d = iterable.dict_of if isinstance(iterable, TupleVal) else iterable
        if isinstance(d, BoxRef) and self.cx.heap.box(d).kind == "dict":
            return [k for k, v in self.cx.heap.box(d).entries.items()
                    if not (isinstance(v, Const) and v.value is DELETED)]
        if isinstance(d, Ref) and self.cx.graph[d.name].meta.type in DICTS and \
                d.name in self.cx.known_keys:
            return self.dict_keys(d, lineno, whole=False)
        return None

    def dict_keys(self, ref: Ref, lineno, whole=True) -> list:
        """The dict's keys now (deferred writes and deletions included); ``whole``: the
        graph depends on the whole list (see `narrow_key_guards`)."""
        if whole:
            self.dicts.note_all_keys(ref.name)
        keys = self.cx.known_keys.get(ref.name)
        if keys is None:
            raise ConversionError("keys of a dict not known while converting", lineno)
        bid = self.cx.heap.box_of.get(ref.name)
        entries = self.cx.heap.boxes[bid].entries if bid is not None else {}
        extra = [k for k in entries if k not in keys]
        return [k for k in list(keys) + extra
                if not (isinstance(entries.get(k), Const) and entries[k].value is DELETED)]

    def check_container_read(self, name: str) -> None:
        """A mirrored list/dict with deferred changes cannot be used whole (it would miss
        them)."""
        bid = self.cx.heap.box_of.get(name)
        if bid is not None and not self.cx.output_mode and name not in self.cx.heap.start_reads:
            box = self.cx.heap.boxes[bid]
            if box.kind in ("list", "dict") and (box.appended or box.dirty):
                raise ConversionError("a list/dict argument or attribute is used whole after a "
                                      "deferred change", self.cx.lineno)


_ = Meta


def literal_key(key) -> bool:
    """A key read as a guarded item (its value's type, dtype and shape guarded, the rest of
    the graph typed by them): an int or a str, or a tuple of such (``self.m[(layer, 'W')]``,
    a state dict keyed by tuples), whose ``repr`` is the key again in the generated code."""
    if type(key) is tuple:
        return all(literal_key(k) for k in key)
    return isinstance(key, (int, str))
