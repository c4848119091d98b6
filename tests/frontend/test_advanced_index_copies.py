"""Advanced indexing (an integer or boolean index array: ``self.E[tokens]``, ``x[mask]``,
``W[:, idx]``) always copies, so the array can be updated in place after it; before, the
result was taken for a view and any such function stayed imperative ("a view of an array
is used after the array was updated in place": an embedding lookup followed by the
optimizer step). A 0-d integer array indexes as an integer: a view, still refused or
exact."""
import numpy as np

from differential import differential, steady


class Emb:
    def __init__(self):
        self.E = np.arange(15.0).reshape(5, 3)

    def step(self, tokens, mask, cols):
        emb = self.E[tokens]
        picked = self.E[mask]
        some = self.E[:, cols]
        self.E -= 0.1 * self.E.mean()
        return emb.sum() + picked.sum() * 2 + some.sum() * 3, emb

    def zero_d(self, i):
        row = self.E[i]                  # a 0-d integer array: a view of row i
        self.E *= 0.5
        return row.copy()


def test_fancy_index_results_survive_an_update_in_place():
    e = Emb()
    rng = np.random.default_rng(0)
    calls = [(e, rng.integers(0, 5, size=4), rng.random(5) > 0.5, np.array([0, 2]))
             for _ in range(8)]
    steady(differential(Emb.step, calls), 4)


def test_a_zero_d_index_is_a_view():
    e = Emb()
    differential(Emb.zero_d, [(e, np.array(i % 5)) for i in range(8)])
