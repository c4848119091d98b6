"""Module globals and closure cells are guarded graph inputs: rebinding one between calls
(a learning-rate schedule changed in a "notebook", an activation swapped, a constant array
mutated in place) is noticed on the very next call, never a stale value. A ``global``
statement keeps the function imperative, said in explain() with its line."""
import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(43)


def _r(*shape):
    return rng.standard_normal(shape)


LR = 0.1
SCALE = np.ones(3)
ACT = np.tanh
SCHEDULE = {"lr": 0.5, "decay": 0.9}


class Settings:
    def __init__(self):
        self.lr = 0.01
        self.clip = 1.0


SETTINGS = Settings()


def sgd_global_lr(w, g):
    return w - LR * g


def scaled_global_array(x):
    return x * SCALE + SCALE.sum()


def global_activation(x, W):
    return ACT(x @ W)


def schedule_dict_step(w, g, step):
    lr = SCHEDULE["lr"] * SCHEDULE["decay"] ** step
    return w - lr * g


def settings_object_step(w, g):
    return w - SETTINGS.lr * np.clip(g, -SETTINGS.clip, SETTINGS.clip)


def _check_each_call(fn, args, changes, n=10):
    """Call plain and jit'ed ``fn`` ``n`` times; before call ``i`` run ``changes[i]()`` (a
    "notebook" edit). Every call must agree — the very next call sees the edit."""
    f = janus_lite.jit(fn)
    for i in range(n):
        if i in changes:
            changes[i]()
        assert_same(f(*args), fn(*args), f"call {i} of {fn.__name__}")
    return f


def test_global_learning_rate_rebound_between_calls():
    global LR
    old = LR
    w, g = _r(4), _r(4)

    def set_lr(v):
        def change():
            global LR
            LR = v
        return change
    try:
        f = _check_each_call(sgd_global_lr, (w, g),
                             {4: set_lr(0.05), 5: set_lr(0.01), 8: set_lr(0.2), 9: set_lr(1)},
                             n=12)
        steady(f, 3)
    finally:
        LR = old


def test_global_learning_rate_changed_every_call():
    """A schedule that changes LR on every call: relaxed to a run-time read, still exact."""
    global LR
    old = LR
    w, g = _r(4), _r(4)
    try:
        f = janus_lite.jit(sgd_global_lr)
        for i in range(20):
            LR = 0.1 / (1 + i)
            assert_same(f(w, g), sgd_global_lr(w, g), f"call {i}")
        steady(f, 10)
    finally:
        LR = old


def test_global_array_mutated_in_place_and_rebound():
    global SCALE
    old = SCALE
    x = _r(3)

    def mutate():
        SCALE[1] = 5.0

    def rebind():
        global SCALE
        SCALE = np.full(3, 2.0)

    def reshape():
        global SCALE
        SCALE = np.ones((2, 3))
    try:
        f = _check_each_call(scaled_global_array, (x,), {4: mutate, 6: rebind, 8: reshape})
        steady(f, 3)
    finally:
        SCALE = old


def test_global_function_rebound():
    global ACT
    x, W = _r(4, 3), _r(3, 2)

    def to_relu():
        global ACT
        ACT = lambda v: np.maximum(v, 0)   # noqa: E731

    def to_sin():
        global ACT
        ACT = np.sin
    try:
        f = _check_each_call(global_activation, (x, W), {4: to_relu, 7: to_sin})
        steady(f, 3)
    finally:
        ACT = np.tanh


def test_global_dict_schedule_edited():
    w, g = _r(4), _r(4)
    old = dict(SCHEDULE)

    def edit():
        SCHEDULE["lr"] = 0.05

    def edit2():
        SCHEDULE["decay"] = 0.5
    try:
        f = janus_lite.jit(schedule_dict_step)
        for i in range(12):
            if i == 5:
                edit()
            if i == 8:
                edit2()
            assert_same(f(w, g, 3), schedule_dict_step(w, g, 3), f"call {i}")
        steady(f, 3)
    finally:
        SCHEDULE.clear()
        SCHEDULE.update(old)


def test_global_object_attribute_edited():
    w, g = _r(4), _r(4) * 3

    def edit():
        SETTINGS.lr = 0.5

    def edit2():
        SETTINGS.clip = 0.25
    try:
        f = _check_each_call(settings_object_step, (w, g), {4: edit, 6: edit2})
        steady(f, 3)
    finally:
        SETTINGS.lr, SETTINGS.clip = 0.01, 1.0


def test_global_rebound_differential_sequence():
    """The harness sees the same calls; the global is fixed here."""
    f = differential(sgd_global_lr, [(_r(4), _r(4)) for _ in range(6)])
    steady(f, 3)


# -- closure cells -----------------------------------------------------------------------------
def make_trainer(lr, momentum):
    velocity = [None]

    def step(w, g):
        return w - lr * g + momentum * w

    def set_lr(v):
        nonlocal lr
        lr = v

    def set_momentum(v):
        nonlocal momentum
        momentum = v
    return step, set_lr, set_momentum, velocity


def test_closure_cell_rebound_between_calls():
    step, set_lr, set_momentum, _ = make_trainer(0.1, 0.0)
    f = _check_each_call(step, (_r(4), _r(4)),
                         {3: lambda: set_lr(0.5), 4: lambda: set_lr(0.25),
                          7: lambda: set_momentum(0.1)}, n=12)
    steady(f, 3)


def make_scaler(table):
    def scale(x):
        return x * table
    return scale


def test_closure_cell_array_mutated_in_place():
    table = np.arange(3.0)
    scale = make_scaler(table)
    x = _r(3)
    f = janus_lite.jit(scale)
    for i in range(8):
        if i == 4:
            table *= 10
        assert_same(f(x), scale(x), f"call {i}")
    steady(f, 3)


# -- a global statement keeps the function imperative -------------------------------------------
COUNTER = 0


def bump_counter(x):
    global COUNTER
    COUNTER += 1
    return x * COUNTER


def test_global_statement_counter_is_a_deferred_write():
    """``global COUNTER; COUNTER += 1``: read through the module's globals (guarded, read
    at run time once it changes) and written back at the commit; every call counts."""
    global COUNTER
    COUNTER = 0
    f = janus_lite.jit(bump_counter)
    expected = [np.ones(2) * (i + 1) for i in range(5)]
    for i in range(5):
        assert_same(f(np.ones(2)), expected[i], f"call {i}")
    assert COUNTER == 5
    assert f.stats["graph_calls"] >= 3, f.explain()
    assert "global COUNTER" in f.explain()
