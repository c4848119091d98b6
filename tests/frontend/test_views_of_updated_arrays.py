"""A view of an array the function updated in place, returned or stored, is a view of the
caller's array — as the plain function's is — not of the graph's private copy of it.

Found by the compiled-tier fuzzer (seed 47): ``obj.w[...] = x + (x + x); return
obj.w[::-1]`` returned a view of the private copy; the values were right when the call
returned, but the next call's write into ``obj.w`` changed the plain function's earlier
result and not the graph's. Each case below keeps every result and compares them all at
the end (after the later calls wrote the arrays again), and compares the arrays' final
state."""
import numpy as np
import pytest

import janus_lite as jl


class Obj:
    def __init__(self, w):
        self.w = w


def set_and_view(x, obj):
    obj.w[...] = x + (x + x)
    return obj.w[::-1]


def set_and_transpose(x, obj):
    obj.w[...] = x * 2.0
    return obj.w.T


def update_and_slice(p, g):
    p -= 0.5 * g
    return p[1:], p[:, ::2]


def store_a_view(x, obj):
    obj.w += x
    obj.last = obj.w[0]
    return obj.w.sum()


def _run(fn, make_args, n=6, **jit_kw):
    plain_state, jit_state = make_args(), make_args()
    f = jl.jit(fn, **jit_kw)
    rng = np.random.default_rng(4)
    xs = [rng.standard_normal(plain_state[0].shape) for _ in range(n)]
    outs_p = [fn(x, *plain_state[1:]) for x in xs]
    outs_j = [f(x, *jit_state[1:]) for x in xs]
    return f, outs_p, outs_j, plain_state, jit_state


def _same(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v)
        return
    assert type(a) is type(b)
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and a.strides == b.strides
        assert np.array_equal(a, b)
        assert a.flags.writeable == b.flags.writeable
    else:
        assert a == b


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("fn", [set_and_view, set_and_transpose])
def test_a_returned_view_follows_the_callers_array(fn, order):
    def make():
        return (np.zeros((3, 4), order=order), Obj(np.zeros((3, 4), order=order)))

    f, outs_p, outs_j, ps, js = _run(fn, make)
    assert f.stats["graph_calls"] >= 3, f.explain()
    for a, b in zip(outs_p, outs_j):           # compared after every later call
        _same(a, b)
        assert (b.base is js[1].w) == (a.base is ps[1].w) or order == "F"
    assert np.array_equal(ps[1].w, js[1].w)
    js[1].w[0, 0] = 123.0                      # the last result is a live view
    ps[1].w[0, 0] = 123.0
    _same(outs_p[-1], outs_j[-1])


def test_views_of_an_argument_updated_in_place():
    def make():
        return (np.zeros((4, 4)),)

    plain_p, jit_p = np.ones((4, 4)), np.ones((4, 4))
    f = jl.jit(update_and_slice)
    rng = np.random.default_rng(5)
    gs = [rng.standard_normal((4, 4)) for _ in range(6)]
    outs_p = [update_and_slice(plain_p, g) for g in gs]
    outs_j = [f(jit_p, g) for g in gs]
    assert f.stats["graph_calls"] >= 3, f.explain()
    for a, b in zip(outs_p, outs_j):
        _same(a, b)
        assert b[0].base is jit_p and b[1].base is jit_p
    assert np.array_equal(plain_p, jit_p)


def test_a_stored_view_follows_the_callers_array():
    def make():
        return (np.zeros((3, 3)), Obj(np.zeros((3, 3))))

    f, outs_p, outs_j, ps, js = _run(store_a_view, make)
    assert f.stats["graph_calls"] >= 3, f.explain()
    for a, b in zip(outs_p, outs_j):
        _same(a, b)
    _same(ps[1].last, js[1].last)
    assert js[1].last.base is js[1].w
    js[1].w[0, 1] = ps[1].w[0, 1] = -7.0
    _same(ps[1].last, js[1].last)


def test_a_non_contiguous_callers_array_is_answered_by_the_plain_function():
    """Its private copy has another layout: no view of the caller's array can stand for the
    copy's view, so the run is abandoned and the plain function answers (exactly)."""
    def make():
        big = np.zeros((3, 8))
        return (np.zeros((3, 4)), Obj(big[:, ::2]))

    f, outs_p, outs_j, ps, js = _run(set_and_view, make)
    for a, b in zip(outs_p, outs_j):
        _same(a, b)
        assert b.base is js[1].w.base
    assert np.array_equal(ps[1].w, js[1].w)
