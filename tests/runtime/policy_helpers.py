"""Run a policy_programs program plainly and decorated; assert every observable agrees."""
import warnings

import numpy as np
from differential import assert_same

import janus_lite


def run_both(program, jit=None, **kwargs):
    """(decorated functions, observables) after checking the decorated run against the
    plain one: results, final state, global RNG."""
    np.random.seed(0)
    _, plain = program(None, **kwargs)
    plain_rng = np.random.get_state()[1][:4].copy()
    np.random.seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", janus_lite.PerformanceWarning)
        fns, ours = program(jit or janus_lite.jit, **kwargs)
    assert_same(plain, ours, "observables")
    assert np.array_equal(plain_rng, np.random.get_state()[1][:4])
    return fns, ours
