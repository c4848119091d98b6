"""`explain(f)`: why a function is (or is not) fast, in words."""
from __future__ import annotations


def explain(f) -> str:
    s = f.stats
    out = [f"janus_lite report for {f.events.qualname}",
           f"  calls: {s['calls']} (graph: {s['graph_calls']}, imperative: "
           f"{s['imperative_calls']}, fallbacks: {s['fallbacks']}); graphs built: "
           f"{s['conversions']}, failed conversions: {s['failed_conversions']}"]
    if f._imperative_reason:
        out.append(f"  runs imperatively: {f._imperative_reason}")
    elif not f._records and s["calls"] < f.profile_runs:
        out.append(f"  profiling: {s['calls']}/{f.profile_runs} profile runs done")
    for i, rec in enumerate(f._records):
        g = rec.graph
        out.append(f"  graph {i + 1} (active, backend {g.meta.get('backend')}): {len(g)} nodes, "
                   f"served {rec.hits} calls")
        for a in g.assumptions:
            if a.is_guard:
                held = rec.hits + sum(rec.guard_misses[a.index + 1:])
            else:
                held = rec.hits
            out.append(f"    {a.line_text()} (held {held}/{held + a.failed} calls)")
    events = list(f.events)
    if events:
        out.append("  events:")
        out += [f"    {ev.line()}" for ev in events]
    return "\n".join(out)
