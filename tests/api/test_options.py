"""Issue 12 item 4: jit options checked at decoration; janus_lite.config rejects unknown
names and bad values, and patches knobs for a block."""
from __future__ import annotations

import pytest

import janus_lite as jl


def f(x):
    return x + 1


@pytest.mark.parametrize("kwargs, error, words", [
    ({"profile_runs": "2"}, TypeError, "profile_runs"),
    ({"profile_runs": 2.5}, TypeError, "profile_runs"),
    ({"profile_runs": True}, TypeError, "profile_runs"),
    ({"profile_runs": -1}, ValueError, ">= 1"),
    ({"profile_runs": 0}, ValueError, ">= 1"),
    ({"max_graphs": 0}, ValueError, "max_graphs"),
    ({"max_graphs": -3}, ValueError, "max_graphs"),
    ({"max_graphs": "8"}, TypeError, "max_graphs"),
    ({"backend": "cuda"}, ValueError, "available"),
    ({"backend": 3}, TypeError, "backend"),
])
def test_bad_options_raise_at_decoration(kwargs, error, words):
    with pytest.raises(error, match=words):
        jl.jit(f, **kwargs)
    with pytest.raises(error, match=words):
        jl.jit(**kwargs)                   # the decorator-factory form too


def test_good_options_still_work():
    g = jl.jit(f, profile_runs=1, max_graphs=1, backend="numpy")
    assert g(1.0) == 2.0
    assert (g.profile_runs, g.max_graphs) == (1, 1)


def test_config_rejects_unknown_names_with_a_suggestion():
    with pytest.raises(AttributeError, match="did you mean 'MAX_GRAPHS'"):
        jl.config.MAX_GRAPH = 2
    with pytest.raises(AttributeError, match="BOGUS"):
        jl.config.BOGUS = 1
    with pytest.raises(AttributeError, match="did you mean 'PROFILE_RUNS'"):
        jl.config.PROFILE_RUN
    assert not hasattr(jl.config, "MAX_GRAPH")


@pytest.mark.parametrize("name, value, error", [
    ("PROFILE_RUNS", "x", TypeError), ("PROFILE_RUNS", 2.5, TypeError),
    ("PROFILE_RUNS", 0, ValueError), ("MAX_GRAPHS", -3, ValueError),
    ("CHECK_RULES", "yes", TypeError), ("BACKEND", "cuda", ValueError),
    ("BACKEND", 1, TypeError), ("PASSES", "fuse", TypeError),
    ("KERNEL_JOIN_WAIT_S", "1", TypeError),
])
def test_config_rejects_bad_values_and_keeps_the_old(name, value, error):
    old = getattr(jl.config, name)
    with pytest.raises(error):
        setattr(jl.config, name, value)
    assert getattr(jl.config, name) == old
    g = jl.jit(f)                          # later calls still work
    assert [g(1.0) for _ in range(4)] == [2.0] * 4


def test_config_patch_is_scoped_and_checked():
    assert jl.config.MAX_GRAPHS == 8
    with jl.config.patch(MAX_GRAPHS=2, PROFILE_RUNS=1):
        assert (jl.config.MAX_GRAPHS, jl.config.PROFILE_RUNS) == (2, 1)
        g = jl.jit(f)
        assert g.max_graphs == 2
    assert (jl.config.MAX_GRAPHS, jl.config.PROFILE_RUNS) == (8, 2)
    with pytest.raises(AttributeError, match="MAX_GRAPHS"):
        with jl.config.patch(MAX_GRAPH=2):
            pass
    with pytest.raises(TypeError):
        with jl.config.patch(MAX_GRAPHS=3, PROFILE_RUNS="2"):   # none applied
            pass
    assert jl.config.MAX_GRAPHS == 8
    with pytest.raises(RuntimeError):
        with jl.config.patch(MAX_GRAPHS=3):
            raise RuntimeError
    assert jl.config.MAX_GRAPHS == 8


def test_config_module_forms_agree():
    import janus_lite.config as c1
    from janus_lite import config as c2
    assert c1 is c2 is jl.config
    assert "MAX_GRAPHS" in c1.knobs() and "MAX_GRAPHS" in repr(c1)
    c1.MAX_GRAPHS = 5
    try:
        assert jl.jit(f).max_graphs == 5
    finally:
        c1.MAX_GRAPHS = 8
