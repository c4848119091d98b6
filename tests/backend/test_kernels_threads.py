"""Fused kernels stay bit-identical to the plain ops however a call runs: alone or split
across the helper thread (chosen per kernel by measured time), from several user threads at
once, after a fork, on fed-back outputs and strided inputs, and with the constants the tiles
pass as 0-d arrays (`_tile_const`)."""
import operator
import os
import threading

import numpy as np
import pytest

from janus_lite import config
from janus_lite.backend import kernel_threads, kernels
from janus_lite.backend.kernels import FusedKernel, Program, Step, _tile_const


def _adam_like(dtype=np.float32):
    """m' = 0.9*m + 0.1*g ; p' = p - 0.001 * m' / (sqrt(g*g) + 1e-8): two outputs."""
    S = Step
    steps = [S(np.multiply, operator.mul, (("const", 0.9), ("in", 1))),
             S(np.multiply, operator.mul, (("const", 0.1), ("in", 2))),
             S(np.add, operator.add, (("step", 0), ("step", 1))),
             S(np.multiply, operator.mul, (("in", 2), ("in", 2))),
             S(np.sqrt, np.sqrt, (("step", 3),)),
             S(np.add, operator.add, (("step", 4), ("const", 1e-8))),
             S(np.multiply, operator.mul, (("const", 0.001), ("step", 2))),
             S(np.true_divide, operator.truediv, (("step", 6), ("step", 5))),
             S(np.subtract, operator.sub, (("in", 0), ("step", 7)))]
    return Program(np.dtype(dtype), 3, (0, 1, 2), steps, outputs=(2, 8))


def _reference(p, m, g):
    m2 = 0.9 * m + 0.1 * g
    return m2, p - 0.001 * m2 / (np.sqrt(g * g) + 1e-8)


def _inputs(n, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n).astype(dtype) for _ in range(3)]


def _same(a, b):
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.shape == y.shape
        assert np.array_equal(x.view(np.uint8), y.view(np.uint8))


@pytest.fixture
def split_config(monkeypatch):
    monkeypatch.setattr(config, "KERNEL_THREADS", 2)
    monkeypatch.setattr(config, "PARALLEL_MIN_ELEMENTS", 256)
    monkeypatch.setattr(config, "KERNEL_THREADS_IF_IDLE", True)
    monkeypatch.setattr(config, "FUSE_MIN_ELEMENTS", 0)     # small inputs run the tiles too


def test_chosen_mode_never_changes_the_bits(split_config, monkeypatch):
    monkeypatch.setattr(kernels, "cores_free", lambda: True)
    k = FusedKernel(_adam_like(), tile=96)
    p, m, g = _inputs(5003)
    expected = _reference(p, m, g)
    for _ in range(24):
        _same(expected, k(p, m, g))
    alone, split = k.chooser.times
    assert alone and split            # both ways were run (and timed)


def test_no_split_while_other_processes_leave_no_core(split_config, monkeypatch):
    monkeypatch.setattr(kernels, "cores_free", lambda: False)
    k = FusedKernel(_adam_like(), tile=96)
    p, m, g = _inputs(5003)
    for _ in range(10):
        _same(_reference(p, m, g), k(p, m, g))
    assert k.runs == [10, 0]


def test_idle_probe_reads_proc_stat():
    probe = kernel_threads._Idle()
    assert probe() in (True, False)
    probe.at = -1.0                   # force a second reading: a window to compare with
    assert probe() in (True, False)


def test_fed_back_outputs_and_strided_inputs(split_config):
    k = FusedKernel(_adam_like(), tile=128)
    p, m, g = _inputs(4099, seed=1)
    pe, me = p, m
    for _ in range(6):                 # a training loop: the outputs come back as inputs
        m, p = k(p, m, g)
        me, pe = _reference(pe, me, g)
        _same((me, pe), (m, p))
    big = _inputs(8198, seed=2)
    strided = [a[::2] for a in big]    # not contiguous: the plain ops run
    _same(_reference(*strided), k(*strided))


def test_calls_from_several_threads_at_once(split_config):
    k = FusedKernel(_adam_like(), tile=64)
    data = [_inputs(3000 + 7 * i, seed=i) for i in range(4)]
    expected = [_reference(*d) for d in data]
    errors = []

    def run(i):
        try:
            for _ in range(30):
                _same(expected[i], k(*data[i]))
        except BaseException as exc:    # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_helper_threads_are_made_again_after_fork(monkeypatch, split_config):
    monkeypatch.setattr(config, "KERNEL_THREADS_IF_IDLE", False)     # always split
    k = FusedKernel(_adam_like(), tile=64)
    p, m, g = _inputs(2000)
    _same(_reference(p, m, g), k(p, m, g))
    pid = os.fork()
    if pid == 0:                                     # child: the helper thread is gone
        try:
            ok = all(np.array_equal(a, b) for a, b in zip(_reference(p, m, g), k(p, m, g)))
            os._exit(0 if ok and kernel_threads._helpers_pid == os.getpid() else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


FLOATS = [0.0, -0.0, 0.1, 1 / 3, 2.5, -7.25, 1e-8, 1e-30, 1e-45, 6e-8, 65504.0, 65520.0,
          3.4e38, 3.5e38, 1e300, -1e308, float("inf"), float("-inf"), float("nan")]
INTS = [0, 1, -1, 3, 127, 128, 255, 256, -129, 2 ** 24, 2 ** 24 + 1, 2 ** 31 - 1, 2 ** 31,
        2 ** 53 + 1, -2 ** 63, 2 ** 64]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "uint8", "int32",
                                   "int64"])
