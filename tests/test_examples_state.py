"""The object-oriented example (examples/oo_model.py): it runs as a script with --small and
reports its speedup and graph-served share; its decorated `Model.train_step` (applied from
outside) and `Model.accuracy` (decorated in the class body) leave a model in exactly the
state the plain methods leave, print the same log lines, and are served by graphs in the
steady state."""
import contextlib
import copy
import importlib
import io
import os
import re
import subprocess
import sys

import numpy as np

import janus_lite
from differential import assert_same

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def example():
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    return importlib.import_module("oo_model")


def state(obj):
    """An object's state as nested plain data (the harness compares callable objects by
    identity; layers and activations here are callable objects)."""
    if isinstance(obj, (list, tuple)):
        return type(obj)(state(v) for v in obj)
    if isinstance(obj, dict):
        return {k: state(v) for k, v in obj.items()}
    if hasattr(obj, "__dict__") and type(obj).__module__ != "builtins" and \
            not isinstance(obj, np.ndarray):
        return {"__type__": type(obj).__name__, **{k: state(v) for k, v in vars(obj).items()}}
    return obj


def test_script_runs_small_and_reports():
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, "oo_model.py"), "--small"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=ROOT))     # this checkout
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "speedup" in out
    assert "(plain vs decorated): True" in out, out
    m = re.search(r"train_step: graph-served calls: (\d+)/(\d+)", out)
    assert m, out
    served, calls = int(m.group(1)), int(m.group(2))
    assert served >= 0.8 * calls, out
    assert re.search(r"step\s+20  loss", out), out          # the log every k steps


def test_train_step_exact_and_graph_served():
    ex = example()
    x, y, labels = ex.blobs(32, 6, 3, seed=3)
    plain = ex.Model([6, 10, 10, 3], log_every=4, seed=2)
    jitted = copy.deepcopy(plain)
    W0 = jitted.layers[0].W                      # an alias the caller holds
    step = janus_lite.jit(ex.plain_train_step)   # a fresh decorated copy: its own stats
    for i in range(24):
        out_p, out_j = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out_p):
            lp = ex.plain_train_step(plain, x, y)
        with contextlib.redirect_stdout(out_j):
            lj = step(jitted, x, y)
        assert_same(lj, lp, f"step {i} loss")
        assert out_j.getvalue() == out_p.getvalue(), f"step {i} printed"
        assert_same(state(jitted), state(plain), f"step {i} model")
        assert jitted.layers[0].W is W0               # updated in place, not replaced
    assert step.stats["graph_calls"] >= 16, step.explain()
    assert_same(W0, plain.layers[0].W)


def test_accuracy_decorated_in_class_body_is_exact():
    ex = example()
    x, y, labels = ex.blobs(40, 6, 3, seed=4)
    model = ex.Model([6, 10, 10, 3], seed=5)
    acc = ex.Model.accuracy
    assert isinstance(acc, janus_lite.api.SpeculativeFunction)
    before = acc.stats["graph_calls"]
    for i in range(6):
        assert_same(model.accuracy(x, labels), acc.__wrapped__(model, x, labels), f"call {i}")
    assert acc.stats["graph_calls"] - before >= 3, acc.explain()
