"""The profiler on its own: the instrumented copy computes what the function computes, and
its records hold the types, dtypes and shapes each site saw, each condition's directions,
each loop's trip counts, and the calls' arguments."""
import inspect

import numpy as np

from janus_lite.profile import Profiler, Seen, function_ast, instrument, summarize


def scale_rows(x, k):
    y = x * k                       # line +1
    if y.sum() > 0:                 # line +2
        y = y - 1.0
    total = 0
    for row in y:                   # line +5
        total += row.max()
    n = 0
    while n < k:                    # line +8
        n += 1
    return total, n


def _line(fn, offset):
    return inspect.getsourcelines(fn)[1] + offset


def _profiler(fn):
    fdef, _ = function_ast(fn)
    return Profiler(fn, fdef)


def _sites(profile, kind, lineno):
    return [obs for key, obs in profile.sites.items() if key[0] == kind and key[1] == lineno]


def _by_line(table, lineno):
    return [v for key, v in table.items() if key[1] == lineno]


def test_instrumented_copy_computes_the_same_and_records_sites():
    p = _profiler(scale_rows)
    x = np.arange(6.0).reshape(3, 2)
    assert p.instrumented(x, 2) == scale_rows(x, 2)
    (mul,) = _sites(p.profile, "BinOp", _line(scale_rows, 1))
    assert mul.count == 1 and mul.single == Seen(np.ndarray, np.dtype(np.float64), (3, 2))
    names = {o.single.type for o in _sites(p.profile, "Name", _line(scale_rows, 1))}
    assert names == {np.ndarray, int}


def test_branch_directions_and_loop_trips_are_counted():
    p = _profiler(scale_rows)
    for x, k in [(np.ones((3, 2)), 2), (-np.ones((4, 2)), 3), (np.ones((1, 2)), 2)]:
        p.instrumented(x, k)
    (branch,) = _by_line(p.profile.truths, _line(scale_rows, 2))
    assert branch == {True: 2, False: 1}
    (rows,) = _by_line(p.profile.trips, _line(scale_rows, 5))
    assert rows.count == 3 and {s.value: n for s, n in rows.seen.items()} == {3: 1, 4: 1, 1: 1}
    (cond,) = _by_line(p.profile.truths, _line(scale_rows, 8))
    assert cond == {True: 2 + 3 + 2, False: 3}       # one False per call ends the loop


def test_shapes_that_change_are_kept_apart():
    p = _profiler(scale_rows)
    for n in (2, 3, 3):
        p.instrumented(np.ones((n, 2), np.float32), 1)
    (mul,) = _sites(p.profile, "BinOp", _line(scale_rows, 1))
    assert mul.single is None and mul.seen == {
        Seen(np.ndarray, np.dtype(np.float32), (2, 2)): 1,
        Seen(np.ndarray, np.dtype(np.float32), (3, 2)): 2}


def test_argument_summaries_and_bounded_records():
    p = _profiler(scale_rows)
    s = p.summarize_args((np.zeros((2, 5), np.int32),), {"k": 4})
    assert s == {"x": Seen(np.ndarray, np.dtype(np.int32), (2, 5)),
                 "k": Seen(int, value=4, has_value=True)}
    assert p.summarize_args((1, 2, 3), {}) is None        # does not bind: no summary
    assert summarize((1, 2.5)).has_value and summarize((1, 2.5)).value == (1, 2.5)
    assert not summarize((np.ones(2),)).has_value


def test_instrumented_source_wraps_sites_but_not_nested_functions():
    def outer(x):
        def inner(y):
            return y + 1
        return inner(x) * 2

    fdef, _ = function_ast(outer)
    tree, keys = instrument(fdef)
    text = Profiler(outer, fdef).source()
    assert "__jl_rec" in text and "return y + 1" in text      # inner left as written
    assert len(keys) == len(set(keys))
