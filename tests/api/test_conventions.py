"""Issue 12 item 8: Python conventions — docstrings, help(jit) options, py.typed, pickling
by reference and deepcopy, the explain() report object."""
from __future__ import annotations

import copy
import multiprocessing
import os
import pickle
import pydoc

import numpy as np
import pytest

import janus_lite as jl
import pickle_targets as T


def test_public_members_have_docstrings():
    f = jl.jit(lambda x: x)
    cls = type(f)
    for name in ("explain", "stats", "graphs", "events", "reset", "instrumented_source"):
        assert (getattr(cls, name).__doc__ or "").strip(), name
    for name in jl.__all__:
        if callable(getattr(jl, name)) and name != "config":
            assert (getattr(jl, name).__doc__ or "").strip(), name


def test_help_of_jit_lists_every_option():
    text = pydoc.render_doc(jl.jit, renderer=pydoc.plaintext)
    for option in ("profile_runs", "backend", "max_graphs", "JANUS_LITE_DISABLE"):
        assert text.count(option) >= 2 if option != "JANUS_LITE_DISABLE" else option in text


def test_package_is_typed():
    assert os.path.isfile(os.path.join(os.path.dirname(jl.__file__), "py.typed"))
    root = os.path.dirname(os.path.dirname(jl.__file__))
    with open(os.path.join(root, "setup.cfg")) as fh:
        assert "py.typed" in fh.read()


def test_pickle_module_level_function_by_reference():
    x = np.arange(4.0)
    for _ in range(4):
        T.scaled_sum(x, 3.0)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(T.scaled_sum, protocol)) is T.scaled_sum
    assert pickle.loads(pickle.dumps(T.Model.forward)) is T.Model.forward
    m = T.Model()
    bound = pickle.loads(pickle.dumps(m.forward))
    np.testing.assert_array_equal(bound(x), np.tanh(x) * 2.0)


def test_pickle_renamed_function_rebuilds_around_the_plain_one():
    g = pickle.loads(pickle.dumps(T.renamed_step))
    assert g.__wrapped__ is T._plain_step and g.profile_runs == 1
    assert g(np.ones(2), np.ones(2), 0.5).tolist() == [0.5, 0.5]


def test_pickling_a_closure_fails_like_a_plain_closure():
    def outer():
        def inner(x):
            return x
        return inner
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(outer())
    with pytest.raises(pickle.PicklingError):
        pickle.dumps(jl.jit(outer()))


def test_deepcopy_and_copy_are_the_function_itself():
    assert copy.deepcopy(T.scaled_sum) is T.scaled_sum
    assert copy.copy(T.scaled_sum) is T.scaled_sum
    holder = {"f": T.scaled_sum, "w": np.ones(2)}
    dup = copy.deepcopy(holder)
    assert dup["f"] is T.scaled_sum and dup["w"] is not holder["w"]


def test_spawned_process_receives_the_function():
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        values, graph_calls = pool.apply(T.call_scaled_sum, (T.scaled_sum,))
    assert values == [30.0] * 4 and graph_calls >= 1


def test_explain_returns_a_report_that_is_its_text():
    f = jl.jit(lambda x: x * 2)
    for _ in range(4):
        f(np.ones(3))
    r = f.explain()
    assert isinstance(r, str) and repr(r) == str(r) and r == str(r)
    assert "<pre" in r._repr_html_() and "&lt;" not in str(r)[:0] + "x"
    assert r.splitlines() == str(r).splitlines()
