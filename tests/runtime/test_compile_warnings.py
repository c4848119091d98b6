"""janus_lite parses and compiles the user's source again: the compile-time warnings that
source gives (``idx is 0``, an invalid escape in a docstring) must not reach the user, and
under ``-W error`` they must not stop the conversion (the plain program runs from its
cached bytecode and never sees them)."""
import importlib
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import janus_lite

MODULE = textwrap.dedent('''
    """Helpers \\d with an invalid escape in the docstring."""
    import numpy as np


    def pick(x, idx):
        """Scale \\d the picked row."""
        if idx is 0:
            return x * 2.0
        return x - 1.0


    def step(w, g):
        w -= 0.1 * g
        return w
''')


@pytest.fixture
def warny_module(tmp_path, monkeypatch):
    name = f"warny_mod_{os.getpid()}_{abs(hash(str(tmp_path))) % 10**6}"
    path = tmp_path / f"{name}.py"
    path.write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    with warnings.catch_warnings():              # Python's own compile shows them: not ours
        warnings.simplefilter("ignore")
        mod = importlib.import_module(name)
    yield mod, tmp_path, name
    sys.modules.pop(name, None)


def test_module_really_warns_when_compiled(warny_module):
    _, tmp_path, name = warny_module
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        compile((tmp_path / f"{name}.py").read_text(), f"{name}.py", "exec")
    kinds = {w.category for w in seen}
    assert SyntaxWarning in kinds and (DeprecationWarning in kinds or len(kinds) == 1), seen


def test_no_compile_warning_reaches_the_user(warny_module):
    mod, _, _ = warny_module
    filters_before = warnings.filters
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        pick = janus_lite.jit(mod.pick)
        step = janus_lite.jit(mod.step)
        x = np.arange(4.0)
        for _ in range(5):
            np.testing.assert_array_equal(pick(x, 0), mod.pick(x, 0))
            w1, w2 = np.ones(3), np.ones(3)
            step(w1, np.ones(3))
            mod.step(w2, np.ones(3))
            np.testing.assert_array_equal(w1, w2)
    assert [str(w.message) for w in seen] == []
    assert pick.stats["graph_calls"] >= 1, pick.explain()
    assert step.stats["graph_calls"] >= 1, step.explain()
    assert warnings.filters is filters_before


SCRIPT = textwrap.dedent('''
    import sys, warnings
    import numpy as np
    import janus_lite
    import {name} as mod
    pick = janus_lite.jit(mod.pick)
    x = np.arange(4.0)
    for _ in range(5):
        assert (pick(x, 0) == mod.pick(x, 0)).all()
    print(pick.stats["graph_calls"], pick.stats["imperative_calls"])
''')


def test_w_error_does_not_change_what_is_converted(warny_module):
    _, tmp_path, name = warny_module
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    root = os.path.dirname(os.path.dirname(janus_lite.__file__))
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), root])
    # the plain program's first run compiles the module (and caches its bytecode) ...
    subprocess.run([sys.executable, "-W", "ignore", "-c", f"import {name}"], cwd=tmp_path,
                   env=env, check=True)
    results = {}
    for flags in ([], ["-W", "error"]):       # ... later runs, with and without -W error
        out = subprocess.run([sys.executable, *flags, "-c", SCRIPT.format(name=name)],
                             cwd=tmp_path, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stderr == "", out.stderr
        results[tuple(flags)] = out.stdout.split()
    assert results[()] == results[("-W", "error")]
    assert int(results[("-W", "error")][0]) >= 1
