"""Deferred state carried through run-time loop nodes.

A solver's fit loop writes state on every trip: ``self.w -= lr * grad``,
``self.t += 1``, ``self.errors.append(mse)``. Outside loops these writes go to the heap of
boxes (frontend/state.py) and are committed at the end. Inside a loop node the heap cannot
change from trip to trip, so each such write becomes a *state slot*:

* an attribute ``obj.attr`` written in the body is a carried loop variable (its value on
  entry is read before the loop); the box entry is bound to the carried value inside the
  body and to the loop's output after it, so the commit writes the final value once;
* appends to a list argument or attribute go to a graph-owned list carried through the
  loop, committed by one ``extend`` (the caller's list is not read inside the loop: a read
  there would miss the pending appends, and is refused);
* a list made in the function and held in an attribute becomes a real, graph-owned list
  before the loop (appended to in place, like a local list).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from .errors import ConversionError
from .values import BoxRef, Const, Ref, Splat
from .part import Part


@dataclass
class Slot:
    kind: str          # "attr" | "append"
    origin: str        # node of the object (attr) or the list (append)
    key: str | None    # attribute name
    name: str          # the synthetic carried variable


class LoopStateConverter(Part):
    def loop_state_slots(self, body, rebound: set) -> list:
        """Prepare the state slots of a loop body (see module doc); returns them."""
        slots, seen = [], set()
        for target, kind in _state_targets(body):
            base_expr = target.value if kind == "attr" else target
            if kind == "attr" and not (isinstance(base_expr, ast.Name) and
                                       base_expr.id not in rebound):
                continue
            if kind == "append" and _names_in(base_expr) & rebound:
                continue
            try:
                base = self.exprs.expr(base_expr)
            except ConversionError:
                continue
            if kind == "attr":
                if not isinstance(base, Ref) or base.name not in self.cx.sources or \
                        not self.state._is_source(base.name):
                    continue
                key = ("attr", base.name, target.attr)
                if key in seen:
                    continue
                seen.add(key)
                value = self.state.read_attr(base, self.cx.graph[base.name].meta.type, target.attr,
                                             target.lineno)
                if isinstance(value, BoxRef) and self.cx.heap.box(value).kind == "list" and \
                        self.cx.heap.box(value).origin is None:
                    value = Ref(self.nodes.materialize(value))    # a list made here: real, owned
                if not isinstance(value, (Ref, Const)):
                    raise ConversionError(f"attribute .{target.attr} written in a run-time "
                                          f"loop holds a {type(value).__name__} value",
                                          target.lineno)
                self.state.write_attr(base, target.attr, value, target.lineno)
                slots.append(Slot("attr", base.name, target.attr,
                                  f".state{len(slots)}:{target.attr}"))
                self.cx.scope.env[slots[-1].name] = value
            else:
                if isinstance(base, BoxRef) and self.cx.heap.box(base).origin is None:
                    if isinstance(base_expr, ast.Attribute) and \
                            isinstance(base_expr.value, ast.Name):
                        self._own_attribute_list(base_expr, base)
                    continue
                if not (isinstance(base, Ref) and self.cx.graph[base.name].meta.type is list
                        and self.state._is_source(base.name)) or ("append", base.name) in seen:
                    continue
                seen.add(("append", base.name))
                box = self.cx.heap.mirror(base.name, "list")
                pending = self.nodes.grown(self.nodes.emit("list", [], lineno=target.lineno))
                box.appended.append(Splat(pending))          # placeholder: reads refused
                slots.append(Slot("append", base.name, None, f".appends{len(slots)}"))
                self.cx.scope.env[slots[-1].name] = pending
                self.state.distinct_from_others(base.name, target.lineno)
        return slots

    def _own_attribute_list(self, base_expr, box_ref) -> None:
        """``self.errors = []`` before the loop, appended to inside: a real list."""
        obj = self.exprs.expr(base_expr.value)
        real = self.nodes.grown(Ref(self.nodes.materialize(box_ref)))
        self.state.write_attr(obj, base_expr.attr, real, base_expr.lineno)

    def bind_state_slots(self, slots) -> None:
        """Inside the body (or a while test): box entries read the carried values."""
        env = self.cx.scope.env
        for s in slots:
            if s.kind == "attr":
                self.cx.heap.mirror(s.origin, "object").entries[s.key] = env[s.name]

    def collect_state_slots(self, slots, bound: dict) -> None:
        """After the body: each slot's carried output is the entry's current value; the
        entries go back to the carried inputs (the heap is the same on every trip)."""
        env = self.cx.scope.env
        for s in slots:
            if s.kind == "attr":
                box = self.cx.heap.mirror(s.origin, "object")
                env[s.name] = box.entries[s.key]
                box.entries[s.key] = bound[s.name]

    def exit_state_slots(self, slots) -> None:
        """After the loop: entries hold the loop's outputs; appends become one extend."""
        env = self.cx.scope.env
        for s in slots:
            value = env.pop(s.name)
            if s.kind == "attr":
                self.cx.heap.mirror(s.origin, "object").entries[s.key] = value
            else:
                box = self.cx.heap.mirror(s.origin, "list")
                box.appended[-1] = Splat(value)

    def loop_append(self, recv: Ref, value):
        """``lst.append(v)`` inside a loop node on a list with a state slot, else None."""
        for s in reversed(self.cx.active_slots):
            if s.kind == "append" and s.origin == self.state.outer_name(recv.name):
                from ..ir import op_for_method
                pending = self.cx.scope.env[s.name]
                self.nodes.emit(op_for_method(list, "append"), [
                                pending, value], lineno=self.cx.lineno)
                return Const(None)
        return None


def _state_targets(body):
    """(target, kind) of state writes in a loop body: ``name.attr = / op=`` and
    ``<expr>.append(v)`` (nested function bodies excluded)."""
    out = []
    for stmt in body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Assign):
                out += [(t, "attr") for t in n.targets if isinstance(t, ast.Attribute)]
            elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Attribute):
                out.append((n.target, "attr"))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                    n.func.attr == "append" and len(n.args) == 1 and not n.keywords and \
                    isinstance(n.func.value, (ast.Name, ast.Attribute)):
                out.append((n.func.value, "append"))
    return out


def _names_in(expr) -> set:
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
