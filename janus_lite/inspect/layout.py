"""A small layered (Sugiyama-style) layout for drawing graphs without Graphviz.

`layout(graph, label_of)` places every node of a graph and of its subgraphs, in inches:
each graph is a *block* laid out in layers (longest path from the sources; inputs and
constants pulled down next to their first user), ordered within layers by barycenters
(sweeps down and up), then given x positions near the mean of their neighbours without
overlapping (widths from the label text). The subgraphs of a structured node are blocks of
their own, placed to the right of their parent block, top-aligned with the node, and
returned as clusters (title, kind, box). Nodes sharing a ``fusion_group`` stay adjacent and
are returned as a cluster too. Pure Python (networkx only); deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

CHAR_W = 0.072     # inches per character at 8 pt
LINE_H = 0.16      # inches per text line
GAP_X = 0.35       # between neighbours in a layer
GAP_Y = 0.32       # between layers, on top of the taller label
PAD = 0.25         # cluster padding


@dataclass
class Placed:
    nodes: dict = field(default_factory=dict)      # key → (x, y, w, h)
    edges: list = field(default_factory=list)      # (key, key, style, waypoints)
    clusters: list = field(default_factory=list)   # (title, kind, (x0, y0, x1, y1))


def _size(label: str) -> tuple[float, float]:
    lines = label.split("\n")
    return max(len(s) for s in lines) * CHAR_W + 0.22, len(lines) * LINE_H + 0.14


def _layers(g: nx.DiGraph) -> dict:
    """Longest path from the sources, then every node moved down next to its first user
    (as late as possible), so inputs and constants sit where they are used."""
    order = list(nx.topological_sort(g))
    layer = {}
    for n in order:
        layer[n] = 1 + max((layer[p] for p in g.predecessors(n)), default=-1)
    for n in reversed(order):
        succ = [layer[s] for s in g.successors(n)]
        if succ:
            layer[n] = max(layer[n], min(succ) - 1)
    return layer


def _with_dummies(g: nx.DiGraph, layer: dict) -> tuple[nx.DiGraph, dict]:
    """A copy where each edge spanning k > 1 layers runs through k-1 dummy nodes
    ``("~", a, b, i)``; returns it and the dummy chain of each long edge."""
    ga = nx.DiGraph()
    ga.add_nodes_from(g.nodes)
    chains = {}
    for a, b in g.edges():
        span = layer[b] - layer[a]
        prev, chain = a, []
        for i in range(1, span):
            d = ("~", a, b, i)
            layer[d] = layer[a] + i
            ga.add_edge(prev, d)
            chain.append(d)
            prev = d
        ga.add_edge(prev, b)
        chains[(a, b)] = chain
    return ga, chains


def _order(g, layer, group) -> list[list]:
    rows: dict = {}
    for n in g.nodes:
        rows.setdefault(layer[n], []).append(n)
    rows = [rows[k] for k in sorted(rows)]
    pos = {n: float(i) for row in rows for i, n in enumerate(row)}
    for sweep in range(6):
        seq = rows if sweep % 2 == 0 else list(reversed(rows))
        for row in seq:
            near = (lambda n: g.predecessors(n)) if sweep % 2 == 0 else \
                (lambda n: g.successors(n))
            bary = {}
            for n in row:
                xs = [pos[m] for m in near(n)]
                bary[n] = sum(xs) / len(xs) if xs else pos[n]
            by_group: dict = {}
            for n in row:
                if group.get(n) is not None:
                    by_group.setdefault(group[n], []).append(bary[n])
            key = {n: (sum(by_group[group[n]]) / len(by_group[group[n]])
                       if group.get(n) is not None else bary[n], bary[n], repr(n))
                   for n in row}
            row.sort(key=key.__getitem__)
            for i, n in enumerate(row):
                pos[n] = float(i)
    return rows


def _pav(targets, weights) -> list[float]:
    """Weighted isotonic (non-decreasing) least-squares fit: pool adjacent violators."""
    blocks = []    # [mean, weight, count]
    for t, w in zip(targets, weights):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out = []
    for m, _, c in blocks:
        out += [m] * c
    return out


def _xs(g, rows, width) -> dict:
    """x of every node: as close as possible to the mean of its neighbours (least squares)
    while keeping each row's order and the gaps between labels."""
    x = {}
    for row in rows:                       # initial: packed left to right, centred
        cur = 0.0
        for n in row:
            x[n] = cur + width[n] / 2
            cur += width[n] + GAP_X
        for n in row:
            x[n] -= cur / 2
    for sweep in range(16):
        seq = rows if sweep % 2 == 0 else list(reversed(rows))
        for row in seq:
            want, weights = [], []
            for n in row:
                if sweep < 2:
                    nb = list(g.predecessors(n) if sweep == 0 else g.successors(n))
                else:
                    nb = list(g.predecessors(n)) + list(g.successors(n))
                want.append(sum(x[m] for m in nb) / len(nb) if nb else x[n])
                weights.append(4.0 if isinstance(n, tuple) else 1.0 + 0.5 * len(nb))
            offs, cur = [], 0.0
            for i, n in enumerate(row):
                if i:
                    cur += (width[row[i - 1]] + width[n]) / 2 + GAP_X
                offs.append(cur)
            fit = _pav([w - o for w, o in zip(want, offs)], weights)
            for n, f, o in zip(row, fit, offs):
                x[n] = f + o
    lo = min(x[n] - width[n] / 2 for n in x) if x else 0.0
    return {n: v - lo for n, v in x.items()}


