"""to_dot() always works; draw() renders PNG/SVG with Graphviz or matplotlib (checked to be
a real, non-trivial picture), and says clearly what to install when neither is there."""
import os
import shutil
import struct
import subprocess

import numpy as np
import pytest

import janus_lite as jl
from janus_lite.inspect import draw as draw_mod
from janus_lite.inspect.dot import to_dot
import inspect_golden_funcs as m


def _graph_with_branch_and_loop():
    def step(x, n):
        for _ in range(n):
            x = x * 0.5
        if x.sum() > 0:
            x = x + 1.0
        return x
    f = jl.jit(step, profile_runs=1)
    for n in (70, 80, 90):
        f(np.ones(4), n)
    return f.graphs[-1] if f.graphs else None


def _simple_graph():
    f = jl.jit(m.clipped)
    for _ in range(3):
        f(np.arange(3.0), True)
    return f.graphs[-1]


def _png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", head[16:24])


def _assert_nontrivial_png(path):
    w, h = _png_size(path)
    assert w >= 200 and h >= 150, (w, h)
    try:
        from PIL import Image
    except ImportError:
        assert os.path.getsize(path) > 5000
        return
    img = np.asarray(Image.open(path).convert("RGB"))
    colors = {tuple(c) for c in img.reshape(-1, 3)[:: max(1, img.size // 3 // 20000)]}
    assert len(colors) > 8, "image has almost no colours"
    nonwhite = (img < 245).any(axis=2).mean()
    assert 0.01 < nonwhite < 0.9, f"non-white share {nonwhite:.3f}"


def test_dot_text_has_distinct_kinds():
    g = _simple_graph()
    text = to_dot(g, legend=True)
    assert text.startswith('digraph "clipped" {') and text.rstrip().endswith("}")
    assert "shape=ellipse" in text          # parameters
    assert "penwidth=2" in text             # the returned value
    assert "legend" in text
    assert g.to_dot() == to_dot(g)          # deterministic


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz not installed")
def test_dot_text_is_valid_graphviz():
    for g in filter(None, [_simple_graph(), _graph_with_branch_and_loop()]):
        proc = subprocess.run(["dot", "-Tsvg"], input=to_dot(g, legend=True).encode(),
                              capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
        assert b"<svg" in proc.stdout


def test_draw_dot_file_always_works(tmp_path):
    g = _simple_graph()
    assert g.draw(tmp_path / "g.dot") == "dot-text"
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


@pytest.mark.parametrize("engine", ["graphviz", "matplotlib"])
def test_draw_png_is_a_real_picture(tmp_path, engine):
    if engine not in draw_mod.available_engines():
        pytest.skip(f"{engine} not installed")
    for i, g in enumerate(filter(None, [_simple_graph(), _graph_with_branch_and_loop()])):
        path = tmp_path / f"g{i}.png"
        assert g.draw(path, engine=engine) == engine
        _assert_nontrivial_png(path)


@pytest.mark.parametrize("engine", ["graphviz", "matplotlib"])
def test_draw_svg(tmp_path, engine):
    if engine not in draw_mod.available_engines():
        pytest.skip(f"{engine} not installed")
    path = tmp_path / "g.svg"
    _simple_graph().draw(path, engine=engine)
    assert "<svg" in path.read_text()


def test_clear_error_when_nothing_renders(tmp_path, monkeypatch):
    monkeypatch.setattr(draw_mod, "available_engines", lambda: [])
    g = _simple_graph()
    with pytest.raises(draw_mod.DrawError) as err:
        g.draw(tmp_path / "g.png")
    msg = str(err.value)
    assert "graphviz" in msg.lower() and "matplotlib" in msg and ".dot" in msg
    with pytest.raises(draw_mod.DrawError, match="use one of"):
        g.draw(tmp_path / "g.jpg")


def test_layout_places_every_node_without_overlap():
    from janus_lite.inspect.dot import node_label
    from janus_lite.inspect.layout import layout
    g = _graph_with_branch_and_loop() or _simple_graph()
    placed = layout(g, node_label)
    assert len(placed.nodes) == sum(1 for _ in g.all_nodes())
    boxes = list(placed.nodes.values())
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            overlap = abs(x1 - x2) < (w1 + w2) / 2 - 1e-6 and abs(y1 - y2) < (h1 + h2) / 2 - 1e-6
            assert not overlap
