"""explain() names the file of every line it cites — also the lines of a helper inlined from
another module: its guards, a graph error raised in it, and the fallbacks they cause (the
decorated function's file was shown for them before). Mid-graph assertions made in a helper
carry its file the same way (`ConversionContext.add_assert`)."""
import importlib
import os
import sys
import textwrap

import numpy as np
import pytest

import janus_lite as jl
from differential import differential

HELPER = '''
import numpy as np

SCALE = 2.0


def scaled_prefix(x):
    s = 0.0
    for i in range(4):
        if x[i] > 5.0:
            break
        s += x[i] * SCALE
    return s


def positive_scaled(x):
    if x.sum() > 0:
        return x * SCALE
    return x


def solve_twice(A, b):
    x = np.linalg.solve(A, b)
    return x * 2.0
'''


@pytest.fixture
def helper(tmp_path):
    name = f"jl_callee_helper_{os.getpid()}_{id(tmp_path)}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(HELPER))
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(name), f"{name}.py"
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def _line(source, text):
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


def test_guards_read_in_the_helper_cite_the_helpers_file(helper):
    mod, fname = helper

    def step(x):
        return mod.scaled_prefix(x) + mod.positive_scaled(x).sum()

    here = os.path.basename(__file__)
    calls = [(np.ones(4),)] * 4 + [(-np.ones(4),)] * 2 + [(np.ones(4),)]
    f = differential(step, calls)
    text = f.explain()
    scale_line = _line(HELPER, "s += x[i] * SCALE")
    range_line = _line(HELPER, "for i in range(4)")
    assert f"{fname}, line {scale_line}: assumed global SCALE" in text, text
    assert f"{fname}, line {range_line}: assumed range is the builtin" in text, text
    assert f"{here}, line {scale_line}:" not in text, text
    own = _line(open(__file__).read(), "return mod.scaled_prefix(x) + mod.positive")
    assert f"{here}, line {own}: assumed global positive_scaled is the function" in text, text


def test_a_graph_error_in_the_helper_cites_the_helpers_file(helper):
    mod, fname = helper

    def step(A, b):
        return mod.solve_twice(A, b).sum()

    calls = [(np.eye(3) * (k + 1), np.ones(3)) for k in range(4)] + \
        [(np.zeros((3, 3)), np.ones(3))]
    f = differential(step, calls)
    text = f.explain()
    line = _line(HELPER, "np.linalg.solve(A, b)")
    assert f"{fname}, line {line}: graph raised LinAlgError" in text, text


def test_a_helpers_global_rebound_is_a_fallback_at_the_helpers_line(helper):
    mod, fname = helper

    def step(x):
        return mod.scaled_prefix(x)

    f = jl.jit(step)
    for _ in range(4):
        f(np.ones(4))
    mod.SCALE = 3
    try:
        assert f(np.ones(4)) == step(np.ones(4))
    finally:
        mod.SCALE = 2.0
    line = _line(HELPER, "s += x[i] * SCALE")
    assert f"{fname}, line {line}: assumed global SCALE" in f.explain()
    fell = [e for e in f.events if e.kind == "fallback"]
    assert fell and os.path.basename(fell[-1].filename) == fname and fell[-1].lineno == line
