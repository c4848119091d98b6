"""An assertion (or an unexpected error) that fails mid-graph leaves no trace (issue 3).

The graph has already done work when the speculation fails: printed (deferred), written an
attribute, updated an argument's array in place, appended to a list argument, drawn from
the global RNG. The abandoned run must leave results, arguments, objects (and aliases of
their arrays), printed output and the global RNG stream exactly as the imperative run of
that call leaves them: the graph's effects are discarded and the call is answered by the
plain function from the original inputs.
"""
import contextlib
import copy
import io

import numpy as np
import pytest

import janus_lite
from differential import assert_same, differential, steady


class Net:
    def __init__(self, w):
        self.w = w
        self.steps = 0
        self.last = None


def speculated_step(net, x, g, log, lr):
    print("step", net.steps, "lr", lr)
    net.steps = net.steps + 1              # attribute write
    net.w -= lr * g                        # in-place update of the object's array
    x *= 2.0                               # in-place update of an argument
    log.append(float(x[0]))                # list argument grows
    if x.sum() > 0:                        # positive on every profiled call: speculated
        y = net.w * x
    else:
        y = -x
    net.last = y
    return y, net.steps


def _calls(flip_at, n=10):
    """Call list: x positive except on call ``flip_at`` (0-based) and after."""
    net = Net(np.linspace(-1, 1, 4))
    calls = []
    for i in range(n):
        sign = -1.0 if i >= flip_at and i % 2 == flip_at % 2 else 1.0
        calls.append((net, np.abs(np.arange(1.0, 5.0) + i) * sign, np.full(4, 0.1 * i), [], 0.5))
    return calls


@pytest.mark.parametrize("backend", ["numpy", "interpreter"])
def test_branch_flips_on_7th_call_after_effects_leave_no_trace(backend):
    f = differential(speculated_step, _calls(flip_at=6), jit_kwargs={"backend": backend})
    s = steady(f, 4)          # calls 3..6 served by the speculated graph
    assert s["fallbacks"] >= 1, s
    # the graph that failed held the branch as an assertion, not as a cond node
    first = f.graphs[0]
    assert any(a.kind == "branch" or "x.sum() > 0" in a.text for a in first.assumptions
               if not a.is_guard), [a.text for a in first.assumptions]


def test_abort_state_compared_step_by_step_with_aliases():
    """Same check without the harness: shared objects across calls, and an alias of the
    object's array taken before the calls must see exactly the imperative updates."""
    def run(fn):
        np.random.seed(7)
        net = Net(np.linspace(-1, 1, 4))
        alias = net.w                       # the same array object
        log = []
        seen = []
        for i in range(10):
            x = np.arange(1.0, 5.0) * (-1.0 if i == 6 else 1.0)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                res = fn(net, x, np.full(4, 0.1 * i), log, 0.5)
            seen.append((copy.deepcopy(res), x.copy(), out.getvalue(), alias.copy(),
                         net.steps, copy.deepcopy(net.last), list(log),
                         np.random.get_state()[2], np.random.get_state()[1][:3].copy()))
        assert alias is net.w
        return seen

    jitted = janus_lite.jit(speculated_step)
    plain, spec = run(speculated_step), run(jitted)
    for i, (p, s) in enumerate(zip(plain, spec)):
        assert_same(p, s, f"call {i}")
    st = jitted.stats
    assert st["graph_calls"] >= 6 and st["fallbacks"] == 1, st


def error_step(net, x, ids, lr):
    print("before", net.steps)
    net.steps += 1
    net.w -= lr * x
    x += 1.0
    picked = net.w[ids]                    # IndexError on a bad id: raised mid-graph
    return picked.sum() + x.sum()


def test_unexpected_error_mid_graph_gives_the_imperative_outcome():
    """The imperative run raises after printing and updating: the user sees exactly that
    (the genuine exception and the partial effects the plain function leaves)."""
    net = Net(np.arange(5.0))
    calls = [(net, np.ones(5), np.array([0, 2]), 0.1) for _ in range(6)] + \
        [(net, np.ones(5), np.array([1, 9]), 0.1)] + \
        [(net, np.ones(5), np.array([3, 4]), 0.1) for _ in range(3)]
    f = differential(error_step, calls)
    s = steady(f, 6)
    assert s["fallbacks"] <= 2, s     # the bad ids, and at most one relaxation of net.steps


def loop_assert_step(xs, out, scale):
    total = 0.0
    for x in xs:
        v = x * scale
        out.append(v)
        if v > 0:                      # every profiled element positive: speculated
            total = total + v
        else:
            total = total - v
    return total


def test_assertion_fails_in_third_iteration_of_unrolled_loop():
    calls = [([1.0, 2.0, 3.0, 4.0], [], 2.0) for _ in range(6)] + \
        [([1.0, 2.0, -3.0, 4.0], [], 2.0)] + [([1.0, 2.0, 3.0, 4.0], [], 2.0) for _ in range(3)]
    f = differential(loop_assert_step, calls)
    s = steady(f, 6)
    assert s["fallbacks"] <= 2, s


def rng_then_flip(x, thresh):
    noise = np.random.rand(*x.shape)
    y = x + noise
    if y.mean() > thresh:
        return y
    return y * 0.0


