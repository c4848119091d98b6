"""``getattr(obj, name)`` / ``setattr(obj, name, v)`` with a name known while converting
(a literal, a loop over a tuple of names, a dict's keys) are attribute reads and deferred
writes; and an attribute that one object has and another lacks is a guard miss (the next
graph answers), not an error of the graph's run."""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(70)


class Dense:
    def __init__(self, act):
        self.W = rng.standard_normal((3, 3))
        self.b = np.zeros(3)
        self.act = act
        self.grads = {}

    def forward(self, x):
        self.x = x
        z = x @ self.W + self.b
        if self.act == "sigmoid":
            self.out = 1 / (1 + np.exp(-z))
            return self.out
        self.mask = z > 0
        return z * self.mask

    def backward(self, d):
        if self.act == "sigmoid":
            d = d * self.out * (1 - self.out)
        else:
            d = d * self.mask
        self.grads["W"] = self.x.T @ d
        self.grads["b"] = d.sum(axis=0)
        return d @ self.W.T


def sgd_inplace(layers, lr):
    for layer in layers:
        for k, g in layer.grads.items():
            p = getattr(layer, k)
            p -= lr * g
    return lr


def sgd_rebind(layer, lr):
    for name in ("W", "b"):
        setattr(layer, name, getattr(layer, name) - lr * layer.grads[name])
    return getattr(layer, "W").sum()


def set_new(obj, x):
    setattr(obj, "cache", x * 2)
    return obj.cache + 1


def with_default(obj, x):
    return x * getattr(obj, "scale", 1.0)


def read_missing(obj, x):
    return x + getattr(obj, "nope")


class Box:
    pass


def _trained():
    layers = [Dense("relu"), Dense("sigmoid")]
    x = rng.standard_normal((4, 3))
    h = layers[1].forward(layers[0].forward(x))
    d = layers[0].backward(layers[1].backward(h - 1.0))
    return layers, d


def test_getattr_over_grad_keys_updates_in_place():
    calls = [([_trained()[0][0], _trained()[0][1]], 0.1) for _ in range(8)]
    f = differential(sgd_inplace, calls)
    steady(f, 5)


def test_setattr_getattr_loop_over_names():
    f = differential(sgd_rebind, [(_trained()[0][i % 2], 0.05) for i in range(8)])
    steady(f, 5)


def test_setattr_of_a_new_attribute():
    f = differential(set_new, [(Box(), np.arange(3.0)) for _ in range(6)])
    steady(f, 3)


def test_getattr_with_default_and_missing_attribute_answer_as_plain():
    def box(scale):
        b = Box()
        if scale is not None:
            b.scale = scale
        return b
    differential(with_default, [(box(2.0 if i % 2 else None), np.ones(2)) for i in range(6)])
    differential(read_missing, [(Box(), np.ones(2)) for _ in range(4)])


def test_attribute_one_object_lacks_is_a_miss_not_an_error():
    """Relu layers never set ``self.out``: the sigmoid layer's backward graph misses on
    them (its type guard on ``self.out``), and a graph of their own serves them."""
    import janus_lite
    layers = [Dense("sigmoid"), Dense("relu")]
    back = janus_lite.jit(Dense.backward)
    plain_out, jit_out = [], []
    x = rng.standard_normal((4, 3))
    for _ in range(12):
        for layer in layers:
            h = layer.forward(x)
            plain_out.append(Dense.backward(layer, h))
            jit_out.append(back(layer, h))
    for p, j in zip(plain_out, jit_out):
        assert p.dtype == j.dtype and np.array_equal(p, j)
    s = back.stats
    assert s["graph_calls"] >= 18, back.explain()
    assert "raised AttributeError" not in back.explain()


class Scaled:
    def __init__(self, scale=None):
        self.W = np.arange(6.0).reshape(2, 3)
        if scale is not None:
            self.scale = scale


def scaled_forward(layer, x):
    return x @ layer.W * getattr(layer, "scale", 1.0)


def test_getattr_with_a_default_when_the_attribute_is_there():
    """Layers with ``scale`` are served by a graph; one without it misses that graph's
    type guard on ``layer.scale`` and the plain function answers (the default)."""
    calls = [(Scaled(2.0 + i), np.ones((1, 2))) for i in range(6)] + \
        [(Scaled(), np.ones((1, 2))), (Scaled(0.5), np.ones((1, 2)))]
    f = differential(scaled_forward, calls)
    steady(f, 4)


def sgd_from_namespace(w, g, cfg):
    cfg.steps += 1
    w -= cfg.lr * g
    if cfg.nesterov:
        w -= cfg.momentum * cfg.lr * g
    return w.sum() + cfg.steps


def test_simple_namespace_config_is_read_and_written_like_an_object():
    """``types.SimpleNamespace`` (and argparse's Namespace) configs: their attribute slots
    are CPython's generic ones, so ``cfg.lr`` is guarded state and ``cfg.steps += 1`` a
    deferred write, not an imperative call; a changed field misses its guard."""
    import types
    calls = [(np.ones(3), np.full(3, 0.5),
              types.SimpleNamespace(lr=0.1 if i < 5 else 0.05, momentum=0.9,
                                    nesterov=i >= 7, steps=i)) for i in range(10)]
    f = differential(sgd_from_namespace, calls)
    steady(f, 5)
