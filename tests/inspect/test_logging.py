"""Logging: silent at Python's default level; INFO one line per graph built / relaxed /
abandoned and per distinct fallback; DEBUG prints graphs and guards; JANUS_LITE_LOG turns
topics on without code changes."""
import logging
import os
import subprocess
import sys
import textwrap

import numpy as np

import janus_lite as jl
from janus_lite.inspect import logs
import inspect_golden_funcs as m


def _run_scale():
    f = jl.jit(m.scale)
    for n in (4, 4, 4, 5, 5):
        f(np.ones((n, 3)), 2.0)
    return f


def test_silent_at_default_level(caplog):
    caplog.set_level(logging.WARNING)
    _run_scale()
    jl.jit(m.guarded)(np.ones(2))
    assert [r for r in caplog.records if r.name.startswith("janus_lite")] == []


def test_info_one_line_per_graph_event(caplog):
    caplog.set_level(logging.INFO, logger="janus_lite")
    _run_scale()
    msgs = [(r.name, r.levelno, r.getMessage()) for r in caplog.records
            if r.name.startswith("janus_lite")]
    built = [t for name, lvl, t in msgs if name == "janus_lite.graphs" and lvl == logging.INFO
             and t.startswith("scale: [built] line 8: graph #1 built (after profiling): ")]
    assert len(built) == 1
    assert ("janus_lite.fallbacks", logging.INFO,
            "scale: [fallback] line 8: assumed x.shape == (4, 3), got (5, 3)") in msgs
    relaxed = [t for _, _, t in msgs if "relaxed: x.shape[0] 4 → symbolic" in t]
    assert len(relaxed) == 1
    assert all("\n" not in t for _, lvl, t in msgs if lvl == logging.INFO)
    assert all(lvl < logging.WARNING for _, lvl, _ in msgs)
    # a repeated fallback is counted, not logged again
    assert sum("got (5, 3)" in t for _, _, t in msgs) == 1


def test_abandoned_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="janus_lite")
    jl.jit(m.guarded)
    assert any(r.name == "janus_lite.graphs" and "runs imperatively for good: try/except"
               in r.getMessage() for r in caplog.records)


def test_debug_prints_graphs_and_guards(caplog):
    caplog.set_level(logging.DEBUG, logger="janus_lite")
    _run_scale()
    graphs = [r.getMessage() for r in caplog.records if r.name == "janus_lite.graphs"
              and r.levelno == logging.DEBUG]
    guards = [r.getMessage() for r in caplog.records if r.name == "janus_lite.guards"]
    assert graphs and "graph scale(%x: float64(4, 3)" in graphs[0]
    assert guards and "line 8: assumed x.shape == (4, 3)" in guards[0]


def test_topic_alone(caplog):
    caplog.set_level(logging.INFO, logger="janus_lite.fallbacks")
    _run_scale()
    names = {r.name for r in caplog.records if r.name.startswith("janus_lite")}
    assert names == {"janus_lite.fallbacks"}


def test_parse_topics():
    assert logs.parse_topics("fallbacks, graphs") == ({"fallbacks", "graphs"}, set())
    assert logs.parse_topics("all")[0] == set(logs.TOPICS)
    assert logs.parse_topics("guards,nope") == ({"guards"}, {"nope"})


def test_enable_and_disable(capsys):
    import io
    stream = io.StringIO()
    try:
        logs.enable({"fallbacks"}, stream=stream)
        _run_scale()
    finally:
        logs.disable({"fallbacks"})
    out = stream.getvalue()
    assert "janus_lite[fallbacks] scale: [fallback] line 8: assumed x.shape == (4, 3)" in out
    assert "built" not in out
    assert logging.getLogger("janus_lite.fallbacks").handlers == []


def test_env_var_turns_topics_on(tmp_path):
    script = tmp_path / "envlog.py"
    script.write_text(textwrap.dedent("""\
        import numpy as np
        import janus_lite as jl

        @jl.jit
        def f(x):
            return x * 2.0

        for n in (3, 3, 3, 4):
            f(np.ones(n))
        print("done")
        """))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, JANUS_LITE_LOG="fallbacks,graphs", PYTHONPATH=root)
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "done\n"
    err = proc.stderr
    assert "janus_lite[graphs] f: [built] line 5: graph #1 built (after profiling)" in err
    assert "janus_lite[fallbacks] f: [fallback] line 5: assumed x.shape == (3,), got (4,)" in err
    assert "printed graph" not in err             # `graphs` alone: its INFO lines only
    assert "guards" not in err.replace("assumptions", "")
    quiet = subprocess.run([sys.executable, str(script)],
                           env={k: v for k, v in os.environ.items() if k != "JANUS_LITE_LOG"},
                           capture_output=True, text=True, timeout=120)
    assert quiet.stderr == ""


def _run_env_script(tmp_path, value):
    script = tmp_path / "envlog2.py"
    script.write_text(textwrap.dedent("""\
        import numpy as np
        import janus_lite as jl

        @jl.jit
        def f(x):
            return x * 2.0

        for n in (3, 3, 3):
            f(np.ones(n))
        """))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, JANUS_LITE_LOG=value, PYTHONPATH=root)
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_env_topic_levels_and_the_code_topic(tmp_path):
    err = _run_env_script(tmp_path, "graphs:debug")
    assert "janus_lite[graphs] f: [built]" in err and "janus_lite[graphs] f: printed graph:" in err
    err = _run_env_script(tmp_path, "code")
    assert "janus_lite[code] f: generated code of graph f:" in err
    assert "def " in err and "[built]" not in err
    err = _run_env_script(tmp_path, "all")
    assert "[built]" in err and "generated code" in err and "printed graph" not in err
    err = _run_env_script(tmp_path, "all:debug")
    assert "printed graph" in err and "checks" in err
    err = _run_env_script(tmp_path, "graphs:loud")
    assert "ignoring unknown JANUS_LITE_LOG topic(s) graphs:loud" in err


def test_parse_levels():
    assert logs.parse_levels("graphs, code") == ({"graphs": logging.INFO,
                                                 "code": logging.DEBUG}, set())
    assert logs.parse_levels("graphs:debug")[0] == {"graphs": logging.DEBUG}
    assert logs.parse_levels("all:debug")[0] == dict.fromkeys(logs.TOPICS, logging.DEBUG)
