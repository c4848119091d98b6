"""summary(): golden text on hand-built graphs (independent of the converter and passes),
symbolic byte counts, the memory line, and structured nodes shown with their subgraphs."""
import numpy as np
import pytest

import janus_lite as jl
from janus_lite.ir import Graph, Meta
from janus_lite.inspect.memory import Bytes, peak_bytes
import inspect_golden_funcs as m
from golden import check_golden

F32 = np.dtype(np.float32)


def _arr(*shape, dtype=F32):
    return Meta(np.ndarray, dtype, tuple(shape))


def _mlp_layer():
    g = Graph("layer")
    g.add("input", attrs={"name": "X"}, meta=_arr("N", 8), lineno=1, name="X")
    g.add("input", attrs={"name": "W"}, meta=_arr(8, 4), lineno=1, name="W")
    g.add("matmul", ("X", "W"), meta=_arr("N", 4), lineno=2, name="h")
    g.add("const", attrs={"value": 0.0}, meta=Meta(float, value=0.0), name="zero")
    g.add("np.maximum", ("h", "zero"), meta=_arr("N", 4), lineno=2, name="relu")
    g.add("getattr", ("relu",), attrs={"name": "T"}, meta=_arr(4, "N"), lineno=3, name="t")
    g.add("matmul", ("t", "relu"), meta=_arr(4, 4), lineno=3, name="gram")
    g.output = "gram"
    return g


def test_golden_summary_symbolic():
    check_golden("summary_symbolic", _mlp_layer().summary())


def test_planned_memory_shown_when_a_pass_recorded_it():
    g = _mlp_layer()
    g.memory = {"planned_peak_bytes": 1024, "imperative_peak_bytes": 4096}
    g.fused = 2
    text = g.summary()
    assert "Fused kernels: 2" in text
    assert "Peak intermediate memory: imperative run 4.0 KiB, planned 1.0 KiB (75% less)" in text


def test_liveness_peak_frees_after_last_use_and_views_keep_base_alive():
    g = Graph("chain")
    g.add("input", attrs={"name": "x"}, meta=_arr(100), name="x")
    g.add("neg", ("x",), meta=_arr(100), name="a")        # 400 B
    g.add("neg", ("a",), meta=_arr(100), name="b")        # a dies here: peak 800
    g.add("neg", ("b",), meta=_arr(100), name="c")        # b dies: still 800
    g.output = "c"
    peak, unknown = peak_bytes(g)
    assert peak.exact == 800 and unknown == 0
    g2 = Graph("view")
    g2.add("input", attrs={"name": "x"}, meta=_arr(10, 10), name="x")
    g2.add("neg", ("x",), meta=_arr(10, 10), name="a")                       # 400 B
    g2.add("getattr", ("a",), attrs={"name": "T"}, meta=_arr(10, 10), name="v")
    g2.add("neg", ("x",), meta=_arr(10, 10), name="b")                       # a alive via v
    g2.add("add", ("v", "b"), meta=_arr(10, 10), name="c")
    g2.output = "c"
    assert peak_bytes(g2)[0].exact == 1200


def test_bytes_polynomial_text():
    assert str(Bytes({(): 64, ("N",): 2048, ("M", "N"): 4})) == "64 B + 2.0 KiB·N + 4 B·M·N"
    assert Bytes({("N",): 8}).exact is None
    assert (Bytes({(): 8}) + Bytes({(): 8})).exact == 16


def test_structured_node_subgraphs_are_indented():
    def f(x, n):
        for _ in range(n):
            if x.sum() > 0:
                x = x - 1.0
            else:
                x = x + 1.0
        return x
    sf = jl.jit(f, profile_runs=1)
    for n in (200, 300, 250):
        sf(np.ones(3), n)
    structured = [g for g in sf.graphs if any(nd.subgraphs for nd in g.all_nodes())]
    if not structured:
        pytest.skip("conversion does not produce structured nodes for this function yet")
    text = structured[-1].summary()
    assert "╰" in text and "with subgraphs" in text
    node_rows = [line for line in text.splitlines() if line.startswith("    ")]
    assert node_rows, text


def test_real_graph_summary_columns():
    f = jl.jit(m.scale)
    for _ in range(3):
        f(np.ones((4, 3), np.float32), 2.0)
    text = f.graphs[-1].summary()
    lines = text.splitlines()
    assert lines[0] == 'Graph "scale" (backend numpy)'
    assert lines[2].split() == ["Node", "Op", "Output", "shape", "Dtype", "Bytes", "Line"]
    assert any(line.split()[:2] == ["x", "input"] and "48 B" in line for line in lines)
