"""Backend op tables: how one backend runs each op of the registry.

The op registry (`ir.registry`) holds each op's facts, once: its Python implementation,
how it is spelled (``emit``/``symbol``), its shape rule and its flags. How a *backend*
runs an op is that backend's business, kept in one `OpTable` per backend — the way JAX
keeps one rule table per primitive and transformation. Adding a backend is writing one
table; adding an op is one registry row plus, where a backend's default does not already
cover it, one row in that backend's table (see docs/architecture.md, "Adding an op").

An `OpTable` is a dict ``op name → rule`` plus:

- ``backend``: the backend's name (``"numpy"``, ``"interpreter"``, ``"numba"``, ...).
- ``default(opdef) -> rule | None``: the rule for an op the table has no row for (the
  numpy code generator derives one from ``OpDef.emit``: a ``"call"`` op is a call of
  ``OpDef.impl``, a ``"binop"`` op its operator, ...); None means the backend cannot
  run that op.
- Families: an op named ``<base>@<suffix>`` (the ``np.exp@out`` twins the memory plan
  adds) with no row of its own uses the row keyed ``"@<suffix>"``.

What a rule *is* belongs to the backend, and its table's docstring says it: the numpy
code generator's rules are ``emit(codegen, node, input_vars) -> expression text | None``,
the interpreter's ``run(interpreter, node, args) -> value``; a compiled backend's rule
would be its lowering. `rule(op)` answers one lookup, `missing()` lists the registry's
ops the backend has no rule for (a graph holding one must be declined by that backend —
run by another tier, or imperatively), and `register_table` makes a table visible to the
coverage test (``tests/ir/test_backend_tables.py``), which lists what each backend lacks.
"""
from __future__ import annotations

from typing import Callable

from .registry import all_ops, get_op


STRUCTURAL = ("input",)
"""Ops no backend runs by a rule: a graph's parameters are bound when it is entered."""


class OpTable(dict):
    """One backend's rules, keyed by op name (see the module docstring)."""

    def __init__(self, backend: str, rules: dict | None = None,
                 default: Callable | None = None):
        super().__init__(rules or {})
        self.backend = backend
        self.default = default

    def rule(self, op: str):
        """The rule for op ``op``: its row, its family's row, else the default (or None)."""
        rule = self.get(op)
        if rule is not None:
            return rule
        at = op.rfind("@")
        if at > 0:
            rule = self.get(op[at:])
            if rule is not None:
                return rule
        return self.default(get_op(op)) if self.default is not None else None

    def missing(self) -> list[str]:
        """Names of the registry's ops this backend has no rule for, sorted."""
        return sorted(name for name in all_ops()
                      if name not in STRUCTURAL and self.rule(name) is None)

    def __repr__(self):
        return f"<OpTable {self.backend}: {len(self)} rows>"


_TABLES: dict[str, OpTable] = {}


def register_table(table: OpTable) -> OpTable:
    """Make ``table`` known (one per backend name; the last registration wins)."""
    _TABLES[table.backend] = table
    return table


def tables() -> dict[str, OpTable]:
    """Backend name → its registered table."""
    return dict(_TABLES)
