"""`CompiledGraph`: one object per graph a function built — the IR graph, its guards and
assumptions, the entry that runs it, its generated code, its tier, its counters, its number
and its status — so that the policy, the dispatch and `explain()` share one typed record
instead of free dicts attached to the IR graph.

``f.graphs`` lists these objects. They also answer the IR graph's views (``to_networkx()``,
``summary()``, ``to_dot()``, ``text()``, ``len(g)``, ``g[name]``...) by delegation, so that
``f.graphs[-1].summary()`` reads as before; ``g.graph`` is the IR graph itself.
"""
from __future__ import annotations

import collections
import enum
from dataclasses import dataclass, field


class Status(enum.Enum):
    """Where a built graph stands. Only ``ACTIVE`` graphs are tried on a call."""
    ACTIVE = "active"
    REPLACED = "replaced"      # a relaxed or rebuilt graph serves its calls now
    RETIRED = "retired"        # its speculation kept failing; its calls run imperatively

    def __str__(self):
        return self.value


@dataclass(eq=False)
class CompiledGraph:
    graph: object                      # the IR graph (janus_lite.ir.Graph)
    guards: list                       # runtime.guards.Guard, in entry-check order
    entry: object                      # callable(*args, **kwargs): result or a Miss
    code: str | None                   # the generated source (None: no code generated)
    backend: str
    specs: dict                        # the parameter specs it was built for
    why: str = ""                      # why it was built ("after profiling", "relaxed: ...")
    number: int = 0                    # 1, 2, ... in build order per function (0: not adopted)
    status: Status = Status.ACTIVE
    tier: str = "numpy"                # which executor tier runs it (the compiled tier sets it;
                                       # why, and its timings: graph.tier_state)
    seconds: float = 0.0               # conversion time (profile → graph → passes → code)
    hits: int = 0                      # calls it answered
    tick_at: int = 0                   # the dispatch calls ``tick()`` when ``hits`` reaches
    tick: object = None                # this (0: never); the compiled tier's warm-up uses it
    guard_misses: list = field(default_factory=list)
    assert_failures: collections.Counter = field(default_factory=collections.Counter)
    errors: int = 0                    # runs where the graph raised (rerun imperatively)
    rebuilds: int = 0                  # rebuilds of its lineage after assertion failures
    rebuild_failed: bool = False       # a rebuild for its failing assertion gave up: kept
    fate: str = ""                     # why it was replaced or retired
    relaxed_more: frozenset = frozenset()   # state read at run time because the conversion
    #                                         failed with it folded (api._convert)

    def __post_init__(self):
        if not self.guard_misses:
            self.guard_misses = [0] * len(self.guards)

    @property
    def n_guards(self) -> int:
        return len(self.guards)

    @property
    def assumptions(self) -> list:
        """Every speculation (guards first, then mid-graph assertions), with counts."""
        return self.graph.assumptions

    @property
    def active(self) -> bool:
        return self.status is Status.ACTIVE

    def source(self) -> str | None:
        """The generated code that runs this graph (None if the backend generates none)."""
        return self.code

    # -- the IR graph's views, by delegation ---------------------------------------------
    def __getattr__(self, name):
        if name.startswith("__") or name == "graph":
            raise AttributeError(name)
        return getattr(self.graph, name)

    def __len__(self) -> int:
        return len(self.graph)

    def __getitem__(self, name):
        return self.graph[name]

    def __contains__(self, name) -> bool:
        return name in self.graph

    def __repr__(self):
        return (f"<janus_lite graph #{self.number} ({self.status}) of {self.graph.name}: "
                f"{len(self.graph)} nodes, {len(self.guards)} guards, served {self.hits} "
                f"calls>")
