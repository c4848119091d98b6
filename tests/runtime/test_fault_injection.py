"""Fault injection: a graph run abandoned at every point leaves nothing half-committed.

A test hook (not a production flag) wraps code generation so that every node of a graph
built while the hook is installed first calls ``faults.tick``; an armed tick raises at the
k-th node executed. For every k of a graph run:

- an assertion fails there (`AssumptionFailed` with a real assert's index, at every assert
  executed, also inside cond and loop bodies),
- an op raises there (``RuntimeError``), and an op's own implementation raises on its k-th
  call (the op table entry replaced),
- ``KeyboardInterrupt`` arrives there (mid-graph, before the commit step),

and each time the call's outcome — result, printed output, every argument and object
(and aliases of their arrays), the global RNG — is exactly the plain function's (for the
interrupt: exactly the state before the call, and the interrupt reaches the caller), and
the next call is correct. Last, a full graph cache (``max_graphs``) under many signatures
stays bounded and exact.
"""
import contextlib
import copy
import dataclasses
import io

import numpy as np
import pytest

import janus_lite
from janus_lite.backend.codegen import CodeGen
from janus_lite.ir import registry
from janus_lite.ir.ops_core import AssumptionFailed
from differential import assert_same, differential, steady

COMMIT_OPS = {"commit_setattr", "commit_setitem", "commit_copyto", "commit_append",
              "commit_extend", "commit_final", "flush_prints"}


class Faults:
    """Counts the nodes graphs execute; raises at the armed one."""

    def __init__(self):
        self.count = 0
        self.asserts = 0
        self.at = None          # raise at the at-th node executed ...
        self.at_assert = None   # ... or at the at_assert-th assert executed
        self.make = None        # exception to raise: make(op, assert_index)
        self.trace = []

    def arm(self, at=None, at_assert=None, make=None):
        self.count = self.asserts = 0
        self.at, self.at_assert, self.make = at, at_assert, make
        self.trace = []

    def tick(self, op, index):
        self.count += 1
        self.trace.append(op)
        if op == "assert":
            self.asserts += 1
            if self.asserts == self.at_assert:
                self.at_assert = None
                raise AssumptionFailed(index)
        if self.count == self.at:
            self.at = None
            raise self.make(op, index)


@pytest.fixture
def faults(monkeypatch):
    f = Faults()
    orig = CodeGen.node_expr

    def node_expr(self, node):
        hook = self.pool.add(f.tick, "tick")
        index = node.attrs.get("index") if node.op == "assert" else None
        self.emit(f"{hook}({node.op!r}, {index!r})", node.lineno)
        return orig(self, node)

    monkeypatch.setattr(CodeGen, "node_expr", node_expr)
    return f


# -- functions that do everything a graph defers ------------------------------------------------
class Net:
    def __init__(self, w):
        self.w = w
        self.steps = 0
        self.last = None


def full_step(net, x, g, log, stats, lr):
    print("step", net.steps, "lr", lr)
    net.steps = net.steps + 1                  # attribute write
    net.w -= lr * g                            # in-place update of an attribute's array
    x *= 2.0                                   # in-place update of an argument
    log.append(float(x[0]))                    # list argument grows
    stats["norm"] = float(np.abs(x).sum())     # dict argument gets a key
    noise = np.random.standard_normal(x.shape)  # global RNG
    if x.sum() > 0:                            # speculated (always positive while profiled)
        y = net.w * x + 0.01 * noise
    else:
        y = -x
    net.last = y
    return y, net.steps


def full_args(i, sign=1.0):
    net = Net(np.linspace(-1, 1, 4))
    return (net, np.abs(np.arange(1.0, 5.0) + i) * sign, np.full(4, 0.1 * (i + 1)), [], {},
            0.5)


