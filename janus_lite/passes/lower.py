"""Lowering to exact primitives: calls whose NumPy wrappers cost more than their work are
rewritten into the very calls those wrappers end up making, so results stay bit-identical.

- ``np.sum/np.mean/np.max/np.min`` (and the ``ndarray`` methods) on an ndarray with constant
  ``axis``/``keepdims`` → ``reduce.*`` nodes (``np.add.reduce`` & co., NumPy's ``_mean``
  steps for float32/float64);
- a Python scalar constant operand of a ufunc whose loop converts it to the array's dtype
  anyway (NEP 50) → a read-only 0-d array of that dtype holding the same value, which NumPy
  dispatches without the per-call scalar conversion. Only where the conversion is exact;
- ``np.sqrt`` of a float32/float64 NumPy scalar → ``math.sqrt`` rounded to that type (IEEE
  sqrt is correctly rounded: the same bits)."""
from __future__ import annotations

import numpy as np

from ..ir.node import Meta, split_inputs
from .analysis import loop_dtypes, operand_dtype, ufunc_of
from .ops import same_place

_REDUCE = {"sum": "reduce.sum", "mean": "reduce.mean", "max": "reduce.max",
           "amax": "reduce.max", "min": "reduce.min", "amin": "reduce.min"}


def _reduction(graph, node):
    prefix, _, name = node.op.partition(".")
    if prefix not in ("np", "ndarray") or name not in _REDUCE or not node.inputs:
        return None
    if same_place(_REDUCE[name], prefix) is None:
        return None
    x = graph[node.inputs[0]].meta
    if x.type is not np.ndarray or x.dtype is None or x.shape is None:
        return None
    if name == "mean" and (x.dtype.kind != "f" or x.dtype.itemsize not in (4, 8)):
        return None
    if name != "mean" and x.dtype.kind not in "biuf":
        return None
    pos, kw = split_inputs(node, node.inputs)
    if len(pos) > 2 or any(k not in ("axis", "keepdims") for k in kw):
        return None
    args = {"axis": None, "keepdims": False}
    for key, i in [*zip(["axis"], pos[1:]), *kw.items()]:
        src = graph[i]
        if src.op != "const":
            return None
        args[key] = src.attrs["value"]
    axis, keep = args["axis"], args["keepdims"]
    ok_axis = axis is None or type(axis) is int or (
        type(axis) is tuple and all(type(a) is int for a in axis))
    if not ok_axis or type(keep) is not bool:
        return None
    return _REDUCE[name], axis, keep, prefix


def _zero_d(value, dtype):
    """A read-only 0-d array equal to what the ufunc would convert ``value`` to, or None."""
    if type(value) not in (int, float) or dtype.kind not in "iuf":
        return None
    if dtype.kind == "f" and dtype.itemsize < 4:
        return None
    try:
        with np.errstate(all="raise"):
            z = np.array(value, dtype)
    except Exception:
        return None
    if dtype.kind in "iu":
        if type(value) is not int or int(z) != value:
            return None
    elif type(value) is int and abs(value) >= 2 ** 24:
        return None
    elif type(value) is float and np.isfinite(value) and not np.isfinite(z):
        return None
    z.flags.writeable = False
    return z


def _scalar_operands(graph, node) -> int:
    if node.op == "pow" or len(node.inputs) != 2 or node.op.endswith("@out"):
        return 0
    uf = ufunc_of(graph, node)
    if uf is None or uf.nin != 2:
        return 0
    metas = [graph[i].meta for i in node.inputs]
    kinds = [operand_dtype(m) for m in metas]
    if any(k is None for k in kinds):
        return 0
    resolved = loop_dtypes(uf, kinds)
    if resolved is None:
        return 0
    changed = 0
    inputs = list(node.inputs)
    for j, (m, other) in enumerate(zip(metas, metas[::-1])):
        if graph[inputs[j]].op != "const" or m.type not in (int, float):
            continue
        if other.type is not np.ndarray or not other.shape or other.dtype is None:
            continue
        dt = other.dtype
        if not all(d == dt for d in resolved[:2]):
            continue
        z = _zero_d(graph[inputs[j]].attrs["value"], dt)
        if z is None:
            continue
        const = graph.add("const", attrs={"value": z}, meta=Meta(np.ndarray, dt, (), z),
                          before=node.name)
        inputs[j] = const.name
        changed += 1
    if changed:
        graph.set_inputs(node.name, inputs)
    return changed


def run(graph) -> int:
    """Lower what can be lowered; returns how many rewrites were made. Nodes are rewritten
    in place (same name), so values captured by branches and loops stay valid."""
    changed = 0
    for node in list(graph.nodes()):
        red = _reduction(graph, node)
        if red is not None:
            opname, axis, keep, via = red
            a = graph.add("const", attrs={"value": axis}, meta=Meta(type(axis), value=axis),
                          before=node.name)
            k = graph.add("const", attrs={"value": keep}, meta=Meta(bool, value=keep),
                          before=node.name)
            graph.set_inputs(node.name, (node.inputs[0], a.name, k.name))
            node.op = opname
            node.attrs = {"via": via}     # which NumPy function's frame warns (same_place)
            changed += 1
            continue
        if node.op == "np.sqrt" and len(node.inputs) == 1 and not node.attrs.get("kw"):
            m = graph[node.inputs[0]].meta
            if m.type in (np.float32, np.float64) and node.meta.type is m.type:
                node.op = "scalar.sqrt"
                changed += 1
                continue
        changed += _scalar_operands(graph, node)
    for node in list(graph.nodes()):      # branch and loop bodies: rewrites are local
        for sub in node.subgraphs:
            changed += run(sub)
    return changed
