"""Every example runs as a script (small sizes) and prints its speedup and graph-served
share; every decorated function in it gives exactly the plain function's results."""
import importlib
import os
import subprocess
import sys

import numpy as np
import pytest

import janus_lite

from differential import assert_same, differential

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
SCRIPTS = ["logistic_regression", "mlp_classifier", "kmeans", "char_rnn", "tree_rnn",
           "policy_gradient"]


def example(name):
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    return importlib.import_module(name)


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_runs_and_reports(name):
    args = [] if name == "logistic_regression" else ["--quick"]
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name + ".py"), *args],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "speedup" in proc.stdout
    assert "graph-served calls" in proc.stdout


def test_mlp_step_exact():
    m = example("mlp_classifier")
    X, Y, _ = m.spirals(20)
    params = m.init(2, 8, 3)
    calls = [(*params, X, Y, 1.0)] * 4 + [(*params, X[:30], Y[:30], 1.0)] * 2
    f = differential(m.train_step, calls)
    assert f.stats["graph_calls"] >= 2


def test_kmeans_step_exact():
    m = example("kmeans")
    X = m.blobs(60, 3, 2)
    centers = X[:3].copy()
    far = np.array([[1e3, 1e3], [0.0, 0.0], [5.0, 5.0]])       # an empty cluster
    differential(m.lloyd_step, [(X, centers)] * 3 + [(X, far)] * 2)


def test_logistic_regression_step_exact():
    m = example("logistic_regression")
    X, y = m.make_data(64, 8)
    w, b = np.zeros(8, np.float32), np.float32(0.0)
    differential(m.train_step, [(w, b, X, y, 0.5)] * 4)


def test_char_rnn_exact():
    m = example("char_rnn")
    params = m.init(7, 5)
    rng = np.random.default_rng(0)
    calls = []
    for _ in range(4):
        data = [int(c) for c in rng.integers(0, 7, 9)]
        calls.append((data[:8], data[1:], np.zeros(5), *params))
    differential(m.loss_and_grads, calls)


def test_tree_rnn_exact():
    m = example("tree_rnn")
    params = m.init(4)
    trees = [((0, 1), 2), ((0, 1), 2), ((3, 4), 5), (0, (1, (2, 3))), ((0, 1), 2), (7, 8)]
    differential(m.loss_and_grads, [(t, i % 2, *params) for i, t in enumerate(trees)])


def test_policy_gradient_exact():
    m = example("policy_gradient")
    theta = np.array([0.1, -0.2, 0.5, 0.3])
    outs = []             # the rollout mutates env and rng: compare those by hand
    for fn in (m.rollout, janus_lite.jit(m.rollout)):
        env, rng = m.CartPole(), np.random.default_rng(3)
        results = [fn(theta, env, rng, 50) for _ in range(4)]
        outs.append((results, env.state.copy(), rng.random()))
    assert_same(outs[0][0], outs[1][0])
    assert_same(outs[0][1], outs[1][1])
    assert outs[0][2] == outs[1][2]
    rews = np.ones(17)
    differential(m.discounted_returns, [(rews, 0.99)] * 4 + [(np.ones(5), 0.9)] * 2)
    obs = np.random.default_rng(0).standard_normal((17, 4))
    acts = (obs[:, 0] > 0).astype(float)
    differential(m.update, [(theta, obs, acts, m.discounted_returns(rews, 0.99), 1.0)] * 4)
