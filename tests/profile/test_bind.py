"""`Profiler.bind`: parameter name → value for a call, exactly what
``inspect.Signature.bind`` gives with its defaults applied (same mapping, same order, None
where the call does not bind) — a signature of plain parameters is bound without inspect."""
import inspect
import itertools

import pytest

from janus_lite.profile import Profiler
from janus_lite.profile.source import function_ast


def plain(a, b, c=3, d=None):
    return a


def method_like(self):
    return self


def nothing():
    return 0


def starred(a, *rest, k=1, **kw):
    return a


def pos_only(a, /, b=2):
    return a


def _inspect_bind(fn, args, kwargs):
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    return dict(bound.arguments)


@pytest.mark.parametrize("fn", [plain, method_like, nothing, starred, pos_only])
def test_bind_is_inspects_binding(fn):
    prof = Profiler(fn, function_ast(fn)[0])
    names = list(inspect.signature(fn).parameters) + ["other"]
    for n in range(6):
        for k in range(3):
            for keys in itertools.permutations(names, k):
                args = tuple(range(n))
                kwargs = {key: 10 + i for i, key in enumerate(keys)}
                want = _inspect_bind(fn, args, kwargs)
                got = prof.bind(args, kwargs)
                assert got == want, (fn.__name__, args, kwargs)
                if want is not None:
                    assert list(got) == list(want)     # the parameters' order


def test_plain_signatures_take_the_direct_binding():
    assert Profiler(plain, function_ast(plain)[0])._plain_params is not None
    assert Profiler(starred, function_ast(starred)[0])._plain_params is None
    assert Profiler(pos_only, function_ast(pos_only)[0])._plain_params is None
