"""`explain(f)`: why a ``jit`` function is (or is not) fast, in words a user can act on.

The report is deterministic for a given history of calls (golden-testable). It reads:
a verdict first (served by graphs / falls back / runs imperatively, and what to do), the
call counts, then every active graph with its speculations grouped per value and the number
of calls each held for, the graphs that were replaced, each distinct fallback with what it
led to (a relaxed or specialized graph, a failed conversion), and what kept the function
imperative.
"""
from __future__ import annotations

import linecache
import os
import re
import types

import numpy as np

GOOD_SHARE = 0.9
"""Share of calls after profiling that graphs must serve for the verdict to say
"graph-served" (what was measured: the share, not the speed; time it to know that)."""

_BUILT = re.compile(r"graph #(\d+) built \((.*)\): \d+ nodes")

_HINTS = [
    ("callable object", "decorate the class's __call__ method: a method gets graphs, with "
                        "the object's attributes read at call time"),
    ("it is a class", "decorate the methods that do the work"),
    ("no usable source", "define the function in a .py file: janus_lite reads its source"),
    ("try/", "move the try/except out of the decorated function and decorate the code "
             "inside it"),
    ("with statement", "move the with block out of the decorated function"),
    ("print", "print outside the decorated function (return what you want to print)"),
    ("global statement", "return the new value instead of assigning a global"),
    ("nonlocal", "return the new value instead of assigning a nonlocal"),
    ("random", "draw random numbers outside and pass them in as arguments"),
    ("import", "import at module level, outside the function"),
    ("introspection", "keep introspection (eval, locals, ...) out of the decorated function"),
    ("in-place", "compute a new array (x = x - g) instead of updating one in place, or "
                 "update the copy you made inside the function"),
    ("unknown function", "janus_lite graphs the NumPy functions it knows and your own Python "
                         "functions; call that one outside and pass its result in"),
    ("max_graphs", "make the changing argument consistent, or raise jit(max_graphs=...)"),
]


_AUGASSIGN = re.compile(r"^\s*([A-Za-z_][\w.]*(?:\[[^\]]*\])?)\s*"
                        r"(\+|-|\*|/|//|%|\*\*|@)=\s*(.+?)\s*(#.*)?$")


def _hint(reason: str, filename=None, lineno=None) -> str:
    """What the user can do about ``reason``; with the cited line, in its own terms (an
    augmented assignment that conversion refused: the plain assignment it can take)."""
    if "in-place" in reason and filename and lineno:
        m = _AUGASSIGN.match(linecache.getline(filename, lineno))
        if m and "." in m.group(1):
            target, op, value = m.group(1), m.group(2), m.group(3)
            rhs = value if re.fullmatch(r"[\w.]+", value) else f"({value})"
            return (f"write `{target} = {target} {op} {rhs}` instead of `{target} {op}= "
                    f"{value}` (an attribute rebound, not updated in place)")
    for needle, hint in _HINTS:
        if needle in reason:
            return hint
    return "rewrite that line with supported Python/NumPy (see docs/guide/supported.md), or " \
           "move it out of the decorated function"


def _next_step(ev, failed=False) -> str:
    """What follows a fallback; ``failed``: a conversion for it gave up."""
    from .. import config
    if "mid-graph" in ev.text:
        return (f"What happens next: after {config.MAX_FALLBACKS_BEFORE_REGENERATE} failures "
                f"of one assertion janus_lite rebuilds the graph from the richer profile "
                f"(both outcomes of a branch); if that fails, the graph keeps serving the "
                f"calls its assertion holds for.")
    if failed:
        return ("What happens next: no graph could be built for such calls (see Fallbacks); "
                "they run the plain function while the other graphs keep serving.")
    if ", got " in ev.text:
        return ("What happens next: a new shape, dtype or value falls back once, then a "
                "relaxed or specialized graph serves it; keep argument types and dtypes "
                "stable across calls.")
    return "What you can do: see the fallbacks below."


def _pct(a: int, b: int) -> str:
    """``a`` of ``b`` in percent, never rounded to 100% or 0% unless it is (99.7% stays)."""
    if not b:
        return "-"
    p = 100 * a / b
    if a != b and p > 99.5:
        return f"{int(p * 10) / 10:.1f}%"
    if a and p < 0.5:
        return f"{max(p, 0.1):.1f}%" if p >= 0.05 else "<0.1%"
    return f"{p:.0f}%"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- speculations, grouped per value -------------------------------------------------------