def loop_step(state, x, n):
    acc = np.zeros_like(x)
    k = 0
    while k < n and acc.sum() < 6.0:           # data-dependent exit: a loop node
        acc = acc + x
        k += 1
    for i in range(3):                         # unrolled, data-dependent branch each trip
        if acc[i] > 1.0:
            acc[i] = acc[i] - 0.5
        else:
            acc[i] = acc[i] + 0.25
    if acc.mean() > 1.0:                       # both ways while profiling: a cond node
        print("high", k)
        state.hist.append(k)
    else:
        print("low", k)
    state.total = state.total + float(acc.sum())
    x += acc                                   # in-place update of the argument
    return acc, k


class State:
    def __init__(self):
        self.hist = []
        self.total = 0.0


def loop_args(i, sign=1.0):
    return (State(), np.array([1.0, 0.5, 2.0, 0.25]) * (1 + 0.1 * i) * sign, 5 + i % 2)


CASES = {"full_step": (full_step, full_args), "loop_step": (loop_step, loop_args)}


def _observe(fn, args, seed):
    """(outcome, printed, args after, RNG state) of one call; BaseException caught too."""
    np.random.seed(seed)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            res = ("ok", fn(*args))
        except BaseException as exc:       # noqa: BLE001 (KeyboardInterrupt is an outcome)
            res = ("raise", type(exc), str(exc))
    state = np.random.get_state()
    return res, out.getvalue(), args, (state[1][:4].copy(), state[2])


def _same(plain, spec, where):
    (pres, pout, pargs, prng), (sres, sout, sargs, srng) = plain, spec
    assert pres[0] == sres[0], f"{where}: {pres} vs {sres}"
    if pres[0] == "ok":
        assert_same(pres[1], sres[1], f"{where} result")
    else:
        assert pres[1:] == sres[1:], f"{where}: {pres} vs {sres}"
    assert pout == sout, f"{where}: printed {pout!r} vs {sout!r}"
    assert_same(pargs, sargs, f"{where} arguments after the call")
    assert np.array_equal(prng[0], srng[0]) and prng[1] == srng[1], f"{where}: RNG diverged"


def _warm(fn, make):
    jitted = janus_lite.jit(fn)
    for i in range(4):
        with contextlib.redirect_stdout(io.StringIO()):
            jitted(*make(i))
    assert jitted.stats["graph_calls"] >= 1, jitted.explain()
    return jitted


def _next_call_correct(fn, jitted, make, where):
    args = make(7)
    _same(_observe(fn, copy.deepcopy(args), 11), _observe(jitted, args, 11), where + ", next call")


def _ticks(faults, fn, make):
    """The ops a served graph run executes, in order."""
    jitted = _warm(fn, make)
    faults.arm()
    before = jitted.stats["graph_calls"]
    _observe(jitted, make(5), 0)
    assert jitted.stats["graph_calls"] == before + 1
    return list(faults.trace)


@pytest.mark.parametrize("case", CASES)
def test_assertion_fails_at_every_assert_of_a_graph_run(faults, case):
    fn, make = CASES[case]
    n_asserts = _ticks(faults, fn, make).count("assert")
    if n_asserts == 0 and janus_lite.config.TIER == "compiled":
        pytest.skip("its assertions run inside a compiled segment, where the injection hook "
                    "cannot tick (compiled assertions: tests/backend/test_compiled_tier.py)")
    assert n_asserts >= 1
    for k in range(1, n_asserts + 1):
        jitted = _warm(fn, make)
        args = make(5)
        plain = _observe(fn, copy.deepcopy(args), 3)
        faults.arm(at_assert=k)
        fb = jitted.stats["fallbacks"]
        spec = _observe(jitted, args, 3)
        assert faults.at_assert is None, f"assert {k} never ran"
        assert jitted.stats["fallbacks"] == fb + 1
        _same(plain, spec, f"{case}: assertion {k} of {n_asserts} failed")
        _next_call_correct(fn, jitted, make, f"{case}: after assertion {k}")


def _first_commit(trace):
    """1-based tick of the first commit op: raising there, nothing is committed yet."""
    return next(i for i, op in enumerate(trace) if op in COMMIT_OPS) + 1


