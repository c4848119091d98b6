"""A state container changed and then stored whole: numpy-ml's optimizers
(``C = self.cache; C[name] = ...; self.cache = C``), cs231n's solver
(``config = self.optim_configs[p]; w, config = rule(w, dw, config);
self.optim_configs[p] = config``), a history list appended to and kept under a second
name. The commit stores the container itself, with its own deferred changes made in the
same commit. Before, such functions stayed imperative ("a list/dict argument or attribute
is used whole after a deferred change")."""
import numpy as np

import janus_lite
from corpus.harness import load
from differential import differential, steady


class RMSProp:
    def __init__(self, lr=0.01, decay=0.9):
        self.cache = {}
        self.hyperparameters = {"lr": lr, "decay": decay, "eps": 1e-7}

    def update(self, param, grad, name):
        C = self.cache
        H = self.hyperparameters
        if name not in C:
            C[name] = np.zeros_like(grad)
        C[name] = H["decay"] * C[name] + (1 - H["decay"]) * grad ** 2
        self.cache = C
        return param - H["lr"] * grad / (np.sqrt(C[name]) + H["eps"])


sgd_momentum = load("cs231n_optim_config").sgd_momentum   # the corpus's update rule


class Solver:
    def __init__(self, params):
        self.params = params
        self.optim_configs = {p: {"learning_rate": 0.05} for p in params}
        self.history = []

    def step(self, grads):
        for p, w in self.params.items():
            config = self.optim_configs[p]
            next_w, next_config = sgd_momentum(w, grads[p], config)
            self.params[p] = next_w
            self.optim_configs[p] = next_config
        H = self.history
        H.append(float(sum((g ** 2).sum() for g in grads.values())))
        self.last_history = H
        return len(self.optim_configs["W"])


def test_cache_dict_stored_back_is_graphed():
    rng = np.random.default_rng(0)
    opt = RMSProp()
    calls = [(opt, rng.standard_normal(4), rng.standard_normal(4), name)
             for _ in range(5) for name in ("W", "b")]
    f = differential(RMSProp.update, calls)
    steady(f, 4)


def test_solver_step_with_configs_stored_back_is_graphed():
    rng = np.random.default_rng(1)
    solver = Solver({"W": rng.standard_normal((3, 2)), "b": np.zeros(2)})
    calls = [[solver, {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}]
             for _ in range(8)]       # a list: (x, dict) would read as (args, kwargs)
    f = differential(Solver.step, calls)
    steady(f, 4)


def test_the_stored_container_is_the_same_object_with_every_change():
    rng = np.random.default_rng(2)
    plain, jitted = Solver({"W": np.ones((3, 2)), "b": np.zeros(2)}), \
        Solver({"W": np.ones((3, 2)), "b": np.zeros(2)})
    configs = [dict(jitted.optim_configs), dict(plain.optim_configs)]
    step = janus_lite.jit(Solver.step)
    for _ in range(6):
        grads = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
        assert step(jitted, grads) == Solver.step(plain, grads)
    for s, before in zip((jitted, plain), configs):
        assert s.last_history is s.history and len(s.history) == 6
        assert all(s.optim_configs[p] is before[p] for p in before)
        assert set(s.optim_configs["W"]) == {"learning_rate", "momentum", "velocity"}
    np.testing.assert_array_equal(jitted.optim_configs["W"]["velocity"],
                                  plain.optim_configs["W"]["velocity"])
    assert step.stats["graph_calls"] >= 3
