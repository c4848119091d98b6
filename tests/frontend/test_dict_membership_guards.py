"""A state dict whose keys a graph only asks about one by one (``k in d``, ``d.get(k)``,
``d[k]``, ``setdefault``, ``pop``) is guarded on those keys' presence, not on its whole key
list: a cache that gains other keys between calls keeps its graphs. Whole-key uses
(iterating, ``keys()``/``items()``, ``len``, truth) still see every key. Each script runs
against the plain and the decorated method, with the dict changed from outside between
calls; results and final state must agree."""
import numpy as np
import pytest

import janus_lite
from differential import assert_same, differential


class Store:
    def __init__(self):
        self.cache = {}
        self.cfg = {}

    def per_name(self, name, g):
        if name not in self.cache:
            self.cache[name] = np.zeros_like(g)
        self.cache[name] = 0.5 * self.cache[name] + g
        return self.cache[name] * 2.0

    def with_get(self, g):
        lr = self.cfg.get("lr", 0.1)
        return g * lr

    def with_setdefault(self, name, g):
        acc = self.cache.setdefault(name, np.ones_like(g))
        return acc + g

    def with_pop(self, name, g):
        old = self.cache.pop(name, None)
        if old is None:
            return g
        return g + old

    def whole_sum(self, g):
        total = g * 0.0
        for k in self.cache:
            total = total + self.cache[k]
        return total

    def whole_items(self, g):
        out = g.copy()
        for k, v in self.cache.items():
            out = out + v * len(k)
        return out

    def with_len(self, g):
        return g * len(self.cache)

    def with_truth(self, g):
        if self.cache:
            return g + 1.0
        return g - 1.0


def _script(method, steps):
    """Run ``steps`` on one fresh Store through ``method`` (plain or decorated): each step
    is ('call', args) or ('set'|'del', attr, key, value)."""
    s = Store()
    out = []
    for step in steps:
        if step[0] == "call":
            try:
                out.append(("ok", method(s, *step[1])))
            except Exception as exc:      # the exception is behaviour too
                out.append(("raise", type(exc).__name__, str(exc)))
        elif step[0] == "set":
            getattr(s, step[1])[step[2]] = step[3]
        else:
            getattr(s, step[1]).pop(step[2], None)
    return out, s


def _check(name, steps):
    plain = getattr(Store, name)
    jitted = janus_lite.jit(plain)
    want = _script(plain, steps)
    got = _script(jitted, steps)
    assert_same(want[0], got[0], "results")
    assert_same(vars(want[1]), vars(got[1]), "state")
    return jitted


def _g(i, n=3):
    return np.full(n, float(i + 1))


NAMES = ["w0", "b0", "w1", "b1"]


def test_cache_filled_per_name_keeps_one_graph_per_name():
    steps = [("call", (n, _g(i))) for i in range(25) for n in NAMES]
    f = _check("per_name", steps)
    assert f.stats["conversions"] <= len(NAMES) + 1, f.explain()
    assert f.stats["graph_calls"] >= 90, f.explain()
    assert "has key 'w0'" in f.explain()


def test_fresh_cache_per_run_reuses_the_graphs():
    f = janus_lite.jit(Store.per_name)
    for run in range(4):
        steps = [("call", (n, _g(i))) for i in range(10) for n in NAMES]
        want = _script(Store.per_name, steps)
        got = _script(f, steps)
        assert_same(want[0], got[0], f"run {run}")
        assert_same(vars(want[1]), vars(got[1]), f"run {run} state")
    assert f.stats["conversions"] <= len(NAMES) + 1, f.explain()
    assert f.stats["graph_calls"] >= 4 * 40 - 4 * 4 - 8, f.explain()


def test_a_key_removed_from_outside_makes_the_graph_miss():
    steps = [("call", (n, _g(i))) for i in range(6) for n in NAMES[:2]]
    steps += [("del", "cache", "w0"), ("call", ("w0", _g(9))), ("call", ("b0", _g(9)))]
    steps += [("set", "cache", "w0", np.full(3, 7.0)), ("call", ("w0", _g(3)))]
    _check("per_name", steps)


def test_a_key_assumed_absent_that_appears_makes_the_graph_miss():
    steps = [("call", (_g(i),)) for i in range(5)]
    steps += [("set", "cfg", "lr", 0.5)] + [("call", (_g(i),)) for i in range(5)]
    steps += [("set", "cfg", "other", 1)] + [("call", (_g(i),)) for i in range(3)]
    steps += [("del", "cfg", "lr")] + [("call", (_g(i),)) for i in range(3)]
    f = _check("with_get", steps)
    assert f.stats["graph_calls"] >= 6, f.explain()


