"""The per-call fast paths stay exact.

- Loops and branches whose tuple values are split into per-item variables (no tuple built
  and indexed per iteration): same values, same exceptions, on the break/continue loops
  the speed probes use, with a break that the graph speculates away taken at last.
- Warnings are held only where a node that may raise runs after one that may warn: an
  argument updated in place (no node after it may raise) shows its warnings directly, once;
  a loop that warns and then abandons the run shows each warning as often as the plain
  function does.
- An update of the caller's array with something after it that can abandon the run (a
  failed assertion, an exception) leaves the caller's array untouched on the fallback.
"""
import warnings

import numpy as np
import pytest

import janus_lite
from janus_lite.runtime.held_warnings import may_abandon
from differential import differential, steady


@pytest.fixture(autouse=True)
def _numpy_tier():
    """These are the NumPy tier's fast paths (the generated code's text is checked): the
    compiled tier stays off here even where the suite forces it on (the conftest fixture
    puts config.TIER back)."""
    janus_lite.config.TIER = "off"


def scan(x):
    s = 0.0
    for i in range(8):
        if x[i] < 0:
            continue
        if x[i] > 2:
            break
        s += x[i]
    return s


def while_scan(x):
    i = 0
    s = 0.0
    while i < 8:
        i += 1
        if x[i - 1] < 0:
            continue
        if x[i - 1] > 2:
            break
        s += x[i - 1]
    return s, i


def scan_log(x):
    s = 0.0
    for i in range(4):
        if x[i] > 5:
            break
        s += np.log(x[i])                  # warns for x[i] == 0, before a later break
    return s


def sgd(p, g):
    p -= 0.1 * g
    return p


def scale(p, s):
    p *= s                                 # overflows for big values: warns
    return p


def update_then_branch(w, g):
    w -= 0.1 * g
    if w.sum() > 0:                        # one direction seen: an assertion after the write
        return w * 2.0
    return w


def update_then_raise(w, g, table):
    w -= g
    return table[int(w[0] > 0)]            # an IndexError after the write for a short table


def _mixed(k):
    r = np.random.default_rng(k)
    return r.standard_normal(8)


def test_break_continue_loop_split_values_stay_exact():
    calls = [(_mixed(1),)] * 4 + [(_mixed(k),) for k in range(2, 8)] + \
        [(np.array([1.0, -1.0, 0.5, 3.0, 1.0, 1.0, 1.0, 1.0]),), (_mixed(1),)]
    f = differential(scan, calls)
    steady(f, 3)
    src = f.graphs[-1].source()
    # a loop node whose carried values and branch values are plain variables
    assert "for " in src, src
    loop = src.split("for ", 1)[1]
    assert "v_tuple" not in loop and "[0]" not in loop and "[1]" not in loop, src


def test_while_loop_with_tuple_result_stays_exact():
    calls = [(_mixed(1),)] * 4 + [(_mixed(k),) for k in range(2, 8)] + \
        [(np.array([1.0, -1.0, 0.5, 3.0, 1.0, 1.0, 1.0, 1.0]),), (np.full(8, 0.5),)]
    f = differential(while_scan, calls)
    steady(f, 3)


def _warned(fn, calls, action):
    out = []
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter(action)
        for args in calls:
            n = len(caught)
            try:
                value = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
                outcome = repr(value)
            except Exception as exc:           # noqa: BLE001
                outcome = repr(exc)
            out.append((outcome, [(w.category, str(w.message)) for w in caught[n:]]))
    return out


@pytest.mark.parametrize("action", ["always", "default"])
def test_a_loop_that_warns_then_breaks_warns_once(action):
    calls = [(np.array([1.0, 2.0, 3.0, 4.0]),)] * 4 + \
        [(np.array([1.0, 0.0, 3.0, 4.0]),)] * 2 + \
        [(np.array([1.0, 0.0, 9.0, 4.0]),)] * 2 + [(np.array([1.0, 2.0, 3.0, 4.0]),)]
    f = janus_lite.jit(scan_log)
    assert _warned(f, calls, action) == _warned(scan_log, calls, action)
    assert f.stats["graph_calls"] >= 2


def test_in_place_updates_do_not_hold_warnings():
    f, h = janus_lite.jit(sgd), janus_lite.jit(scale)
    for _ in range(4):
        f(np.ones(16), np.ones(16))
        h(np.ones(4), 2.0)
    assert not may_abandon(f.graphs[-1].graph)
    assert not may_abandon(h.graphs[-1].graph)
    assert f.stats["graph_calls"] >= 2


@pytest.mark.parametrize("action", ["always", "default"])
def test_in_place_overflow_warns_as_the_plain_function(action):
    calls = [(np.ones(4), 2.0)] * 4 + [(np.array([1.0, 1e308, 2.0, 1.0]), 2.0)] * 3 + \
        [(np.ones(4), 2.0)]
    f = janus_lite.jit(scale)
    assert _warned(f, calls, action) == _warned(scale, calls, action)
    assert f.stats["graph_calls"] >= 3


