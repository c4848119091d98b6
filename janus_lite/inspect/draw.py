"""`draw(graph, path)`: a picture of a graph, in the format ``path``'s suffix names.

``.dot`` always works (the DOT text of `to_dot`). ``.svg``/``.png``/``.pdf`` use Graphviz's
``dot`` program when it is installed (the best layout), else a pure-Python rendering with
networkx + matplotlib (``pip install "janus_lite[draw]"``), else raise `DrawError` saying
what to install. Both renderings use the same node styles and clusters (`dot.STYLE`).
"""
from __future__ import annotations

import os
import shutil
import subprocess

from . import view
from .dot import (LEGEND, MAX_INCHES, drawn_title, edge_args, kind_of, node_label, to_dot,
                  view_options)

FORMATS = ("dot", "svg", "png", "pdf")


class DrawError(RuntimeError):
    """The drawing cannot be made here (nothing installed renders that format)."""


def _have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def available_engines() -> list[str]:
    """Renderers usable here for svg/png/pdf, best first."""
    out = []
    if shutil.which("dot"):
        out.append("graphviz")
    if _have_matplotlib():
        out.append("matplotlib")
    return out


def draw(graph, path, engine: str = "auto", legend: bool = True, **options) -> str:
    """Write a drawing of ``graph`` to ``path``; returns the engine used (``"dot-text"``,
    ``"graphviz"`` or ``"matplotlib"``). ``engine`` forces one of the latter two.
    ``show_internal=True`` draws the bookkeeping too, ``collapse=True|False`` folds loop and
    conditional bodies into their node (default: when the graph is large)."""
    show_all, collapse = view_options(graph, options)
    options = {"show_internal": show_all, "collapse": collapse}
    path = os.fspath(path)
    fmt = os.path.splitext(path)[1].lower().lstrip(".")
    if fmt not in FORMATS:
        raise DrawError(f"cannot draw to {path!r}: use one of "
                        f"{', '.join('.' + f for f in FORMATS)}")
    if fmt == "dot":
        with open(path, "w") as fh:
            fh.write(to_dot(graph, legend=legend, **options) + "\n")
        return "dot-text"
    engines = available_engines()
    if engine != "auto":
        if engine not in ("graphviz", "matplotlib"):
            raise DrawError(f"unknown engine {engine!r}: use 'graphviz' or 'matplotlib'")
        if engine not in engines:
            raise DrawError(_missing(fmt, engine))
        engines = [engine]
    if not engines:
        raise DrawError(_missing(fmt))
    if engines[0] == "graphviz":
        _graphviz(graph, path, fmt, legend, options)
        return "graphviz"
    _matplotlib(graph, path, legend, **options)
    return "matplotlib"


def svg(graph, **options) -> str:
    """The drawing as SVG text (notebooks: ``Graph._repr_svg_``), Graphviz if installed,
    else matplotlib; without either, a small SVG saying what to install."""
    import tempfile
    show_all, collapse = view_options(graph, options)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "graph.svg")
        try:
            draw(graph, path, legend=True, show_internal=show_all, collapse=collapse)
        except DrawError as exc:
            import html
            return ('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40">'
                    f'<text x="4" y="20" font-size="11">{html.escape(str(exc)[:120])}'
                    '</text></svg>')
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    start = text.find("<svg")
    return text[start:] if start > 0 else text


def _missing(fmt: str, engine: str | None = None) -> str:
    what = {"graphviz": "Graphviz's `dot` program is not installed",
            "matplotlib": "matplotlib is not installed"}.get(engine, "neither Graphviz's "
                                                             "`dot` program nor matplotlib "
                                                             "is installed")
    return (f"cannot draw .{fmt}: {what}. Install Graphviz (apt install graphviz / "
            f"brew install graphviz / conda install graphviz) for the best layout, or "
            f"matplotlib for a pure-Python one (pip install \"janus_lite[draw]\"). "
            f"Drawing to a .dot file always works (graph.draw('g.dot') or graph.to_dot()).")


