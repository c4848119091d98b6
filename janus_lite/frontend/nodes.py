"""Adding op nodes: `emit` folds an op on constants or adds its node with the meta the
op's rules infer and the alias roots of its result; `materialize` turns any abstract value
into a node of the current (sub)graph."""
from __future__ import annotations

import ast

import numpy as np

from ..ir import Meta, get_op, infer_meta
from ..ir.node import same_dtype
from ..ir.quiet import intercepted
from ..profile.instrument import site_key
from ..profile.records import SCALARS
from .errors import ConversionError
from .part import Part
from .values import BoundMethod, BoxRef, Const, LocalFunction, OrigRef, PartialCall, Ref, \
    TupleVal, check_view, is_immutable_const


class NodeBuilder(Part):
    def materialize(self, v) -> str:
        if isinstance(v, Ref):
            name = v.name if isinstance(v, OrigRef) else self.cx.heap.cow.get(v.name, v.name)
            self.state.check_stale_view(name)
            self.state.check_stale_object(name)
            self.containers.check_container_read(name)
            return name if name in self.cx.graph.nx else self.control.capture(name)
        if isinstance(v, BoxRef):
            return self.state.materialize_box(v)
        if isinstance(v, Const):
            return self.cx.const_node(v.value)
        if isinstance(v, TupleVal):
            check_view(v, "used as a value (compared, indexed, passed on, stored or returned)",
                       self.cx.lineno)
            if v.origin is not None:
                return self.materialize(Ref(v.origin))
            # one tuple object per branch that keeps it (a tuple a branch kept is that
            # branch's own object: made again after the branch, it would be a second one)
            memo, key = self.cx.branch_objects, ("tuple", id(v))
            if memo is not None and key in memo:
                return memo[key]
            self.check_tuple_kept(v)
            # one tuple object per graph however often it is used whole, as in Python (an
            # item ``max(pairs, key=...)`` picks is the very tuple ``pairs`` holds)
            g = self.cx.graph
            while g is not None:             # made here or in an enclosing graph
                made = self.cx.tuple_nodes.get((id(g), id(v)))
                if made is not None and made[1] in g.nx:
                    return made[1] if g is self.cx.graph else self.control.capture(made[1])
                g = g.parent
            name = self.emit("tuple", list(v.items), lineno=self.cx.lineno).name
            self.cx.tuple_nodes[id(self.cx.graph), id(v)] = (v, name)   # (v kept alive)
            if memo is not None:
                memo[key] = name
                self.cx.branch_tuples[key] = v
            return name
        if isinstance(v, BoundMethod):
            raise ConversionError(f"method {v.name} used as a value", self.cx.lineno)
        if isinstance(v, PartialCall):
            raise ConversionError("a functools.partial made in the function is used as a "
                                  "value: returned, stored or passed on (only its calls are "
                                  "graphed)", self.cx.lineno)
        if isinstance(v, LocalFunction):
            raise ConversionError(f"the function {v.name} defined in the function (line "
                                  f"{v.fdef.lineno}) is used as a value: returned, stored or "
                                  f"passed on (only its calls are graphed)", self.cx.lineno)
        raise ConversionError(f"cannot use {v!r} as a graph value", self.cx.lineno)

    def check_tuple_kept(self, v: TupleVal) -> None:
        if ("tuple", id(v)) in self.cx.escaped_boxes:
            raise ConversionError("a tuple made in the function is kept by a branch on a "
                                  "run-time condition and used again after it (one object in "
                                  "Python, two here)", self.cx.lineno)

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
        metas = [self.cx.graph[i].meta for i in inputs]
        meta = infer_meta(opdef, metas, attrs)
        meta = self._check_meta(meta, site)
        key = self._repeat_key(op, inputs, metas, meta, attrs)
        if key is not None:
            known = self._known(key)
            if known is not None:
                return known
        node = self.cx.graph.add(op, inputs, attrs, meta, lineno or self.cx.lineno)
        if key is not None:
            self.cx.repeats[id(self.cx.graph), key] = (self.cx.graph, node.name)
        node.filename = self.cx.filename
        fresh = opdef.fresh(attrs) if callable(opdef.fresh) else opdef.fresh
        if fresh and not opdef.mutates and meta.type not in (None, list, tuple, dict, set):
            self.cx.aliases.roots[node.name] = frozenset({node.name})
        elif fresh and not opdef.mutates:
            # a new container (or a value of unknown type) may hold its inputs' objects;
            # of unknown type (a join of float and np.float64, an op on such a value), it
            # holds none of its plain-valued inputs: a fresh op shares no memory with an
            # array, and a scalar is immutable
            held = inputs if meta.type is not None else \
                [i for i in inputs if not _plain_value(self.cx.graph[i].meta)]
            self.cx.aliases.roots[node.name] = frozenset({node.name}).union(
                *(self.cx.aliases.roots.get(i, frozenset({i})) for i in held))
        elif op == "getitem" and (meta.type is not np.ndarray and _plain_value(meta) or
                                  metas[0].type is np.ndarray and metas[0].dtype is not None
                                  and not metas[0].dtype.hasobject and
                                  _advanced_index(metas[1])):
            # an element read as a NumPy or Python scalar (``Q[s, a]``): a new immutable
            # object, no view of the array (a structured element, np.void, would be one);
            # an index with an integer or boolean array in it (``E[tokens]``, ``x[mask]``,
            # ``W[:, idx]``): advanced indexing, always a copy
            self.cx.aliases.roots[node.name] = frozenset({node.name})
        else:
            # what the result may alias: the updated input of an in-place op, the container
            # of an item read, else (conservatively) every input
            aliased = [inputs[opdef.mutates[0]]] if opdef.mutates else \
                inputs[:1] if op in ("getitem", "getattr", "setitem") else inputs
            roots = self.cx.aliases.roots
            roots[node.name] = frozenset().union(*(roots.get(i, frozenset({i}))
                                                   for i in aliased))
        for idx in opdef.mutates:
            self.cx.aliases.mark_mutated(inputs[idx], lineno)
            self.state.note_inplace_result(inputs[idx], node.name)
            if metas[idx].type in (list, dict) and metas[idx].items is not None:
                # a list the graph made, appended to here: its items are no longer known
                self.grown(Ref(inputs[idx]))
        if "out" in kw:
            target = inputs[len(args) + list(kw).index("out")]
            self.cx.aliases.mark_mutated(target, lineno)
            self.cx.aliases.roots[node.name] = self.cx.aliases.roots[target]
            self.state.note_inplace_result(target, node.name)
        return Ref(node.name)

    def grown(self, ref: Ref) -> Ref:
        """``ref``, a list the graph made that is (or a run-time loop will be) appended to:
        its meta, and that of the node it captures, no longer tell its items (the ``[]`` it
        starts as would give ``np.array(lst)`` the shape (0,), and ``len`` of that 0, for
        every run)."""
        g, home = self.cx.graph.home(ref.name)
        for node in (self.cx.graph[ref.name], g[home]):
            node.meta = Meta(node.meta.type)
        return ref

    def _repeat_key(self, op, inputs, metas, meta, attrs):
        """What identifies a repeated read that is safe to compute once: an item of an
        argument or state array (never written: updates go to a copy, read under another
        name) at a Python int index, as a scalar; or Python int arithmetic. The inputs are
        named as in the graph that made them (through captures), so that a branch or a
        loop body reuses the value read before it (``if x[i] < 0: ... s += x[i]``: the
        subgraphs are not optimized by the passes). None for anything else."""
        if attrs or meta.type is np.ndarray or not _plain_value(meta):
            return None
        if op == "getitem" and len(inputs) == 2 and metas[0].type is np.ndarray and \
                metas[1].type is int:
            g, name = self.cx.graph.home(inputs[0])
            home = g[name]
            if not (home.op == "source" or home.op == "input" and g.parent is None):
                return None
        elif not (op in ("add", "sub", "mul") and meta.type is int and
                  all(m.type is int for m in metas)):
            return None
        return (op, tuple(self._operand(i) for i in inputs))

    def _operand(self, name):
        """An input as `_repeat_key` names it: a constant by its value (each graph has
        its own constant nodes), any other value by the graph that computes it (`home`)
        and its name there."""
        node = self.cx.graph[name]
        if node.op == "const" and type(node.attrs["value"]) in (int, bool):
            return "const", type(node.attrs["value"]), node.attrs["value"]
        g, home = self.cx.graph.home(name)
        return id(g), home

    def _known(self, key):
        """The value an enclosing graph (or this one) computed for ``key`` before this
        point, seen from here (captured), or None."""
        g = self.cx.graph
        while g is not None:
            hit = self.cx.repeats.get((id(g), key))
            if hit is not None and hit[0] is g and hit[1] in g.nx:
                return Ref(hit[1] if g is self.cx.graph else self.control.capture(hit[1]))
            g = g.parent
        return None

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
        if site is None or self.cx.scope.profile is None:
            return meta
        obs = self.cx.scope.profile.sites.get(site_key(site))
        seen = obs.single if obs is not None else None
        if seen is None:
            return meta
        if meta.type is None:
            return meta     # a profiled type is not guarded: never build on it unchecked
        if meta.type is not seen.type or (meta.dtype is not None and
                                          not same_dtype(meta.dtype, seen.dtype)):
            return Meta()
        return meta


def _advanced_index(meta) -> bool:
    """Is an index of this meta (or a tuple index holding one) an integer or boolean array
    of one dimension or more? (A 0-d integer array indexes as an integer: a view.)"""
    if meta.type is tuple and meta.items is not None:
        return any(_advanced_index(m) for m in meta.items if m is not None)
    return meta.type is np.ndarray and meta.dtype is not None and \
        meta.dtype.kind in "iub" and meta.shape is not None and len(meta.shape) >= 1


def _plain_value(meta) -> bool:
    """A value no container can hold a mutable part of: an array of a non-object dtype,
    a NumPy scalar other than a structured one (np.void views its array), a Python
    scalar."""
    t = meta.type
    if t is np.ndarray:
        return meta.dtype is not None and meta.dtype != np.dtype(object)
    if t is not None and issubclass(t, np.generic):
        return not issubclass(t, (np.void, np.object_))
    return t in SCALARS
