"""The optimization pipeline. The order is written once, here, with the reason for each step."""
from __future__ import annotations

from .. import config
from ..ir import verify
from . import dce

PIPELINE = [
    # Remove values nothing uses (assertions and in-place updates are always kept):
    # conversion leaves behind constants and folded intermediates.
    ("dce", dce.run),
]


def run_passes(graph, enabled=None):
    """Run the pipeline in order (``enabled``: names to run, default all)."""
    for name, fn in PIPELINE:
        if enabled is not None and name not in enabled:
            continue
        fn(graph)
        if config.CHECK_RULES:
            verify(graph)
    return graph
