"""Generator expressions consumed whole by a builtin (sum, tuple, list, min, max, sorted,
set, len) convert like list comprehensions over sequences known while converting; any()
and all() stop at the first element that decides them, so theirs convert as that loop (a
loop node with a break): the elements after it are never evaluated (their warnings,
errors and draws never happen). Differential against the plain function, including an
element that raises and one that draws random numbers."""
import warnings

import numpy as np
import pytest

from differential import differential, steady


def norms_and_shapes(ps):
    return (sum(float(np.sum(p * p)) for p in ps), tuple(p.shape for p in ps),
            max(p.max() for p in ps))


def sorted_filtered(ps, k):
    return sorted(float(p.sum()) for p in ps if p.ndim == k), len([p for p in ps])


def min_and_list(xs):
    return min((x * 2).sum() for x in xs), list(x + 1 for x in xs)


def draws_in_generator(xs):
    return sum(np.random.rand() * x for x in xs)


def sum_of_mismatched(xs):
    return sum(x * 2 for x in xs)          # shapes (3,) and (2,): ValueError in the sum


def early_exit(xs):
    return any(x.sum() > 2 for x in xs), all(x.min() > 0 for x in xs)


def _lists(n=5):
    return [([np.ones(3) * i, np.ones((2, 2)) * (i - 2)],) for i in range(n)]


@pytest.mark.parametrize("fn, calls", [
    (norms_and_shapes, _lists()),
    (sorted_filtered, [(a[0], 1) for a in _lists()]),
    (min_and_list, [([np.ones(3) * i, np.ones(3)],) for i in range(5)]),
    (draws_in_generator, [([np.ones(3) * i, np.ones(3)],) for i in range(5)]),
])
def test_consumed_whole_is_graphed(fn, calls):
    steady(differential(fn, calls), 2)


def test_element_raising_mid_sum_gives_the_same_exception():
    calls = [([np.ones(3), np.ones(3)],)] * 3 + [([np.ones(3), np.ones(2)],), ([np.ones(3)] * 2,)]
    differential(sum_of_mismatched, calls)


def test_any_all_are_graphed():
    steady(differential(early_exit, [([np.ones(3) * i, np.ones(3) - i],) for i in range(6)]),
           3)


def converged(grads, tol):
    return all(np.abs(g).max() < tol for g in grads if g.size)


def any_positive_log(xs):
    return any(np.log(x).sum() > 0 for x in xs)     # log of a negative warns


def any_draw(xs):
    return any(np.random.rand() < x for x in xs)


def any_truth_of_array(xs):
    return any(x for x in xs)       # the truth of an array of 2 raises ValueError


def _warned(fn, calls):
    out = []
    for args in calls:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
            warnings.simplefilter("always")
            value = fn(*args)
        out.append((value, [(w.category, str(w.message), w.lineno) for w in caught]))
    return out


def test_all_with_a_filter_and_run_time_lengths():
    rng = np.random.default_rng(0)
    calls = [([rng.standard_normal(k) for k in ks], 1.0 + 0.4 * i)
             for i, ks in enumerate([(2, 3), (3, 0, 2), (4,), (), (1, 1, 1), (3, 3)])]
    steady(differential(converged, calls), 3)


def test_elements_after_the_deciding_one_are_never_evaluated():
    """The second array warns in np.log only when the first did not decide any(): the
    decorated calls warn exactly when, and where, the plain ones do."""
    calls = [([np.array([3.0, 4.0]), np.array([-1.0, 2.0])],),
             ([np.array([0.5, 0.1]), np.array([-1.0, 2.0])],)] * 4
    import janus_lite
    f = janus_lite.jit(any_positive_log)
    assert _warned(any_positive_log, calls) == _warned(f, calls)
    assert f.stats["graph_calls"] >= 4
    steady(differential(any_draw, [([0.2, 0.9, 0.5],)] * 6), 3)


def test_an_element_that_raises_raises_only_when_reached():
    calls = [([np.array([0.0]), np.array([1.0])],), ([np.array([0.0]), np.ones(2)],),
             ([np.array([2.0]), np.ones(2)],)] * 3
    differential(any_truth_of_array, calls)


def clip_grads(grads, max_norm):
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    if total > max_norm:
        grads = [g * (max_norm / total) for g in grads]   # a list made in one branch
    return grads, total


def test_list_made_in_one_branch_of_a_cond_node():
    """The branch's new list was materialized with the other branch's heap (internal
    KeyError, the function stayed imperative); now graphed."""
    calls = [([np.ones(3) * i, np.ones(2)], 2.0) for i in range(6)]
    steady(differential(clip_grads, calls), 3)


def _norm(p):
    return float(np.sqrt((p * p).sum()))


def mapped(ps, xs):
    return list(map(np.sum, ps)), sum(map(float, xs)), tuple(map(_norm, ps))


def test_map_consumed_whole_is_a_comprehension():
    """``list(map(f, xs))`` with ``f`` known while converting: ``[f(v) for v in xs]``
    (over lists of changing length, and a map whose function raises on one item)."""
    rng = np.random.default_rng(5)
    calls = [([rng.standard_normal(3) for _ in range(1 + i % 3)], rng.standard_normal(4))
             for i in range(8)]
    steady(differential(mapped, calls), 3)
    differential(mapped, [([np.ones(2)], [1.0, 2.0])] * 3 + [([np.ones(2)], [1.0, "x"])])
