"""Attributes and globals that the guards check are read once.

A method's guards read ``layer.W`` for its type, dtype, shape, flags and distinctness, and
the graph reads it again: the guard code reads an attribute once, into a local inside
``try`` (``try: _s0 = layer.W``; a missing attribute is a miss of its type guard), and its
type guard and everything later use the local; a global, right after its type guard held.
A receiver of another class, or an attribute of another type, is still a guard miss
(another graph or the plain function answers) and not an exception. Items of a dict are
read once too, right after the guard on its keys (the key is there).
"""
import numpy as np

import janus_lite as jl
from differential import differential, steady

SCALE = 0.5


class Layer:
    def __init__(self, n, seed):
        r = np.random.default_rng(seed)
        self.W = r.standard_normal((n, n))
        self.dW = r.standard_normal((n, n))
        self.lr = 0.1


class Other:                      # another receiver type with the same attributes
    def __init__(self, n, seed):
        r = np.random.default_rng(seed)
        self.W = r.standard_normal((n, n))
        self.dW = r.standard_normal((n, n))
        self.lr = 0.1


def step(layer):
    layer.W -= layer.lr * layer.dW * SCALE
    return layer.W.sum()


def _entry_source(f):
    return [g.source() for g in f.graphs if g.active][-1]


def test_each_attribute_is_read_once_after_its_type_guard():
    f = differential(step, [(Layer(4, k),) for k in range(4)])
    steady(f, 2)
    src = _entry_source(f)
    # an attribute: read once, into a local inside ``try`` (missing: a miss of its type
    # guard), and its type guard checks the local
    assert src.count("layer.W") == 1, src
    assert src.count("layer.dW") == 1 and src.count("layer.lr") == 1, src
    assert src.count("['SCALE']") == 2, src        # a global: its type guard, then the read
    lines = src.splitlines()
    read = next(i for i, line in enumerate(lines) if "= layer.W" in line)
    local = lines[read].split("=")[0].split()[-1]
    typed = next(i for i, line in enumerate(lines) if f"type({local})" in line)
    assert "try:" in lines[read] and typed == read + 2, src


def test_wrong_types_are_still_misses_not_errors():
    """After the graph for Layer: an Other receiver, an attribute that is a list — each
    answered as the plain function answers (the differential check), by a guard miss, never
    counted as a graph error. (A missing attribute raises in its type guard, as before this
    binding: the plain function answers with its AttributeError.)"""
    bad_attr = Layer(4, 7)
    bad_attr.dW = [[1.0] * 4] * 4
    calls = [(Layer(4, k),) for k in range(4)] + [(Other(4, 5),), (bad_attr,), (Layer(4, 9),)]
    f = differential(step, calls)
    assert all(g.errors == 0 for g in f.graphs), [g.errors for g in f.graphs]
    assert sum(sum(g.guard_misses) for g in f.graphs) >= 2
    no_attr = Layer(4, 8)
    del no_attr.lr
    differential(step, [(Layer(4, k),) for k in range(4)] + [(no_attr,), (Layer(4, 9),)])


def test_a_global_of_another_type_is_a_miss():
    global SCALE
    f = jl.jit(step)
    layers = [Layer(3, k) for k in range(3)]
    for layer in layers:
        f(layer)
    old = SCALE
    try:
        SCALE = "x"
        plain_layer, jit_layer = Layer(3, 1), Layer(3, 1)
        try:
            step(plain_layer)
        except TypeError as exc:
            want = str(exc)
        try:
            f(jit_layer)
        except TypeError as exc:
            got = str(exc)
        assert got == want
        assert np.array_equal(plain_layer.W, jit_layer.W)
    finally:
        SCALE = old
    assert all(g.errors == 0 for g in f.graphs)
    assert sum(sum(g.guard_misses) for g in f.graphs) >= 1


def momentum(w, dw, config):
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v


def test_dict_items_are_read_once_after_the_keys_guard():
    rng = np.random.default_rng(5)

    def cfg(n, vel=True):
        c = {"learning_rate": 0.01, "momentum": 0.9}
        if vel:
            c["velocity"] = rng.standard_normal(n)
        return c

    calls = [(rng.standard_normal(6), rng.standard_normal(6), cfg(6)) for _ in range(5)] + [
        (rng.standard_normal(6), rng.standard_normal(6), dict(cfg(6), velocity=[0.0] * 6)),
        (rng.standard_normal(6), rng.standard_normal(6), cfg(6, vel=False)),   # another key set
        (rng.standard_normal(6), rng.standard_normal(6), cfg(6))]
    f = differential(momentum, calls)
    steady(f, 3)
    src = _entry_source(f)
    keys_at = src.index("tuple(config)")
    assert src.count("config['velocity']") == 1, src            # one read, into a local
    assert src.index("config['velocity']") > keys_at, src        # after the key check