@pytest.mark.parametrize("uf", [np.add, np.subtract, np.multiply, np.true_divide, np.maximum,
                                np.power, np.arctan2, np.floor_divide])
def test_constants_passed_as_0d_arrays_select_the_same_loop_and_value(dtype, uf):
    dt = np.dtype(dtype)
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(257) * 50).astype(dt) if dt.kind == "f" else \
        rng.integers(1, 100, 257).astype(dt)
    values = FLOATS + INTS + [np.float32(0.1), np.float64(0.1), np.float16(3), np.int32(5),
                              np.uint8(7), True, 1 + 2j]
    for v in values:
        z = _tile_const(v, dt)
        if z is v:
            continue                                  # left as it is: nothing to compare
        assert isinstance(z, np.ndarray) and z.shape == () and z.dtype == dt
        for args in ((x, v), (v, x)):
            zargs = tuple(z if a is v else a for a in args)
            with np.errstate(all="ignore"):
                try:
                    expected = uf(*args)
                except (TypeError, OverflowError, ValueError) as exc:
                    with pytest.raises(type(exc)):      # refused the same way
                        uf(*zargs)
                    continue
                got = uf(*zargs)
            assert got.dtype == expected.dtype, (v, uf)
            assert np.array_equal(got.view(np.uint8), expected.view(np.uint8)), (v, uf)


def test_constants_that_numpy_would_not_convert_silently_are_kept():
    for v, dt in [(1e300, "float32"), (70000.0, "float16"), (300, "int8"), (-1, "uint8"),
                  (2 ** 24 + 1, "float32"), (True, "float32"), (np.float64(1), "float32"),
                  (1 + 2j, "float64")]:
        assert _tile_const(v, np.dtype(dt)) is v


def test_chooser_keeps_to_the_faster_mode_and_retries_the_other_ever_less_often():
    def run(alone_s, split_s, calls=300):
        c = kernel_threads.Chooser()
        picks = []
        for _ in range(calls):
            mode = c.pick()
            picks.append(mode)
            c.record(mode, split_s if mode else alone_s)
        return picks
    picks = run(alone_s=1.0, split_s=0.6)
    assert sum(picks) > 280 and 0 < picks.count(0) < 20     # retried, with backoff
    picks = run(alone_s=1.0, split_s=0.95)                  # not 10% faster: alone
    assert picks.count(0) > 280


def test_results_are_recycled_only_once_nobody_holds_them(split_config):
    import gc
    import weakref
    k = FusedKernel(_adam_like(), tile=128)
    p, m, g = _inputs(3001, seed=3)
    expected = _reference(p, m, g)
    first = k(p, m, g)
    held = k(p, m, g)                        # `first` is held: new arrays
    assert not any(a is b for a in first for b in held)
    ids = [id(a) for a in first]
    del first
    gc.collect()
    again = k(p, m, g)                       # dropped ones come back, with the new values
    assert [id(a) for a in again] == ids
    _same(expected, again)
    _same(expected, held)

    view = again[0][::2]                     # a view holds its base: no reuse
    ro = again[1]
    ro.flags.writeable = False               # changed flags: no reuse
    old = [id(a) for a in again]
    del again
    fresh = k(p, m, g)
    assert id(fresh[0]) != old[0] and id(fresh[1]) != old[1]
    _same(expected, fresh)
    assert np.array_equal(view, expected[0][::2]) and not ro.flags.writeable

    w = weakref.ref(fresh[0])                # a weak reference: no reuse either
    wid = id(fresh[0])
    del fresh
    assert w() is not None and id(k(p, m, g)[0]) != wid


def test_recycled_results_in_a_training_loop_stay_exact(split_config):
    k = FusedKernel(_adam_like(), tile=256)
    p, m, g = _inputs(4096, seed=4)
    pe, me = p.copy(), m.copy()
    history = []
    for step in range(8):
        m, p = k(p, m, g)                     # the old p, m are dropped here
        me, pe = _reference(pe, me, g)
        _same((me, pe), (m, p))
        if step % 3 == 0:
            history.append(p)                 # some results are kept by the caller
    for h in history:                         # and are never overwritten
        assert h.flags.writeable
    ref_hist, pe, me = [], _inputs(4096, seed=4)[0], _inputs(4096, seed=4)[1]
    for step in range(8):
        me, pe = _reference(pe, me, g)
        if step % 3 == 0:
            ref_hist.append(pe)
    for h, r in zip(history, ref_hist):
        assert np.array_equal(h, r)