def test_update_then_a_failed_assertion_leaves_the_callers_array():
    rng = np.random.default_rng(3)
    calls = [(np.ones(6), rng.standard_normal(6) * 0.1) for _ in range(5)] + \
        [(np.full(6, -1.0), np.ones(6)), (np.ones(6), np.ones(6))]
    f = differential(update_then_branch, calls)
    steady(f, 3)
    assert f.stats["fallbacks"] >= 1


def test_update_then_an_exception_leaves_the_callers_array():
    calls = [(np.ones(3), np.zeros(3), [1, 2])] * 5 + [(np.ones(3), np.zeros(3), [7])] + \
        [(np.ones(3), np.zeros(3), [1, 2])]
    f = differential(update_then_raise, calls)
    steady(f, 3)


def test_direct_write_is_the_callers_array_and_warnings_show_once_per_call():
    p = np.ones(4)
    f = janus_lite.jit(scale)
    for _ in range(4):
        assert f(p, 2.0) is p
    big = np.array([1.0, 1e308, 1.0, 1.0])
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        out = f(big, 2.0)
    assert out is big and np.isinf(big[1])
    assert len(caught) == 1 and caught[0].category is RuntimeWarning
    assert f.stats["graph_calls"] >= 3


def adagrad(params, grads, mems, lr):
    for p, g, m in zip(params, grads, mems):
        m += g * g
        p += -lr * g / np.sqrt(m + 1e-8)


def _adagrad_args(k, view=False, readonly=False, alias=False):
    r = np.random.default_rng(k)
    shapes = [(4, 3), (3,)]
    params = [r.standard_normal(s) for s in shapes]
    grads = [r.standard_normal(s) for s in shapes]
    mems = [np.abs(r.standard_normal(s)) for s in shapes]
    if view:          # views that share no memory: not their own buffers, yet disjoint
        big = np.abs(r.standard_normal(40))
        mems = [big[:12].reshape(4, 3), big[20:23]]
    if readonly:
        params[1].flags.writeable = False
    if alias:         # a gradient that is a parameter's memory
        grads[1] = params[1]
    return params, grads, mems, 0.01


@pytest.mark.parametrize("case", ["view", "readonly", "alias"])
def test_writeable_and_disjoint_checked_at_once_then_one_by_one(case):
    """The one-call check of the writeable arrays and the disjoint pairs fails for views,
    read-only arrays and aliases; the checks one by one then decide (a view that shares
    nothing is served, a read-only array or an alias is not), exactly as before."""
    calls = [_adagrad_args(0)] * 4 + [_adagrad_args(1, **{case: True})] * 3 + \
        [_adagrad_args(2)]
    f = differential(adagrad, calls)
    steady(f, 5 if case == "view" else 2)     # disjoint views: served by the graph
    assert "(_fl := " in f.graphs[0].source()


def step_then_loss(w, g, err):
    w -= 0.1 * g
    return float(np.mean(err ** 2))        # float() of a NumPy scalar: raises nothing


@pytest.mark.parametrize("mode", ["quiet", "errstate"])
def test_update_then_float_of_a_mean_writes_in_place(mode):
    """Nothing after the update can raise (``float`` of a NumPy float): the update goes
    straight into the caller's array when floating-point errors only warn; under
    ``np.errstate(all="raise")`` an overflow in ``err ** 2`` after the update is the plain
    function's error too, with the caller's array updated once."""
    rng = np.random.default_rng(4)
    calls = [(np.ones(5), rng.standard_normal(5), rng.standard_normal(5)) for _ in range(5)] + \
        [(np.ones(5), np.ones(5), np.array([1e200, 1.0, 1.0, 1.0, 1.0])),
         (np.ones(5), np.ones(5), np.ones(5))]
    ctx = np.errstate(all="raise") if mode == "errstate" else np.errstate(over="warn")
    with ctx, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f = differential(step_then_loss, calls)
    steady(f, 4)
    assert "w if _q else" in f.graphs[-1].source()


class RBM:
    """State updated in place on ``self`` (``self.W += ...`` rebinds W to the array it holds)
    after draws whose arrays are then cast (``.astype(float)``): nothing after the first
    update can raise, so the updates go straight into the object's arrays."""

    def __init__(self, seed, shared_a=False):
        r = np.random.default_rng(seed)
        self.W = r.standard_normal((6, 4)) * 0.1
        self.b = np.zeros(4)
        if not shared_a:
            self.a = np.zeros(6)

    def cd1(self, v0, lr):
        ph0 = 1 / (1 + np.exp(-(v0 @ self.W + self.b)))
        h0 = (np.random.rand(*ph0.shape) < ph0).astype(float)
        pv1 = 1 / (1 + np.exp(-(h0 @ self.W.T + self.a)))
        v1 = np.random.binomial(1, pv1).astype(float)
        self.W += lr * (v0.T @ ph0 - v1.T @ h0) / v0.shape[0]
        self.a += lr * (v0 - v1).mean(axis=0)
        self.b += lr * (ph0 - h0).mean(axis=0)
        return float(np.mean((v0 - pv1) ** 2))


