"""State a call changes, seen by the same call another way (found by a probe round; each
gave a wrong answer before, in graphs built from the profiled calls):
- through an object's own methods that run outside the graph (``str(self)``, a user
  ``__len__`` behind ``len(buffer)``): they read the state before this call's deferred
  writes, so handing such an object out after a write keeps the function imperative;
- through a second path to the same object (``tr.model`` and ``tr.opt.model``): the graph
  now guards, once every read is known, that an object written through one path is no
  other path's object;
- ``is`` between two names of one list or dict made in the function (two objects in the
  graph): decided while converting."""
import numpy as np

from differential import differential, steady


class Model:
    def __init__(self):
        self.t = 0
        self.W = np.zeros(2)

    def __repr__(self):
        return f"Model(t={self.t}, W={self.W})"

    def step(self, g):
        self.W -= g
        self.t += 1
        return str(self)


class Buffer:
    def __init__(self):
        self.items = []

    def __len__(self):
        return len(self.items)


class Learner:
    def __init__(self):
        self.buffer = Buffer()

    def observe(self, x):
        self.buffer.items.append(x)
        return "train" if len(self.buffer) > 3 else "wait"


class Opt:
    def __init__(self, model):
        self.model = model


class Trainer:
    def __init__(self):
        self.model = Model()
        self.opt = Opt(self.model)


def two_paths(tr, g):
    tr.model.W = tr.model.W - g
    tr.model.t += 1
    return tr.opt.model.t, float(tr.opt.model.W.sum())


def same_list(n):
    a, d = [], {}
    b, e = a, d
    c = [n]
    return a is b, d is e, a is not b, a is c, c is not n


def test_an_object_handed_out_after_a_write_sees_the_write():
    m = Model()
    differential(Model.step, [(m, np.ones(2)) for _ in range(6)])
    lr = Learner()
    differential(Learner.observe, [(lr, float(i)) for i in range(8)])


def test_one_object_reached_by_two_paths():
    tr = Trainer()
    differential(two_paths, [(tr, np.full(2, 0.5)) for _ in range(6)])


def test_is_between_names_of_one_made_list():
    steady(differential(same_list, [(i,) for i in range(6)]), 3)
