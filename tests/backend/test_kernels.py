"""Fused tiled kernels compute exactly what the ufuncs compute one after the other on whole
arrays: random programs, random sizes (ragged last tiles, two threads), special values."""
import operator

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from janus_lite import config
from janus_lite.ir.buffers import BufferPool
from janus_lite.backend.kernels import FusedKernel, Program, Step

FLOAT_UNARY = [np.exp, np.tanh, np.sin, np.negative, np.square, np.absolute, np.log1p,
               np.sqrt, np.reciprocal, np.expm1, np.arctan, np.floor]
FLOAT_BINARY = [np.add, np.subtract, np.multiply, np.true_divide, np.maximum, np.minimum,
                np.hypot, np.copysign, np.power, np.fmod]
INT_UNARY = [np.negative, np.square, np.absolute, np.invert]
INT_BINARY = [np.add, np.subtract, np.multiply, np.maximum, np.minimum, np.bitwise_xor]


@st.composite
def programs(draw):
    dtype = np.dtype(draw(st.sampled_from(["float32", "float64", "int32", "int64"])))
    floats = dtype.kind == "f"
    unary, binary = (FLOAT_UNARY, FLOAT_BINARY) if floats else (INT_UNARY, INT_BINARY)
    n_in = draw(st.integers(1, 3))
    n_steps = draw(st.integers(1, 8))
    steps = []

    def operand(k):
        kind = draw(st.sampled_from(["in", "step", "const", "zero_d"] if k else ["in", "const"]))
        if kind == "in":
            return ("in", draw(st.integers(0, n_in - 1)))
        if kind == "step":
            return ("step", draw(st.integers(0, k - 1)))
        value = draw(st.floats(-3, 3, allow_nan=False, width=32) if floats
                     else st.integers(-5, 5))
        if kind == "zero_d":
            z = np.array(value, dtype)
            z.flags.writeable = False
            return ("const", z)
        return ("const", value)

    def array_operand(k):      # every step has an array operand (as fuse.py ensures)
        if k and draw(st.booleans()):
            return ("step", draw(st.integers(0, k - 1)))
        return ("in", draw(st.integers(0, n_in - 1)))

    for k in range(n_steps):
        if draw(st.booleans()):
            uf = draw(st.sampled_from(unary))
            args = (array_operand(k),)
        else:
            uf = draw(st.sampled_from(binary))
            args = (array_operand(k), operand(k))
            if draw(st.booleans()):
                args = args[::-1]
        steps.append(Step(uf, uf, args))
    n_out = draw(st.integers(1, min(2, n_steps)))
    outputs = tuple(sorted(set([n_steps - 1] + draw(st.lists(
        st.integers(0, n_steps - 1), max_size=n_out - 1)))))
    used = {ref for s in steps for kind, ref in s.args if kind == "in"}
    arrays = tuple(sorted(used | {0}))
    return Program(dtype, n_in, arrays, steps, outputs)


def reference(program, inputs):
    vals = []
    for s in program.steps:
        args = [inputs[r] if k == "in" else vals[r] if k == "step" else r for k, r in s.args]
        vals.append(s.ufunc(*args))
    out = [vals[k] for k in program.outputs]
    return out[0] if len(out) == 1 else tuple(out)


def same(a, b):
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert type(x) is type(y) and x.dtype == y.dtype and x.shape == y.shape
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f") and \
            np.array_equal(np.signbit(x), np.signbit(y)) if x.dtype.kind == "f" else \
            np.array_equal(x, y)


@settings(max_examples=150, deadline=None)
@given(programs(), st.integers(1, 5000), st.sampled_from([64, 100, 1024]),
       st.sampled_from([1, 2]), st.integers(0, 2 ** 31 - 1))
def test_random_programs_are_exact(program, n, tile, threads, seed):
    rng = np.random.default_rng(seed)
    if program.dtype.kind == "f":
        inputs = [(rng.standard_normal(n) * 3).astype(program.dtype) for _ in range(program.n_inputs)]
        inputs[0][: min(n, 4)] = [0.0, -0.0, np.inf, np.nan][: min(n, 4)]
    else:
        inputs = [rng.integers(-1000, 1000, n).astype(program.dtype)
                  for _ in range(program.n_inputs)]
    old = config.KERNEL_THREADS, config.PARALLEL_MIN_ELEMENTS, config.KERNEL_THREADS_IF_IDLE
    config.KERNEL_THREADS, config.PARALLEL_MIN_ELEMENTS = threads, 256
    config.KERNEL_THREADS_IF_IDLE = False
    try:
        with np.errstate(all="ignore"):
            expected = reference(program, inputs)
            kernel = FusedKernel(program, tile=tile)
            got = kernel(*inputs)
            same(expected, got)
            same(expected, kernel.plain(*inputs))
            bufs = [np.full(n, 7, program.dtype) for _ in program.outputs]
            same(expected, kernel(*inputs, *bufs))          # planned output buffers
            same(expected, kernel(*inputs))                  # scratch reused: still exact
    finally:
        config.KERNEL_THREADS, config.PARALLEL_MIN_ELEMENTS, config.KERNEL_THREADS_IF_IDLE = old


