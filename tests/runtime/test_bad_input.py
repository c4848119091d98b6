"""Bad input: whatever the caller passes, the decorated function does what the plain one does.

Each function is first warmed up with good input until graphs serve it, then gets one bad
input — wrong shape or rank, wrong dtype (int, bool, float16, complex, object, strings),
``None``, a string, nested lists, tuples, Python scalars and 0-d arrays where arrays were,
NaN/Inf, empty arrays and zero-size dims, transposed, strided and Fortran-ordered arrays,
read-only arrays (also as the target of an in-place update: exactly NumPy's exception),
array subclasses — and then good input again. Every call's result (with type), exception
(type and message), printed output, arguments after the call and RNG stream must match.

The calls are made twice from a factory rather than deep-copied, because a deep copy of a
read-only array is writeable.
"""
import contextlib
import io

import numpy as np
import pytest

import janus_lite
from differential import assert_same

def _r(*shape):
    """Deterministic data (the plain and decorated runs build their calls separately)."""
    return np.random.default_rng(sum(shape) + 11 * len(shape)).standard_normal(shape)


def _readonly(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


def _outcome(fn, args):
    out = io.StringIO()
    np.random.seed(1)
    with contextlib.redirect_stdout(out):
        try:
            res = ("ok", fn(*args))
        except Exception as exc:       # noqa: BLE001 (the exception is the behaviour)
            res = ("raise", type(exc), str(exc))
    state = np.random.get_state()
    return res, out.getvalue(), (state[1][:4].copy(), state[2])


def same_behaviour(fn, make_calls, min_graph_calls=1):
    """``make_calls()`` gives a fresh list of argument tuples; plain and decorated runs get
    their own. Returns the decorated function."""
    jitted = janus_lite.jit(fn)
    for i, (pargs, sargs) in enumerate(zip(make_calls(), make_calls())):
        p, s = _outcome(fn, pargs), _outcome(jitted, sargs)
        where = f"call {i} ({_describe(pargs)})"
        assert p[0][0] == s[0][0], f"{where}: plain {p[0]} vs jit {s[0]}\n{jitted.explain()}"
        if p[0][0] == "ok":
            assert_same(p[0][1], s[0][1], f"{where} result")
            assert _ids(p[0][1], pargs) == _ids(s[0][1], sargs), f"{where}: result identity"
        else:
            assert p[0][1:] == s[0][1:], f"{where}: {p[0]} vs {s[0]}"
        assert p[1] == s[1], f"{where}: printed {p[1]!r} vs {s[1]!r}"
        assert_same(pargs, sargs, f"{where} arguments after the call")
        for a, b in zip(pargs, sargs):
            if isinstance(a, np.ndarray):
                assert a.flags.writeable == b.flags.writeable, f"{where}: writeable flag"
        assert np.array_equal(p[2][0], s[2][0]) and p[2][1] == s[2][1], f"{where}: RNG"
    assert jitted.stats["graph_calls"] >= min_graph_calls, jitted.explain()
    return jitted


def _ids(result, args):
    parts = list(result) if isinstance(result, tuple) else [result]
    return [[i for i, a in enumerate(args) if p is a and isinstance(a, np.ndarray)]
            for p in parts]


def _describe(args):
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            flags = ("" if a.flags.writeable else " ro") + \
                ("" if a.flags.c_contiguous else " noncontig")
            out.append(f"{type(a).__name__}[{a.dtype}, {a.shape}{flags}]")
        else:
            out.append(type(a).__name__)
    return ", ".join(out)


# -- the functions ----------------------------------------------------------------------------
def affine(x, w, b):
    return np.tanh(x @ w + b)


def normalize(x):
    m = x.mean(axis=0)
    return (x - m) / (x.std(axis=0) + 1e-6), float(m.sum())


def sgd_inplace(w, g, lr):
    w -= lr * g
    return w


def branchy(x, t):
    if x.sum() > t:
        return x.max() - t
    return x.min() + t


def rows(x, w):
    acc = np.zeros(x.shape[-1])
    for row in x:
        acc = acc + row * w
    return acc


class Model:
    def __init__(self, w):
        self.w = w
        self.steps = 0


def train(m, x, lr):
    print("step", m.steps)
    m.steps = m.steps + 1
    m.w -= lr * (x.T @ (x @ m.w))
    return float((m.w * m.w).sum())


W, B = _r(3, 2), _r(2)


def warm(make, n=3):
    return [make(i) for i in range(n)]


BAD_X = {
    "wrong-inner-dim": lambda: _r(4, 5),
    "wrong-rank-1d": lambda: _r(3),
    "wrong-rank-3d": lambda: _r(2, 4, 3),
    "int": lambda: np.arange(12).reshape(4, 3),
    "bool": lambda: _r(4, 3) > 0,
    "float32": lambda: _r(4, 3).astype(np.float32),
    "float16": lambda: _r(4, 3).astype(np.float16),
    "complex": lambda: _r(4, 3) + 1j,
    "object": lambda: _r(4, 3).astype(object),
    "strings": lambda: np.array([["a", "b", "c"]] * 4),
    "none": lambda: None,
    "string": lambda: "x",
    "nested-list": lambda: [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
    "tuple": lambda: ((1.0, 2.0, 3.0),),
    "python-float": lambda: 2.0,
    "zero-d": lambda: np.array(2.0),
    "nan": lambda: np.full((4, 3), np.nan),
    "inf": lambda: np.array([[np.inf, -np.inf, 1.0]] * 4),
    "empty-rows": lambda: np.zeros((0, 3)),
    "empty": lambda: np.zeros((0,)),
    "transposed": lambda: _r(3, 4).T,
    "strided": lambda: _r(8, 6)[::2, ::2],
    "fortran": lambda: np.asfortranarray(_r(4, 3)),
    "readonly": lambda: _readonly(_r(4, 3)),
    "matrix": lambda: np.asmatrix(_r(4, 3)),
    "masked": lambda: np.ma.masked_array(_r(4, 3), mask=np.eye(4, 3, dtype=bool)),
}


@pytest.mark.parametrize("bad", BAD_X)
def test_affine_bad_x(bad):
    def calls():
        rng_ = np.random.default_rng(0)
        good = [(rng_.standard_normal((4, 3)), W, B) for _ in range(3)]
        return good + [(BAD_X[bad](), W, B)] + good[:1] + [(rng_.standard_normal((4, 3)), W, B)]
    same_behaviour(affine, calls)


@pytest.mark.parametrize("bad", BAD_X)
def test_normalize_bad_x(bad):
    def calls():
        rng_ = np.random.default_rng(1)
        return [(rng_.standard_normal((4, 3)),) for _ in range(3)] + [(BAD_X[bad](),)] + \
            [(rng_.standard_normal((4, 3)),) for _ in range(2)]
    same_behaviour(normalize, calls)


@pytest.mark.parametrize("bad", BAD_X)
def test_rows_bad_x(bad):
    def calls():
        rng_ = np.random.default_rng(2)
        w = np.ones(3)
        return [(rng_.standard_normal((4, 3)), w) for _ in range(3)] + [(BAD_X[bad](), w)] + \
            [(rng_.standard_normal((4, 3)), w) for _ in range(2)]
    same_behaviour(rows, calls)


BAD_INPLACE = {
    "readonly-target": lambda: (_readonly(np.ones(3)), np.ones(3), 0.1),
    "readonly-grad": lambda: (np.ones(3), _readonly(np.ones(3)), 0.1),
    "int-target": lambda: (np.arange(3), np.ones(3), 0.1),
    "int-target-int-lr": lambda: (np.arange(3), np.arange(3), 2),
    "float32-target": lambda: (np.ones(3, np.float32), np.ones(3), 0.1),
    "float32-target-f64-lr": lambda: (np.ones(3, np.float32), np.ones(3), np.float64(0.1)),
    "bool-target": lambda: (np.ones(3, bool), np.ones(3), 0.1),
    "broadcast-grad": lambda: (np.ones(3), np.ones((2, 3)), 0.1),
    "bigger-grad": lambda: (np.ones(3), np.ones(4), 0.1),
    "scalar-grad": lambda: (np.ones(3), 2.0, 0.1),
    "zero-d-target": lambda: (np.array(1.0), np.array(2.0), 0.1),
    "python-float-target": lambda: (1.0, 2.0, 0.1),
    "list-target": lambda: ([1.0, 2.0, 3.0], np.ones(3), 0.1),
    "none-lr": lambda: (np.ones(3), np.ones(3), None),
    "string-lr": lambda: (np.ones(3), np.ones(3), "0.1"),
    "nan-lr": lambda: (np.ones(3), np.ones(3), float("nan")),
    "strided-target": lambda: (np.ones(6)[::2], np.ones(3), 0.1),
    "view-target-aliasing-grad": None,       # built in the test: g is a view of w
    "empty": lambda: (np.ones(0), np.ones(0), 0.1),
    "broadcast-view-target": lambda: (np.broadcast_to(np.ones(1), (3,)), np.ones(3), 0.1),
}


@pytest.mark.parametrize("bad", BAD_INPLACE)
def test_inplace_update_bad_input(bad):
    def calls():
        good = [(np.full(3, float(i)), np.ones(3), 0.5) for i in range(3)]
        if bad == "view-target-aliasing-grad":
            w = np.arange(4.0)
            badcall = (w[:3], w[1:], 0.5)
        else:
            badcall = BAD_INPLACE[bad]()
        return good + [badcall] + [(np.full(3, 7.0), np.ones(3), 0.5)] * 2
    same_behaviour(sgd_inplace, calls)


def test_inplace_update_of_readonly_argument_raises_numpys_exception():
    """Explicitly: the exception is NumPy's own (type and message), and nothing changed."""
    f = janus_lite.jit(sgd_inplace)
    for i in range(3):
        f(np.ones(3), np.ones(3), 0.5)
    w = _readonly(np.ones(3))
    with pytest.raises(ValueError) as plain:
        sgd_inplace(_readonly(np.ones(3)), np.ones(3), 0.5)
    with pytest.raises(ValueError) as spec:
        f(w, np.ones(3), 0.5)
    assert str(plain.value) == str(spec.value)
    assert np.array_equal(w, np.ones(3)) and not w.flags.writeable


SCALARS = {"float": 0.5, "int": 1, "bool": True, "np.float64": np.float64(0.5),
           "np.float32": np.float32(0.5), "np.int64": np.int64(1), "0-d f8": np.array(0.5),
           "0-d f4": np.array(0.5, np.float32), "0-d int": np.array(1), "complex": 0.5 + 1j,
           "nan": float("nan"), "inf": float("inf"), "None": None, "str": "0.5",
           "1-elem array": np.array([0.5]), "list": [0.5]}


@pytest.mark.parametrize("kind", SCALARS)
def test_threshold_scalar_kinds(kind):
    """0-d arrays, NumPy scalars and Python scalars where a float was: result types follow
    NumPy's promotion rules (NEP 50) exactly."""
    def calls():
        x = np.linspace(-1, 1, 5).astype(np.float32)
        return [(x, 0.5), (x, 0.5), (x, 0.5), (x, SCALARS[kind]), (x, 0.5), (x, SCALARS[kind])]
    same_behaviour(branchy, calls)


@pytest.mark.parametrize("kind", SCALARS)
def test_learning_rate_scalar_kinds(kind):
    def calls():
        return [(np.ones(3, np.float32), np.ones(3, np.float32), 0.5) for _ in range(3)] + \
            [(np.ones(3, np.float32), np.ones(3, np.float32), SCALARS[kind])] + \
            [(np.ones(3, np.float32), np.ones(3, np.float32), 0.5)]
    same_behaviour(sgd_inplace, calls)


BAD_MODEL = {
    "readonly-w": lambda: Model(_readonly(_r(3, 2))),
    "int-w": lambda: Model(np.ones((3, 2), dtype=np.int64)),
    "wrong-shape-w": lambda: Model(_r(4, 2)),
    "none-w": lambda: Model(None),
    "list-w": lambda: Model([[1.0, 2.0]] * 3),
    "steps-float": lambda: _with(Model(_r(3, 2)), steps=1.5),
    "steps-none": lambda: _with(Model(_r(3, 2)), steps=None),
    "missing-steps": lambda: _without(Model(_r(3, 2)), "steps"),
    "transposed-w": lambda: Model(_r(2, 3).T),
    "nan-w": lambda: Model(np.full((3, 2), np.nan)),
}


def _with(m, **kw):
    m.__dict__.update(kw)
    return m


def _without(m, name):
    delattr(m, name)
    return m


@pytest.mark.parametrize("bad", BAD_MODEL)
def test_object_state_bad_attributes(bad):
    make = BAD_MODEL[bad]

    def calls():
        rng_ = np.random.default_rng(3)
        m = Model(rng_.standard_normal((3, 2)))
        x = rng_.standard_normal((4, 3))
        return [(m, x, 0.01)] * 3 + [(make(), x, 0.01), (m, x, 0.01), (m, x, 0.01)]
    same_behaviour(train, calls)


@pytest.mark.parametrize("bad", ["wrong-rows", "zero-rows", "nan", "int", "none"])
def test_object_state_bad_data(bad):
    def calls():
        rng_ = np.random.default_rng(4)
        m = Model(rng_.standard_normal((3, 2)))
        x = rng_.standard_normal((4, 3))
        badx = {"wrong-rows": rng_.standard_normal((4, 5)), "zero-rows": np.zeros((0, 3)),
                "nan": np.full((4, 3), np.nan), "int": np.ones((4, 3), np.int64),
                "none": None}[bad]
        return [(m, x, 0.01)] * 3 + [(m, badx, 0.01), (m, x, 0.01), (m, x, 0.01)]
    same_behaviour(train, calls)
