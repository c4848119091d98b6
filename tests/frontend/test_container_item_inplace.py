"""`params[k] -= lr * g` on a list or dict argument's item updates the caller's array in
place (through the graph's private copy, committed at the end); storing the same array
back changes nothing, so the container can still be used whole afterwards (returned,
iterated). Items that alias each other (the same array twice, overlapping views) make the
call fall back: the plain function's answer."""
import numpy as np

from differential import differential, steady


def sgd_dict(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


def sgd_list_by_index(params, grads, lr):
    for i in range(len(params)):
        params[i] -= lr * grads[i]
    return params, sum(float(p.sum()) for p in params)


def sgd_list_zip(params, grads, lr):
    for p, g in zip(params, grads):
        p -= lr * g
    return sum(float(np.sum(p * p)) for p in params)


def _dict():
    return {"W": np.ones((3, 2)), "b": np.zeros(2)}


def _list():
    return [np.ones((3, 2)), np.zeros(2)]


def test_dict_items_updated_in_place_and_returned():
    calls = [(_dict(), _dict(), 0.1 * i) for i in range(5)]
    steady(differential(sgd_dict, calls), 3)


def test_list_items_updated_by_index_and_returned():
    calls = [(_list(), _list(), 0.1 * i) for i in range(5)]
    steady(differential(sgd_list_by_index, calls), 3)


def test_list_items_updated_through_zip():
    calls = [(_list(), _list(), 0.1 * i) for i in range(5)]
    steady(differential(sgd_list_zip, calls), 3)


def test_aliased_items_fall_back_to_the_plain_answer():
    import janus_lite
    for fn, make in [(sgd_dict, lambda c: {"W": c[:3], "b": c[1:]}),
                     (sgd_list_by_index, lambda c: [c[:3], c[1:]]),
                     (sgd_dict, lambda c: {"W": c[:3], "b": c[:3]})]:
        grads = (lambda: {"W": np.ones(3), "b": np.ones(3)}) if fn is sgd_dict else \
            (lambda: [np.ones(3), np.ones(3)])
        f = janus_lite.jit(fn)
        for _ in range(4):        # graphs built on items that do not alias
            f(grads(), grads(), 0.5)
        assert f.stats["graph_calls"] >= 1, f.explain()
        c_plain, c_jit = np.arange(4.0), np.arange(4.0)
        fn(make(c_plain), grads(), 0.5)
        f(make(c_jit), grads(), 0.5)
        assert np.array_equal(c_plain, c_jit), (fn.__name__, c_plain, c_jit)
        assert f.stats["fallbacks"] >= 1, f.stats
