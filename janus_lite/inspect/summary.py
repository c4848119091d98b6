"""`summary(graph)`: a Keras-style table of a graph's nodes and totals."""
from __future__ import annotations


def _fmt_bytes(n) -> str:
    if n is None:
        return "?"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def summary(graph) -> str:
    rows = [("node", "op", "shape", "dtype", "bytes", "line")]
    total_bytes, unknown, asserts = 0, 0, 0
    for node in graph.nodes():
        meta = node.meta
        nbytes = meta.nbytes() if meta.type is not None and meta.dtype is not None else None
        if node.op == "assert":
            asserts += 1
        if node.op not in ("input", "const", "assert") and meta.type is not None and \
                meta.shape is not None and meta.dtype is not None:
            if nbytes is None:
                unknown += 1
            else:
                total_bytes += nbytes
        rows.append((node.name, node.op, meta.shape_str() or "-", meta.type_str()
                     if meta.type is not None else "?",
                     _fmt_bytes(nbytes) if nbytes is not None else "-",
                     str(node.lineno) if node.lineno else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    sep = "-" * (sum(widths) + 2 * (len(widths) - 1))
    title = f'Graph "{graph.name}"'
    out = [title, sep, "  ".join(c.ljust(w) for c, w in zip(rows[0], widths)), sep]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows[1:]]
    out.append(sep)
    n_guards = sum(1 for a in graph.assumptions if a.is_guard)
    out.append(f"nodes: {len(graph)}   assertion nodes: {asserts}   guards: {n_guards}   "
               f"fused kernels: {graph.meta.get('fused', 0)}")
    out.append(f"intermediate bytes (sum over nodes): {_fmt_bytes(total_bytes)}"
               + (f" (+{unknown} of symbolic size)" if unknown else ""))
    return "\n".join(out)
