"""print inside decorated functions: the same text, in the same order, the same number of
times as imperatively — in loops, in data-dependent branches, f-strings with format specs,
``sep=``/``end=``/``flush=``, arrays and NumPy scalars — also when the graph is abandoned
(nothing printed twice, nothing lost)."""
import contextlib
import io

import numpy as np

import janus_lite
from differential import differential, steady

rng = np.random.default_rng(46)


def _r(*shape):
    return rng.standard_normal(shape)


def print_in_loop(x, n):
    total = 0.0
    for i in range(n):
        total = total + float(x[i].sum())
        print(f"step {i:03d}: total={total:+.4f} ({total / (i + 1):8.3e})")
    return total


def print_in_data_branch(x):
    m = x.mean()
    if m > 0:
        print("positive mean", f"{m:.3f}")
        y = x - m
    else:
        print("non-positive mean", f"{m:.3f}")
        y = x + m
    print("done")
    return y


def print_sep_end(a, b):
    s = a + b
    print("a", "b", sep="|", end=";")
    print(s.sum(), s.max(), sep=", ", end="\n--\n")
    print(flush=True)
    print("x", a.shape, a.dtype, end="")
    return s


def print_arrays_and_scalars(x):
    y = x * 2
    print(y)
    print(y.sum(), np.float32(y[0]), int(y.shape[0]), repr(y.dtype))
    print(f"{y.mean():.2f}", [1, 2], (3,), None, True)
    return y


def print_every_k(w, X, y, steps, k):
    for t in range(steps):
        err = X @ w - y
        w = w - 0.1 * X.T @ err / len(y)
        if t % k == 0:
            print(f"iter {t:4d} loss {float((err ** 2).mean()):.6f}")
    return w


def print_then_raise(x):
    print("before", x.shape)
    y = np.exp(x)
    if y.shape[0] > 3:
        raise ValueError("too long")
    print("after")
    return y


def test_print_in_loop_with_format_specs():
    x = _r(6, 2)
    f = differential(print_in_loop, [(x, 6)] * 6)
    steady(f, 3)


def test_print_in_data_dependent_branch():
    calls = [(_r(5) + 1,), (_r(5) + 1,), (_r(5) - 1,), (_r(5) + 1,), (_r(5) - 1,),
             (_r(5) + 1,), (_r(5) + 1,), (_r(5) - 1,)]
    f = differential(print_in_data_branch, calls)
    steady(f, 3)


def test_print_sep_end_flush():
    f = differential(print_sep_end, [(_r(3), _r(3))] * 6)
    steady(f, 3)


def test_print_arrays_and_numpy_scalars():
    f = differential(print_arrays_and_scalars, [(_r(4),)] * 6)
    steady(f, 3)


def test_print_every_k_steps():
    X = _r(8, 3)
    y = X @ np.ones(3)
    f = differential(print_every_k, [(np.zeros(3), X, y, 10, 3)] * 6)
    steady(f, 3)


def test_print_then_raise_prints_once():
    calls = [(_r(3),)] * 4 + [(_r(5),)] * 2 + [(_r(3),)] * 2
    differential(print_then_raise, calls)


def test_print_not_duplicated_when_graph_abandoned():
    """A branch speculated one way fails mid-graph: the graph's deferred prints are dropped,
    the imperative rerun prints once."""
    f = janus_lite.jit(print_in_data_branch)
    xs = [_r(5) + 2 for _ in range(4)] + [_r(5) - 2] + [_r(5) + 2]
    for i, x in enumerate(xs):
        a, b = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(a):
            ra = print_in_data_branch(x)
        with contextlib.redirect_stdout(b):
            rb = f(x)
        assert a.getvalue() == b.getvalue(), f"call {i}"
        assert np.array_equal(ra, rb)
    assert f.stats["graph_calls"] >= 2


class Logger:
    def __init__(self, every):
        self.every = every
        self.t = 0

    def log(self, loss):
        self.t += 1
        if self.t % self.every == 0:
            print(f"[{self.t:>5}] loss={loss:.4g}", end=" |\n")
        return self.t


def test_print_from_a_method_every_k_calls():
    lg = Logger(3)
    f = differential(Logger.log, [(lg, float(i) / 7) for i in range(12)])
    steady(f, 4)
