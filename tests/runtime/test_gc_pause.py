"""The cyclic garbage collector pauses while a function converts (runtime/gc_pause.py) and is
exactly as the program left it afterwards: on when it was on, off when the program had turned
it off, also when the conversion fails, nests, or runs in two threads at once."""
import gc
import threading

import numpy as np
import pytest
from differential import differential

import janus_lite
import janus_lite.api as api


def step(w, g, lr):
    return w - lr * g * np.tanh(w)


@pytest.fixture
def seen(monkeypatch):
    """gc.isenabled() as each conversion saw it."""
    real, states = api.convert, []

    def convert(*a, **k):
        states.append(gc.isenabled())
        return real(*a, **k)
    monkeypatch.setattr(api, "convert", convert)
    return states


def _calls(n=5):
    return [((np.linspace(-1, 1, 6) * i, np.full(6, 0.1), 0.5), {}) for i in range(n)]


def test_conversion_runs_with_the_collector_paused_and_restores_it(seen):
    assert gc.isenabled()
    f = differential(step, _calls())
    assert f.stats["conversions"] >= 1 and seen and not any(seen), seen
    assert gc.isenabled()


def test_a_program_that_turned_the_collector_off_keeps_it_off(seen):
    gc.disable()
    try:
        differential(step, _calls())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_knob_leaves_the_collector_alone(seen, monkeypatch):
    monkeypatch.setattr(janus_lite.config, "CONVERSION_PAUSES_GC", False)
    differential(step, _calls())
    assert seen and all(seen), seen
    assert gc.isenabled()


def test_a_failed_conversion_restores_the_collector(monkeypatch):
    def broken(*a, **k):
        assert not gc.isenabled()
        raise RuntimeError("a bug of ours")
    monkeypatch.setattr(api, "convert", broken)
    f = differential(step, _calls())
    assert f.stats["graph_calls"] == 0 and f.stats["failed_conversions"] >= 1, f.stats
    assert gc.isenabled()


def test_conversions_in_two_threads_share_one_pause(monkeypatch):
    from janus_lite.runtime import gc_pause
    real, inside, go = api.convert, threading.Barrier(3), threading.Event()
    first = threading.local()

    def convert(*a, **k):
        if getattr(first, "done", False):
            return real(*a, **k)
        first.done = True
        inside.wait(timeout=30)           # both threads are converting now (and the test)
        out = real(*a, **k)
        go.wait(timeout=30)
        return out
    monkeypatch.setattr(api, "convert", convert)
    errors = []

    def run():
        try:
            differential(step, _calls(3))
        except Exception as exc:          # noqa: BLE001 (reported below)
            errors.append(exc)
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait(timeout=30)
    assert not gc.isenabled() and gc_pause._depth == 2
    go.set()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert gc.isenabled() and gc_pause._depth == 0