def _type_name(t) -> str:
    return "NumPy array" if t is np.ndarray else getattr(t, "__name__", str(t))


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _obj_name(obj) -> str:
    if isinstance(obj, types.ModuleType):
        return f"the module {obj.__name__}"
    if isinstance(obj, type):
        return f"the class {obj.__qualname__}"
    if callable(obj) and hasattr(obj, "__qualname__"):
        return f"the function {obj.__qualname__}"
    if obj is None:
        return "None"
    return repr(obj)


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _symbolic_shape(graph, src, ndim, dims):
    """The shape a parameter is speculated to have, with the graph's symbol names."""
    if src.kind == "param" and src.name in graph:
        shape = graph[src.name].meta.shape
        if shape is not None and len(shape) == ndim:
            return tuple("?" if d is None else d for d in shape)
    return tuple(dims.get(i, "?") for i in range(ndim))


def phrase(graph, src, guards) -> str:
    """One sentence for all the guards on one value: ``X is a float32 array of shape (N, 8)``."""
    what = src.describe()
    by = {g.kind: g for g in guards}
    if "absent" in by:
        return f"{src.name} is the builtin (no global of that name)"
    if "identity" in by:
        return f"{what} is {_obj_name(by['identity'].expected)}"
    t = by["type"].expected if "type" in by else None
    if t is np.ndarray:
        dtype = by["dtype"].expected if "dtype" in by else "any"
        if "shape" in by:
            shape = by["shape"].expected
        elif "ndim" in by:
            dims = {g.axis: g.expected for g in guards if g.kind == "dim"}
            shape = _symbolic_shape(graph, src, by["ndim"].expected, dims)
            if src.kind != "param" and shape and all(d == "?" for d in shape):
                # state whose shape is read at run time (`config.RELAX_STATE_DIMS`)
                return f"{what} is {_article(str(dtype))} array of any shape with " \
                       f"{_plural(len(shape), 'dim')}"
        else:
            return f"{what} is {_article(str(dtype))} array"
        return f"{what} is {_article(str(dtype))} array of shape {_shape_text(shape)}"
    if "value" in by:
        v = by["value"].expected
        if isinstance(v, bool) or v is None:
            return f"{what} is {v!r}"
        return f"{what} == {v!r} ({_article(_type_name(type(v)))}, folded into the graph)"
    if t is tuple and "len" in by:
        return f"{what} is a tuple of {_plural(by['len'].expected, 'item')}"
    if t is not None and len(by) == 1:
        return f"{what} is {_article(_type_name(t))}"
    return " and ".join(g.describe() for g in guards)


def _held(rec, i: int) -> tuple[int, int]:
    """(calls that passed guard ``i``, calls that reached it) for one graph. A value's
    guards count as held for the calls that passed its last guard, failed for the calls
    that missed one of them."""
    if rec is None:
        return 0, 0
    misses = rec.guard_misses
    entered = rec.hits + rec.errors + sum(rec.assert_failures.values())
    passed = entered + sum(misses[i + 1:])
    return passed, passed + (misses[i] if i < len(misses) else 0)


def _at(lineno, filename=None) -> str:
    return f"line {lineno}: " if lineno else ""


def guard_lines(rec, at=_at) -> list[tuple[str, str]]:
    """(speculation text, held text) per guarded value of a compiled graph, parameters
    first; ``at(lineno, filename)`` formats where (filename: an inlined callee's file)."""
    graph, guards = rec.graph, rec.guards
    groups: dict = {}
    for i, g in enumerate(guards):
        groups.setdefault(g.source.key, (g.source, []))[1].append((i, g))
    inputs = {name: k for k, name in enumerate(graph.inputs)}

    def order(item):
        src, members = item
        root = src
        while root.base is not None:
            root = root.base
        first = members[0][0]
        if root.kind == "param":
            return (0, inputs.get(root.name, len(inputs)), first)
        return (1, min(g.lineno or 0 for _, g in members), first)

    out = []
    for src, members in sorted(groups.values(), key=order):
        passed = min(_held(rec, i)[0] for i, _ in members)
        failed = sum(rec.guard_misses[i] for i, _ in members) if rec is not None else 0
        reached = passed + failed
        first = min((g for _, g in members if g.lineno), key=lambda g: g.lineno, default=None)
        where = at(first.lineno, first.filename) if first is not None else ""
        out.append((f"{where}assumed {phrase(graph, src, [g for _, g in members])}",
                    f"held {passed}/{reached} calls"))
    return out


