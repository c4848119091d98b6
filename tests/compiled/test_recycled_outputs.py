"""A compiled segment writes its large results into arrays the caller has dropped
(`backend.recycle.OutputPool`): never into one the caller still holds, in any way."""
import gc
import weakref

import numpy as np
import pytest

pytest.importorskip("numba")

import janus_lite as jl  # noqa: E402
from benchmarks.workloads import adam_update as adam, elementwise_chain as chain  # noqa: E402
from janus_lite import config  # noqa: E402

N = 1 << 16          # 256 KiB of float32 per result: over config.RECYCLE_MIN_BYTES


def _args(seed):
    rng = np.random.default_rng(seed)
    p, g, m = (rng.standard_normal(N).astype(np.float32) for _ in range(3))
    v = np.abs(rng.standard_normal(N)).astype(np.float32)
    return [p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 10]


def _same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _compiled(jf):
    state = jf.graphs[-1].graph.tier_state
    assert state.tier == "compiled", state.reason
    return state


def test_results_held_by_the_caller_are_never_written_again(compiled):
    assert N * 4 >= config.RECYCLE_MIN_BYTES
    jf = jl.jit(adam)
    for k in range(3):
        jf(*_args(k))
    _compiled(jf)
    held, views, refs = [], [], []
    for k in range(6):                     # same inputs: each call's results kept somehow
        out = jf(*_args(k))
        if k % 3 == 0:
            held.append(out)                                  # the tuple itself
        elif k % 3 == 1:
            views.append([o[::2] for o in out])               # only views of them
        else:
            refs.append([weakref.ref(o) for o in out])        # only weak references
            keep_alive = out                                  # noqa: F841 (dropped below)
        expect = adam(*_args(k))
        for a, b in zip(out, expect):
            assert _same(a, b)
    for k, out in zip((0, 3), held):
        for a, b in zip(out, adam(*_args(k))):
            assert _same(a, b)
    for k, vs in zip((1, 4), views):
        for a, b in zip(vs, adam(*_args(k))):
            assert _same(a, b[::2])


def test_dropped_results_are_handed_out_again(compiled):
    jf = jl.jit(adam)
    for k in range(3):
        jf(*_args(k))
    state = _compiled(jf)
    assert any(seg.recycled for seg in state.segments.segments)
    args = _args(7)
    first = [id(o) for o in jf(*args)]      # dropped at once
    gc.collect()
    again = jf(*args)
    assert [id(o) for o in again] == first
    for a, b in zip(again, adam(*args)):
        assert _same(a, b)


def test_a_training_loop_feeding_results_back_matches_plain(compiled):
    jf = jl.jit(adam)
    pa, ja = _args(3), _args(3)
    for t in range(1, 12):
        p, m, v = adam(pa[0], pa[1], pa[2], pa[3], 1e-3, 0.9, 0.999, 1e-8, t)
        pa[0], pa[2], pa[3] = p, m, v
        jp, jm, jv = jf(ja[0], ja[1], ja[2], ja[3], 1e-3, 0.9, 0.999, 1e-8, t)
        ja[0], ja[2], ja[3] = jp, jm, jv
        for a, b in zip((p, m, v), (jp, jm, jv)):
            assert _same(a, b)
    assert jf.stats["graph_calls"] >= 5


def test_small_results_are_not_recycled(compiled):
    small = [a[:1000].copy() if isinstance(a, np.ndarray) else a for a in _args(0)]
    jf = jl.jit(adam)
    for _ in range(3):
        jf(*small)
    state = _compiled(jf)
    assert not any(seg.recycled for seg in state.segments.segments)


def test_large_temporaries_come_from_the_pool_too(compiled):
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal(N).astype(np.float32) for _ in range(6)]
    jf = jl.jit(chain)
    outs = [jf(x) for x in xs]              # results held: temporaries recycled, not them
    state = _compiled(jf)
    segs = state.segments.segments
    temps = [name for seg in segs for name in seg.recycled if name not in seg.outputs]
    assert temps, [seg.source for seg in segs]
    for x, o in zip(xs, outs):
        assert _same(o, chain(x))
    assert len({id(o) for o in outs}) == len(outs)


class Cell:
    """A layer keeping its last activation, as RNN cells and caching layers do."""

    def __init__(self, n):
        self.h = np.zeros(n, np.float32)
        self.history = []

    def step(self, x, keep):
        self.h = self.h * np.float32(0.5) + x * np.float32(0.25)
        if keep:
            self.history.append(self.h)
        return self.h * np.float32(2.0)


def test_results_kept_in_state_and_lists_are_never_reused(compiled):
    rng = np.random.default_rng(9)
    xs = [rng.standard_normal(N).astype(np.float32) for _ in range(8)]
    plain, cell = Cell(N), Cell(N)
    jstep = jl.jit(Cell.step)
    outs_p, outs_j = [], []
    for k, x in enumerate(xs):
        keep = k % 3 == 0
        outs_p.append(plain.step(x, keep))
        r = jstep(cell, x, keep)
        if k % 2:
            outs_j.append(r)                   # some results held, the others dropped
        else:
            outs_j.append(r.copy())
    for a, b in zip(outs_p, outs_j):
        assert _same(a, b)
    assert _same(plain.h, cell.h)
    assert len(plain.history) == len(cell.history)
    for a, b in zip(plain.history, cell.history):
        assert _same(a, b)
    assert jstep.stats["graph_calls"] >= 4
