"""In-place array updates on arguments and attributes — ``w -= lr * g``,
``np.clip(d, -5, 5, out=d)``, ``x[idx] = v``, ``x[mask] *= 0`` — are committed into the very
same array objects: every alias and view the caller holds sees the update, and a function
that returns its argument returns that same object (``result is arg``)."""
import copy

import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(45)


def _r(*shape):
    return rng.standard_normal(shape)


def sgd_in_place(w, g, lr):
    w -= lr * g


def sgd_in_place_returns_arg(w, g, lr):
    w -= lr * g
    return w


def clip_out(d, lim):
    np.clip(d, -lim, lim, out=d)
    return float(np.abs(d).max())


def set_rows(x, idx, v):
    x[idx] = v
    return x.sum()


def zero_masked(x, thresh):
    mask = np.abs(x) < thresh
    x[mask] *= 0
    return int(mask.sum())


def scale_slice(x, k):
    x[1:3] *= k
    x[0] = x[-1] + 1.0
    return x


def decay_two(a, b, k):
    a *= k
    b += a
    return a.sum() + b.sum()


def _alias_check(fn, make_args, n=8, returns_arg=None):
    """Run plain and jit'ed ``fn`` on twin arguments; after each call the arrays the caller
    still holds (aliases and views made before the call) must match, and when the plain
    function returns argument ``returns_arg`` the jit'ed one must return its own twin."""
    f = janus_lite.jit(fn)
    for i in range(n):
        args_p = make_args(i)
        args_j = copy.deepcopy(args_p)
        views_p = [a[...] for a in args_p if isinstance(a, np.ndarray)]
        views_j = [a[...] for a in args_j if isinstance(a, np.ndarray)]
        rp, rj = fn(*args_p), f(*args_j)
        assert_same(rj, rp, f"call {i} result")
        assert_same(list(args_j), list(args_p), f"call {i} arguments")
        for k, (vp, vj) in enumerate(zip(views_p, views_j)):
            assert_same(vj, vp, f"call {i} view of argument {k}")
        if returns_arg is not None:
            assert rp is args_p[returns_arg]
            assert rj is args_j[returns_arg], f"call {i}: result is not the argument"
    return f


def test_sgd_in_place_aliases_see_the_update():
    w = _r(5)
    held = w                    # the same array across calls: updates accumulate
    f = janus_lite.jit(sgd_in_place)
    w_plain = w.copy()
    for i in range(8):
        g = _r(5)
        assert f(w, g, 0.1) is None
        sgd_in_place(w_plain, g, 0.1)
        assert held is w
        assert_same(held, w_plain, f"call {i}")
    steady(f, 4)


def test_sgd_returns_the_argument_itself():
    w = _r(4, 3)
    f = _alias_check(sgd_in_place_returns_arg, lambda i: (w.copy(), _r(4, 3), 0.05),
                     returns_arg=0)
    steady(f, 4)


def test_sgd_in_place_differential():
    w = _r(6)
    f = differential(sgd_in_place, [(w, _r(6), 0.1) for _ in range(8)])
    steady(f, 4)


def test_clip_with_out_argument():
    d = _r(8) * 10
    f = _alias_check(clip_out, lambda i: (d * (i + 1), 5.0))
    steady(f, 4)


def test_set_rows_by_index():
    x = _r(5, 3)
    f = _alias_check(set_rows, lambda i: (x.copy(), i % 5, _r(3)))
    steady(f, 3)


def test_set_rows_by_index_array():
    x = _r(6, 2)
    f = differential(set_rows, [(x, np.array([0, 2, 4]), _r(3, 2)) for _ in range(6)])
    steady(f, 3)


def test_masked_multiply_in_place():
    f = _alias_check(zero_masked, lambda i: (_r(10), 0.5))
    steady(f, 4)


def test_slices_updated_and_argument_returned():
    f = _alias_check(scale_slice, lambda i: (_r(5), 3.0), returns_arg=0)
    steady(f, 4)


def test_view_held_by_caller_sees_update():
    base = _r(4, 4)
    row_view_p = base[1]
    base_j = base.copy()
    row_view_j = base_j[1]
    f = janus_lite.jit(sgd_in_place)
    for i in range(6):
        g = _r(4, 4)
        sgd_in_place(base, g, 0.5)
        f(base_j, g, 0.5)
        assert_same(row_view_j, row_view_p, f"call {i}")
    steady(f, 3)


def test_updating_a_view_argument_updates_its_base():
    base_p = _r(6)
    base_j = base_p.copy()
    f = janus_lite.jit(sgd_in_place)
    for i in range(6):
        g = _r(3)
        sgd_in_place(base_p[::2], g, 0.5)
        f(base_j[::2], g, 0.5)
        assert_same(base_j, base_p, f"call {i}")


def test_two_arguments_then_the_same_array_twice():
    a, b = _r(3), _r(3)
    calls = [(a, b, 0.5)] * 4 + [(a, a, 0.5)] * 2 + [(a, b, 0.5)] * 2
    f = differential(decay_two, calls)
    steady(f, 3)


def test_read_only_argument_raises_the_same():
    w = _r(3)
    ro = _r(3)
    ro.flags.writeable = False
    differential(sgd_in_place, [(w, _r(3), 0.1)] * 4 + [(ro, _r(3), 0.1)] * 2 +
                 [(w, _r(3), 0.1)] * 2)


def test_in_place_on_integer_array_raises_the_same():
    """``w -= 0.1 * g`` on an int array is a casting error in NumPy."""
    w = _r(3)
    differential(sgd_in_place, [(w, _r(3), 0.1)] * 4 + [(np.arange(3), _r(3), 0.1)] * 2 +
                 [(w, _r(3), 0.1)] * 2)


# -- in place on attributes, with aliases held outside ------------------------------------------
class Layer:
    def __init__(self):
        self.W = _r(3, 3)
        self.b = np.zeros(3)
        self.lr = 0.1

    def sgd(self, gW, gb):
        self.W -= self.lr * gW
        np.clip(self.W, -1, 1, out=self.W)
        self.b[0] += gb.sum()
        return self.W


def test_attribute_in_place_seen_by_caller_alias_and_result_identity():
    lp = Layer()
    lj = copy.deepcopy(lp)
    Wp, Wj = lp.W, lj.W
    f = janus_lite.jit(Layer.sgd)
    for i in range(8):
        gW, gb = _r(3, 3), _r(3)
        rp, rj = Layer.sgd(lp, gW, gb), f(lj, gW, gb)
        assert rp is Wp and rj is Wj, f"call {i}: result is not self.W"
        assert lj.W is Wj
        assert_same(vars(lj), vars(lp), f"call {i}")
    steady(f, 4)
