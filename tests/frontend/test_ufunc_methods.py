"""ufunc methods as ops: ``np.add.at`` (an embedding layer's backward), ``reduce``,
``accumulate``, ``outer``, ``reduceat`` — on arrays made in the function and on arguments
(updated in place: the caller's very array, aliases see it)."""
import copy

import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(63)


def _r(*shape):
    return rng.standard_normal(shape)


def embedding_backward(dout, x, V):
    N, T, D = dout.shape
    dW = np.zeros((V, D))
    np.add.at(dW, x, dout)
    return dW


def scatter_into_argument(acc, idx, v):
    before = acc.sum()
    np.add.at(acc, idx, v)
    np.maximum.at(acc, idx[:1], 10.0)
    return before, acc.sum()


def reductions(x):
    return (np.add.reduce(x), np.maximum.reduce(x, axis=1), np.multiply.accumulate(x, axis=0),
            np.subtract.outer(x[0], x[1]), np.add.reduceat(x, [0, 2], axis=1),
            np.logical_or.reduce(x > 0, axis=0))


def test_embedding_backward_add_at():
    calls = [((_r(2, 3, 4), rng.integers(0, 5, (2, 3)), 5), {}) for _ in range(6)]
    f = differential(embedding_backward, calls)
    steady(f, 3)


def test_add_at_on_an_argument_updates_the_callers_array():
    f = janus_lite.jit(scatter_into_argument)
    acc_plain = _r(6)
    acc_jit = acc_plain.copy()
    view_jit = acc_jit[:3]
    for _ in range(5):
        idx, v = rng.integers(0, 6, 4), _r(4)
        assert_same(f(acc_jit, idx, v), scatter_into_argument(acc_plain, idx, v))
        assert_same(acc_jit, acc_plain)
        assert_same(view_jit, acc_plain[:3])
    steady(f, 2)


def test_add_at_differential_with_repeated_indices():
    calls = [((_r(6), np.array([0, 1, 1, 1, 5]), _r(5)), {}) for _ in range(6)]
    f = differential(scatter_into_argument, calls)
    steady(f, 3)


def test_bad_index_raises_like_numpy_and_leaves_the_argument_alone():
    calls = [((_r(6), np.array([0, 1]), _r(2)), {}) for _ in range(4)] + \
        [((_r(6), np.array([0, 9]), _r(2)), {})]
    differential(scatter_into_argument, calls)


def test_reduce_accumulate_outer_reduceat():
    f = differential(reductions, [((_r(3, 4),), {}) for _ in range(5)])
    steady(f, 3)


def test_ufunc_method_rows_are_in_the_op_table():
    from janus_lite.ir import get_op
    from janus_lite.ir.ops_numpy import ufunc_method
    assert get_op("np.add.at").mutates == (0,)
    assert get_op("np.maximum.reduce").fresh is True
    assert ufunc_method(np.add, "at") is ufunc_method(np.add, "at")
    assert ufunc_method(np.sqrt, "reduce") is None      # unary ufuncs cannot reduce
    assert copy.copy(get_op("np.multiply.outer").impl)(2, 3) == 6
