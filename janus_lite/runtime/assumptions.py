"""Assumption records: every speculation a graph makes, with its line and its counts."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Assumption:
    """One guarded speculation. Guards (checked on entry) and assertion nodes (checked
    mid-graph) are both assumptions; ``index`` is their position among their kind."""
    kind: str             # "guard:<guard kind>" or "branch", "user-assert", …
    lineno: int | None
    text: str             # "X.shape[0] == 64", "loss > tol is True", …
    expected: object
    index: int
    is_guard: bool
    guard: object = None  # the runtime.guards.Guard, for guards
    failed: int = 0

    @classmethod
    def of_guard(cls, index, guard) -> "Assumption":
        return cls(f"guard:{guard.kind}", guard.lineno, guard.describe(), guard.expected,
                   index, True, guard)

    def line_text(self) -> str:
        where = f"line {self.lineno}: " if self.lineno else ""
        return f"{where}assumed {self.text}"
