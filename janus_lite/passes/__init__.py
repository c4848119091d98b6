"""The optimization pipeline. The order is written once, here, with the reason for each step.

Every pass keeps what the user sees exactly the same (values bit for bit, types, aliasing,
exceptions); `run_passes(graph, enabled=…)` or ``config.PASSES`` turns passes off, which
only changes speed and memory. Passes work on the top-level graph; subgraphs of ``cond`` and
``loop`` nodes are left as the converter built them (those nodes are barriers).
"""
from __future__ import annotations

from .. import config
from ..ir import verify
from . import ops  # noqa: F401  (registers the ops the passes add)
from . import (checked_index, cse, dce, fold, fuse, hoist_asserts, hoist_raising, lower,
               plan_memory, read_through, simplify)
from .liveness import imperative_peak

PIPELINE = [
    # Fold ops whose inputs are all immutable constants (the converter folds as it goes;
    # this catches what inlining and relaxation leave behind). Never folds arrays.
    ("fold", fold.run),
    # Exact algebraic identities (x*1, x-0, x**2 → x*x, x.T.T): fewer ops, and x*x fuses.
    ("simplify", simplify.run),
    # Merge repeated pure computations (after simplify, which exposes more of them).
    ("cse", cse.run),
    # Drop what the three passes above left unused (assertions and updates stay).
    ("dce", dce.run),
    # Move assertions right after their inputs: a failing speculation fails early.
    ("hoist_asserts", hoist_asserts.run),
    # Scalar reads of a private copy not yet written (``Q[s, a] += d``) read the caller's
    # array: they depend on inputs only, so the next pass can move them.
    ("read_through", read_through.run),
    # Scalar ops that may raise (``0.9 ** self.t``) ahead of array ops that may warn: a
    # run that cannot be abandoned once it may have warned holds no warnings.
    ("hoist_raising", hoist_raising.run),
    # Exact cheaper spellings: np.mean/np.sum → ufunc.reduce, scalar constants → 0-d
    # arrays of the operand's dtype. Before fusion, which then sees the final operands.
    ("lower", lower.run),
    # Group elementwise chains on large arrays into tiled kernels.
    ("fuse", fuse.run),
    # Fusion leaves the fused members' constants behind.
    ("dce_after_fuse", dce.run),
    # Mark indexing an earlier access already checked (``Q[s, a]`` read, written, read
    # again): it cannot raise, so fewer runs need to stay abandonable (`backend.aborts`).
    # After every pass that may drop or move the earlier access.
    ("checked_index", checked_index.run),
    # Last: liveness over the final schedule → persistent out= buffers.
    ("plan_memory", plan_memory.run),
]


def run_passes(graph, enabled=None):
    """Run the pipeline in order (``enabled``: names to run; default ``config.PASSES``, and
    None means all). Records ``graph.pass_reports`` (name → what the pass reported) and
    ``graph.memory``."""
    enabled = config.PASSES if enabled is None else enabled
    report = graph.pass_reports
    graph.memory["imperative_peak_bytes"] = _safe_peak(graph)
    for name, fn in PIPELINE:
        if enabled is not None and name not in enabled and \
                not (name == "dce_after_fuse" and "fuse" in enabled):
            continue
        report[name] = fn(graph)
        if config.CHECK_RULES:
            verify(graph)
    if "planned_peak_bytes" not in graph.memory:
        graph.memory["planned_peak_bytes"] = _safe_peak(graph)
    return graph


def _safe_peak(graph) -> int:
    try:
        return imperative_peak(graph)
    except Exception:          # statistics must never break a conversion
        return 0
