"""The fallback policy: when to build, relax, specialize or give up — decided here only.

* After ``profile_runs`` profiled calls, build a graph for the merged input specs.
* A guard miss on a relaxable fact (a dim, a scalar's value) rebuilds that graph relaxed
  (dim → symbolic, constant → input) after ``RELAX_AFTER`` misses; a miss on a type,
  dtype or rank builds another graph specialized for the new signature.
* Bools stay specialized by value (two graphs at most) so branches on flags stay static.
* An assertion that fails mid-graph ``MAX_FALLBACKS_BEFORE_REGENERATE`` times rebuilds the
  graph from the (now richer) profile; if that fails too, the graph is retired.
* At most ``max_graphs`` graphs; past that, calls that fit none run imperatively.
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field

from .. import config
from .spec import Unspecable, from_seen, merge, name_symbols


@dataclass
class GraphRecord:
    graph: object
    entry: object
    specs: dict
    n_guards: int
    hits: int = 0
    guard_misses: list = field(default_factory=list)
    assert_failures: collections.Counter = field(default_factory=collections.Counter)
    errors: int = 0
    rebuilds: int = 0        # times this graph's lineage was rebuilt after assertion failures

    def __post_init__(self):
        self.guard_misses = [0] * self.n_guards
        self.graph.record = self


def _merge_specs(a: dict, b: dict) -> dict:
    if a.keys() != b.keys():
        raise Unspecable("parameters differ")
    out = {}
    for k in a:
        x, y = a[k], b[k]
        if x.kind == "scalar" and x.type is bool and x.has_value and \
                (not y.has_value or x.value != y.value):
            raise Unspecable("bool flag changed: specialize")
        out[k] = merge(x, y)
    return out


def _exact(summary: dict) -> dict:
    return {k: from_seen(s) for k, s in summary.items()}


def _unnamed(spec):
    """A spec with its symbolic dims unnamed (so named and merged specs compare equal)."""
    from dataclasses import replace
    if spec.kind == "array" and spec.shape is not None:
        return replace(spec, shape=tuple("?" if isinstance(d, str) else d for d in spec.shape))
    if spec.items:
        return replace(spec, items=tuple(_unnamed(i) for i in spec.items))
    return spec


def _key(specs: dict):
    try:
        key = tuple(sorted((k, _unnamed(v)) for k, v in specs.items()))
        hash(key)
        return key
    except TypeError:
        return None


class Policy:
    def __init__(self, owner):
        self.owner = owner
        self.started = False
        self.history: collections.deque = collections.deque(maxlen=max(16, config.MAX_GRAPHS * 2))
        self.failed_keys: set = set()
        self.plain_streak = 0            # calls in a row that could not lead to a graph
        self.relaxed: set = set()      # keys of non-parameter sources read at run time
        self.example: dict = {}        # arguments of the call a conversion runs for

    # -- building -------------------------------------------------------------------------
    def _try_build(self, specs, why):
        key = self._key_of(specs)
        if key is not None and key in self.failed_keys:
            return None
        named = name_symbols(specs, self.owner._profiler.profile.args)
        record = self.owner._build(named, why, self.example, frozenset(self.relaxed))
        if record is not None:
            # a value the graph itself writes changes every call: read it at run time
            # instead of folding it (saves one fallback per such value)
            written = record.graph.meta.get("written", set())
            stale = {g.source.key for g in record.graph.meta["guards"]
                     if g.kind in ("value", "len") and g.source.key in written
                     and not _from_spec(g.source)} - self.relaxed
            grown = {p for p, sp in named.items() if sp.kind in ("list", "tuple")
                     and ("param", p, None, id(None)) in written}
            if grown:          # a list argument the function appends to: any length
                named = {p: (_as_seq(sp) if p in grown else sp) for p, sp in named.items()}
            if stale or grown:
                self.relaxed |= stale
                again = self.owner._build(named, why + "; state it writes read at run time",
                                          self.example, frozenset(self.relaxed))
                if again is not None:
                    self.owner._conversions -= 1     # one graph, built twice
                    record = again
        if record is None:
            if key is not None and len(self.failed_keys) < 64:
                self.failed_keys.add(key)
            return None
        self.history.append(record.graph)
        return record

    def build_initial(self, example):
        self.started = True
        self.example = example
        calls = self.owner._profiler.profile.args
        try:
            specs = _exact(calls[-1])
            for summary in calls[-self.owner.profile_runs:-1]:
                specs = _merge_specs(_exact(summary), specs)
        except Unspecable:
            try:
                specs = _exact(calls[-1])
            except Unspecable as exc:
                self.owner._failed += 1
                self.owner.events.add("conversion-failed", str(exc))
                return
        record = self._try_build(specs, "after profiling")
        if record is not None:
            self.owner._install([record])

    # -- fallbacks ---------------------------------------------------------------------------
    def on_fallback(self, args, kwargs, record, misses, assertion, error) -> str:
        """Note why the graphs did not answer; 'profile' to rerun profiled, 'plain' not."""
        owner = self.owner
        if misses:
            rec, idx = misses[0]
            guard = rec.graph.meta["guards"][idx]
            got = self._observe(guard, args, kwargs)
            rec.graph.assumptions[idx].failed += 1
            owner.events.add("fallback", f"assumed {guard.describe()}, got {got}", guard.lineno,
                             topic="fallbacks")
        elif assertion is not None:
            a = record.graph.assumptions[record.n_guards + assertion.index]
            a.failed += 1
            record.assert_failures[assertion.index] += 1
            owner.events.add("fallback", f"assumed {a.text}, but it did not hold (assertion "
                             f"failed mid-graph)", a.lineno, topic="fallbacks")
        elif error is not None:
            record.errors += 1
            node = getattr(error, "__traceback__", None)
            owner.events.add("fallback", f"graph raised {type(error).__name__}: {error} — "
                             f"rerun imperatively for the genuine outcome",
                             _error_line(node), topic="fallbacks")
        if error is not None:
            return "plain"           # the graph stays; nothing to learn from this call
        if assertion is not None:
            return "profile"         # the profile decides how to regenerate
        if self._may_build(args, kwargs, misses):
            self.plain_streak = 0
            return "profile"
        if not owner._records:
            self.plain_streak += 1
            if self.plain_streak >= config.MAX_FAILED_CONVERSIONS * 3:
                last = next((e.text for e in reversed(list(owner.events))
                             if e.kind == "conversion-failed"), "conversion failed")
                owner._go_imperative(f"no graph could be built for any signature seen "
                                     f"(last reason: {last})", None)
        return "plain"

    def _may_build(self, args, kwargs, misses) -> bool:
        """Could this call lead to a new graph? (Else it runs the plain function: profiling
        a call that cannot change anything would only slow it down.)"""
        summary = self.owner._profiler.summarize_args(args, kwargs)
        if summary is None:
            return False
        try:
            new = _exact(summary)
        except Unspecable:
            return False
        candidates = []
        for rec, idx in misses or ():
            guard = rec.graph.meta["guards"][idx]
            if guard.kind in ("value", "len") and not _from_spec(guard.source):
                return True          # state relaxation: always worth one rebuild
            try:
                candidates.append(_merge_specs(rec.specs, new))
            except Unspecable:
                pass
        if len(self.owner._records) < self.owner.max_graphs:
            candidates.append(new)
        return any(self._key_of(c) not in self.failed_keys for c in candidates)

    def _key_of(self, specs):
        key = _key(specs)
        return None if key is None else (key, frozenset(self.relaxed))

    def after_fallback(self, summary, record, misses, assertion, example):
        self.example = example
        try:
            return self._after_fallback(summary, record, misses, assertion)
        finally:
            self.example = {}

    def _after_fallback(self, summary, record, misses, assertion):
        owner = self.owner
        try:
            new = _exact(summary)
        except Unspecable as exc:
            owner.events.add("conversion-failed", str(exc))
            return
        if assertion is not None:
            if record.assert_failures[assertion.index] >= config.MAX_FALLBACKS_BEFORE_REGENERATE:
                if record.rebuilds >= config.MAX_REBUILDS:
                    self._retire(record)
                else:
                    self._replace(record, record.specs, "rebuilt because an assertion kept "
                                  "failing")
            return
        if record is not None:     # the graph raised: keep it (errors are the input's)
            return
        if misses:
            for rec, idx in misses:
                guard = rec.graph.meta["guards"][idx]
                if guard.kind in ("value", "len") and not _from_spec(guard.source) and \
                        rec.guard_misses[idx] >= config.RELAX_AFTER:
                    self.relaxed.add(guard.source.key)
                    self.relaxed |= self._changed_sources(rec)
                    if self._replace(rec, rec.specs, f"relaxed: {guard.source.describe()} "
                                     f"→ read at run time"):
                        return
                if sum(rec.guard_misses) < config.RELAX_AFTER:
                    continue
                try:
                    relaxed = _merge_specs(rec.specs, new)
                except Unspecable:
                    continue
                if relaxed == rec.specs and not _from_spec(guard.source):
                    # the arguments fit; state the function reads (an attribute's type, an
                    # object's structure) differs: keep this graph, add one for the new state
                    # (replacing would churn when the state alternates)
                    continue
                if self._replace(rec, relaxed, "relaxed: " + _diff(rec.specs, relaxed)):
                    return
        if len(owner._records) < owner.max_graphs:
            built = self._try_build(new, "specialized for a new signature")
            if built is not None:
                owner._install(owner._records + [built])
        elif misses:
            owner.events.add("cache-full", f"{owner.max_graphs} graphs kept (max_graphs); calls "
                             f"that fit none run imperatively")
        elif not misses and not owner._records:
            built = self._try_build(new, "retry for a new signature")
            if built is not None:
                owner._install([built])

    def _replace(self, old, specs, why) -> bool:
        owner = self.owner
        built = self._try_build(specs, why)
        if built is None:
            if "assertion kept failing" in why:
                self._retire(old)
            return False
        if "assertion kept failing" in why:
            built.rebuilds = old.rebuilds + 1
        owner._install([built if r is old else r for r in owner._records])
        return True

    def _retire(self, old) -> None:
        """Drop a graph whose speculation keeps failing; calls of its signature then run
        the plain function (its spec is remembered as failed, so it is not rebuilt)."""
        owner = self.owner
        owner._install([r for r in owner._records if r is not old])
        key = self._key_of(old.specs)
        if key is not None:
            self.failed_keys.add(key)
        owner.events.add("retired", "graph retired: its speculation kept failing even after "
                         "rebuilding; calls it served run imperatively")

    def _changed_sources(self, rec) -> set:
        """State sources whose guarded value or length differs now (after the call that
        missed): they would miss next time too, so relax them together."""
        out = set()
        for g in rec.graph.meta["guards"]:
            if g.kind not in ("value", "len") or _from_spec(g.source):
                continue
            got = self._observe(g, (), {})
            try:
                same = got == g.expected and type(got) is type(g.expected) \
                    if g.kind == "value" else got == g.expected
            except Exception:
                same = False
            if not same:
                out.add(g.source.key)
        return out

    def _observe(self, guard, args, kwargs):
        src = guard.source
        root = src
        path = []
        while root.base is not None:
            path.append(root)
            root = root.base
        try:
            if root.kind == "param":
                bound = self.owner._profiler.bind(args, kwargs) if args or kwargs \
                    else self.example
                value = bound[root.name]
            elif root.kind == "global":
                value = root.holder[root.name]
            elif root.kind == "cell":
                value = root.holder.cell_contents
            else:
                return "?"
            for step in reversed(path):
                import ast as _ast
                value = value[_ast.literal_eval(step.name)] if step.kind == "item" else \
                    getattr(value, step.name)
        except Exception:
            return "a value that could not be read"
        return guard.observe(value)

    def all_graphs(self) -> list:
        return list(self.history)


def _as_seq(spec):
    from .spec import ParamSpec
    return ParamSpec("seq", spec.type, items=())


def _from_spec(src) -> bool:
    """Is this source checked by a parameter's spec (the parameter or items of it), rather
    than by a read the converter classified (globals, cells, attributes)?"""
    while src.kind == "item":
        src = src.base
    return src.kind == "param"


def _diff(old: dict, new: dict) -> str:
    """What a relaxation changed, e.g. ``X.shape[0] 64 → symbolic; lr 0.1 → input``."""
    parts = []
    for k in new:
        a, b = old.get(k), new[k]
        if a == b or a is None:
            continue
        if a.kind == "array":
            for i, (x, y) in enumerate(zip(a.shape, b.shape)):
                if x != y:
                    parts.append(f"{k}.shape[{i}] {x} → symbolic")
        elif a.kind == "scalar":
            parts.append(f"{k} {a.value!r} → input")
        else:
            parts.append(f"{k} {a.describe()} → {b.describe()}")
    return "; ".join(parts) or "respecialized"


def _error_line(tb):
    line = None
    while tb is not None:
        line = tb.tb_lineno
        tb = tb.tb_next
    return line
