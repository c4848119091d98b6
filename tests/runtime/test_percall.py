"""Per-call savings stay exact: a graph skips saving the global RNG state, and updates an
argument's array directly instead of in a private copy, only when nothing after the draw or
the update can abandon the run and floating-point errors can only warn. Every case is run
where the run can be abandoned after the draw/update too (an index out of range, an FP error
under ``np.errstate(all="raise")`` or a ``RuntimeWarning`` made an error, a failed assertion,
an injected fault), and must then leave the state exactly as the plain function does."""
import contextlib
import warnings

import numpy as np
import pytest

import janus_lite
from janus_lite.backend.aborts import fp_errors_quiet
from janus_lite.backend.codegen import CodeGen
from differential import differential, steady


def draw_scale(x):
    return x * np.random.rand(*x.shape)


def dropout(x, keep):
    mask = (np.random.rand(*x.shape) < keep) / keep
    return x * mask


def draw_then_pick(x, i):
    r = np.random.rand(3)
    return r[i] * x                      # may raise after the draw: the state is saved


def draw_then_log(x):
    r = np.random.rand(*x.shape)
    return np.log(x) * r                 # an FP error after the draw


def sgd(p, g):
    p -= 0.1 * g
    return p


def adagrad(params, grads, mems, lr):
    for p, g, m in zip(params, grads, mems):
        m += g * g
        p += -lr * g / np.sqrt(m + 1e-8)


def update_then_pick(w, g, i):
    w -= 0.1 * g
    return w[i]                          # may raise after the update: a private copy


def update_then_log(w, g):
    w -= g
    return np.log(w)                     # an FP error after the update


def scale_in_place(w, s):
    w *= s                               # the update itself may overflow
    return w


def _source(f):
    return f.graphs[-1].source()


@contextlib.contextmanager
def fp_errors(mode):
    if mode == "quiet":
        yield
    elif mode == "errstate":
        with np.errstate(all="raise"):
            yield
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            yield


def test_fp_errors_quiet_follows_errstate_and_filters():
    assert fp_errors_quiet()
    with np.errstate(over="raise"):
        assert not fp_errors_quiet()
    with np.errstate(all="ignore"):
        assert fp_errors_quiet()
    assert fp_errors_quiet()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not fp_errors_quiet()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=DeprecationWarning)
        assert fp_errors_quiet()
    assert fp_errors_quiet()


@pytest.mark.parametrize("mode", ["quiet", "errstate", "warnings"])
def test_draws_with_nothing_after_them_that_aborts(mode):
    x = np.linspace(0.5, 2.0, 64)
    with fp_errors(mode):
        f = differential(draw_scale, [(x,)] * 8)
        steady(f, 4)
        d = differential(dropout, [(np.ones((4, 5)), 0.8)] * 8)
        steady(d, 4)
    assert "getstate" in _source(f) and "if not _q else None" in _source(f)


def test_draw_then_a_run_abandoned_after_it():
    calls = [(np.ones(2), i) for i in (0, 1, 2, 1, 0, 2)] + [(np.ones(2), 5), (np.ones(2), 1)]
    f = differential(draw_then_pick, calls)
    steady(f, 3)
    assert "if not _q else None" not in _source(f)     # saved on every run


@pytest.mark.parametrize("mode", ["quiet", "errstate", "warnings"])
def test_draw_then_an_fp_error(mode):
    calls = [(np.full(3, 2.0),)] * 5 + [(np.array([1.0, 0.0, 2.0]),), (np.full(3, 2.0),)]
    with fp_errors(mode):
        f = differential(draw_then_log, calls)
    steady(f, 3)


@pytest.mark.parametrize("mode", ["quiet", "errstate", "warnings"])
def test_argument_updated_in_place(mode):
    rng = np.random.default_rng(1)
    calls = [(rng.standard_normal(16), rng.standard_normal(16)) for _ in range(8)]
    with fp_errors(mode):
        f = differential(sgd, calls)
    steady(f, 4)
    assert "p if _q else" in _source(f)


def test_argument_updated_in_place_the_callers_array_and_aliases():
    p, g, plain = np.ones(8), np.full(8, 2.0), np.ones(8)
    view = p[2:5]
    f = janus_lite.jit(sgd)
    for k in range(6):
        out = f(p, g)
        sgd(plain, g)
        assert out is p
        np.testing.assert_array_equal(view, plain[2:5])
    assert f.stats["graph_calls"] >= 3


def test_adagrad_loop_over_parameters(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "TIER", "off")   # the NumPy tier's code is checked
    rng = np.random.default_rng(2)
    shapes = [(5, 4), (4,), (4, 3)]

    def make(k):
        r = np.random.default_rng(k)
        return ([r.standard_normal(s) for s in shapes], [r.standard_normal(s) for s in shapes],
                [np.abs(r.standard_normal(s)) for s in shapes], 0.01)
    params, grads, mems, lr = make(0)
    calls = [(params, grads, mems, lr)] * 6 + [make(3)]
    f = differential(adagrad, calls)
    steady(f, 4)
    assert "if _q else" in _source(f)
    del rng


def test_update_then_a_run_abandoned_after_it():
    """Something after the update may raise: the update goes into a private copy, and the
    fallback finds the caller's array untouched (the plain function updates it once)."""
    calls = [(np.ones(4), np.ones(4), i) for i in (0, 1, 2, 3, 1)] + \
        [(np.ones(4), np.ones(4), 9), (np.ones(4), np.ones(4), 2)]
    f = differential(update_then_pick, calls)
    steady(f, 3)
    assert "if _q else" not in _source(f)