def _graphviz(graph, path, fmt, legend, options) -> None:
    text = to_dot(graph, legend=legend, **options)
    proc = subprocess.run(["dot", f"-T{fmt}", "-o", path], input=text.encode(),
                          capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise DrawError(f"Graphviz failed ({proc.returncode}): "
                        f"{proc.stderr.decode(errors='replace').strip()}")


# -- pure-Python rendering -----------------------------------------------------------------
_COLORS = {   # kind → (fill, border)
    "input": ("#dbeafe", "#1d4ed8"), "source": ("#ede9fe", "#6d28d9"),
    "const": ("none", "none"), "op": ("#f8fafc", "#64748b"), "assert": ("#fee2e2", "#b91c1c"),
    "output": ("#dcfce7", "#15803d"), "cond": ("#fef3c7", "#b45309"),
    "loop": ("#ccfbf1", "#0f766e"), "fused": ("#ffedd5", "#c2410c"),
    "plan": ("#f1f5f9", "#94a3b8"),
}
_CLUSTER_COLOR = {"cond": "#b45309", "loop": "#0f766e", "fused": "#c2410c"}


def _shape(kind, x, y, w, h):
    """The patch outlining a node of ``kind`` centred at (x, y) (inches, y downwards)."""
    from matplotlib.patches import Ellipse, FancyBboxPatch, Polygon
    fill, edge = _COLORS[kind]
    style = dict(facecolor=fill, edgecolor=edge, zorder=3,
                 linewidth=2.0 if kind in ("output", "assert", "fused") else 1.0)
    if kind in ("input", "source"):
        return Ellipse((x, y), w * 1.15, h * 1.2, **style)
    if kind == "assert":
        c = min(w, h) * 0.3
        return Polygon([(x - w / 2 + c, y - h / 2), (x + w / 2 - c, y - h / 2),
                        (x + w / 2, y - h / 2 + c), (x + w / 2, y + h / 2 - c),
                        (x + w / 2 - c, y + h / 2), (x - w / 2 + c, y + h / 2),
                        (x - w / 2, y + h / 2 - c), (x - w / 2, y - h / 2 + c)], **style)
    if kind == "cond":
        return Polygon([(x, y - h * 0.75), (x + w * 0.75, y), (x, y + h * 0.75),
                        (x - w * 0.75, y)], **style)
    if kind == "loop":
        c = h / 2
        return Polygon([(x - w / 2 - c, y), (x - w / 2, y - h / 2), (x + w / 2, y - h / 2),
                        (x + w / 2 + c, y), (x + w / 2, y + h / 2), (x - w / 2, y + h / 2)],
                       **style)
    return FancyBboxPatch((x - w / 2, y - h / 2), w, h, zorder=3,
                          boxstyle="round,pad=0,rounding_size=0.06",
                          facecolor=fill, edgecolor=edge, linewidth=style["linewidth"])


def _matplotlib(graph, path, legend, show_internal=False, collapse=False) -> None:
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path
    from .layout import layout

    kinds: dict = {}
    _kinds(graph, "", kinds)
    kind = kinds.__getitem__
    show_all = show_internal

    def label_of(node, g):
        text = node_label(node, g, show_all)
        if collapse and node.subgraphs:
            text += "\n(" + " | ".join(f"{sub.name or f'body {k}'}: "
                                       f"{view.count(sub, show_all)['nodes']} nodes"
                                       for k, sub in enumerate(node.subgraphs)) + ")"
        return text
    placed = layout(graph, label_of, lambda n, g: view.hidden(n, g, show_all),
                    collapse=collapse, max_height=MAX_INCHES * 0.8)
    boxes = list(placed.nodes.values()) + [(px, py, 0, 0) for *_, via in placed.edges
                                           for px, py in via] + [
        (0.5 * (b[0] + b[2]), 0.5 * (b[1] + b[3]), b[2] - b[0], b[3] - b[1])
        for _, _, b in placed.clusters]
    x0 = min((x - w / 2 for x, _, w, _ in boxes), default=0) - 0.3
    x1 = max((x + w / 2 for x, _, w, _ in boxes), default=1) + 0.3
    y0 = min((y - h / 2 for _, y, _, h in boxes), default=0) - 0.55
    y1 = max((y + h / 2 for _, y, _, h in boxes), default=1) + 0.3
    present = [(k, t) for k, t in LEGEND if k in {kinds[n] for n in placed.nodes}]
    legend_w = 1.7 if legend and present else 0.0
    w_in, h_in = x1 - x0 + legend_w, y1 - y0
    dpi = 110 * min(1.0, MAX_INCHES / max(w_in, h_in))      # a large graph: fewer pixels
    fig = plt.figure(figsize=(w_in, h_in), dpi=dpi)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    ax.set_xlim(x0, x1 + legend_w)
    ax.set_ylim(y1, y0)
    ax.text((x0 + x1) / 2, y0 + 0.25, drawn_title(graph, show_all, collapse), ha="center",
            va="center", fontsize=10)
    for title, k, (bx0, by0, bx1, by1) in placed.clusters:
        color = _CLUSTER_COLOR.get(k, "#64748b")
        ax.add_patch(FancyBboxPatch((bx0, by0), bx1 - bx0, by1 - by0, zorder=0,
                                    boxstyle="round,pad=0,rounding_size=0.12",
                                    facecolor="#fff7ed" if k == "fused" else "none",
                                    edgecolor=color, linestyle="--", linewidth=1.1))
        ax.text(bx0 + 0.1, by0 + 0.08, title, fontsize=8, color=color, va="top", zorder=1)
    for key, (x, y, w, h) in placed.nodes.items():
        k = kind(key)
        if k != "const":
            ax.add_patch(_shape(k, x, y, w, h))
        ax.text(x, y, label_text(key, placed, graph, label_of), ha="center", va="center",
                zorder=4,
                fontsize=7 if k == "const" else 8,
                color={"const": "#475467", "assert": "#7f1d1d"}.get(k, "#111827"),
                family="DejaVu Sans")
    for a, b, style, via in placed.edges:
        xa, ya, wa, ha = placed.nodes[a]
        if isinstance(b, tuple):           # dashed link to a cluster
            bx0, by0, _, _ = placed.clusters[b[1]][2]
            points = [(xa + wa / 2 * (1.2 if kind(a) == "loop" else 1), ya),
                      (bx0, by0 + 0.2)]
        else:
            xb, yb, wb, hb = placed.nodes[b]
            points = [(xa, ya + ha / 2 * (1.2 if kind(a) in ("input", "source") else 1))] + \
                list(via) + [(xb, yb - hb / 2 * (1.5 if kind(b) == "cond" else 1.05))]
        if not show_all and not isinstance(b, tuple):
            node_b, g_b = node_at(b, graph)
            src, text = edge_args(node_b, g_b, {n for n in g_b.order
                                                if not view.hidden(g_b[n], g_b, False)})
            if text and src == a.rsplit("/", 1)[-1]:
                (px, py), (qx, qy) = points[-2], points[-1]
                ax.text(px + 0.6 * (qx - px) + 0.05, py + 0.6 * (qy - py), text, fontsize=6.5,
                        color="#475467", ha="left", va="center", zorder=4)
        route = Path(points, [Path.MOVETO] + [Path.LINETO] * (len(points) - 1))
        ax.add_patch(FancyArrowPatch(path=route, arrowstyle="-|>", mutation_scale=8,
                                     color="#94a3b8" if style == "dashed" else "#667085",
                                     linestyle="--" if style == "dashed" else "-",
                                     linewidth=0.9, zorder=2, shrinkA=0, shrinkB=0))
    if legend_w:
        ly = y0 + 0.5
        ax.text(x1 + 0.15, ly - 0.05, "legend", fontsize=8, color="#475467")
        for k, text in present:
            ly += 0.3
            fill, edge = _COLORS[k]
            ax.add_patch(FancyBboxPatch((x1 + 0.15, ly - 0.07), 0.25, 0.14, zorder=3,
                                        boxstyle="round,pad=0,rounding_size=0.03",
                                        facecolor=fill if fill != "none" else "white",
                                        edgecolor=edge if edge != "none" else "#cbd5e1"))
            ax.text(x1 + 0.5, ly, text, fontsize=7, va="center", color="#111827")
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _kinds(graph, prefix, out) -> None:
    for node in graph.nodes():
        out[prefix + node.name] = kind_of(node, graph)
        for k, sub in enumerate(node.subgraphs):
            _kinds(sub, f"{prefix}{node.name}/{k}/", out)


def node_at(key, graph):
    """(node, its graph) drawn under ``key`` (a path through subgraphs)."""
    parts = key.split("/")
    g = graph
    for i in range(0, len(parts) - 1, 2):
        g = g[parts[i]].subgraphs[int(parts[i + 1])]
    return g[parts[-1]], g


def label_text(key, placed, graph, label_of=None) -> str:
    """The label of the node drawn under ``key`` (a path through subgraphs)."""
    node, g = node_at(key, graph)
    return (label_of or node_label)(node, g)
