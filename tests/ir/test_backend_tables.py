"""Each backend's op table against the registry: which ops each backend lacks (printed, run
with ``-s`` to see it), none for the numpy tier and the reference interpreter, and the
tables' lookups (rows, families, defaults by ``emit`` kind)."""
import numpy as np

import janus_lite  # noqa: F401  (imports every backend, which registers its table)
from janus_lite.ir import all_ops, get_op, registry
from janus_lite.ir.registry import OpDef
from janus_lite.ir.tables import STRUCTURAL, OpTable, tables
from janus_lite.passes.ops import planned_op

ALWAYS_COMPLETE = ("numpy", "interpreter")


def test_every_backend_lists_what_it_lacks():
    found = tables()
    assert set(ALWAYS_COMPLETE) <= set(found)
    for name, table in sorted(found.items()):
        lacks = table.missing()
        print(f"{name}: {len(all_ops()) - len(lacks)} of {len(all_ops())} ops"
              + (f"; lacks {', '.join(lacks)}" if lacks else ""))
        if name in ALWAYS_COMPLETE:
            assert lacks == [], f"backend {name} has no rule for {lacks}: add a row to its table"


def test_a_new_special_op_without_a_row_is_reported(monkeypatch):
    monkeypatch.setitem(registry._OPS, "test.special",
                        OpDef("test.special", None, "special", doc="a test op"))
    for name in ALWAYS_COMPLETE:
        assert "test.special" in tables()[name].missing()


def test_a_new_call_op_needs_no_row(monkeypatch):
    monkeypatch.setitem(registry._OPS, "test.hypot", OpDef("test.hypot", np.hypot, doc="t"))
    for name in ALWAYS_COMPLETE:
        assert "test.hypot" not in tables()[name].missing()


def test_planned_twins_use_their_family_row():
    twin = planned_op("np.exp")
    numpy_table = tables()["numpy"]
    assert twin not in numpy_table and numpy_table.rule(twin) is numpy_table["@out"]
    interp = tables()["interpreter"]
    assert interp.rule(twin) is interp.default(get_op(twin))


def test_table_lookup_order():
    t = OpTable("toy", {"a": "row-a", "@x": "family-x"},
                default=lambda op: "default" if op.emit == "call" else None)
    assert t.rule("a") == "row-a"
    assert t.rule("np.exp") == "default"          # no row: the default by emit kind
    assert t.rule("input") is None                # special, no row
    assert "input" not in t.missing() and set(STRUCTURAL) == {"input"}
    assert t.backend == "toy" and repr(t) == "<OpTable toy: 2 rows>"


def test_may_raise_is_a_flag_of_every_row():
    assert all(isinstance(op.may_raise, bool) for op in all_ops().values())


def test_ops_that_cannot_raise_are_structural_or_bookkeeping():
    quiet = sorted(n for n, op in all_ops().items() if not op.may_raise)
    assert "assert" not in quiet and "getitem" not in quiet and "np.add" not in quiet
    assert {"input", "const", "tuple", "cond", "loop", "commit_final"} <= set(quiet)