@pytest.mark.parametrize("name", ["with_setdefault", "with_pop"])
def test_setdefault_and_pop_with_other_keys_changing(name):
    steps = []
    for i in range(8):
        steps.append(("call", ("a", _g(i))))
        steps.append(("set", "cache", f"other{i}", _g(-i)))
        if i % 3 == 2:
            steps.append(("del", "cache", "a"))
    _check(name, steps)


@pytest.mark.parametrize("name", ["whole_sum", "whole_items", "with_len", "with_truth"])
def test_whole_key_uses_see_keys_added_and_removed_from_outside(name):
    steps = [("call", (_g(0),))]
    for i in range(6):
        steps += [("call", (_g(i),)), ("call", (_g(i),))]
        steps.append(("set", "cache", f"k{i}", _g(i)))
        if i == 3:
            steps.append(("del", "cache", "k1"))
    steps += [("call", (_g(1),)), ("call", (_g(2),))]
    _check(name, steps)


def record_loss(w, g, hist):
    hist[len(hist)] = float((g * g).sum())     # a history dict: one more key per call
    return w - 0.1 * g


def test_a_growing_history_dict_misses_on_its_length_first():
    from janus_lite.runtime.guards import keys_text
    calls = [(np.ones(4), np.full(4, 0.5 * k), {}) for k in range(3)]
    hist = {}
    calls += [(np.ones(4), np.full(4, 0.1 * k), hist) for k in range(40)]   # same dict
    f = differential(record_loss, calls)
    src = [g.source() for g in f.graphs][0]
    assert "len(hist) != " in src, src           # not tuple(hist) alone: O(keys) per call
    grown = {k: 0 for k in range(40)}
    assert keys_text(grown) == "[0, 1, 2, 3, 4, 5, ..., 38, 39] (40 keys)"
    assert keys_text(tuple(grown)) == keys_text(grown) and keys_text(iter([1, 2])) == "[1, 2]"


def test_a_guard_that_keeps_missing_names_its_first_values_then_counts_the_rest(monkeypatch):
    monkeypatch.setattr(janus_lite.config, "MISS_STREAK_PLAIN", 0)    # every miss: the policy
    f = janus_lite.jit(record_loss)
    hist = {}
    for k in range(120):
        f(np.ones(4), np.full(4, 0.1 * k), hist)
    fallbacks = [e for e in f.events if e.kind == "fallback"]
    rest = [e for e in fallbacks if e.text.endswith("got other values too")]
    assert len(rest) == 1 and rest[0].count >= 60, [e.line() for e in fallbacks]
    assert any("keys)" in e.text for e in fallbacks)             # the first ones, named
    assert "got other values too" in f.explain()


def test_calls_that_keep_missing_run_the_plain_function_directly():
    calls = [(np.ones(4), np.full(4, 0.5), {}) for _ in range(3)]
    hist = {}
    calls += [(np.ones(4), np.full(4, 0.01 * k), hist) for k in range(300)]
    f = differential(record_loss, calls)
    s = f.stats
    assert s["calls"] == 303 and s["imperative_calls"] + s["graph_calls"] == 303, s
    assert s["fallbacks"] < 120, s                      # the rest skipped graphs and policy
    assert "the plain function answers the next calls directly" in f.explain()


def scale(x):
    return x * 2.0


def test_no_skipping_while_graphs_still_answer_some_calls():
    f = janus_lite.jit(scale, max_graphs=1)        # int arrays: no room for their graph
    for k in range(200):
        f(np.ones(4))                                # fits the graph
        f(np.arange(4))                              # misses, and none can be built
    s = f.stats
    assert s["graph_calls"] >= 190 and s["fallbacks"] >= 190, s
    assert "answers the next calls directly" not in f.explain()


def test_a_graph_hit_starts_the_count_of_misses_again():
    f = janus_lite.jit(scale, max_graphs=1)          # a graph for float arrays only
    for _ in range(3):
        f(np.ones(4))
    for _ in range(20):                              # 20 int misses in a row: skipping
        f(np.arange(4))
    assert "answers the next calls directly" in f.explain()
    for _ in range(40):                              # then runs of 5 misses between hits
        for _ in range(5):                           # (after the skipped stretch ends):
            f(np.arange(4))                          # no run reaches 16, so every hit
        before = f.stats["graph_calls"]              # after the stretch is served
        f(np.ones(4))
        served = f.stats["graph_calls"] - before
        assert served == 1 or type(f).__name__ == "SpeculativeFunction" and \
            f._skip_left >= 0 and before < 10, (served, f.stats)
    assert f.stats["graph_calls"] >= 1 + 30, f.stats