@pytest.mark.parametrize("case", CASES)
def test_op_raises_at_every_node_of_a_graph_run(faults, case):
    """Every node up to the commit step (the graph's whole computation)."""
    fn, make = CASES[case]
    trace = _ticks(faults, fn, make)
    for k in range(1, _first_commit(trace) + 1):
        jitted = _warm(fn, make)
        args = make(5)
        plain = _observe(fn, copy.deepcopy(args), 3)
        faults.arm(at=k, make=lambda op, index: RuntimeError(f"injected at {op}"))
        spec = _observe(jitted, args, 3)
        assert faults.at is None, f"node {k} never ran"
        _same(plain, spec, f"{case}: node {k} ({trace[k - 1]}) of {len(trace)} raised")
        _next_call_correct(fn, jitted, make, f"{case}: after node {k} raised")


@pytest.mark.parametrize("case", CASES)
def test_keyboard_interrupt_mid_graph_leaves_no_trace(faults, case):
    fn, make = CASES[case]
    trace = _ticks(faults, fn, make)
    first_commit = _first_commit(trace)
    assert first_commit > 3, trace
    for k in range(1, first_commit + 1):       # every node up to the commit step
        jitted = _warm(fn, make)
        args = make(5)
        before = _observe(lambda *a: None, copy.deepcopy(args), 3)
        faults.arm(at=k, make=lambda op, index: KeyboardInterrupt())
        spec = _observe(jitted, args, 3)
        assert spec[0][:2] == ("raise", KeyboardInterrupt), spec[0]
        # nothing happened: arguments, objects, output and RNG as before the call
        _same((before[0], "", before[2], before[3]), (("ok", None),) + spec[1:],
              f"{case}: interrupt at node {k} ({trace[k - 1]})")
        _next_call_correct(fn, jitted, make, f"{case}: after the interrupt at node {k}")


def test_keyboard_interrupt_mid_graph_aliases_untouched(faults):
    """An alias of an argument's array taken before the call sees no update either."""
    trace = _ticks(faults, full_step, full_args)
    first_commit = _first_commit(trace)
    jitted = _warm(full_step, full_args)
    args = full_args(5)
    w_alias, x_alias = args[0].w, args[1]
    w0, x0 = w_alias.copy(), x_alias.copy()
    faults.arm(at=first_commit, make=lambda op, index: KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt), contextlib.redirect_stdout(io.StringIO()) as out:
        jitted(*args)
    assert out.getvalue() == ""
    assert np.array_equal(w_alias, w0) and np.array_equal(x_alias, x0)
    assert args[0].steps == 0 and args[3] == [] and args[4] == {}


def test_op_raises_inside_the_commit_step(faults):
    """The commit step is transactional: an error at any of its ops (the reversible writes
    are undone, the final array/print step is not yet begun) leaves the state untouched
    and the fallback's rerun gives the plain function's outcome."""
    trace = _ticks(faults, full_step, full_args)
    first = _first_commit(trace)
    commits = [k for k in range(first, len(trace) + 1) if trace[k - 1] in COMMIT_OPS]
    assert len(commits) >= 3, trace
    for k in commits:
        jitted = _warm(full_step, full_args)
        args = full_args(5)
        plain = _observe(full_step, copy.deepcopy(args), 3)
        faults.arm(at=k, make=lambda op, index: RuntimeError(f"injected at {op}"))
        spec = _observe(jitted, args, 3)
        _same(plain, spec, f"raised at node {k} ({trace[k - 1]}), inside the commit step")


