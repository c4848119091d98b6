import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import janus_lite  # noqa: E402


@pytest.fixture(autouse=True)
def _check_ir():
    """Every graph built in tests is verified after each pass."""
    old = janus_lite.config.CHECK_RULES
    janus_lite.config.CHECK_RULES = True
    yield
    janus_lite.config.CHECK_RULES = old
