import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import janus_lite  # noqa: E402


@pytest.fixture(autouse=True)
def _check_ir():
    """Every graph built in tests is verified after each pass, and the memory plan gives
    buffers to arrays of every size (tests use small arrays; by default tiny ones get none)."""
    old = janus_lite.config.CHECK_RULES, janus_lite.config.PLAN_MIN_BYTES, \
        janus_lite.config.CONVERSION_FREE_S
    janus_lite.config.CHECK_RULES = True
    janus_lite.config.PLAN_MIN_BYTES = 0
    # the conversion budget is a time measurement: under a loaded machine (and with
    # CHECK_RULES on) it would make what gets converted depend on the load; tests of the
    # budget set it themselves
    janus_lite.config.CONVERSION_FREE_S = float("inf")
    yield
    janus_lite.config.CHECK_RULES, janus_lite.config.PLAN_MIN_BYTES, \
        janus_lite.config.CONVERSION_FREE_S = old
