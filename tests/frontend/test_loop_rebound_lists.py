"""Differential tests: lists made in the function and rebound on every trip of a run-time
loop (a book-style mini-batch loop: ``nabla_b = [nb + dnb for nb, dnb in zip(nabla_b,
delta_nabla_b)]``). The loop node carries them as real lists when the body only reads them
item by item; where anything else could see the list object (stored, appended, aliased,
updated item by item, compared by identity) the conversion keeps its old, exact answer.
"""
import numpy as np
import pytest

import janus_lite
from differential import differential, steady

rng = np.random.default_rng(11)
W = [rng.standard_normal((4, 3)), rng.standard_normal((2, 4))]
B = [rng.standard_normal((4, 1)), rng.standard_normal((2, 1))]


def _ops(graph):
    out = []

    def walk(g):
        for name in g.order:
            out.append(g[name].op)
            for sub in g[name].subgraphs:
                walk(sub)
    walk(graph)
    return out


def grads_of(x, y):
    """Per-sample gradients, returned as two lists (a backprop)."""
    nabla_b = [np.zeros(b.shape) for b in B]
    nabla_w = [np.zeros(w.shape) for w in W]
    a1 = np.tanh(W[0] @ x + B[0])
    out = W[1] @ a1 + B[1]
    delta = out - y
    nabla_b[-1] = delta
    nabla_w[-1] = delta @ a1.T
    d1 = (W[1].T @ delta) * (1 - a1 ** 2)
    nabla_b[0] = d1
    nabla_w[0] = d1 @ x.T
    return nabla_b, nabla_w


def mini_batch_step(X, Y, eta):
    nabla_b = [np.zeros(b.shape) for b in B]
    nabla_w = [np.zeros(w.shape) for w in W]
    for i in range(X.shape[0]):
        delta_nabla_b, delta_nabla_w = grads_of(X[i][:, None], Y[i][:, None])
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    new_w = [w - (eta / X.shape[0]) * nw for w, nw in zip(W, nabla_w)]
    new_b = [b - (eta / X.shape[0]) * nb for b, nb in zip(B, nabla_b)]
    return new_w, new_b, nabla_b


def _batches(sizes):
    return [(rng.standard_normal((n, 3)), rng.standard_normal((n, 2)), 0.5) for n in sizes]


def test_lists_rebound_every_trip_ride_in_the_loop_node():
    calls = _batches([7, 5, 7, 3, 7, 7, 0, 7, 6])
    jitted = differential(mini_batch_step, calls)
    steady(jitted, at_least=5)
    assert any("loop" in _ops(g) for g in jitted.graphs)


def test_rebound_lists_in_an_unrolled_loop_too_long_to_unroll_cheaply(monkeypatch):
    import janus_lite.config as config
    monkeypatch.setattr(config, "LOOP_NODE_AFTER_NODES", 40)
    calls = _batches([12] * 5)
    jitted = differential(mini_batch_step, calls)
    steady(jitted, at_least=3)
    assert "loop" in _ops(jitted.graphs[0])


# -- where the list object itself can be seen: still exact ------------------------------------
def kept_history(X):
    acc = [np.zeros(3)]
    hist = [acc]
    for x in X:
        acc = [a + x for a in acc]
        hist.append(acc)
    return hist, hist[-1] is acc, hist[0] is not acc


def aliased(X):
    acc = [np.zeros(3), np.ones(3)]
    other = acc
    for x in X:
        acc = [a * x for a in acc]
    return acc, other, other is acc


def item_written(X):
    acc = [np.zeros(3), np.ones(3)]
    for x in X:
        acc = [a + x for a in acc]
        acc[0] = acc[0] * 2
    return acc


def identity_after(X):
    acc = [np.zeros(3)]
    first = acc
    for x in X:
        acc = [a + x for a in acc]
    return first is acc, acc


def zero_trips(X):
    acc = [np.zeros(3)]
    start = acc
    for x in X:
        acc = [a - x for a in acc]
    return acc is start, acc


@pytest.mark.parametrize("fn", [kept_history, aliased, item_written, identity_after,
                                zero_trips])
def test_lists_whose_object_can_be_seen_stay_exact(fn):
    calls = [rng.standard_normal((n, 3)) for n in (4, 6, 4, 0, 5, 6, 6)]
    differential(fn, calls)


def test_zero_trip_loop_hands_back_the_very_first_list():
    jitted = janus_lite.jit(zero_trips)
    for n in (3, 5, 4, 6):
        jitted(rng.standard_normal((n, 3)))
    same, acc = jitted(np.zeros((0, 3)))
    assert same is True and len(acc) == 1


def sums_rows(X):
    acc = [np.zeros(3), np.ones(3)]
    for x in X:
        acc = [a + x for a in acc]
    return acc, len(acc)


def test_a_sole_list_through_zero_and_more_trips():
    calls = [rng.standard_normal((n, 3)) for n in (4, 6, 0, 5, 0, 6, 2)]
    jitted = differential(sums_rows, calls)
    steady(jitted, at_least=3)
