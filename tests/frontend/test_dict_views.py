"""A dict's ``.keys()``/``.values()``/``.items()`` is a view, not a tuple: ``==`` compares
keys (and items) as sets, it cannot be indexed or added to, it prints as
``dict_keys([...])``, NumPy sees an object. Graphs iterate, unpack, count and test
membership on its items (as before); any other use keeps the function imperative. Before,
``params.keys() == grads.keys()`` with the keys in another order was False in a graph
(True in Python), and ``d.keys()[0]`` returned the first key instead of raising."""
import numpy as np

from differential import differential, steady


def same_keys(params, grads):
    return params.keys() == grads.keys(), params.items() != grads.items()


def member(d):
    return "W" in d.keys(), ("W", 1.0) in d.items(), 2.0 in d.values(), len(d.keys())


def iterated(d):
    total = 0.0
    for _, v in d.items():
        total += v
    a, b = d.keys()
    return (total, a, b, ", ".join(d.keys()), sorted(d.items()), dict(d.items()),
            max(d.values()), tuple(d.values()), [k.upper() for k in d.keys()])


def misused(d):
    try:
        first = d.keys()[0]
    except TypeError as exc:
        first = str(exc)
    print(d.values())
    return first, type(d.items()).__name__, np.array(d.values()).shape


def _dicts(n, flip=False):
    out = []
    for i in range(n):
        d = {"W": 1.0 * i, "b": 2.0}
        out.append([d, {"b": 2.0, "W": 1.0 * i}] if flip else [d])  # a list: two args
    return out


def test_views_compare_as_sets():
    f = differential(same_keys, _dicts(6, flip=True))
    assert "view" in f.explain()


def test_views_are_iterated_counted_and_tested_for_membership_in_graphs():
    steady(differential(member, _dicts(6)), 3)
    steady(differential(iterated, _dicts(6)), 3)


def test_a_view_used_as_anything_else_stays_exact():
    f = differential(misused, _dicts(5))
    assert f.stats["graph_calls"] == 0 and "view" in f.explain()


def add_while_iterating(hp, x):
    try:
        for k in hp:
            if k == "lr":
                hp["lr_min"] = hp[k] * 0.01
    except RuntimeError as exc:
        return "error: " + str(exc)
    return x * 2


def test_a_dict_changed_while_a_loop_iterates_it_raises_as_in_python():
    # before: the graph inserted the key and returned normally (Python raises at the next
    # step of the loop); now such a loop keeps the function imperative
    from collections import OrderedDict
    for kind in (dict, OrderedDict):
        f = differential(add_while_iterating, [[kind(lr=0.1, m=0.9), np.ones(2) * i]
                                               for i in range(5)])
        assert f.stats["graph_calls"] == 0
