"""A function that looks at its caller's frame — ``warnings.warn(..., stacklevel=2)`` (a
library's deprecation), ``sys._getframe(1)``, ``inspect.stack()`` — runs as itself, called
directly: no janus_lite frame stands between it and its caller, so the warning names the
caller's file and line (and passes that module's filters and registry), the frame it reads
is the caller's, and an error's traceback is the plain one. Before, the decorated call
named janus_lite's api.py."""
import sys
import traceback
import warnings

import numpy as np

import janus_lite


def scaled(x, factor):
    if factor > 10:
        warnings.warn("large factor", UserWarning, stacklevel=2)
    return x * factor


def who_called(x):
    return sys._getframe(1).f_code.co_name, x + 1


def fails(x):
    warnings.warn("fails", UserWarning, stacklevel=2)   # reads the caller's frame
    return x.undefined_attribute


class Layer:
    def forward(self, x):
        warnings.warn("Layer.forward is deprecated", DeprecationWarning, stacklevel=2)
        return x * 2


def _caller(fn, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(*args)          # the line every warning must name
    return [(w.category, str(w.message), w.filename, w.lineno) for w in caught]


def test_stacklevel_warning_names_the_callers_line():
    f = janus_lite.jit(scaled)
    x = np.ones(3)
    for factor in (1.0, 20.0, 30.0, 2.0, 40.0):
        assert _caller(f, x, factor) == _caller(scaled, x, factor)
    assert any(_caller(f, x, 50.0))
    assert f.stats["calls"] == 6 and f.stats["imperative_calls"] == 6
    assert "looks at the caller's frame" in f.explain()


def test_a_method_decorated_from_outside_warns_at_the_callers_line():
    plain = Layer.forward
    layer, x = Layer(), np.ones(2)
    want = _caller(layer.forward, x)
    try:
        Layer.forward = janus_lite.jit(plain)
        for _ in range(3):
            assert _caller(layer.forward, x) == want
    finally:
        Layer.forward = plain


def test_default_filters_and_registry_are_the_callers_module():
    """Under the default action, once per caller location, in the caller's registry."""
    f = janus_lite.jit(scaled)
    x = np.ones(2)

    def run(fn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            for _ in range(3):
                fn(x, 20.0)
            fn(x, 30.0)
        return [(str(w.message), w.filename, w.lineno) for w in caught]

    globals().pop("__warningregistry__", None)
    want = run(scaled)
    globals().pop("__warningregistry__", None)
    assert run(f) == want and len(want) == 2


def test_the_frame_read_is_the_callers():
    f = janus_lite.jit(who_called)
    for _ in range(4):
        assert f(1.0) == who_called(1.0) == ("test_the_frame_read_is_the_callers", 2.0)


def test_a_direct_call_has_the_plain_traceback():
    f = janus_lite.jit(fails)
    for _ in range(4):
        got = []
        for fn in (fails, f):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fn(np.ones(2))
            except AttributeError as exc:
                got.append([fr.name for fr in traceback.extract_tb(exc.__traceback__)])
        assert got[0] == got[1]
    assert f.stats["calls"] == f.stats["imperative_calls"] == 4
