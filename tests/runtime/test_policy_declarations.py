"""Issue 12.3: declare dynamic dimensions (``dynamic_dims``, like torch's mark_dynamic) and
scalars never folded (``no_fold``), validated at decoration."""
import numpy as np
import pytest
from differential import differential

import janus_lite


def step(W, X, lr):
    W -= lr * (X.T @ (X @ W)) / X.shape[0]
    return W.sum()


def _calls(sizes, lrs):
    rng = np.random.default_rng(0)
    return [(np.zeros(4), rng.standard_normal((n, 4)), lr) for n, lr in zip(sizes, lrs)]


def test_dynamic_dims_build_the_batch_axis_symbolic_from_the_start():
    calls = _calls([32, 32, 32, 7, 19, 32, 5], [0.1] * 7)
    f = differential(step, calls, jit_kwargs={"dynamic_dims": {"X": 0}})
    s = f.stats
    assert s["conversions"] == 1 and s["fallbacks"] == 0, f.explain()
    assert s["graph_calls"] == 5
    assert "shape (N, 4)" in f.explain()


def test_no_fold_feeds_the_scalar_as_an_input():
    calls = _calls([8] * 7, [0.1, 0.1, 0.1, 0.05, 0.01, 0.2, 0.3])
    f = differential(step, calls, jit_kwargs={"no_fold": ("lr",)})
    s = f.stats
    assert s["conversions"] == 1 and s["fallbacks"] == 0, f.explain()
    assert "folded" not in f.explain()


@pytest.mark.parametrize("kwargs, match", [
    ({"dynamic_dims": {"Z": 0}}, "no parameter 'Z'"),
    ({"dynamic_dims": {"X": "0"}}, "int or a tuple of ints"),
    ({"dynamic_dims": [("X", 0)]}, "takes a dict"),
    ({"no_fold": "lr"}, "tuple of parameter names"),
    ({"no_fold": ("rate",)}, "no parameter 'rate'"),
])
def test_declarations_are_validated_at_decoration(kwargs, match):
    with pytest.raises(TypeError, match=match):
        janus_lite.jit(step, **kwargs)
    with pytest.raises(TypeError, match=match):
        janus_lite.jit(**kwargs)(step) if "no parameter" in match else janus_lite.jit(**kwargs)
