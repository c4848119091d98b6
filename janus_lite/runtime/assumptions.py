"""Assumption records: every speculation a graph makes, with its line and its counts."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class Assumption:
    """One guarded speculation. Guards (checked on entry) and assertion nodes (checked
    mid-graph) are both assumptions; ``index`` is their position among their kind."""
    kind: str             # "guard:<guard kind>" or "branch", "user-assert", …
    #                       ("branch-only": the other direction cannot be graphed; a
    #                       rebuild would give the same graph)
    lineno: int | None
    text: str             # "X.shape[0] == 64", "loss > tol is True", …
    expected: object
    index: int
    is_guard: bool
    guard: object = None  # the runtime.guards.Guard, for guards
    failed: int = 0
    filename: str | None = None   # the file of ``lineno`` when it is an inlined callee's
    site: object = None   # a branch assertion's condition, as the profile counts its truth


    @classmethod
    def of_guard(cls, index, guard) -> "Assumption":
        return cls(f"guard:{guard.kind}", guard.lineno, guard.describe(), guard.expected,
                   index, True, guard, filename=guard.filename)

    def line_text(self) -> str:
        where = f"line {self.lineno}: " if self.lineno else ""
        if where and self.filename:
            where = f"{os.path.basename(self.filename)}, {where}"
        return f"{where}assumed {self.text}"