def layout(graph, label_of, hide=None, collapse: bool = False,
           max_height: float | None = None) -> Placed:
    """Place ``graph`` and its subgraphs; ``label_of(node, graph)`` gives label text;
    nodes for which ``hide(node, graph)`` is true are left out with their edges;
    ``collapse``: subgraphs are not placed (their node stands for them); ``max_height``
    (inches): a taller top-level block is cut into side-by-side columns of layers (a long
    chain reads as a few columns instead of one strip too tall to read)."""
    out = Placed()
    _block(graph, "", label_of, out, 0.0, 0.0, hide or (lambda node, graph: False), collapse,
           max_height)
    return out


def _columns(rows, size, max_height) -> list[int]:
    """The column of each row (layer) so that no column is taller than ``max_height``."""
    heights = [max(size[n][1] for n in row) + GAP_Y for row in rows]
    total = sum(heights)
    if max_height is None or total <= max_height:
        return [0] * len(rows)
    n_cols = int(total // max_height) + 1
    per = total / n_cols
    out, col, acc = [], 0, 0.0
    for h in heights:
        if acc + h > per * 1.05 and acc > 0 and col < n_cols - 1:
            col, acc = col + 1, 0.0
        out.append(col)
        acc += h
    return out


def _block(graph, prefix, label_of, out, x0, y0, hide, collapse=False,
           max_height=None) -> tuple[float, float]:
    """Lay out one graph at top-left (x0, y0) (y grows downwards); returns its (w, h)."""
    order = [n for n in graph.order if not hide(graph[n], graph)]
    g = nx.DiGraph()
    g.add_nodes_from(order)
    g.add_edges_from((a, b) for a, b in graph.nx.edges() if a in g and b in g)
    size = {n: _size(label_of(graph[n], graph)) for n in order}
    group = {n: graph[n].attrs.get("fusion_group") for n in order}
    layer = _layers(g)
    ga, chains = _with_dummies(g, layer)
    for n in ga.nodes:
        if n not in size:
            size[n], group[n] = (0.08, 0.0), None
    rows = _order(ga, layer, group)
    x = _xs(ga, rows, {n: size[n][0] for n in size})
    cols = _columns(rows, size, max_height)
    col_w = max((x[n] + size[n][0] / 2 for n in x), default=0.0) + 3 * GAP_X
    y, top, bottom_all = {}, y0, y0
    for r, row in enumerate(rows):
        if r and cols[r] != cols[r - 1]:
            top = y0
        h = max(size[n][1] for n in row)
        for n in row:
            y[n] = top + h / 2
            x[n] += cols[r] * col_w
        top += max(h, LINE_H) + GAP_Y
        bottom_all = max(bottom_all, top)
    top = bottom_all
    width = max((x[n] + size[n][0] / 2 for n in x), default=0.0)
    for n in order:
        out.nodes[prefix + n] = (x0 + x[n], y[n], *size[n])
    for (a, b), chain in chains.items():
        out.edges.append((prefix + a, prefix + b, "solid",
                          [(x0 + x[d], y[d]) for d in chain]))
    groups: dict = {}
    for n in order:
        if group[n] is not None:
            groups.setdefault(group[n], []).append(prefix + n)
    for gid, members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        out.clusters.append((f"fused group {gid}", "fused", _box(out, members)))
    right, bottom = x0 + width, top - GAP_Y
    # the bodies of structured nodes: in one column right of this block, each as high as
    # its node (pushed down only as far as the previous node's bodies need), side by side
    column_x, free_y = right + 2 * PAD + GAP_X, y0
    for n in order:
        node = graph[n]
        subs = () if collapse else node.subgraphs
        if not subs:
            continue
        sub_x, top_y = column_x, max(y[n] - size[n][1] / 2, free_y)
        for k, sub in enumerate(subs):
            sub_prefix = f"{prefix}{n}/{k}/"
            title_h = LINE_H + 0.1
            w, h = _block(sub, sub_prefix, label_of, out, sub_x + PAD,
                          top_y + PAD + title_h, hide)
            box = (sub_x, top_y, sub_x + w + 2 * PAD, top_y + h + 2 * PAD + title_h)
            out.clusters.append((f"{n}: {sub.name or f'body {k}'}", node.op, box))
            out.edges.append((prefix + n, ("cluster", len(out.clusters) - 1), "dashed", []))
            sub_x = box[2] + GAP_X
            right, bottom = max(right, box[2]), max(bottom, box[3])
            free_y = max(free_y, box[3] + GAP_Y)
    return right - x0, bottom - y0


def _box(out, members) -> tuple:
    pts = [out.nodes[m] for m in members]
    return (min(p[0] - p[2] / 2 for p in pts) - PAD / 2, min(p[1] - p[3] / 2 for p in pts)
            - PAD / 2 - LINE_H, max(p[0] + p[2] / 2 for p in pts) + PAD / 2,
            max(p[1] + p[3] / 2 for p in pts) + PAD / 2)