def assertion_lines(rec, at=_at) -> list[tuple[str, str]]:
    """One row per distinct assertion; the same speculation checked several times per call
    (an unrolled loop, an inlined helper called twice) is one row marked ``×k``."""
    rows: dict = {}
    asserts = [a for a in rec.assumptions if not a.is_guard]
    for a in asserts:
        failed = rec.assert_failures[a.index] if rec is not None else a.failed
        later = sum(rec.assert_failures[b.index] for b in asserts if b.index > a.index) \
            if rec is not None else 0
        passed = (rec.hits if rec is not None else 0) + later
        key = (a.lineno, a.filename, a.text)
        if key in rows:
            p, f, k = rows[key]
            rows[key] = (min(p, passed), f + failed, k + 1)
        else:
            rows[key] = (passed, failed, 1)
    out = []
    for (lineno, filename, text), (passed, failed, k) in rows.items():
        where = at(lineno, filename)
        times = f" (checked {k}× per call)" if k > 1 else ""
        out.append((f"{where}assumed {text}{times}", f"held {passed}/{passed + failed} calls"))
    return out


def dask_lines(graph) -> list[str]:
    """What a graph run on Dask cost: computes per call, persists, bytes moved back to the
    client, nodes run on the cluster (``graph.dask_report``, kept by the Dask backend)."""
    d = graph.dask_report
    if d is None:
        return []
    runs = d.runs
    per = f" ({d.computes / runs:.1f} per call)" if runs else ""
    total = sum(1 for _ in graph.all_nodes())
    return [f"  On Dask: {_plural(d.computes, 'compute')} in {_plural(runs, 'run')}{per}, "
            f"{_plural(d.persists, 'persist')}; {d.bytes_back} bytes moved back to "
            f"the client; {len(d.cluster_nodes)} of {total} nodes run on the cluster "
            f"(marked * in summary())"]


def _table(rows, indent="    ") -> list[str]:
    if not rows:
        return []
    width = min(max(len(a) for a, _ in rows), 100)
    return [f"{indent}{a.ljust(width)}  ({b})" for a, b in rows]