class SharedA(RBM):
    a = np.zeros(6)          # a class attribute: `self.a += ...` makes an instance attribute

    def __init__(self, seed):
        super().__init__(seed, shared_a=True)


class Slotted:
    __slots__ = ("W", "b")

    def __init__(self):
        self.W = np.ones((3, 2))
        self.b = np.zeros(2)

    def step(self, x, g):
        self.W -= 0.1 * (x.T @ g)
        self.b -= 0.1 * g.sum(0)
        return float(self.W.sum())


def _run_models(fn, make, n_calls, seed=0):
    np.random.seed(seed)
    data = (np.random.default_rng(7).random((5, 6)) < 0.5).astype(float)
    models, out = [make(0), make(1)], []
    for i in range(n_calls):
        if i == n_calls // 2:
            models.append(make(2))      # a fresh object, first called with graphs built
        for m in models:
            out.append(fn(m, data, 0.1))
    return out, [vars(m) for m in models], np.random.get_state()[1].sum()


def _make(klass):
    def make(seed):
        if klass is SharedA:
            SharedA.a = np.zeros(6)     # each run starts from the same class attribute
        return klass(seed)
    return make


@pytest.mark.parametrize("klass", [RBM, SharedA])
def test_self_state_updated_in_place_after_draws_stays_exact(klass):
    from differential import assert_same
    f = janus_lite.jit(klass.cd1)
    want = _run_models(klass.cd1, _make(klass), 8)
    want_a = getattr(klass, "a", None)
    got = _run_models(f, _make(klass), 8)
    assert_same(want, got)
    assert_same(want_a, getattr(klass, "a", None))
    assert f.stats["graph_calls"] >= 10, f.explain()


def test_self_state_updates_go_straight_into_the_objects_arrays():
    f = janus_lite.jit(RBM.cd1)
    _run_models(f, RBM, 5)
    src = f.graphs[-1].source()
    assert src.count("if _q else") == 3 and "_setattr" not in src, src


def test_slotted_state_updated_in_place_stays_exact():
    def run(fn):
        objs, out = [Slotted(), Slotted()], []
        x, g = np.ones((4, 3)), np.full((4, 2), 0.5)
        for _ in range(6):
            for o in objs:
                out.append(fn(o, x, g))
        return out, [(o.W, o.b) for o in objs]
    from differential import assert_same
    f = janus_lite.jit(Slotted.step)
    assert_same(run(Slotted.step), run(f))
    assert f.stats["graph_calls"] >= 8, f.explain()


def rows_sum(x, w):
    acc = np.zeros(3)                     # a new array: raises and warns nothing
    for i in range(4):
        acc = acc + x[i] * w              # x[i]: a trip inside x's fixed shape
    return acc


def scan_from_first(x):
    s = x[0]
    for i in range(1, 8):
        if x[i] < 0:
            continue
        s = s + x[i]
    return s


def scan_past_the_end(x):
    s = x[0]
    for i in range(1, 9):                 # one past the end of an 8-vector: IndexError
        s = s + x[i]
    return s


def test_loops_indexing_inside_the_shape_do_not_hold_warnings():
    f, g = janus_lite.jit(rows_sum), janus_lite.jit(scan_from_first)
    for _ in range(4):
        f(np.ones((4, 3)), np.ones(3))
        g(np.arange(8.0) - 3)
    assert not may_abandon(f.graphs[-1].graph)
    assert not may_abandon(g.graphs[-1].graph)
    assert f.stats["graph_calls"] >= 2 and g.stats["graph_calls"] >= 2


@pytest.mark.parametrize("action", ["always", "default"])
def test_loops_indexing_inside_the_shape_warn_as_the_plain_function(action):
    big = np.full(8, 1e308)
    calls = [(np.arange(8.0) - 3,)] * 4 + [(big,)] * 3 + [(np.arange(8.0),)]
    f = janus_lite.jit(scan_from_first)
    assert _warned(f, calls, action) == _warned(scan_from_first, calls, action)
    rows = [(np.ones((4, 3)), np.ones(3))] * 4 + [(np.full((4, 3), 1e308), np.full(3, 10.0))] * 2
    h = janus_lite.jit(rows_sum)
    assert _warned(h, rows, action) == _warned(rows_sum, rows, action)
    assert f.stats["graph_calls"] >= 3 and h.stats["graph_calls"] >= 3


def test_an_index_past_the_end_still_raises_and_holds():
    f = differential(scan_past_the_end, [(np.arange(8.0),)] * 4)
    assert f.stats["imperative_calls"] == 4 or may_abandon(f.graphs[-1].graph)
