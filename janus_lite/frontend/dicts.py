"""Dict methods: ``get``, ``setdefault``, ``pop``, ``update``, ``copy`` and ``k in d`` on
dicts made in the function and on dict arguments and attributes (config and state dicts).

Keys are known while converting (a dict argument's keys are guarded), so every method is
decided statically: ``d.get(k, default)`` is the item or the default, ``setdefault`` of a
missing key is a deferred write, ``pop`` a deferred deletion. The writes reach the caller's
dict only at the commit, all or nothing (see frontend/state.py).
"""
from __future__ import annotations

from ..ir.ops_state import DELETED
from ..runtime.guards import Guard
from .errors import ConversionError
from .values import DICTS, BoxRef, Const, Ref, TupleVal, static_tuple
from .part import Part

_METHODS = ("get", "setdefault", "pop", "update", "copy")


class DictConverter(Part):
    def dict_method(self, recv, name, args, kwargs, node):
        """``recv.name(*args, **kwargs)`` for a dict; None when not handled here."""
        if name not in _METHODS:
            return None
        lineno = node.lineno
        what = f"dict.{name}() (line {lineno})"
        if name in ("get", "setdefault", "pop"):
            if kwargs or not args or len(args) > 2:
                raise ConversionError(f"{what} with these arguments (the call raises: runs "
                                      f"imperatively)", lineno)
            key = self._static_key(args[0], what, lineno)
            default = args[1] if len(args) > 1 else Const(None)
            present = self.dict_contains(recv, key, what, lineno)
            if name == "get":
                return self._dict_item(recv, key, node) if present else default
            if name == "setdefault":
                if present:
                    return self._dict_item(recv, key, node)
                self.stmts.set_item(recv, Const(key), default, node)
                return default
            if not present:
                if len(args) < 2:
                    raise ConversionError(f"{what} of a missing key {key!r} (KeyError: runs "
                                          f"imperatively)", lineno)
                return default
            value = self._dict_item(recv, key, node)
            self.delete_key(recv, key, what, lineno)
            return value
        if name == "update":
            if len(args) > 1:
                raise ConversionError(f"{what} with {len(args)} positional arguments", lineno)
            pairs = self._mapping_pairs(args[0], what, lineno) if args else []
            pairs += [(k, v) for k, v in kwargs.items()]
            for k, v in pairs:
                self.stmts.set_item(recv, Const(k), v, node)
            return Const(None)
        if name == "copy" and not args and not kwargs:
            out = self.cx.heap.new_box("dict")
            self.cx.heap.box(out).entries = dict(self._mapping_pairs(recv, what, lineno))
            return out
        return None

    # -- helpers --------------------------------------------------------------------------
    def _static_key(self, key, what, lineno):
        if not isinstance(key, Const):
            raise ConversionError(f"{what} with a key known only at run time", lineno)
        try:
            hash(key.value)
        except TypeError:
            raise ConversionError(f"{what} with an unhashable key (TypeError: runs "
                                  f"imperatively)", lineno) from None
        return key.value

    def _dict_item(self, recv, key, node):
        return self.exprs.subscript(recv, Const(key), node)

    # -- which keys a graph depends on ---------------------------------------------------
    def note_key(self, name, key) -> None:
        """The graph depends on whether ``key`` is in dict node ``name``."""
        uses = self.cx.key_uses.setdefault(name, {})
        if uses is not None:
            uses[key] = None

    def note_all_keys(self, name) -> None:
        """The graph depends on dict node ``name``'s whole key list (iterated, listed)."""
        self.cx.key_uses[name] = None

    def narrow_key_guards(self) -> None:
        """A state dict (``self.cache``, a global registry) whose keys were only asked about
        one by one (``k in d``, ``d.get(k)``, ``d[k]``, ``setdefault``) is guarded on those
        keys' presence, not on its whole key list: a dict that gains other keys between
        calls (a cache filled lazily per parameter name) still fits the graph."""
        for name, guard in self.cx.keys_guards.items():
            uses = self.cx.key_uses.get(name, {})
            if uses is None:
                continue
            at = next((i for i, g in enumerate(self.cx.guards) if g is guard), None)
            if at is None:
                continue
            keys = set(guard.expected)
            facts = tuple((k, k in keys) for k in uses)
            if facts:
                self.cx.guards[at] = Guard("haskeys", guard.source, facts, guard.lineno)
            else:
                del self.cx.guards[at]

    def dict_contains(self, recv, key, what, lineno) -> bool:
        """Is ``key`` in the dict now (earlier deferred writes and deletions included)?"""
        if isinstance(recv, BoxRef):
            box = self.cx.heap.box(recv)
            if box.origin is None:
                if key in box.maybe_absent:
                    raise ConversionError(f"{what}: key {key!r} is set on one path of a "
                                          f"run-time condition only", lineno)
                return key in box.entries
            recv = Ref(box.origin)
        bid = self.cx.heap.box_of.get(recv.name)
        box = self.cx.heap.boxes[bid] if bid is not None else None
        if box is not None and key in box.maybe_absent:
            raise ConversionError(f"{what}: key {key!r} is set or deleted on one path of a "
                                  f"run-time condition only", lineno)
        self.note_key(recv.name, key)
        return key in self.containers.dict_keys(recv, lineno, whole=False)

    def delete_key(self, recv, key, what, lineno) -> None:
        if isinstance(recv, BoxRef) and self.cx.heap.box(recv).origin is None:
            del self.cx.heap.box(recv).entries[key]
            return
        if isinstance(recv, BoxRef):
            recv = Ref(self.cx.heap.box(recv).origin)
        if not self.state._is_source(recv.name):
            raise ConversionError(f"{what} on a dict made at run time", lineno)
        box = self.cx.heap.mirror(recv.name, "dict")
        self.note_key(recv.name, key)
        if key not in self.cx.known_keys.get(recv.name, ()):
            # added by this run and removed again: the caller's dict never sees it
            del box.entries[key]
            box.dirty.remove(key)
            return
        box.entries[key] = Const(DELETED)
        if key not in box.dirty:
            box.dirty.append(key)
        self.state.distinct_from_others(recv.name, lineno)

    def _mapping_pairs(self, value, what, lineno) -> list:
        """(key, value) pairs of a mapping known key by key while converting."""
        if isinstance(value, BoxRef) and self.cx.heap.box(value).kind == "dict" and \
                self.cx.heap.box(value).origin is None:
            box = self.cx.heap.box(value)
            if box.maybe_absent:
                raise ConversionError(f"{what}: a key is set on one path of a run-time "
                                      f"condition only", lineno)
            return list(box.entries.items())
        if isinstance(value, Const) and isinstance(value.value, dict):
            return [(k, Const(v)) for k, v in value.value.items()]
        if isinstance(value, Ref) and self.cx.graph[value.name].meta.type in DICTS and \
                self.containers._mirrored(value.name):
            site = _Site(lineno)
            return [(k, self.exprs.subscript(value, Const(k), site))
                    for k in self.containers.dict_keys(value, lineno)]
        if isinstance(value, TupleVal):
            pairs = []
            for item in value.items:
                kv = self.exprs.static_items(item, lineno)
                if len(kv) != 2:
                    raise ConversionError(f"{what}: an item is not a (key, value) pair",
                                          lineno)
                pairs.append((self._static_key(kv[0], what, lineno), kv[1]))
            return pairs
        raise ConversionError(f"{what} of a mapping whose keys are known only at run time",
                              lineno)

    def static_in(self, op, left, right):
        """``key in d`` / ``key not in d`` decided while converting, else None."""
        left = static_tuple(left)
        if not isinstance(left, Const):
            return None
        is_dict = isinstance(right, BoxRef) and self.cx.heap.box(right).kind == "dict" or \
            isinstance(right, Ref) and self.cx.graph[right.name].meta.type in DICTS and \
            self.containers._mirrored(right.name) and right.name in self.cx.known_keys
        if not is_dict:
            return None
        try:
            hash(left.value)
        except TypeError:
            return None
        found = self.dict_contains(right, left.value, f"`{left.value!r} in` a dict",
                                   self.cx.lineno)
        return Const(found if op == "in_" else not found)


class _Site:
    def __init__(self, lineno):
        self.lineno = lineno
