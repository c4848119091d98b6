"""Differential tests: recursion over nested tuples and lists (issue 3, JANUS's TreeRNN case).

Recursive user functions are specialized on the structure of their argument (a tree of
tuples): each tree shape gets a graph guarded by that shape; a new shape falls back once
and is served after that. Results, gradients accumulated in place into arrays made in the
function, and exceptions must match the plain function.
"""
import numpy as np

from differential import differential, steady

rng = np.random.default_rng(5)
D = 4
E = rng.standard_normal((10, D))
W = rng.standard_normal((D, 2 * D)) * 0.5
b = rng.standard_normal(D) * 0.1


def _r(*shape):
    return rng.standard_normal(shape)


def all_ops(graph):
    out = []

    def walk(g):
        for name in g.order:
            node = g[name]
            out.append(node.op)
            for sub in node.subgraphs:
                walk(sub)
    walk(graph)
    return out


# -- helpers called recursively (module-level: the converter inlines them) ---------------------
def tree_sum(t):
    if isinstance(t, tuple):
        return tree_sum(t[0]) + tree_sum(t[1])
    return t


def encode(tree, E, W, b):
    if isinstance(tree, int):
        return E[tree]
    left = encode(tree[0], E, W, b)
    right = encode(tree[1], E, W, b)
    return np.tanh(W @ np.concatenate([left, right]) + b)


def depth(t):
    if isinstance(t, (tuple, list)):
        return 1 + max(depth(c) for c in t) if len(t) else 1
    return 0


def power(x, n):
    if n == 0:
        return np.ones_like(x)
    if n % 2 == 0:
        half = power(x, n // 2)
        return half * half
    return x * power(x, n - 1)


def flatten(t, out):
    if isinstance(t, tuple):
        for c in t:
            flatten(c, out)
    else:
        out.append(t)
    return out


# -- the functions under test ----------------------------------------------------------------
def sum_of_tree(t):
    return tree_sum(t)


def tree_encode(tree, E, W, b):
    h = encode(tree, E, W, b)
    return h, float(h @ h)


def nary_tree_mean(t):
    leaves = flatten(t, [])
    return np.mean(np.stack(leaves), axis=0)


def tree_loss_and_grad(tree, E, W, b, target):
    h = encode(tree, E, W, b)
    diff = h - target
    loss = 0.5 * float(diff @ diff)
    if loss > 1.0:
        diff = diff / np.sqrt(loss)
    return loss, diff


def fast_power(x, n):
    return power(x, n)


# -- tests -----------------------------------------------------------------------------------
def test_sum_over_nested_tuple_of_arrays():
    a, c, d, e = (_r(3) for _ in range(4))
    t1 = ((a, c), (d, e))
    t2 = (a, (c, (d, e)))
    calls = [(t1,)] * 3 + [(t2,)] * 3 + [(t1,), (t2,), (((a, c), d),)]
    f = differential(sum_of_tree, calls)
    s = steady(f, 4)
    assert s["conversions"] <= 3, s


def test_tree_rnn_encoder_specialized_per_structure():
    trees = [((1, 2), (3, 4)), (1, (2, (3, 4))), (((5, 6), 7), 8)]
    calls = [(trees[0], E, W, b)] * 3 + [(t, E, W, b) for t in trees * 3]
    f = differential(tree_encode, calls)
    s = steady(f, 7)
    assert s["conversions"] <= 3, s
    assert "cond" not in all_ops(f.graphs[-1])   # the structure is static under its guard


def test_tree_rnn_same_shape_different_leaves():
    """Same structure, other word ids: leaf values change, the structure graph still serves."""
    calls = [(((i, i + 1), (i + 2, 0)), E, W, b) for i in range(7)]
    f = differential(tree_encode, calls)
    s = steady(f, 4)
    assert s["conversions"] <= 2, s


def test_recursive_flatten_with_list_accumulator():
    a, c, d = (_r(2) for _ in range(3))
    calls = [((a, (c, d)),)] * 3 + [((a, (c, d, a)),), ((a, (c, d)),)] * 3
    f = differential(nary_tree_mean, calls)
    s = steady(f, 4)       # a graph per tree structure, the list accumulator inlined
    assert s["failed_conversions"] == 0, f.explain()


def test_tree_loss_with_data_dependent_branch():
    tree = ((1, 2), (3, (4, 5)))
    calls = [(tree, E, W, b, _r(D) * s) for s in (0.1, 10, 0.1, 10, 0.1, 10, 5, 0.01)]
    f = differential(tree_loss_and_grad, calls)
    steady(f, 5)
    assert "cond" in all_ops(f.graphs[-1])


def test_recursion_on_int_argument():
    x = _r(3)
    calls = [(x, 5)] * 3 + [(x, 6), (x, 5), (x, 0), (x, 13), (x, 6)]
    f = differential(fast_power, calls)
    steady(f, 2)


def tree_depth(t):
    return depth(t)


def test_recursion_with_generator_and_builtin_max():
    calls = [(((1, 2), 3),)] * 3 + [((1, (2, (3, 4))),), (((1, 2), 3),)]
    differential(tree_depth, calls)


def leaf_error(t):
    return encode(t, E, W, b)


def test_recursion_reaching_a_bad_leaf_raises_same_error():
    calls = [((1, 2),)] * 3 + [((1, 99),), ((1, 2),), ((1, "a"),)]
    f = differential(leaf_error, calls)
    steady(f, 2)
