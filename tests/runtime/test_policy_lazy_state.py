"""Issue 15: lazily initialised state (``if self.m is None: self.m = np.zeros_like(g)``) in
an optimizer made afresh per fold: the graph for the steady state serves every fold; the
first call of a fresh object (which sets the state) builds nothing."""
import policy_programs as P
import pytest
from policy_helpers import run_both


def test_fresh_optimizer_per_fold_reuses_the_steady_state_graph():
    (f,), _ = run_both(P.lazy_state, folds=6, steps=30)
    s = f.stats
    assert s["conversions"] == 1, f.explain()             # was one graph per fold
    assert len(f.active_graphs) == 1
    assert s["graph_calls"] >= 170, f.explain()
    assert "lazily initialised state" in f.explain()


def test_state_that_stays_different_still_gets_its_own_graph():
    # the settled check must not swallow real variants: an optimizer that stays None-state
    # (m reset to None after every call) is a second steady state
    import numpy as np

    import janus_lite

    class Opt:
        def __init__(self):
            self.m = None

        def step(self, g):
            if self.m is None:
                out = g * 2.0
            else:
                out = g + self.m
            return out

    Opt.step = janus_lite.jit(Opt.step)
    a, b = Opt(), Opt()
    b.m = np.ones(3)
    for _ in range(10):
        assert np.array_equal(a.step(np.ones(3)), np.full(3, 2.0))
        assert np.array_equal(b.step(np.ones(3)), np.full(3, 2.0))
    assert len(Opt.step.active_graphs) == 2, Opt.step.explain()
    assert Opt.step.stats["graph_calls"] >= 14


def test_per_parameter_lazy_state_settles_for_every_fresh_optimizer():
    # the miss that matters is on graph #2's velocity, listed after graph #1's shape miss:
    # every fresh optimizer used to build (and later evict) two more graphs
    (f,), _ = run_both(P.lazy_state_per_parameter, runs=5, steps=20)
    s = f.stats
    assert s["conversions"] <= 4, f.explain()
    assert len(f.active_graphs) == 2, f.explain()
    assert s["graph_calls"] >= 5 * 2 * 20 - 2 * 5 - 4, f.explain()


@pytest.fixture
def profiled(monkeypatch):
    """A list that gets one item per profiled (instrumented) run of any decorated function."""
    import janus_lite.api as api
    runs = []
    orig = api.SpeculativeFunction._run_profiled

    def counting(self, args, kwargs):
        runs.append(1)
        return orig(self, args, kwargs)

    monkeypatch.setattr(api.SpeculativeFunction, "_run_profiled", counting)
    return runs


def test_a_fresh_object_that_settles_again_runs_the_plain_function(profiled):
    # once a guard's miss was seen to be settled by the call, the next fresh object's first
    # call runs the plain function (not the instrumented one) and is checked afterwards
    run_both(P.lazy_state_per_parameter, runs=2, steps=10)
    first = len(profiled)
    profiled.clear()
    (f,), _ = run_both(P.lazy_state_per_parameter, runs=6, steps=10)
    assert len(profiled) == first, (first, len(profiled), f.explain())
    assert f.explain().count("lazily initialised state") >= 1


def test_config_dicts_filled_by_the_first_call_get_no_graph_for_their_first_keys():
    # every fresh config dict's first call finds ['learning_rate'] only: a graph for it would
    # serve one call per parameter and run (it used to be built, and relaxed, per shape)
    (f,), _ = run_both(P.config_dicts, runs=3, steps=25)
    s = f.stats
    assert s["conversions"] <= 5, f.explain()
    assert "this call changed them to ['learning_rate', 'momentum', 'velocity']" in \
        f.explain(), f.explain()
    assert s["graph_calls"] >= 3 * 4 * 25 - 3 * 4 - 8, f.explain()


def test_a_dict_that_gets_a_key_every_call_is_not_profiled_every_call(monkeypatch):
    # a history dict written once per call: no graph can serve the calls that miss; they
    # run the plain function, profiled again only after 8, 16, 32 ... of them
    import numpy as np

    import janus_lite
    import janus_lite.api as api
    from differential import differential

    def log_step(w, g, hist, i):
        w = w - 0.1 * g
        hist["step%d" % i] = float(w.sum())
        return w

    profiled, real = [], api.SpeculativeFunction._run_profiled

    def counting(self, args, kwargs):
        profiled.append(1)
        return real(self, args, kwargs)
    monkeypatch.setattr(api.SpeculativeFunction, "_run_profiled", counting)
    hist = {}
    calls = [((np.full(4, 1.0 + i), np.full(4, 0.01), hist, i), {}) for i in range(200)]
    with pytest.warns(janus_lite.PerformanceWarning, match="fit no graph"):
        f = differential(log_step, calls)
    assert len(profiled) <= 12, (len(profiled), f.explain())
    assert f.stats["conversions"] == 1, f.explain()
    assert "changes its keys on every call" in f.explain()


def test_lazy_state_is_recognised_on_graphs_that_replaced_the_first_ones(profiled):
    # the first graphs fold opt.t and are replaced by graphs reading it; the settled misses
    # were remembered per graph number, so every fresh optimizer's first calls (one per
    # key) were profiled again, about 0.5 ms each (here: 10 profiled runs for 4 optimizers
    # against 7 for one; now 8)
    (f,), _ = run_both(P.lazy_dict_state_with_counter, runs=1)
    first = len(profiled)
    profiled.clear()
    (f,), _ = run_both(P.lazy_dict_state_with_counter, runs=4)   # three more fresh optimizers
    assert len(profiled) <= first + 1, (first, len(profiled), f.explain())
    assert "lazily initialised state" in f.explain()
    assert f.stats["graph_calls"] >= 4 * 3 * 12 - 3 * 4 - first, f.explain()


def test_a_fresh_config_dict_per_run_is_answered_plainly_not_profiled():
    # a course-assignment batchnorm layer: ``bn_param = {"mode": "train"}`` made afresh per
    # run, its first call fills in the running averages. That call misses the graph's keys
    # guard; once seen to be settled by the call, such misses run the plain function (not
    # the instrumented one, ~10x its cost) and build nothing
    import numpy as np

    from differential import differential

    def batchnorm(x, gamma, bn_param):
        running = bn_param.get("running_mean", np.zeros(x.shape[1]))
        mu = x.mean(axis=0)
        bn_param["running_mean"] = 0.9 * running + 0.1 * mu
        return gamma * (x - mu)

    x, g = np.arange(12.0).reshape(4, 3), np.ones(3)
    calls = []
    for _ in range(6):
        bp = {"mode": "train"}
        calls += [(x + k, g, bp) for k in range(8)]
    f = differential(batchnorm, calls)
    assert f.stats["conversions"] == 1, f.explain()
    assert f.stats["graph_calls"] >= 40, f.explain()
    assert f._profiler.profile.runs <= 3, f.explain()      # was one per fresh dict
