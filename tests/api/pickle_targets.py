"""Module-level decorated functions for the pickling tests (importable by name)."""
import numpy as np

import janus_lite as jl


@jl.jit
def scaled_sum(x, k):
    return (x * k).sum()


def _plain_step(w, g, lr):
    return w - lr * g


renamed_step = jl.jit(_plain_step, profile_runs=1)


class Model:
    @jl.jit
    def forward(self, x):
        return np.tanh(x) * 2.0


def call_scaled_sum(f):
    """Runs in a spawned process: ``f`` arrives pickled."""
    x = np.arange(6.0)
    return [float(f(x, 2.0)) for _ in range(4)], f.stats["graph_calls"]
