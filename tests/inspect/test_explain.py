"""Golden tests of explain(): fixed functions (inspect_golden_funcs.py), fixed call
sequences, exact text (tests/inspect/golden/explain_*.txt)."""
import numpy as np
import pytest

import janus_lite as jl
import inspect_golden_funcs as m
from differential import differential
from golden import check_golden


def test_golden_relax_and_specialize():
    f = jl.jit(m.scale)
    x = np.ones((4, 3), np.float32)
    for _ in range(3):
        f(x, 2.0)
    f(np.ones((5, 3), np.float32), 2.0)
    f(np.ones((6, 3), np.float32), 2.0)
    f(np.ones((6, 3), np.float64), 2.0)
    f(np.ones((6, 3), np.float64), 2.0)
    check_golden("explain_relax_and_specialize", f.explain())


def test_golden_flag_speculated():
    g = jl.jit(m.clipped)
    for _ in range(4):
        g(np.arange(3.0), True)
    check_golden("explain_flag_speculated", g.explain())


def test_golden_branch_assertion_fails():
    h = jl.jit(m.positive_part)
    for v in [1, 1, 1, 1, -1, -1, 1]:
        h(np.full(3, float(v)))
    check_golden("explain_branch_assertion", h.explain())


def test_golden_unknown_call_keeps_it_imperative():
    n = jl.jit(m.checksum)
    for _ in range(3):
        n(np.ones(2))
    check_golden("explain_unknown_call", n.explain())


def test_golden_unsupported_construct():
    t = jl.jit(m.guarded)
    t(np.ones(2))
    check_golden("explain_unsupported_construct", t.explain())


def test_verdict_comes_first_and_names_the_line():
    t = jl.jit(m.guarded)
    t(np.ones(2))
    lines = t.explain().splitlines()
    assert lines[2].startswith("Verdict: runs imperatively: try/except")
    assert "(inspect_golden_funcs.py, line 29)" in lines[2] and lines[3].startswith("  What you can do:")


def test_not_called_and_profiling():
    f = jl.jit(m.scale)
    assert "Verdict: not called yet." in f.explain()
    f(np.ones(3), 2.0)
    assert "Verdict: still profiling: 1 of 2 profile runs done" in f.explain()


def test_explain_is_read_only_under_differential():
    calls = [(np.ones((n, 2)), 3.0) for n in (4, 4, 4, 5, 6, 6)]
    f = differential(m.scale, calls)
    text = f.explain()
    assert f"{f.stats['graph_calls']} by graphs" in text
    assert "symbolic" in text


def test_held_counts_cover_every_graph_call():
    f = jl.jit(m.clipped)
    for _ in range(12):
        f(np.arange(3.0), True)
    assert "(held 10/10 calls)" in f.explain()
    assert "served by graphs: 100% of calls after profiling (10 of 10)" in f.explain()


def _cholesky_of_gram(a):
    b = a @ a.T
    return np.linalg.cholesky(b)          # raises inside NumPy for some inputs


def test_a_graph_error_raised_inside_numpy_is_cited_at_the_users_line_and_file():
    import os
    f = jl.jit(_cholesky_of_gram)
    for i in range(4):
        f(np.eye(3) + i)
    with pytest.raises(np.linalg.LinAlgError):
        f(np.zeros((3, 3)))
    line = _cholesky_of_gram.__code__.co_firstlineno + 2
    text = f.explain()
    assert f"{os.path.basename(__file__)}, line {line}: graph raised LinAlgError" in text, text
