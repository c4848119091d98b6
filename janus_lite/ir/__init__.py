"""The graph IR: nodes, graphs, the op table and its rules, verification and printing."""
from .node import Meta, Node, NOVALUE, UNKNOWN
from .graph import Graph
from .registry import OpDef, get_op, has_effect, op_for_callable, op_for_method, all_ops, \
    register
from . import ops_core, ops_numpy, ops_python, ops_state  # noqa: F401  (fill the op table)
from .ops_core import AssumptionFailed
from .rules import infer_meta
from .verify import verify, VerifyError
from .printer import format_graph

__all__ = ["Meta", "Node", "NOVALUE", "UNKNOWN", "Graph", "OpDef", "get_op", "has_effect",
           "op_for_callable", "op_for_method", "all_ops", "register", "AssumptionFailed",
           "infer_meta", "verify", "VerifyError", "format_graph"]
