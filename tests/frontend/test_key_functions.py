"""``max``/``min``/``sorted`` with ``key=`` over items known one by one while converting
(``max(votes, key=votes.get)``, ``sorted(layers, key=lambda l: l.order)``): the key
function is called on each item in order, as the builtin calls it, and the items are
picked or ordered by comparing those keys as the builtin does (first best wins; a stable
sort, ``reverse=True`` included). Before, "method get used as a value" / "the function
<lambda> ... is used as a value" kept such functions imperative."""
import numpy as np
import pytest

from differential import differential, steady


def vote(labels, weights):
    counts = {"a": 0.0, "b": 0.0, "c": 0.0}
    for lab, w in zip(labels, weights):
        counts[lab] += w
    return max(counts, key=counts.get), min(counts, key=counts.get)


def ranked(arrays, reverse):
    by_sum = sorted(arrays, key=lambda a: float(a.sum()), reverse=reverse)
    best = max(arrays, key=lambda a: a.max())
    return [a is arrays[0] for a in by_sum], best is arrays[1], by_sum[0].tolist()


def printed(xs):
    def loud(v):
        print("key", v)
        return -v
    return sorted(xs, key=loud), max(xs[0], xs[1], xs[2], key=abs), min([], key=abs, default=7)


def picked_pairs(weights):
    counts = {"a": weights[0], "b": weights[1], "c": weights[2]}
    pairs = list(counts.items())
    best = max(pairs, key=lambda kv: kv[1])
    order = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    return best, pairs, best is pairs[0] or best is pairs[1] or best is pairs[2], order[0][0]


def nan_keys(x):
    vals = [float(x[0]), float("nan"), float(x[1])]
    return max(vals, key=lambda v: v), min(vals, key=lambda v: v)


def bad_keys(x):
    return max([x, 1.0], key=lambda v: v)     # an array key against a float: raises


def test_max_min_by_a_dict_get_and_ties_keep_the_first():
    rng = np.random.default_rng(0)
    labels = ["a", "b", "c", "a", "b", "c"]
    calls = [(labels, [float(w) for w in rng.integers(0, 3, 6)]) for _ in range(10)]
    steady(differential(vote, calls), 5)


@pytest.mark.parametrize("reverse", [False, True])
def test_sorted_by_a_lambda_is_stable_and_returns_the_items_themselves(reverse):
    rng = np.random.default_rng(1)
    calls = []
    for i in range(8):
        arrs = [rng.standard_normal(3) for _ in range(4)]
        arrs[2] = arrs[0] * 1.0 if i % 2 else arrs[2]      # equal keys: ties
        calls.append((arrs, reverse))
    steady(differential(ranked, calls), 4)


def test_a_picked_tuple_is_the_very_tuple_the_list_holds():
    rng = np.random.default_rng(3)
    steady(differential(picked_pairs, [(list(rng.integers(0, 4, 3).astype(float)),)
                                       for _ in range(16)]), 6)


def test_key_calls_happen_in_order_and_defaults_and_nan_keys_match():
    rng = np.random.default_rng(2)
    steady(differential(printed, [(list(rng.integers(-5, 5, 3)),) for _ in range(6)]), 3)
    steady(differential(nan_keys, [(rng.standard_normal(2),) for _ in range(6)]), 3)


def test_keys_that_cannot_be_compared_raise_as_plain():
    differential(bad_keys, [(np.ones(2),), (np.zeros(3),)])
