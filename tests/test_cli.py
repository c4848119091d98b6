"""The janus-lite command: every subcommand runs (subprocess, small sizes) and has --help."""
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from janus_lite import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, cwd=None, timeout=300):
    env = dict(os.environ)           # this checkout's janus_lite, from any folder
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + [p for p in env.get("PYTHONPATH", "").split(
        os.pathsep) if p])
    proc = subprocess.run([sys.executable, "-m", "janus_lite", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=timeout, env=env)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("sub", [[], ["demo"], ["inspect"], ["bench"]])
def test_help(sub):
    rc, out, err = run(*sub, "--help")
    assert rc == 0, err
    assert out.startswith("usage: janus-lite")
    if not sub:
        for name in ("demo", "inspect", "bench"):
            assert name in out


def test_no_command_prints_help():
    rc, out, _ = run()
    assert rc == 1 and "usage: janus-lite" in out


def test_console_script_is_installed():
    exe = shutil.which("janus-lite")
    if exe is None:
        pytest.skip("janus-lite console script not on PATH (package not pip-installed)")
    proc = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "demo" in proc.stdout


def test_demo(tmp_path):
    out_path = tmp_path / "demo.dot"
    rc, out, err = run("demo", "--quick", "--steps", "12", "--draw", str(out_path))
    assert rc == 0, err
    assert "[##############################] 12/12" in out          # the progress bar
    assert "speedup" in out and "graph-served calls" in out
    assert 'Graph "demo_step"' in out and "Verdict:" in out
    assert out_path.read_text().startswith('digraph "demo_step"')


def test_demo_png(tmp_path):
    from janus_lite.inspect.draw import available_engines
    if not available_engines():
        pytest.skip("no renderer for PNG installed")
    rc, out, err = run("demo", "--quick", "--steps", "5", "--draw", str(tmp_path / "d.png"))
    assert rc == 0, err
    assert (tmp_path / "d.png").stat().st_size > 5000


@pytest.fixture
def user_module(tmp_path):
    (tmp_path / "usermod.py").write_text(textwrap.dedent("""\
        import numpy as np


        def normalize(x, eps):
            mu = x.mean(axis=0)
            return (x - mu) / np.sqrt(((x - mu) ** 2).mean(axis=0) + eps)


        class Net:
            def forward(self, x):
                return np.tanh(x)
        """))
    (tmp_path / "calls.py").write_text("calls = [(np.ones((4, 3)), 1e-5), "
                                       "(np.ones((6, 3)), 1e-5)]\n")
    return tmp_path


def test_inspect_with_call(user_module):
    rc, out, err = run("inspect", "usermod.py:normalize", "--call",
                       "f(np.arange(12.0).reshape(4, 3), 1e-5)", "--show", "all",
                       cwd=user_module)
    assert rc == 0, err
    assert "janus_lite report for normalize (usermod.py, line 4)" in out
    assert 'Graph "normalize"' in out
    assert "# generated code of the newest graph" in out
    assert "graph normalize(%x: float64(4, 3)" in out
    assert "# what the profiler runs" in out


def test_inspect_dotted_module_args_from_and_method(user_module, tmp_path):
    rc, out, err = run("inspect", "usermod:normalize", "--args-from", "calls.py",
                       "--show", "explain", "--draw", str(tmp_path / "n.dot"),
                       cwd=user_module)
    assert rc == 0, err
    assert "shape (N, 3)" in out                  # relaxed after the second shape
    assert (tmp_path / "n.dot").exists()
    rc, out, err = run("inspect", "usermod.py:Net.forward", "--call", "f(Net(), np.ones(3))",
                       cwd=user_module)
    assert rc == 0, err
    assert "janus_lite report for Net.forward" in out


def test_inspect_errors(user_module):
    rc, _, err = run("inspect", "usermod.py:nope", cwd=user_module)
    assert rc != 0 and "has no 'nope'" in err
    rc, _, err = run("inspect", "usermod.py:normalize", "--show", "bogus", cwd=user_module)
    assert rc == 2 and "unknown section" in err


def test_bench_without_suite_says_what_to_do(monkeypatch, capsys):
    monkeypatch.setattr(cli, "find_benchmarks", lambda: None)
    assert cli.main(["bench"]) == 2
    assert "benchmarks/run.py" in capsys.readouterr().err


def test_bench_runs_the_suite_module(monkeypatch, tmp_path, capsys):
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "__init__.py").write_text("")
    (tmp_path / "benchmarks" / "run.py").write_text(
        "import sys\nprint('bench args', sys.argv[1:])\n")
    monkeypatch.chdir(tmp_path)
    rc, out, err = run("bench", "--quick", "--only", "x", cwd=tmp_path)
    assert rc == 0, err
    assert "bench args ['--quick', '--only', 'x']" in out


@pytest.mark.skipif(not os.path.isfile(os.path.join(ROOT, "benchmarks", "run.py")),
                    reason="benchmarks/run.py not written yet")