def test_global_rng_restored_when_the_speculation_fails():
    """The graph draws, then its assertion fails: the RNG is back where the plain run
    leaves it (each call seeded; the two profiled calls, which convert, are made first:
    see test_conversion_does_not_touch_the_global_rng)."""
    jitted = janus_lite.jit(rng_then_flip)
    jitted(np.ones(3) * 5, 0.0)
    jitted(np.ones(3) * 5, 0.0)
    xs = [np.ones(3) * 5] * 4 + [-np.ones(3) * 5] + [np.ones(3) * 5] * 3
    for i, x in enumerate(xs):
        np.random.seed(i)
        a = rng_then_flip(x, 0.0)
        sa = np.random.get_state()
        np.random.seed(i)
        b = jitted(x, 0.0)
        sb = np.random.get_state()
        assert_same(a, b, f"call {i}")
        assert sa[2] == sb[2] and np.array_equal(sa[1], sb[1]), f"call {i}: RNG diverged"
    s = jitted.stats
    assert s["graph_calls"] >= 6 and s["fallbacks"] == 1, s


# regression: conversion used to draw from the global RNG (by_example ran np.random.rand)
def test_conversion_does_not_touch_the_global_rng():
    calls = [(np.ones(3) * 5, 0.0)] * 6 + [(-np.ones(3) * 5, 0.0)] + [(np.ones(3) * 5, 0.0)] * 3
    f = differential(rng_then_flip, calls)
    s = steady(f, 6)
    assert s["fallbacks"] >= 1, s


class _Box:
    def __init__(self):
        self.a, self.b = 1.0, 3.0


def accumulate(box, d, v):
    box.a = box.a + v
    box.b = box.b * 2.0
    d["last"] = v                   # a reversible commit after the two attribute writes
    return box.a


@pytest.mark.parametrize("backend", ["numpy", "interpreter"])
def test_attribute_writes_are_undone_when_a_later_commit_raises(monkeypatch, backend):
    """An error raised by the item write (injected, graph only) after two attribute writes:
    the writes recorded (object, name, old value) — inline in generated code, through
    `commit_setattr` in the interpreter — the abandoned run puts both back, and the plain
    function answers the call from the untouched object (an undo that missed would leave
    ``a`` and ``b`` updated twice)."""
    from janus_lite.backend import interpreter, state_ops

    module = state_ops if backend == "numpy" else interpreter
    real, armed = module.commit_setitem, [False]

    def faulty(obj, value, key, undo=None):
        if armed[0]:
            raise RuntimeError("injected in the item commit")
        return real(obj, value, key, undo)

    monkeypatch.setattr(module, "commit_setitem", faulty)
    plain_box, box = _Box(), _Box()
    f = janus_lite.jit(accumulate, backend=backend)
    for i in range(4):
        assert f(box, {}, float(i)) == accumulate(plain_box, {}, float(i))
    assert f.stats["graph_calls"] >= 2, f.explain()
    if backend == "numpy":
        src = f.graphs[-1].source()
        assert "_undo.append((box, 'a', " in src and "box.b = " in src, src
    armed[0] = True
    d1, d2 = {}, {}
    assert f(box, d1, 7.0) == accumulate(plain_box, d2, 7.0)
    armed[0] = False
    assert f.stats["fallbacks"] == 1, f.explain()
    assert (box.a, box.b, d1) == (plain_box.a, plain_box.b, d2)


class _Layer:
    def __init__(self, w):
        self.w = w

    def forward(self, x):
        self.x = x                      # two attribute writes, the method's last steps
        h = x @ self.w
        if h.sum() > 0:                 # positive on every profiled call: speculated
            out = h * 2.0
        else:
            out = -h
        self.out = out
        return out


def test_attribute_writes_that_cannot_fail_commit_without_an_undo_log():
    """Attribute writes on a plain object, nothing after them able to raise: the graph
    writes them inline, without recording how to undo them (no ``_undo``, no ``try``), and
    a run abandoned by the branch's assertion (before the writes) leaves the object as the
    plain function found it."""
    w = np.arange(6.0).reshape(3, 2)
    ones, neg = np.ones((4, 3)), -np.ones((4, 3))
    calls = [(_Layer(w.copy()), ones + i) for i in range(4)] + [(_Layer(w.copy()), neg)]
    f = differential(_Layer.forward, calls)
    steady(f, 2)
    assert f.stats["fallbacks"] == 1, f.explain()
    src = f.graphs[-1].source().split("# -- numba segments --")[0]   # the entry's code
    # no ``try`` around the run (the guards' ``try: ... except AttributeError`` around the
    # first read of an attribute is a miss, not an undo)
    assert "_undo" not in src and "except BaseException" not in src, src
    assert "self.x = x" in src, src


def test_an_undo_log_stays_where_a_later_write_may_fail():
    """An attribute write followed by an item write into a dict argument (a commit whose
    failure the fault-injection tests simulate): the attribute write keeps its undo entry."""
    f = janus_lite.jit(accumulate)
    box = _Box()
    for i in range(4):
        f(box, {}, float(i))
    steady(f, 2)
    assert "_undo.append((box, 'a', " in f.graphs[-1].source()