# -- the report ------------------------------------------------------------------------
class _Report:
    def __init__(self, f):
        self.f = f
        self.s = f.stats
        self.events = sorted(f.events, key=lambda e: e.seq)
        self.history = list(f.graphs)
        self.by_number = {g.number: g for g in self.history}
        self.active = list(f.active_graphs)
        self.profiled = min(self.s["calls"], f.profile_runs) if f.has_profiler else 0
        self.fallbacks = [e for e in self.events if e.kind == "fallback"]
        self.failures = [e for e in self.events if e.kind == "conversion-failed"]
        code = getattr(f.__wrapped__, "__code__", None)
        self.path = code.co_filename if code is not None else None
        self.file = os.path.basename(self.path) if self.path else None

    def path_of(self, ev):
        """The full path of the file an event's line is in."""
        return None if ev is None else (ev.filename or self.path)

    def at(self, lineno, filename=None) -> str:
        """``file.py, line 12: `` for a line of the function's file, or of ``filename`` (an
        inlined callee's); '' for none."""
        if not lineno:
            return ""
        name = os.path.basename(filename) if filename else self.file
        return f"{name}, line {lineno}: " if name else f"line {lineno}: "

    def header(self) -> str:
        fn = self.f.__wrapped__
        code = getattr(fn, "__code__", None)
        line = self.f.source_lineno
        where = f" ({os.path.basename(code.co_filename)}, line {line})" if code else ""
        return f"janus_lite report for {self.f.events.qualname}{where}"

    def verdict(self) -> list[str]:
        f, s = self.f, self.s
        after = s["calls"] - self.profiled
        if f.imperative_reason is not None and not self.active:
            ev = next((e for e in reversed(self.events) if e.kind == "imperative"), None)
            where = f" ({self.at(ev.lineno, ev.filename)[:-2]})" if ev is not None and ev.lineno else ""
            return [f"Verdict: runs imperatively: {f.imperative_reason}{where}.",
                    f"  What you can do: {_hint(f.imperative_reason, self.path_of(ev), ev and ev.lineno)}."]
        if s["calls"] == 0:
            return ["Verdict: not called yet."]
        if f.budget_wait is not None:
            return [f"Verdict: runs the plain function, {f.budget_wait}."]
        if not self.active and not self.history and after <= 0:
            return [f"Verdict: still profiling: {self.profiled} of {f.profile_runs} profile "
                    f"runs done; a graph is built after {f.profile_runs} calls."]
        if not self.active:
            last = self.failures[-1] if self.failures else None
            if last is not None:
                where = f" ({self.at(last.lineno, last.filename)[:-2]})" if last.lineno else ""
                return [f"Verdict: runs imperatively: no graph could be built: "
                        f"{last.text}{where}.",
                        f"  What you can do: {_hint(last.text, self.path_of(last), last.lineno)}."]
            return ["Verdict: runs imperatively: every graph was retired (see the events "
                    "below)."]
        arb = self.f.arbitration
        if arb is not None and arb[0] == "plain":
            return [f"Verdict: {arb[1]}.",
                    f"  {_plural(s['plain_calls'], 'call')} answered by the plain function "
                    f"(never slower than plain: config.ARBITRATE)."] + self.limits()
        share = s["graph_calls"] / after if after > 0 else 1.0
        head = f"served by graphs: {_pct(s['graph_calls'], after)} of calls after profiling " \
               f"({s['graph_calls']} of {after})"
        if after <= 0:
            return ["Verdict: a graph is ready; no call has used it yet."]
        if share >= GOOD_SHARE:
            out = [f"Verdict: graph-served — {head}."]
            if s["fallbacks"]:
                out.append(f"  {_plural(s['fallbacks'], 'call')} fell back to plain Python; "
                           f"see Fallbacks.")
            return out + self.limits()
        out = [f"Verdict: often imperative — {head}."]
        top = max(self.fallbacks, key=lambda e: e.count, default=None)
        if top is not None:
            where = self.at(top.lineno, top.filename)
            out.append(f"  Most frequent fallback: {where}{top.text} "
                       f"({_plural(top.count, 'call')}).")
            failed = [e for e in self.events if e.cause is top and e.kind == "conversion-failed"]
            built = any(e.cause is top and e.kind == "built" for e in self.events)
            out.append("  " + _next_step(top, failed and not built))
            if failed and not built:
                why = failed[-1]
                where = why.filename or self.path
                out.append(f"  What you can do: {self.at(why.lineno, why.filename)}"
                           f"{_hint(why.text, where, why.lineno)}.")
        return out + self.limits()

    def limits(self) -> list[str]:
        """What stops new graphs from being built: a full cache, stopped conversion, the
        conversion budget."""
        out = []
        if any(e.kind == "cache-full" for e in self.events):
            out.append(f"  The graph cache is full ({len(self.active)} of max_graphs="
                       f"{self.f.max_graphs}): calls that fit no graph run the plain function.")
            out.append(f"  What you can do: {_hint('max_graphs')}.")
        if self.f.stopped_reason is not None:
            out.append(f"  No more graphs are built ({self.f.stopped_reason}); the active "
                       f"ones keep serving.")
        arb = self.f.arbitration
        if arb is not None and arb[0] == "graph":
            out.append(f"  Measured: {arb[1]}.")
        if any(e.kind == "budget" for e in self.events):
            out.append("  The conversion budget is spent (config.CONVERSION_TIME_SHARE): calls "
                       "that fit no graph run the plain function.")
        return out

    def counts(self) -> list[str]:
        s = self.s
        other = s["imperative_calls"] - self.profiled - s["fallbacks"]
        parts = [f"{self.profiled} profile runs", _plural(s["fallbacks"], "fallback")]
        if other > 0:
            parts.append(f"{other} with no graph to try")
        plain = f", {s['plain_calls']} by the plain function (measured faster)" \
            if s.get("plain_calls") else ""
        return [f"Calls: {s['calls']}: {s['graph_calls']} by graphs{plain}, "
                f"{s['imperative_calls']} imperatively ({', '.join(parts)}).",
                f"Graphs: {s['conversions']} built, {len(self.active)} active "
                f"(max_graphs={self.f.max_graphs}), "
                f"{_plural(s['failed_conversions'], 'failed conversion')}."]

    def graph_block(self, rec) -> list[str]:
        out = [f"Graph #{rec.number} — {rec.status}, served {_plural(rec.hits, 'call')}; "
               f"backend {rec.backend}" + (f"; built {rec.why}" if rec.why else "")]
        out += dask_lines(rec.graph)
        state = rec.graph.tier_state
        if state is not None:
            out.append(f"  Tier: {state.tier} — {state.reason}")
        guards = guard_lines(rec, self.at)
        out.append("  Checked on entry (guards):" if guards else "  No entry guards.")
        out += _table(guards)
        asserts = assertion_lines(rec, self.at)
        if asserts:
            out.append("  Checked while running (assertions; a failure discards the run):")
            out += _table(asserts)
        return out

    def replaced(self) -> list[str]:
        out = []
        for g in self.history:
            if g.active:
                continue
            why = f" ({g.why})" if g.why else ""
            out.append(f"  graph #{g.number}{why}: served {_plural(g.hits, 'call')}, then "
                       f"{g.status}" + (f": {g.fate}" if g.fate else ""))
        return ["Replaced or retired graphs:"] + out if out else []

    def consequence(self, ev) -> str:
        follow = [e for e in self.events if e.cause is ev]
        parts = []
        for e in follow:
            m = _BUILT.match(e.text) if e.kind == "built" else None
            if m:
                why = m.group(2)
                if why.startswith("relaxed"):
                    parts.append(f"{why} (graph #{m.group(1)})")
                else:
                    parts.append(f"graph #{m.group(1)} built: {why}")
            elif e.kind == "conversion-failed" and e.lineno:
                parts.append(f"no graph could be built for it: "
                             f"{self.at(e.lineno, e.filename)}{e.text}")
            elif e.kind == "conversion-failed":
                parts.append(f"no graph could be built for it: {e.text}")
            elif e.kind == "cache-full":
                parts.append("no room for another graph: such calls run imperatively")
            else:
                parts.append(e.text)
        return " — " + "; ".join(parts) if parts else ""

    def fallback_section(self) -> list[str]:
        if not self.fallbacks:
            return []
        out = ["Fallbacks (calls answered by the plain function instead of a graph):"]
        for ev in self.fallbacks:
            where = self.at(ev.lineno, ev.filename)
            out.append(f"  {where}{ev.text} ({_plural(ev.count, 'call')})"
                       f"{self.consequence(ev)}")
        return out

    def imperative_section(self) -> list[str]:
        rows = [e for e in self.events if e.kind in ("conversion-failed", "imperative")
                and e.cause is None]
        if not rows:
            return []
        out = ["Kept imperative (what conversion could not put in a graph):"]
        for ev in rows:
            where = self.at(ev.lineno, ev.filename)
            times = f" ({ev.count} attempts)" if ev.count > 1 else ""
            text = ev.text.removeprefix("runs imperatively for good: ")
            out.append(f"  {where}{text}{times}")
        return out

    def other_section(self) -> list[str]:
        known = {"fallback", "built", "conversion-failed", "imperative"}
        rows = [e for e in self.events if e.kind not in known and e.cause is None]
        return ["Other events:"] + [f"  [{e.kind}] {self.at(e.lineno, e.filename)}{e.text}"
                                    + (f" (x{e.count})" if e.count > 1 else "")
                                    for e in rows] if rows else []

    def text(self) -> str:
        out = [self.header(), ""] + self.verdict() + [""] + self.counts()
        for rec in self.active:
            out += [""] + self.graph_block(rec)
        for section in (self.replaced(), self.fallback_section(), self.imperative_section(),
                        self.other_section()):
            if section:
                out += [""] + section
        return "\n".join(out)


def explain(f) -> str:
    """The report for a ``jit`` function (see the module docstring)."""
    return _Report(f).text()
