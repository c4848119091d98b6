"""max_graphs full: a graph that never served a call (built while a cache entry did not exist
yet, for state that never comes back) makes room for one the calls need, instead of those
calls running the plain function for good."""
import numpy as np
from differential import differential


class Opt:
    def __init__(self):
        self.cache = {}

    def update(self, name, g):
        if name not in self.cache:
            self.cache[name] = np.zeros_like(g)
        self.cache[name] = 0.9 * self.cache[name] + 0.1 * g * g
        return g / (np.sqrt(self.cache[name]) + 1e-8)


class ScanOpt(Opt):
    def update(self, name, g):
        if name not in self.cache:
            self.cache[name] = np.zeros_like(g)
        n = 0
        for key in self.cache:        # the whole key list: the graphs guard all of it
            n += len(key)
        self.cache[name] = 0.9 * self.cache[name] + 0.1 * g * g
        return g / (np.sqrt(self.cache[name]) + 1e-8) + n


def _calls(names, rounds, cls=Opt):
    opt = cls()
    return [(opt, n, np.full(3, 1.0 + i)) for i in range(rounds) for n in names]


def test_a_cache_filled_per_name_keeps_its_graphs():
    # the graphs ask only whether their own key is there: the cache growing does not
    # make them miss, so nothing is idle and nothing is evicted
    names = ["w0", "b0", "w1", "b1"]
    f = differential(Opt.update, _calls(names, 30), jit_kwargs={"max_graphs": 4})
    assert f.stats["conversions"] == 4, f.explain()
    assert f.stats["graph_calls"] >= 110, f.explain()
    assert "evicted" not in f.explain(), f.explain()
    assert "has key 'w0'" in f.explain() or "lacks key 'w0'" in f.explain(), f.explain()


def test_idle_graphs_are_evicted_when_max_graphs_is_full():
    names = ["w0", "b0", "w1", "b1"]
    f = differential(ScanOpt.update, _calls(names, 30, ScanOpt), jit_kwargs={"max_graphs": 4})
    late = f.stats
    assert late["graph_calls"] >= 100, f.explain()
    assert "evicted" in f.explain(), f.explain()
    assert all(g.hits > 0 for g in f.graphs if g.active and g.status.value == "active"
               and g.number > 4), f.explain()


def test_graphs_that_serve_are_never_evicted():
    # more live signatures than max_graphs: the graphs that serve stay; the rest run plainly
    names = ["a", "b", "c", "d", "e", "f"]
    f = differential(Opt.update, _calls(names, 20), jit_kwargs={"max_graphs": 2})
    serving = [g for g in f.graphs if g.hits > 0]
    assert all(g.active for g in serving), f.explain()
    assert f.stats["conversions"] <= 8, f.explain()
