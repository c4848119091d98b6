"""The writeable and disjointness guards of arrays updated in place, checked inline.

When the guards before them typed every array involved ``np.ndarray``, the run of
``writeable`` guards and the run of ``disjoint`` guards after it are checked as one inline
condition (one ``flags`` object per array; the pairs' distinctness by ``is not``, or for many
pairs by a set of ids); when it fails, the guards one by one decide, as before: a view that
shares nothing is served, a read-only array or an alias is not (the plain function answers,
with its own error or aliasing behaviour).
"""
import numpy as np
import pytest

from differential import differential, steady


def sgd(p, g):
    p -= 0.1 * g
    return p


def adagrad(params, grads, mems, lr):
    for p, g, m in zip(params, grads, mems):
        m += g * g
        p += -lr * g / np.sqrt(m + 1e-8)


def _sgd_args(k, case=None):
    r = np.random.default_rng(k)
    p, g = r.standard_normal(6), r.standard_normal(6)
    if case == "readonly":
        p.flags.writeable = False
    elif case == "alias":
        g = p
    elif case == "view":                     # not its own buffer, shares nothing with g
        p = r.standard_normal(12)[3:9]
    elif case == "overlap":                  # a view of g itself
        p = g[::-1]
    return p, g


@pytest.mark.parametrize("case", ["readonly", "alias", "view", "overlap"])
def test_one_pair_checked_inline_then_one_by_one(case):
    calls = [_sgd_args(k) for k in range(4)] + [_sgd_args(9, case)] * 2 + [_sgd_args(5)]
    f = differential(sgd, calls)
    steady(f, 3)
    assert any("(_fl := p.flags).writeable and _fl.owndata" in g.source() for g in f.graphs)


def _adagrad_args(k, n, case=None):
    r = np.random.default_rng(k)
    shapes = [(3, 2), (4,), (2, 2), (5,), (3,)][:n]
    params = [r.standard_normal(s) for s in shapes]
    grads = [r.standard_normal(s) for s in shapes]
    mems = [np.abs(r.standard_normal(s)) for s in shapes]
    if case == "readonly":
        mems[-1].flags.writeable = False
    elif case == "alias":                    # the same array twice: updated twice
        grads[0] = params[0]
    elif case == "view":
        big = np.abs(r.standard_normal(64))
        mems[1] = big[10:14]
    return params, grads, mems, 0.01


@pytest.mark.parametrize("case", ["readonly", "alias", "view"])
def test_many_pairs_checked_by_a_set_of_ids(case):
    calls = [_adagrad_args(k, 5) for k in range(4)] + [_adagrad_args(7, 5, case)] * 2 + \
        [_adagrad_args(8, 5)]
    f = differential(adagrad, calls)
    steady(f, 3)
    assert any("(_fl := " in g.source() and "_len" in g.source() and "_id" in g.source()
               for g in f.graphs), [g.source() for g in f.graphs]
