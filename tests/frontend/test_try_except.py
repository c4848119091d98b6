"""try/except/else/finally by speculation: the graph holds the path on which the try body
raises nothing; when it raises at run time the run is abandoned (nothing committed: state,
printed text, RNG draws) and the plain function answers, handler and all."""
import warnings

import numpy as np
import pytest

import janus_lite

from differential import differential, steady

rng = np.random.default_rng(15)


def _spd(n, ok=True):
    A = rng.standard_normal((n, n))
    M = A @ A.T + n * np.eye(n)
    return M if ok else M - 100.0 * n * np.eye(n)


def chol_or_none(K):
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        L = None
    return L


def chol_jitter(K, y):
    jitter = 0.0
    for attempt in range(5):
        try:
            L = np.linalg.cholesky(K + jitter * np.eye(len(K)))
            break
        except np.linalg.LinAlgError:
            jitter = 1e-10 if jitter == 0.0 else jitter * 10
    return np.linalg.solve(L, y), jitter


def else_finally(x, log):
    try:
        y = np.sqrt(x)
        z = y.sum()
    except ValueError as e:
        z = str(e)
    else:
        log.append(float(z))
        z = z * 2.0
    finally:
        print("done", x.shape)
    return z


def message_of(a, b):
    try:
        return a / b
    except ZeroDivisionError as e:
        return str(e)


def reraise(a, b):
    try:
        r = a / b
    except ZeroDivisionError:
        raise
    return r * 2.0


def raise_from(x, i):
    try:
        v = x[i]
    except IndexError as e:
        raise KeyError(i) from e
    return v + 1.0


def nested(x, i, j):
    try:
        a = x[i]
        try:
            b = x[j]
        except IndexError:
            b = -1.0
        c = a + b
    except IndexError:
        c = -2.0
    return c


def unused_raising_op(K):
    try:
        np.linalg.cholesky(K)
        ok = True
    except np.linalg.LinAlgError:
        ok = False
    return ok


class Model:
    def __init__(self):
        self.w = np.ones(3)
        self.steps = 0
        self.seen = []

    def step(self, g, K):
        self.w -= 0.1 * g
        self.steps += 1
        self.seen.append(float(g[0]))
        print("step", self.steps)
        try:
            L = np.linalg.cholesky(K)
        except np.linalg.LinAlgError:
            return -1.0
        return float(L[0, 0]) + self.w.sum()


def draw_then_raise(K):
    noise = np.random.standard_normal(len(K))
    try:
        L = np.linalg.cholesky(K + np.diag(noise))
    except np.linalg.LinAlgError:
        return np.random.standard_normal(2)
    return L.sum() + noise.sum()


def in_place_then_raise(w, g, K):
    w -= g
    try:
        s = np.linalg.cholesky(K).sum()
    except np.linalg.LinAlgError:
        s = 0.0
    return s


def log_or_zero(x):
    try:
        y = np.log(x)
    except RuntimeWarning:
        y = np.zeros_like(x)
    return y


def long_loop(xs, idx):
    total = 0.0
    for k in range(len(idx)):
        try:
            total += xs[idx[k]]
        except IndexError:
            total -= 1.0
    return total


class StopTraining(BaseException):
    pass


def custom_base_exception(x):
    try:
        y = np.linalg.inv(x)
    except StopTraining:
        y = x
    return y


def finally_return(x):
    try:
        return x.sum()
    finally:
        print("cleanup")


def bare_except(x):
    try:
        y = np.linalg.inv(x)
    except:            # noqa: E722
        y = x
    return y


def test_cholesky_or_none():
    calls = [(_spd(4),) for _ in range(5)] + [(_spd(4, ok=False),)] + \
        [(_spd(4),) for _ in range(3)]
    f = differential(chol_or_none, calls)
    s = steady(f, 6)
    assert s["fallbacks"] == 1, s


def test_cholesky_jitter_loop():
    y = rng.standard_normal(4)
    calls = [(_spd(4), y) for _ in range(5)] + [(_spd(4, ok=False), y)] + \
        [(_spd(4), y) for _ in range(3)]
    f = differential(chol_jitter, calls)
    steady(f, 6)


def test_else_finally_and_exception_variable():
    calls = [(rng.random(3) + 0.1, []) for _ in range(4)] + \
        [(np.array([1.0, "x"], dtype=object), [])] + [(rng.random(3), [1.0]) for _ in range(3)]
    f = differential(else_finally, calls)
    steady(f, 5)


