"""Issue 12: degradation is loud once — one PerformanceWarning per function and cause at
the user's file and line, silenceable; strict mode raises instead; binding errors are the
plain TypeError and no fallback; tracebacks of the user's errors hide janus_lite."""
import traceback
import warnings

import numpy as np
import policy_programs as P
import pytest
from differential import differential
from policy_helpers import run_both

import janus_lite
from janus_lite import PerformanceWarning, StrictModeError


def _with_try(x):
    try:
        return x * 2
    except:            # noqa: E722  (a bare except: kept imperative)
        return x


def _perf(caught):
    return [w for w in caught if w.category is PerformanceWarning]


def test_performance_warning_is_exported_and_a_warning():
    assert issubclass(PerformanceWarning, Warning)
    assert "PerformanceWarning" in janus_lite.__all__


def test_imperative_for_good_warns_once_with_the_users_file_and_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = janus_lite.jit(_with_try)
        for _ in range(5):
            f(np.ones(2))
    perf = _perf(caught)
    assert len(perf) == 1, [str(w.message) for w in perf]
    assert perf[0].filename == __file__
    assert perf[0].lineno == _with_try.__code__.co_firstlineno + 1     # the try statement
    assert "try" in str(perf[0].message)


def test_warning_can_be_silenced():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=PerformanceWarning)
        janus_lite.jit(_with_try)(np.ones(2))
    assert not _perf(caught)


def test_counter_repro_stays_on_graphs_and_warns_once_naming_the_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (f,), (outs, hits) = P.counter(janus_lite.jit, rounds=3)
    _, (p_outs, p_hits) = P.counter(None, rounds=3)
    assert hits == p_hits
    for a, b in zip(outs, p_outs):
        assert np.array_equal(a, b)
    s = f.stats
    assert f.imperative_reason is None, f.explain()
    perf = _perf(caught)
    if s["graph_calls"] < 25:          # not every call on graphs: said once, with the line
        assert len(perf) == 1, [str(w.message) for w in perf]
        assert perf[0].filename == P.__file__
        assert perf[0].lineno != P._counter_class.__code__.co_firstlineno
        assert s["graph_calls"] >= 15, f.explain()     # the working graph is kept
        text = f.explain()
        assert "kept" in text and "policy_programs.py, line" in text
        assert "write `self.hits = self.hits + 1` instead of `self.hits += 1`" in text, text
        assert "x = x - g" not in text


def test_cache_full_warns_once_and_explain_reports_it():
    def scale(x):
        return x * 2

    f = janus_lite.jit(scale, max_graphs=2)
    dtypes = [np.float32, np.float64, np.int32, np.int64, np.int16, np.uint8]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            for dt in dtypes:
                assert np.array_equal(f(np.ones(3, dt)), scale(np.ones(3, dt)))
    perf = [w for w in _perf(caught) if "max_graphs" in str(w.message)]
    assert len(perf) == 1
    assert "cache is full" in f.explain()


def test_strict_mode_raises_on_a_failed_conversion():
    f = janus_lite.jit(_with_try, strict=True)
    with pytest.raises(StrictModeError, match=r"try.*line \d+"):
        f(np.ones(2))


def test_strict_mode_is_validated_and_quiet_when_all_is_graphed():
    with pytest.raises(TypeError):
        janus_lite.jit(lambda x: x, strict="yes")

    def scale(x):
        return x * 3

    differential(scale, [(np.ones(3),)] * 5, jit_kwargs={"strict": True})


def test_binding_errors_are_the_plain_typeerror_and_not_fallbacks():
    def scale(x, a=2.0):
        return x * a

    f = janus_lite.jit(scale)
    for _ in range(4):
        f(np.ones(3))
    before = f.stats
    for bad in [((np.ones(3),), {"bogus": 1}), ((np.ones(3), 1.0, 2.0), {}), ((), {})]:
        with pytest.raises(TypeError) as ours:
            f(*bad[0], **bad[1])
        with pytest.raises(TypeError) as plain:
            scale(*bad[0], **bad[1])
        assert str(ours.value) == str(plain.value)
    after = f.stats
    assert after["fallbacks"] == before["fallbacks"]
    assert "api.py" not in f.explain()


def _raises_big(x):
    if x.sum() > 100:
        raise ValueError("big")
    return x * 2


def test_tracebacks_of_user_errors_hide_janus_lite_frames(monkeypatch):
    f = janus_lite.jit(_raises_big)
    for _ in range(3):
        f(np.ones(3))
    with pytest.raises(ValueError) as info:
        f(np.full(3, 100.0))
    files = [fr.filename for fr in traceback.extract_tb(info.value.__traceback__)]
    inside = [p for p in files if "janus_lite" + "/" in p.replace("\\", "/")
              and "/tests/" not in p]
    assert len(inside) <= 1, files          # at most the one frame that raised it
    assert info.value.__context__ is None   # no chained internal exception
    monkeypatch.setenv("JANUS_LITE_TRACEBACK", "full")
    with pytest.raises(ValueError) as info:
        f(np.full(3, 100.0))
    files = [fr.filename for fr in traceback.extract_tb(info.value.__traceback__)]
    assert len([p for p in files if "/janus_lite/" in p]) >= 2, files


def test_polymorphic_program_gives_no_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_both(P.polymorphic, steps=20)
    assert not _perf(caught)