def test_interrupt_inside_the_final_commit_finishes_it():
    """Once arrays are being written there is no way back: an interrupt there lets the
    step finish (every array and the printed text written), then reaches the caller,
    and the call is not rerun."""
    from janus_lite.ir import ops_state
    jitted = _warm(full_step, full_args)
    args = full_args(5)
    plain_args = copy.deepcopy(args)
    np.random.seed(3)
    with contextlib.redirect_stdout(io.StringIO()) as want:
        full_step(*plain_args)
    np.random.seed(3)
    real, calls = ops_state.commit_copyto, []

    def interrupted(dst, src):
        calls.append(1)
        real(dst, src)
        if len(calls) == 1:
            raise KeyboardInterrupt
    ops_state.commit_copyto = interrupted
    try:
        with pytest.raises(KeyboardInterrupt), contextlib.redirect_stdout(io.StringIO()) as out:
            jitted(*args)
    finally:
        ops_state.commit_copyto = real
    assert len(calls) >= 2, "the remaining arrays were written after the interrupt"
    assert out.getvalue() == want.getvalue()
    assert_same(plain_args, args, "state after an interrupt inside the final commit")


# -- an op's own implementation raises on its k-th call -----------------------------------------
def tanh_chain(x, w, log):
    h = np.tanh(x @ w)
    log.append(float(h.sum()))
    h2 = np.tanh(h * 2.0) + np.tanh(h - 1.0)
    x += 1.0
    return h2


@pytest.mark.parametrize("k", [1, 2, 3])
def test_op_implementation_raises_on_kth_call(monkeypatch, k):
    calls = {"n": 0, "armed": False}
    real = np.tanh

    def flaky(*a, **kw):
        if calls["armed"]:
            calls["n"] += 1
            if calls["n"] == k:
                raise FloatingPointError(f"injected in tanh call {k}")
        return real(*a, **kw)

    op = registry.get_op("np.tanh")
    monkeypatch.setitem(registry._OPS, "np.tanh", dataclasses.replace(op, impl=flaky))
    w = np.linspace(-1, 1, 6).reshape(3, 2)
    # the NumPy tier: it is the op table's tanh that raises (a compiled segment calls
    # NumPy's inner loop directly; its faults: tests/compiled, tests/backend)
    jitted = janus_lite.jit(tanh_chain, backend="numpy")
    for i in range(3):
        jitted(np.ones((2, 3)) * i, w, [])
    served = jitted.stats["graph_calls"]
    assert served >= 1
    x = np.ones((2, 3)) * 0.3
    plain = _observe(tanh_chain, (x.copy(), w, []), 0)
    calls["armed"], calls["n"] = True, 0
    spec = _observe(jitted, (x, w, []), 0)
    calls["armed"] = False
    assert calls["n"] >= k, "the graph did not call the op table's tanh"
    _same(plain, spec, f"tanh raised on call {k}")
    assert jitted.stats["fallbacks"] >= 1
    _next_call_correct(tanh_chain, jitted, lambda i: (np.ones((2, 3)) * 0.1 * i, w, []),
                       "after tanh raised")


# -- the graph cache runs full -------------------------------------------------------------------
def poly(x, s):
    y = x * s + 1.0
    if y.sum() > 0:
        y = y - 0.5
    return y, y.dtype


SIGNATURES = [(np.float64, (4,)), (np.float32, (4,)), (np.int64, (4,)), (np.float64, (2, 3)),
              (np.float32, (2, 3)), (np.int64, (2, 3)), (np.float64, ()), (np.bool_, (4,)),
              (np.float64, (1, 1, 2)), (np.float32, (5, 1))]


@pytest.mark.parametrize("max_graphs", [1, 2, 3])
def test_graph_cache_exhausted_by_many_signatures(max_graphs):
    rng = np.random.default_rng(5)
    calls = []
    for rnd in range(4):
        for dt, shape in SIGNATURES:
            calls.append((rng.standard_normal(shape).astype(dt), [2, 0.5][rnd % 2]))
    for dt, shape in SIGNATURES[:1] * 6:
        calls.append((rng.standard_normal(shape).astype(dt), 0.5))
    f = differential(poly, calls, jit_kwargs={"max_graphs": max_graphs})
    s = f.stats
    assert s["graphs"] <= max_graphs, s
    assert len(f._entries) <= max_graphs
    assert len(f.graphs) <= max(16, janus_lite.config.MAX_GRAPHS * 2)
    steady(f, 1)
