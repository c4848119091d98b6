"""What a backend keeps on the graph it runs: `TierState` (the compiled tier) and
`DaskReport` (the Dask backend), typed records in place of free ``graph.meta`` keys.

They hang on the IR graph (``Graph.tier_state``, ``Graph.dask_report``) rather than on the
function's per-graph record (`runtime.compiled.CompiledGraph`) because the IR graph's own
views show them (``graph.summary()`` prints the tier and marks the nodes run on the Dask
cluster) and the graph has no link to its record; the backends that write them and the
views that read them all sit above ``ir``. ``f.graphs[i].tier_state`` reaches them through
the record's delegation to its graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class TierState:
    """Which executor tier serves a graph, and why (`backend.compiled.tier` keeps it up
    to date; ``explain()`` and ``summary()`` show it). A graph has one once it was handed
    to the compiled tier (``Graph.tier_state`` is None before, and for graphs the tier
    never sees: Dask, the interpreter, ``config.TIER = "off"``). Durations are seconds,
    None until measured."""
    tier: str = "numpy"
    """``"numpy"`` or ``"compiled"``: which tier's entry serves the graph's calls."""
    reason: str = ""
    """Why, in words (starts with "compiling" while the tier is not decided yet)."""
    segments: object = None
    """The lowered graph's segment plan (`backend.compiled.segments.Plan`), once lowered."""
    hot_s: float | None = None
    """Time the graph's calls had taken when it was found hot and its compile started
    (``config.TIER = "auto"`` with ``TIER_HOT_S`` > 0)."""
    compile_s: float | None = None
    """From the start of the compile to the compiled entry being assembled, or to the
    self-check skipping it (None while compiling, and when numba failed)."""
    load_s: float | None = None
    """Loading the worker's compiled code from numba's cache, in the calling thread."""
    worker_s: float | None = None
    """The worker process's own wall time (queue wait excluded), as it reported it."""
    answered_s: float | None = None
    """From the start of the compile to the worker's answer."""
    compiled_source: str | None = None
    """The compiled entry's source: the generated Python entry, the numba segments and
    their Python wrappers."""
    numpy_source: str | None = None
    """The NumPy tier's source, kept while the compiled tier serves (``graph.source()``
    then shows ``compiled_source``)."""
    recheck: bool = False
    """The compiled tier serves, and measures itself against the NumPy tier once more
    after ``config.TIER_RECHECK_CALLS`` calls."""


@dataclass(eq=False)
class DaskReport:
    """What running a graph on Dask cost, counted by its `DaskInterpreter` over all runs
    (``explain()`` reports it; ``summary()`` marks ``cluster_nodes`` with ``*``)."""
    runs: int = 0
    """Runs of the graph."""
    computes: int = 0
    """``dask.compute`` calls: the compute point of each run, and each lazy value that
    control flow needed on the way (a branch's predicate, a loop's per trip)."""
    persists: int = 0
    """``dask.persist`` calls (the chunked arrays a data-dependent loop reads, once per
    call)."""
    bytes_back: int = 0
    """Bytes of computed results moved back to the client."""
    cluster_nodes: set = field(default_factory=set)
    """Names of the nodes that run on the cluster (the rest run in this process)."""


__all__ = ["TierState", "DaskReport"]
