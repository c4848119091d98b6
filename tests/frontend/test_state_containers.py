"""Dicts and lists of arrays as arguments and as object state: ``params["W1"]`` reads,
``grads[k] = ...`` item writes, ``states.append(h)``, in-place updates of items, returning a
list or dict made in the function. Final contents of every container are compared deeply."""
import copy

import numpy as np

import janus_lite
from differential import assert_same, differential, steady

rng = np.random.default_rng(44)


def _r(*shape):
    return rng.standard_normal(shape)


def _params():
    return {"W1": _r(4, 5) * 0.5, "b1": np.zeros(5), "W2": _r(5, 2) * 0.5, "b2": np.zeros(2)}


# -- dict arguments ------------------------------------------------------------------------------
def mlp_forward_dict(params, x):
    h = np.tanh(x @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"]


def mlp_grads_into_dict(params, grads, x, y):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    d = (out - y) / len(y)
    grads["W2"] = h.T @ d
    grads["b2"] = d.sum(axis=0)
    dh = (d @ params["W2"].T) * (1 - h ** 2)
    grads["W1"] = x.T @ dh
    grads["b1"] = dh.sum(axis=0)
    return float((d * d).sum())


def sgd_dict_in_place(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]


def sgd_dict_new(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in ("W1", "b1", "W2", "b2")}


def sgd_dict_loop_new(params, grads, lr):
    new = {}
    for k, v in params.items():
        new[k] = v - lr * grads[k]
    return new


def test_dict_argument_reads():
    p = _params()
    f = differential(mlp_forward_dict, [(p, _r(3, 4)) for _ in range(6)])
    steady(f, 3)


def test_dict_argument_item_writes():
    p, g = _params(), {}
    f = differential(mlp_grads_into_dict, [(p, g, _r(3, 4), _r(3, 2)) for _ in range(6)])
    steady(f, 3)


def test_dict_argument_items_updated_in_place_seen_by_aliases():
    p_plain = _params()
    p_jit = copy.deepcopy(p_plain)
    alias_plain, alias_jit = p_plain["W1"], p_jit["W1"]
    f = janus_lite.jit(sgd_dict_in_place)
    for i in range(8):
        g = {k: _r(*v.shape) for k, v in p_plain.items()}
        assert_same(f(p_jit, g, 0.1), sgd_dict_in_place(p_plain, g, 0.1), f"call {i}")
        assert p_jit["W1"] is alias_jit
        assert_same(alias_jit, alias_plain, f"alias after call {i}")
        assert_same(p_jit, p_plain, f"params after call {i}")
    steady(f, 4)


def test_dict_returned_new():
    p = _params()
    g = {k: _r(*v.shape) for k, v in p.items()}
    f = differential(sgd_dict_new, [(p, g, 0.1)] * 6)
    steady(f, 3)


def test_dict_built_in_a_loop_over_items():
    p = _params()
    g = {k: _r(*v.shape) for k, v in p.items()}
    f = differential(sgd_dict_loop_new, [(p, g, 0.1)] * 6)
    steady(f, 3)


def test_dict_argument_missing_key_raises_the_same():
    p = _params()
    bad = {k: v for k, v in p.items() if k != "b2"}
    differential(mlp_forward_dict, [(p, _r(3, 4))] * 4 + [(bad, _r(3, 4))] * 2 +
                 [(p, _r(3, 4))] * 2)


# -- list arguments ------------------------------------------------------------------------------
def rnn_states_append(Wx, Wh, xs, states):
    h = states[-1]
    for x in xs:
        h = np.tanh(x @ Wx + h @ Wh)
        states.append(h)
    return h


def rnn_returns_list(Wx, Wh, xs, h):
    out = []
    for x in xs:
        h = np.tanh(x @ Wx + h @ Wh)
        out.append(h)
    return out


def sum_list_of_arrays(arrs):
    total = arrs[0] * 0
    for a in arrs:
        total = total + a
    return total, len(arrs)


def update_list_items_in_place(ws, gs, lr):
    for w, g in zip(ws, gs):
        w -= lr * g
    return ws


def test_list_argument_append_states():
    Wx, Wh = _r(3, 4) * 0.5, _r(4, 4) * 0.5
    states = [np.zeros((2, 4))]
    xs = [_r(2, 3) for _ in range(4)]
    f = differential(rnn_states_append, [(Wx, Wh, xs, states)] * 6)
    steady(f, 3)


def test_returns_a_list_made_in_the_function():
    Wx, Wh = _r(3, 4) * 0.5, _r(4, 4) * 0.5
    xs = [_r(2, 3) for _ in range(5)]
    f = differential(rnn_returns_list, [(Wx, Wh, xs, np.zeros((2, 4)))] * 6)
    steady(f, 3)


def test_list_of_arrays_argument_read():
    arrs = [_r(3) for _ in range(4)]
    f = differential(sum_list_of_arrays, [(arrs,)] * 4 + [(arrs[:2],)] * 3 + [(arrs,)] * 2)
    steady(f, 3)


def test_list_items_updated_in_place_and_list_returned():
    ws, gs = [_r(3), _r(2, 2)], [_r(3), _r(2, 2)]
    plain_ws = [w.copy() for w in ws]
    f = janus_lite.jit(update_list_items_in_place)
    for i in range(8):
        held = list(ws)
        out_j = f(ws, gs, 0.1)
        out_p = update_list_items_in_place(plain_ws, gs, 0.1)
        assert out_j is ws and out_p is plain_ws      # the argument itself is returned
        assert all(a is b for a, b in zip(held, ws))  # items updated in place
        assert_same(ws, plain_ws, f"call {i}")
    steady(f, 4)


# -- containers as object state ------------------------------------------------------------------
class Net:
    def __init__(self):
        self.params = _params()
        self.grads = {}
        self.cache = {}
        self.log = []
        self.lr = 0.1

    def forward(self, x):
        h = np.tanh(x @ self.params["W1"] + self.params["b1"])
        self.cache["h"] = h
        self.cache["x"] = x
        return h @ self.params["W2"] + self.params["b2"]

    def step(self, x, y):
        out = self.forward(x)
        d = (out - y) / len(y)
        h = self.cache["h"]
        self.grads["W2"] = h.T @ d
        dh = (d @ self.params["W2"].T) * (1 - h * h)
        self.grads["W1"] = self.cache["x"].T @ dh
        self.params["W2"] -= self.lr * self.grads["W2"]
        self.params["W1"] -= self.lr * self.grads["W1"]
        loss = float((d * d).sum())
        self.log.append(loss)
        return loss


def test_dict_and_list_state_on_an_object():
    n = Net()
    x, y = _r(3, 4), _r(3, 2)
    f = differential(Net.step, [(n, x, y)] * 8)
    steady(f, 4)


def nested_params(model, x):
    a = model["enc"]["W"]
    b = model["dec"]["W"]
    model["stats"]["calls"] = model["stats"]["calls"] + 1
    return np.tanh(x @ a) @ b


def test_nested_dicts():
    model = {"enc": {"W": _r(3, 4)}, "dec": {"W": _r(4, 2)}, "stats": {"calls": 0}}
    f = differential(nested_params, [(model, _r(2, 3))] * 8)
    steady(f, 3)


def test_list_argument_growing_across_calls():
    """The same list grows on every call (states[-1] is a different item each time)."""
    Wx, Wh = _r(3, 4) * 0.5, _r(4, 4) * 0.5
    states = [np.zeros((2, 4))]
    xs = [_r(2, 3) for _ in range(3)]
    differential(rnn_states_append, [(Wx, Wh, xs, states)] * 6)


def test_list_argument_fresh_each_call():
    Wx, Wh = _r(3, 4) * 0.5, _r(4, 4) * 0.5
    xs = [_r(2, 3) for _ in range(3)]
    f = differential(rnn_states_append, [(Wx, Wh, xs, [np.zeros((2, 4))]) for _ in range(6)])
    steady(f, 3)
