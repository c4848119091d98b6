"""Dict methods on config and state dicts — ``config.setdefault('learning_rate', 1e-2)``,
``bn_param.get('eps', 1e-5)``, ``d.update(...)``, ``d.pop(k)``, ``k in d``, ``del d[k]`` —
on dict arguments, attributes and dicts made in the function. Writes are deferred and
reach the caller's dict all or nothing, keys in Python's order."""
import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(61)


def _r(*shape):
    return rng.standard_normal(shape)


def _calls(make, n=6):
    return [(make(), {}) for _ in range(n)]


# -- the optimizers of a course assignment (own code, in that style) ---------------------------
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config


def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw ** 2
    mb = config["m"] / (1 - config["beta1"] ** config["t"])
    vb = config["v"] / (1 - config["beta2"] ** config["t"])
    next_w = w - config["learning_rate"] * mb / (np.sqrt(vb) + config["epsilon"])
    return next_w, config


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        xhat = (x - mu) / np.sqrt(var + eps)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return gamma * xhat + beta


def test_sgd_momentum_config_dict_argument():
    config = {"learning_rate": 0.05}
    calls = [((_r(3, 2), _r(3, 2), config), {}) for _ in range(8)]
    f = differential(sgd_momentum, calls)
    steady(f, 4)


def test_sgd_momentum_config_none_made_in_function():
    f = differential(sgd_momentum, [((_r(4), _r(4)), {}) for _ in range(6)])
    steady(f, 3)


def test_adam_keeps_state_in_the_config_dict():
    config = {}
    calls = [((_r(5), _r(5), config), {}) for _ in range(10)]
    f = differential(adam, calls)
    steady(f, 5)


def test_adam_returns_the_callers_dict_itself():
    config = {}
    f = janus_lite.jit(adam)
    for _ in range(6):
        _, out = f(_r(3), _r(3), config)
        assert out is config
    assert config["t"] == 6
    steady(f, 3)


def test_batchnorm_running_stats_in_bn_param():
    bn_param = {"mode": "train"}
    calls = [((_r(4, 3), np.ones(3), np.zeros(3), bn_param), {}) for _ in range(8)]
    f = differential(batchnorm_forward, calls)
    steady(f, 4)


# -- get / setdefault / update / pop / in / del -------------------------------------------------
def get_present_and_absent(x, cfg):
    return x * cfg.get("scale", 1.0) + cfg.get("shift", 0.5) + (cfg.get("none") is None)


def setdefault_then_read(x, cfg):
    lr = cfg.setdefault("lr", 0.1)
    cfg.setdefault("lr", 99.0)           # present now: returns 0.1, writes nothing
    return x * lr * cfg["lr"]


def update_and_pop(d, x):
    d.update({"x": x * 2, "y": float(x.sum())}, z=3)
    d.update(w=x)
    gone = d.pop("x")
    kept = d.pop("missing", -1.0)
    return gone + kept, "x" in d, "y" in d, "missing" not in d


def pop_existing_key(d, x):
    v = d.pop("a")
    return v * x


def del_existing_key(d, x):
    del d["a"]
    return x * 2


def copy_then_write(d, x):
    e = d.copy()
    e["b"] = x
    return e, len(e)


def items_after_setdefault(d, x):
    d.setdefault("new", x)
    total = 0.0
    for k, v in d.items():
        total = total + v.sum()
    return total, list(d.keys())


def test_get_present_and_absent_keys():
    f = differential(get_present_and_absent,
                     _calls(lambda: (_r(3), {"scale": 2.0})))
    steady(f, 3)


def test_setdefault_then_read():
    calls = [((_r(3), {}), {}), ((_r(3), {}), {}), ((_r(3), {}), {}), ((_r(3), {}), {}),
             ((_r(3), {"lr": 0.5}), {})]
    f = differential(setdefault_then_read, calls)
    steady(f, 2)


def test_update_and_pop():
    f = differential(update_and_pop, _calls(lambda: ({"x": 1, "k": 2}, _r(3))))
    steady(f, 3)


def test_pop_and_del_keep_the_key_order():
    for fn in (pop_existing_key, del_existing_key):
        f = differential(fn, _calls(lambda: ({"a": 2.0, "b": 3.0}, _r(3))))
        steady(f, 3)


def test_pop_missing_key_raises_keyerror_like_python():
    calls = _calls(lambda: ({"a": 1.0}, _r(2)), 3) + _calls(lambda: ({"b": 1.0}, _r(2)), 3)
    differential(pop_existing_key, calls)


def test_copy_of_an_argument_dict():
    f = differential(copy_then_write, _calls(lambda: ({"a": _r(2)}, _r(2))))
    steady(f, 3)


def test_items_see_a_deferred_setdefault():
    f = differential(items_after_setdefault, _calls(lambda: ({"a": _r(2)}, _r(2))))
    steady(f, 3)


# -- all or nothing ------------------------------------------------------------------------------
def setdefault_then_branch(cfg, x):
    cfg.setdefault("count", 0)
    cfg["count"] += 1
    if x.sum() > 0:
        return x * 2
    return -x


def setdefault_in_one_branch(cfg, x):
    if x.sum() > 0:
        cfg.setdefault("pos", x)
    return cfg.get("pos", x) * 2       # may or may not be set: refused, runs imperatively


def test_writes_are_undone_when_a_speculated_branch_flips():
    signs = [1, 1, 1, 1, -1, 1, -1, 1]
    calls = [(({"lr": 0.1}, np.full(3, float(s))), {}) for s in signs]
    f = differential(setdefault_then_branch, calls)
    assert f.stats["fallbacks"] >= 1
    steady(f, 3)


def test_a_key_set_on_one_path_only_is_refused_precisely():
    signs = [1, -1, 1, -1, 1, -1]
    calls = [(({}, np.full(2, float(s))), {}) for s in signs]
    f = differential(setdefault_in_one_branch, calls)
    assert "'pos' is set or deleted on one path" in f.explain()


def test_commit_keeps_both_dicts_equal_key_by_key():
    d_plain, d_jit = {"lr": 0.1}, {"lr": 0.1}
    f = janus_lite.jit(setdefault_then_branch)
    for s in [1, 1, 1, 1, 1]:
        x = np.full(2, float(s))
        assert_same(f(d_jit, x), setdefault_then_branch(d_plain, x))
        assert list(d_jit) == list(d_plain) and d_jit == d_plain


# -- defaults computed and never used ----------------------------------------------------------
def velocity_default(w, dw, config):
    v = config.get("velocity", np.zeros_like(w))             # the default: made every call
    N, = w.shape
    m = config.get("mean", np.zeros(N, dtype=w.dtype))
    spare = dw.copy()  # noqa: F841                           # computed and never used
    odd = w.reshape(-1, 2)  # noqa: F841                      # never used, but may raise
    config["velocity"] = 0.9 * v - 0.1 * dw + m
    return w + config["velocity"]


def test_an_unused_default_that_cannot_raise_or_warn_is_not_computed():
    def calls():
        return [((_r(6), _r(6), {"velocity": _r(6), "mean": _r(6)}), {}) for _ in range(5)] + \
            [((_r(5), _r(5), {"velocity": _r(5), "mean": _r(5)}), {})]    # odd: ValueError
    f = differential(velocity_default, calls())
    steady(f, 2)
    src = f.graphs[0].source()
    assert "reshape" in src                     # the user's unused reshape may raise: kept
    assert "zeros" not in src and "copy" not in src, src