def test_operator_steps_and_pow_fast_path():
    # x ** 2 is square, x ** 0.5 is sqrt: the plain path calls the operator
    x = np.linspace(0.1, 3, 1000, dtype=np.float32)
    prog = Program(np.dtype(np.float32), 1, (0,), [
        Step(np.square, operator.pow, (("in", 0),), plain_args=(("in", 0), ("const", 2))),
        Step(np.sqrt, operator.pow, (("step", 0),), plain_args=(("step", 0), ("const", 0.5))),
        Step(np.multiply, operator.mul, (("step", 1), ("const", 3)))], outputs=(2,))
    k = FusedKernel(prog, tile=128)
    same(((x ** 2) ** 0.5) * 3, k(x))
    same(((x ** 2) ** 0.5) * 3, k.plain(x))


@pytest.mark.parametrize("bad", ["shape", "dtype", "order", "empty", "scalar"])
def test_inputs_the_program_was_not_built_for_run_plainly(bad):
    prog = Program(np.dtype(np.float64), 2, (0, 1), [
        Step(np.exp, np.exp, (("in", 0),)),
        Step(np.add, operator.add, (("step", 0), ("in", 1)))], outputs=(1,))
    k = FusedKernel(prog, tile=16)
    a, b = np.ones((20, 30)), np.ones((20, 30))
    if bad == "shape":
        b = np.ones(30)                       # broadcasting: the plain ops handle it
    elif bad == "dtype":
        b = b.astype(np.float32)
    elif bad == "order":
        a = np.asfortranarray(a)
    elif bad == "empty":
        a, b = np.ones((0, 3)), np.ones((0, 3))
    else:
        b = 2.5
    expected = np.exp(a) + b
    got = k(a, b)
    same(expected, got)
    assert got.flags.c_contiguous == expected.flags.c_contiguous


def test_floating_point_errors_follow_errstate():
    prog = Program(np.dtype(np.float64), 1, (0,), [Step(np.log, np.log, (("in", 0),))],
                   outputs=(0,))
    k = FusedKernel(prog, tile=8)
    x = np.zeros(100)
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            k(x)
    old = config.KERNEL_THREADS, config.PARALLEL_MIN_ELEMENTS, config.KERNEL_THREADS_IF_IDLE
    config.KERNEL_THREADS, config.PARALLEL_MIN_ELEMENTS = 2, 16
    config.KERNEL_THREADS_IF_IDLE = False
    try:
        with np.errstate(divide="raise"):       # the worker thread sees the caller's errstate
            with pytest.raises(FloatingPointError):
                k(np.concatenate([np.ones(90), np.zeros(10)]))
    finally:
        config.KERNEL_THREADS, config.PARALLEL_MIN_ELEMENTS, config.KERNEL_THREADS_IF_IDLE = old


def test_buffer_pool_gives_each_caller_its_own_set():
    pool = BufferPool([((4,), np.float32), (None, np.float64)])
    a, b = pool.acquire(), pool.acquire()
    assert a is not b and a[0] is not b[0] and pool.created == 2
    pool.release(a)
    assert pool.acquire() is a and a[1].shape == ()


def test_warnings_are_reported_once_per_op_as_numpy_does():
    import warnings
    prog = Program(np.dtype(np.float64), 1, (0,), [
        Step(np.log, np.log, (("in", 0),)),
        Step(np.multiply, operator.mul, (("step", 0), ("const", 2.0)))], outputs=(1,))
    k = FusedKernel(prog, tile=8)
    x = np.zeros(100)
    with warnings.catch_warnings(record=True) as plain_w:
        warnings.simplefilter("always")
        expected = np.log(x) * 2.0
    with warnings.catch_warnings(record=True) as kernel_w:
        warnings.simplefilter("always")
        got = k(x)
    same(expected, got)
    assert [str(w.message) for w in kernel_w] == [str(w.message) for w in plain_w]
    with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        same(expected, k(x))
    assert not quiet


def test_a_small_input_skips_the_tile_loop_with_the_same_bits(monkeypatch):
    # a shape only known at run time, below FUSE_MIN_ELEMENTS: the plain ops (one NumPy call
    # each) answer, cheaper than the tile loop for a few elements, and bit-identical to it
    import operator
    from janus_lite import config
    from janus_lite.backend.kernels import FusedKernel, Program, Step
    prog = Program(np.dtype(np.float64), 2, (0, 1),
                   [Step(np.multiply, operator.mul, (("in", 0), ("in", 1))),
                    Step(np.sqrt, np.sqrt, (("step", 0),))], outputs=(1,))
    k = FusedKernel(prog, tile=64)
    a, b = np.linspace(0, 3, 500), np.linspace(1, 2, 500)
    small = k(a, b)
    assert k.runs == [0, 0]                       # the tiles did not run
    monkeypatch.setattr(config, "FUSE_MIN_ELEMENTS", 0)
    tiled = k(a, b)
    assert k.runs[0] == 1
    assert np.array_equal(small, tiled) and np.array_equal(small, np.sqrt(a * b))