def test_python_scalar_zero_division():
    calls = [(1.0, 2.0), (3.0, 4.0), (5.0, 0.5), (1.0, 0.0), (2.0, 8.0), (7, 0), (2.0, 4.0)]
    f = differential(message_of, calls)
    steady(f, 2)
    f = differential(reraise, calls)
    steady(f, 2)


def test_raise_from_and_nested():
    x = rng.standard_normal(4)
    f = differential(raise_from, [(x, 1), (x, 2), (x, 3), (x, 9), (x, 0), (x, -7)])
    steady(f, 2)
    calls = [(x, 1, 2), (x, 0, 3), (x, 2, 1), (x, 1, 9), (x, 9, 1), (x, 3, 3), (x, 2, 0)]
    f = differential(nested, calls)
    steady(f, 3)


def test_unused_raising_op_still_raises():
    calls = [(_spd(3),) for _ in range(4)] + [(_spd(3, ok=False),), (_spd(3),)]
    f = differential(unused_raising_op, calls)
    steady(f, 3)


def test_state_printed_output_and_appends_not_committed_on_abort():
    m = Model()
    calls = [((m, rng.standard_normal(3), _spd(3)), {}) for _ in range(4)] + \
        [((m, rng.standard_normal(3), _spd(3, ok=False)), {})] + \
        [((m, rng.standard_normal(3), _spd(3)), {}) for _ in range(2)]
    # the same model object goes through every call: its state carries across
    plain, jitted = Model(), Model()
    step = janus_lite.jit(Model.step)
    for (args, _) in calls:
        g, K = args[1], args[2]
        a = Model.step(plain, g, K)
        b = step(jitted, g, K)
        assert a == b and type(a) is type(b)
        assert np.array_equal(plain.w, jitted.w) and plain.steps == jitted.steps
        assert plain.seen == jitted.seen
    assert step.stats["graph_calls"] >= 3 and step.stats["fallbacks"] == 1, step.explain()


def test_state_printed_output_differential(capsys):
    calls = []
    for ok in (True, True, True, True, False, True, True):
        calls.append((Model(), rng.standard_normal(3), _spd(3, ok=ok)))
    f = differential(Model.step, calls)
    steady(f, 2)


def test_rng_draws_restored_on_abort():
    calls = [(_spd(3),) for _ in range(4)] + [(_spd(3, ok=False),)] + [(_spd(3),)] * 2
    f = differential(draw_then_raise, calls)
    steady(f, 3)


def test_in_place_update_not_committed_on_abort():
    calls = [(np.ones(3), rng.standard_normal(3), _spd(3)) for _ in range(4)] + \
        [(np.ones(3), rng.standard_normal(3), _spd(3, ok=False))] + \
        [(np.ones(3), rng.standard_normal(3), _spd(3)) for _ in range(2)]
    f = differential(in_place_then_raise, calls)
    steady(f, 4)


def test_warning_as_error_caught_by_handler():
    calls = [(rng.random(3) + 0.5,) for _ in range(4)] + [(np.array([1.0, 0.0, 2.0]),)] + \
        [(rng.random(3) + 0.5,) for _ in range(2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = differential(log_or_zero, calls)
    steady(f, 4)


def test_errstate_raise_caught_by_handler():
    calls = [(rng.random(3) + 0.5,) for _ in range(4)] + [(np.array([1.0, 0.0, 2.0]),)] + \
        [(rng.random(3) + 0.5,) for _ in range(2)]

    def log_or_fpe(x):
        try:
            return np.log(x)
        except FloatingPointError:
            return -x
    with np.errstate(all="raise"):
        f = differential(log_or_fpe, calls)
    steady(f, 4)


def test_try_in_a_loop_node():
    xs = rng.standard_normal(5)
    calls = [(xs, np.arange(40) % 5) for _ in range(4)] + [(xs, (np.arange(40) % 7))] + \
        [(xs, np.arange(60) % 4) for _ in range(2)]
    f = differential(long_loop, calls)
    steady(f, 3)


@pytest.mark.parametrize("fn, reason", [
    (finally_return, "inside `try` with a `finally`"),
    (bare_except, "bare `except:`"),
    (custom_base_exception, "`except StopTraining` catches what a graph run does not answer"),
])
def test_refused_forms_run_imperatively_with_reason(fn, reason):
    calls = [(_spd(3),) for _ in range(4)] + [(np.zeros((3, 3)),)]
    f = differential(fn, calls)
    assert f.stats["graph_calls"] == 0
    assert reason in f.explain(), f.explain()
