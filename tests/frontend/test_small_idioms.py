"""Small idioms from training code: unpacking a generator expression
(``i, f, o = (sigmoid(a[k*H:(k+1)*H]) for k in range(3))``) and ``list.reverse()`` on a
list made in the function."""
import random

import numpy as np

import janus_lite

from differential import differential, steady

rng = np.random.default_rng(70)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_gates(a, H):
    i, f, o = (sigmoid(a[k * H:(k + 1) * H]) for k in range(3))
    g = np.tanh(a[3 * H:])
    return i * g + f * o


def reversed_layers(x, W1, W2):
    layers = [W1, W2]
    layers.reverse()
    out = x
    for W in layers:
        out = out @ W.T
    return out


def test_generator_expression_unpacked():
    f = differential(lstm_gates, [((rng.standard_normal(8), 2), {}) for _ in range(5)])
    steady(f, 3)


def test_list_reverse_on_a_local_list():
    calls = [((rng.standard_normal((2, 3)), rng.standard_normal((3, 3)),
               rng.standard_normal((3, 3))), {}) for _ in range(5)]
    f = differential(reversed_layers, calls)
    steady(f, 3)


def shuffle_py(xs):
    random.shuffle(xs)
    return xs[0] * 2


def test_python_random_shuffle_of_a_list_argument_is_kept_imperative_and_named():
    # (draws from Python's random module are graphed: tests/frontend/test_python_random.py;
    # a list argument shuffled in place is not)
    f = janus_lite.jit(shuffle_py)
    for i in range(4):
        a, b = list(range(6)), list(range(6))
        random.seed(i)
        expected, state = shuffle_py(a), random.getstate()
        random.seed(i)
        assert f(b) == expected and a == b and random.getstate() == state
    assert f.stats["graph_calls"] == 0
    assert "random.shuffle() updates in place a list argument or attribute" in f.explain()


def decay_by_name(params, grads, lr):
    """String methods on the keys of a parameter dict (known while converting)."""
    out = {}
    for name in params:
        layer, kind = name.split("_")
        if kind.startswith("W"):
            out[name] = params[name] - lr * (grads[name] + 1e-3 * params[name])
        else:
            out[name] = params[name] - lr * grads[name]
        out[layer.upper() + "/" + kind.lower()] = float(np.abs(out[name]).sum())
    return out


def test_string_methods_on_known_keys_fold():
    def params():
        return {"l1_W": rng.standard_normal((2, 3)), "l1_b": rng.standard_normal(3)}
    calls = []
    for _ in range(8):
        p = params()
        calls.append((p, {k: v * 0.5 for k, v in p.items()}, 0.1))
    f = differential(decay_by_name, calls)
    steady(f, 5)
