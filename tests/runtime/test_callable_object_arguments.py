"""A callable object passed as an argument (a learning-rate schedule, a layer) is guarded by
its class and attributes, not by its identity: a new object of the same class (a new model
per fold or trial) is served by the graph already built, and different attribute values
still fall back."""
import math

import numpy as np
from differential import differential


class Warmup:
    def __init__(self, base, warm):
        self.base, self.warm = base, warm

    def __call__(self, step, **kwargs):
        if step < self.warm:
            return self.base * (step + 1) / self.warm
        return 0.5 * self.base * (1 + math.cos(step / 10))


def sgd(w, g, schedule, step):
    lr = schedule(step, params=w)
    w -= lr * g
    return lr


def test_a_new_schedule_object_of_the_same_class_reuses_the_graph():
    calls = [(np.ones(3), np.full(3, 0.5), Warmup(0.1, 3), 5) for _ in range(12)]
    f = differential(sgd, calls)
    assert f.stats["graphs"] == 1 and f.stats["graph_calls"] >= 9, f.explain()


def test_a_schedule_with_other_attribute_values_still_gets_the_right_answer():
    calls = [(np.ones(3), np.full(3, 0.5), Warmup(0.1 * (1 + i % 3), 3 + i % 2), i)
             for i in range(16)]
    differential(sgd, calls)
