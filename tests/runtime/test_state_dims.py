"""State arrays whose shape changes between calls (the layers of one class with weights of
different sizes, a buffer that grows) are relaxed to any dims of their rank: one graph reads
their shape at run time instead of one graph per shape. Each case runs the same calls plain
and decorated and compares everything observable; where it matters, the number of graphs
and conversions is checked too."""
import numpy as np

from differential import differential, steady


class Dense:
    def __init__(self, n_in, n_out, seed):
        rng = np.random.default_rng(seed)
        self.W = rng.standard_normal((n_in, n_out))
        self.b = rng.standard_normal(n_out)
        self.calls = 0

    def forward(self, x):
        self.x = x
        self.calls += 1
        return np.tanh(x @ self.W + self.b)

    def backward(self, dy):
        self.dW = self.x.T @ dy
        self.db = dy.sum(axis=0)
        return dy @ self.W.T


def _net():
    return [Dense(4, 7, 0), Dense(7, 5, 1), Dense(5, 2, 2)]


def _forward_calls(batches):
    """Each layer's forward call on the activations the layer before gave (batch sizes
    vary: the last mini-batch is short)."""
    layers = _net()
    calls = []
    for n in batches:
        h = np.random.default_rng(n).standard_normal((n, 4))
        for layer in layers:
            calls.append((layer, h))
            h = np.tanh(h @ layer.W + layer.b)
    return calls


def test_layers_of_one_class_share_one_graph():
    f = differential(Dense.forward, _forward_calls([16] * 12 + [5]))
    steady(f, 30)
    assert len(f.active_graphs) == 1, f.explain()
    assert f.stats["conversions"] <= 3, f.explain()
    assert "shape of self.W" in f.explain()


def test_a_backward_pass_over_layers_of_different_sizes():
    calls = []
    for n in (8, 8, 8, 8, 8, 3):
        layers = _net()                # each batch's own layers: self.x is that batch's
        h = np.ones((n, 4))
        for layer in layers:
            layer.forward(h)
            h = np.tanh(h @ layer.W + layer.b)
        dy = np.ones_like(h)
        for layer in reversed(layers):
            calls.append((layer, dy))
            dy = dy @ layer.W.T
    f = differential(Dense.backward, calls)
    steady(f, 10)
    assert len(f.active_graphs) == 1, f.explain()


class Window:
    """A buffer kept as state that grows by one row per call (its shape changes on every
    call, and the call itself writes it)."""

    def __init__(self):
        self.buf = np.zeros((1, 3))

    def push(self, x):
        self.buf = np.concatenate([self.buf, x[None, :]])
        return self.buf.mean(axis=0) * self.buf.shape[0]


def test_a_growing_state_buffer():
    xs = [np.full(3, float(i)) for i in range(20)]
    w = Window()
    f = differential(Window.push, [(w, x) for x in xs])
    steady(f, 10)


class Rows:
    def __init__(self, n):
        self.W = np.arange(n * 3, dtype=float).reshape(n, 3)

    def total(self):
        out = 0.0
        for i in range(self.W.shape[0]):      # a Python loop over a dim of the state
            out += self.W[i].sum() * (i + 1)
        return out


def test_a_loop_over_a_state_dim_stays_exact():
    objs = [Rows(2), Rows(3), Rows(4)]
    differential(Rows.total, [objs[i % 3] for i in range(30)])


class Bias:
    def __init__(self, b):
        self.b = b
        self.count = 0

    def add(self, x):
        self.count += 1                    # a write before the error: plain keeps it
        return x + self.b


def test_shapes_that_do_not_broadcast_raise_as_plain():
    x = np.arange(3.0)
    objs = [Bias(np.ones(3)), Bias(np.ones(1)), Bias(np.ones(4)), Bias(np.ones((2, 1)))]
    calls = [(objs[i % 4], x) for i in range(24)]
    f = differential(Bias.add, calls)
    assert f.stats["graph_calls"] >= 6, f.explain()


class Rank:
    def __init__(self, a):
        self.a = a

    def norm(self, s):
        return (self.a * s).sum()


def test_a_state_array_of_another_rank_gets_its_own_graph():
    objs = [Rank(np.ones(3)), Rank(np.ones((2, 3))), Rank(np.ones(5))]
    f = differential(Rank.norm, [(objs[i % 3], 2.0) for i in range(30)])
    steady(f, 20)
    # sizes 3 and 5 share the rank-1 graph; the rank-2 array has a graph of its own
    assert len(f.active_graphs) == 2, f.explain()


def test_dims_relaxed_in_explain_and_exact_with_float32():
    layers = [Dense(3, 4, 5), Dense(4, 2, 6)]
    for layer in layers:
        layer.W = layer.W.astype(np.float32)
        layer.b = layer.b.astype(np.float32)
    x = np.ones((6, 3), np.float32)
    calls = []
    for _ in range(10):
        h = x
        for layer in layers:
            calls.append((layer, h))
            h = np.tanh(h @ layer.W + layer.b)
    f = differential(Dense.forward, calls)
    steady(f, 10)
    text = f.explain()
    assert "self.W is a float32 array of any shape with 2 dims" in text, text
    assert "self.b is a float32 array of any shape with 1 dim " in text, text


class SGD:
    def __init__(self, lr):
        self.lr = lr

    def update(self, layer):
        layer.W -= self.lr * layer.dW           # state arrays updated in place
        layer.b -= self.lr * layer.db


def test_updates_in_place_keep_a_graph_per_shape_that_writes_directly():
    # with the shapes read at run time ``W -= lr * dW`` may raise (operands that might not
    # broadcast), so the graph would copy W and commit it on every call; while there is
    # room, a graph per layer shape serves instead, writing the caller's arrays directly
    layers = _net()
    for layer in layers:
        layer.dW, layer.db = layer.W * 0.1, layer.b * 0.1
    opt = SGD(0.05)
    f = differential(SGD.update, [(opt, layers[i % 3]) for i in range(30)])
    steady(f, 20)
    assert len(f.active_graphs) == 3, f.explain()
    for g in f.active_graphs:
        assert "if _q else" in g.source(), g.source()
    assert "a graph per shape serves instead" in f.explain()


def test_updates_in_place_share_one_graph_once_the_graphs_are_full():
    layers = [Dense(2 + k, 3, k) for k in range(5)]
    for layer in layers:
        layer.dW, layer.db = layer.W * 0.1, layer.b * 0.1
    opt = SGD(0.05)
    f = differential(SGD.update, [(opt, layers[i % 5]) for i in range(40)],
                     jit_kwargs={"max_graphs": 2})
    steady(f, 20)
