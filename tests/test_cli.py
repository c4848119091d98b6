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
    proc = subprocess.run([sys.executable, "-m", "janus_lite", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=timeout)
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
