"""``list(x)`` of a value of known length is a list the function made: appends, slices and
item reads on it stay static (corpus program ar_sliding_window: ``hist = list(history)``
then ``hist.append(nxt)`` in a loop, ``hist[-len(coef):][::-1]``); a slice of such a list is
a new list."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(70)


def forecast(coef, history, steps):
    hist = list(history)
    out = []
    for _ in range(steps):
        x = np.array(hist[-len(coef):][::-1])
        nxt = float(x @ coef)
        out.append(nxt)
        hist.append(nxt)
    return out


def rows_then_update(X, g):
    rows = list(X)
    X -= g
    return rows[0] + rows[1]


def slices_are_new_lists(a, b, c):
    layers = [a, b, c]
    tail = layers[1:]
    tail.append(a * 2.0)
    return np.stack(tail), len(layers)


def from_containers(t, d):
    xs = list(t)
    keys = list(d)
    empty = list()
    empty.append(xs[0] + d[keys[0]])
    return empty, keys


def list_of(x):
    return list(x)


def test_forecast_with_a_growing_list():
    calls = [(rng.standard_normal(3) * 0.3, rng.standard_normal(3), 5) for _ in range(6)]
    f = differential(forecast, calls)
    steady(f, 4)


def test_rows_of_an_array_updated_later_stay_exact():
    calls = [(rng.standard_normal((3, 2)), rng.standard_normal((3, 2))) for _ in range(5)]
    differential(rows_then_update, calls)


def test_slice_of_a_local_list():
    calls = [tuple(rng.standard_normal(2) for _ in range(3)) for _ in range(5)]
    f = differential(slices_are_new_lists, calls)
    steady(f, 3)


def test_list_of_tuple_and_dict_arguments():
    calls = [(((rng.standard_normal(2), 1.0), {"w": rng.standard_normal(2)}), {})
             for _ in range(5)]
    f = differential(from_containers, calls)
    steady(f, 3)


def test_list_of_arrays_of_changing_length_and_bad_input():
    calls = [(rng.standard_normal(3),)] * 3 + [(rng.standard_normal(5),), (np.float64(2.0),),
                                                (rng.standard_normal((2, 2)),), (7,)]
    differential(list_of, calls)
