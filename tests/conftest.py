import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
# the arbitration between graphs and the plain function is a time measurement: off in tests
# (and in the subprocesses and notebook kernels they start); its own tests turn it on
os.environ["JANUS_LITE_ARBITRATE"] = "0"
os.environ["JANUS_LITE_CONVERSION_PAYBACK"] = "0"      # likewise the conversion budget

import janus_lite  # noqa: E402


TIER = os.environ.get("JANUS_LITE_TIER", "off")
"""The compiled tier in tests: off unless asked for (``JANUS_LITE_TIER=compiled python -m
pytest tests/frontend tests/runtime`` runs those suites with every graph compiled at once
and served compiled; ``auto`` would tier up in background threads, timing-dependent)."""


@pytest.fixture(autouse=True)
def _check_ir():
    """Every graph built in tests is verified after each pass, and the memory plan gives
    buffers to arrays of every size (tests use small arrays; by default tiny ones get none)."""
    old = janus_lite.config.CHECK_RULES, janus_lite.config.PLAN_MIN_BYTES, \
        janus_lite.config.CONVERSION_FREE_S, janus_lite.config.TIER, \
        janus_lite.config.ARBITRATE, janus_lite.config.CONVERSION_PAYBACK, \
        janus_lite.config.TIER_HOT_S
    janus_lite.config.CHECK_RULES = True
    janus_lite.config.PLAN_MIN_BYTES = 0
    # the conversion budget is a time measurement: under a loaded machine (and with
    # CHECK_RULES on) it would make what gets converted depend on the load; tests of the
    # budget set it themselves
    janus_lite.config.CONVERSION_FREE_S = float("inf")
    janus_lite.config.TIER = TIER
    # a graph tiers up at once where the tier is on (its hotness is a time measurement;
    # tests/backend/test_tier_warmup.py sets it)
    janus_lite.config.TIER_HOT_S = 0.0
    # likewise the arbitration between graphs and the plain function (a time measurement
    # that makes calls go to the plain function): its own tests turn it on
    janus_lite.config.ARBITRATE = False
    # and the wait for the conversion budget before the first graph: tests profile from
    # the first call (the tests of the budget set it themselves)
    janus_lite.config.CONVERSION_PAYBACK = 0.0
    yield
    janus_lite.config.CHECK_RULES, janus_lite.config.PLAN_MIN_BYTES, \
        janus_lite.config.CONVERSION_FREE_S, janus_lite.config.TIER, \
        janus_lite.config.ARBITRATE, janus_lite.config.CONVERSION_PAYBACK, \
        janus_lite.config.TIER_HOT_S = old


@pytest.fixture
def compiled():
    """The compiled tier forced on for one test (compiled synchronously, served at once;
    the autouse fixture above puts config.TIER back)."""
    janus_lite.config.TIER = "compiled"
    yield