@pytest.mark.parametrize("mode", ["quiet", "errstate", "warnings"])
def test_update_then_an_fp_error(mode):
    calls = [(np.full(3, 3.0), np.ones(3)) for _ in range(5)] + \
        [(np.full(3, 3.0), np.array([1.0, 3.0, 4.0])), (np.full(3, 3.0), np.ones(3))]
    with fp_errors(mode):
        f = differential(update_then_log, calls)
    steady(f, 3)


@pytest.mark.parametrize("mode", ["quiet", "errstate", "warnings"])
def test_the_update_itself_overflows(mode):
    calls = [(np.ones(3), 2.0) for _ in range(5)] + \
        [(np.array([1.0, 1e308, 2.0]), 2.0), (np.ones(3), 2.0)]
    with fp_errors(mode):
        f = differential(scale_in_place, calls)
    steady(f, 3)


def two_updates(w, v, g):
    w *= g
    v *= g                               # the second update may overflow after the first


@pytest.mark.parametrize("mode", ["quiet", "errstate", "warnings"])
def test_the_only_update_writes_directly_without_asking(mode):
    """The update is the run's last op: it writes the caller's array in every call (no
    floating-point-errors test); an overflow in it raises after it wrote, as the plain
    function's does."""
    calls = [(np.ones(3), 2.0) for _ in range(5)] + \
        [(np.array([1.0, 1e308, 2.0]), 2.0), (np.ones(3), 2.0)]
    with fp_errors(mode):
        f = differential(scale_in_place, calls)
    steady(f, 3)
    assert "_q = True" in _source(f) and "_quiet" not in _source(f)


@pytest.mark.parametrize("mode", ["quiet", "errstate", "warnings"])
def test_two_updates_still_ask(mode):
    """Two updates: under FP errors that raise, an overflow in the second must find the
    first undone (the plain function stops there too, but a graph may order the two
    differently), so the FP-errors test stays."""
    calls = [(np.ones(3), np.ones(3), 2.0) for _ in range(5)] + \
        [(np.ones(3), np.array([1.0, 1e308, 2.0]), 2.0), (np.ones(3), np.ones(3), 2.0)]
    with fp_errors(mode):
        f = differential(two_updates, calls)
    steady(f, 3)
    assert "_quiet" in _source(f)


# -- fault injection (as in test_fault_injection.py): a fault at every node of a run ----------
@pytest.fixture
def faults(monkeypatch):
    state = {"at": None, "count": 0, "trace": []}

    def tick(op):
        state["count"] += 1
        state["trace"].append(op)
        if state["count"] == state["at"]:
            state["at"] = None
            raise state["make"]()
    orig = CodeGen.node_expr

    def node_expr(self, node):
        self.emit(f"{self.pool.add(tick, 'tick')}({node.op!r})", node.lineno)
        return orig(self, node)
    monkeypatch.setattr(CodeGen, "node_expr", node_expr)
    return state


@pytest.mark.parametrize("make", [lambda: RuntimeError("fault"), KeyboardInterrupt])
def test_a_fault_at_every_node_of_a_direct_update(faults, make):
    """Up to the update's point of no return a fault falls back (an interrupt reaches the
    caller) with the caller's array untouched, so the plain rerun updates it once; past it
    the run is not rerun — the fault reaches the caller and the array holds at most the one
    update the run made (never two)."""
    f = janus_lite.jit(sgd)
    for _ in range(4):
        f(np.ones(4), np.ones(4))
    assert f.stats["graph_calls"] >= 1 and "p if _q else" in _source(f)
    faults.update(count=0, trace=[], at=None)
    f(np.ones(4), np.ones(4))
    trace = list(faults["trace"])
    copy_at, write_at = trace.index("np.copy") + 1, trace.index("isub") + 1
    interrupt = make is KeyboardInterrupt
    for k in range(1, len(trace) + 1):
        p = np.ones(4)
        faults.update(count=0, trace=[], at=k, make=make)
        raised = None
        try:
            out = f(p, np.ones(4))
        except (RuntimeError, KeyboardInterrupt) as exc:
            raised = exc
        where = f"fault at node {k} ({trace[k - 1]}) of {trace}"
        if k <= copy_at and not interrupt:           # abandoned: the plain rerun answers
            assert raised is None and out is p, where
            np.testing.assert_array_equal(p, np.full(4, 0.9), err_msg=where)
        else:
            assert raised is not None, where
            updated = k > write_at
            np.testing.assert_array_equal(p, np.full(4, 0.9) if updated else np.ones(4),
                                          err_msg=where)


def gauss_then_pick(x, i):
    r = np.random.randn(3)               # uses the legacy Gaussian cache
    return r[i] * x


@pytest.mark.parametrize("fn", [draw_then_pick, gauss_then_pick])
def test_abandoned_after_a_draw_the_whole_stream_is_put_back(fn):
    """The saved state (the generator's words by memcpy, or get_state where the Gaussian
    cache is involved) is restored in full: every word, the position, the cached normal."""
    f = janus_lite.jit(fn)
    for i in (0, 1, 2, 1):
        f(np.ones(2), i)
    assert f.stats["graph_calls"] >= 1
    for seed in (3, 4):
        np.random.seed(seed)
        np.random.randn(1)                # an odd number of normals: a cached one waits
        want = None
        try:
            fn(np.ones(2), 7)
        except IndexError:
            want = np.random.get_state()
        np.random.seed(seed)
        np.random.randn(1)
        with pytest.raises(IndexError):
            f(np.ones(2), 7)
        got = np.random.get_state()
        assert np.array_equal(got[1], want[1]) and got[2:] == want[2:]