def test_bench_quick_real_suite():
    rc, out, err = run("bench", "--quick", timeout=900)
    assert rc == 0, err[-2000:]


# -- issue 12 item 9 ---------------------------------------------------------------------------
def test_version():
    import janus_lite
    rc, out, err = run("--version")
    assert rc == 0, err
    assert out.startswith(f"janus-lite {janus_lite.__version__} (numpy ")


def test_bench_help_shows_the_suites_options():
    rc, out, err = run("bench", "--help")
    assert rc == 0, err
    assert out.startswith("usage: janus-lite bench")
    for option in ("--only", "--peers", "--out", "--wait-quiet", "--quick", "--allocators"):
        assert option in out


def test_bench_rejects_a_bad_option_value():
    rc, _, err = run("bench", "--wait-quiet", "soon")
    assert rc == 2 and "--wait-quiet" in err


def test_bench_legend_explains_every_column():
    from benchmarks import run as suite
    text = suite.table([])
    for col in suite.COLUMNS:
        assert col in suite.LEGEND and suite.LEGEND[col] != "?"
        assert f"  {col.ljust(max(map(len, suite.COLUMNS)))}  {suite.LEGEND[col]}" in text


def test_bench_and_py_typed_from_an_installed_package(tmp_path):
    """`pip install` (not editable) into a folder, then run the CLI from elsewhere."""
    src, target, work = tmp_path / "src", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", "tests", "examples", "docs", "build", "*.egg-info", "__pycache__", "results"))
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                           "--target", str(target), str(src)], capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        pytest.skip(f"pip cannot build the package here: {proc.stderr[-500:]}")
    assert (target / "janus_lite" / "py.typed").exists()
    assert (target / "benchmarks" / "run.py").exists()
    env = dict(os.environ, PYTHONPATH=str(target))

    def run_installed(*args):
        p = subprocess.run([sys.executable, "-m", "janus_lite", *args], capture_output=True,
                           text=True, cwd=work, env=env, timeout=600)
        return p.returncode, p.stdout, p.stderr
    rc, out, err = run_installed("bench", "--help")
    assert rc == 0 and "--wait-quiet" in out, err
    rc, out, err = run_installed("bench", "--quick", "--only", "dispatch",
                                 "--allocators", "default")
    assert rc == 0, err[-2000:]
    assert str(target) in out and "dispatch overhead" in out
    assert (work / "janus_lite_bench" / "results.json").exists()


def test_inspect_missing_module_is_a_clean_error(user_module):
    rc, out, err = run("inspect", "no_such_module_xyz:f", "--call", "f(1)", cwd=user_module)
    assert rc == 1 and "no module named 'no_such_module_xyz'" in err
    assert "Traceback" not in err
    rc, out, err = run("inspect", "missing.py:f", cwd=user_module)
    assert rc == 1 and "no such file" in err and "Traceback" not in err


def test_inspect_error_inside_the_users_module(user_module):
    (user_module / "broken.py").write_text("import numpy as np\n\nx = 1 / 0\n")
    rc, out, err = run("inspect", "broken.py:f", cwd=user_module)
    assert rc == 1 and "Traceback" not in err
    assert "broken.py" in err and "ZeroDivisionError: division by zero" in err


def test_inspect_syntax_error_in_call_before_running(user_module):
    (user_module / "loud.py").write_text("print('module ran')\n\ndef f(x):\n    return x\n")
    rc, out, err = run("inspect", "loud.py:f", "--call", "f(np.ones(3)", cwd=user_module)
    assert rc == 1 and "not a Python expression" in err and "Traceback" not in err
    assert "module ran" not in out                 # checked before anything ran


def test_inspect_bad_draw_suffix_before_running(user_module):
    (user_module / "loud.py").write_text("print('module ran')\n\ndef f(x):\n    return x\n")
    rc, out, err = run("inspect", "loud.py:f", "--call", "f(np.ones(3))", "--draw", "g.jpg",
                       cwd=user_module)
    assert rc == 1 and "suffix must be one of .dot, .svg, .png, .pdf" in err
    assert "module ran" not in out and "Traceback" not in err


def test_inspect_error_raised_by_a_call(user_module):
    rc, out, err = run("inspect", "usermod.py:normalize", "--call", "f(np.ones(3))",
                       cwd=user_module)
    assert rc == 1 and "Traceback" not in err
    assert "evaluating --call 'f(np.ones(3))'" in err and "TypeError" in err


def test_demo_rejects_bad_steps():
    for bad in ("-3", "0", "x"):
        rc, _, err = run("demo", "--steps", bad)
        assert rc == 2 and "--steps" in err


def test_demo_says_what_it_does_after_the_progress_bar(tmp_path):
    rc, out, err = run("demo", "--quick", "--steps", "4", "--draw", str(tmp_path / "d.dot"))
    assert rc == 0, err
    after = out.split("4/4", 1)[1]
    first = after.splitlines()[1]
    assert first.startswith("timing the plain and the decorated step")
    assert "timing rounds" in after and "middle half of rounds" in after
