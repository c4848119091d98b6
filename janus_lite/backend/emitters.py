"""Code generation for the ops the passes add (rows of the numpy table, `numpy_rules.TABLE`).

- ``buffers.acquire`` / ``buffers.release``: take this call's buffer set from the graph's
  `BufferPool` into locals, give it back before ``return``.
- ``<op>@out``: the op's ufunc writing into its planned buffer with ``casting='no'`` (a
  dtype the plan did not foresee raises instead of casting). When the plan could not prove
  the buffer's shape at build time (attrs ``check``: index of the operand whose shape the
  result has), the buffer is reallocated whenever that operand's run-time shape differs.
- ``fused``: a call of the `FusedKernel` with the planned buffers of its outputs.
- ``reduce.*``: the ufunc reduction NumPy's wrappers end up calling.
"""
from __future__ import annotations

import math

import numpy as np

from .. import config
from ..passes.ops import same_place


def node_of(gen, name):
    """The node called ``name`` anywhere in the graph tree being generated."""
    finder = getattr(gen, "_node", None)
    return finder(name) if finder is not None else gen.graph[name]


def slot_var(gen, node) -> str:
    return f"{gen.var(node.attrs['buffers'])}_s{node.attrs['slot']}"


def emit_acquire(gen, node, ins):
    pool = node_of(gen, node.inputs[0]).attrs["value"]
    acq = gen.pool.add(pool.acquire, "acquire")
    target = gen.var(node.name)
    n = len(pool.slots)
    names = [f"{target}_s{i}" for i in range(n)]
    lhs = (", ".join(names) + ("," if n == 1 else "") + " = ") if n else ""
    gen.emit(f"{lhs}{target} = {acq}()", node.lineno)
    return None


def emit_release(gen, node, ins):
    pool = node_of(gen, node.inputs[0]).attrs["value"]
    push = gen.pool.add(pool.free.append, "release")
    gen.emit(f"{push}({ins[1]})", node.lineno)
    return None


def emit_planned(gen, node, ins):
    uf = gen.pool.add(node.attrs["ufunc"], "uf")
    buf = slot_var(gen, node)
    check = node.attrs.get("check")
    if check is not None:
        src = ins[check]
        empty = gen.pool.add(np.empty, "empty")
        dt = gen.pool.add(node.meta.dtype, "dt")
        gen.emit(f"if {buf}.shape != {src}.shape: {buf} = {gen.var(node.attrs['buffers'])}"
                 f"[{node.attrs['slot']}] = {empty}({src}.shape, {dt})", node.lineno)
    n = node.attrs.get("n_operands", len(ins))
    return f"{uf}({', '.join(ins[:n])}, out={buf}, casting='no')"


def emit_fused(gen, node, ins):
    outs = node.attrs.get("out_slots") or ()
    bufs = [f"{gen.var(node.attrs['buffers'])}_s{s}" if s is not None else "None"
            for s in outs]
    while bufs and bufs[-1] == "None":
        bufs.pop()
    program = node_of(gen, node.inputs[0]).attrs["value"]
    code = getattr(gen.fn, "__code__", None)
    kernel = program.kernel(code.co_filename if code else None,
                            getattr(gen.fn, "__globals__", None))
    call = f"{gen.pool.add(kernel, 'kernel')}({', '.join(ins[1:] + bufs)})"
    ref = node.inputs[1 + kernel.ref]
    if node_of(gen, ref).meta.type is np.ndarray:
        # a shape known only at run time: a small array (the usual case for a graph
        # relaxed over a batch size) goes op by op straight away, as the kernel itself
        # would after its checks
        small = f"{ins[1 + kernel.ref]}.size < {gen.pool.add(config, 'cfg')}.FUSE_MIN_ELEMENTS"
        return f"({gen.pool.add(kernel.plain, 'kplain')}({', '.join(ins[1:])}) if {small} " \
               f"else {call})"
    return call


def emit_item(gen, node, ins):
    return f"{ins[0]}[{ins[1]}]"


def emit_reduce(gen, node, ins):
    """The call NumPy's own wrapper makes, from the same function (`same_place`): the bits
    and the warnings' file, line and registry are the plain call's; only the dispatch in
    front of it is skipped."""
    x, axis, keep = ins
    fn, head, tail = same_place(node.op, node.attrs.get("via"))
    args = [x, *map(gen.const, head), axis, *map(gen.const, tail)]
    return f"{gen.pool.add(fn, 'red')}({', '.join(args)}, keepdims={keep})"


def emit_scalar_sqrt(gen, node, ins):
    t = gen.pool.add(node.meta.dtype.type, "t")
    return f"{t}({gen.pool.add(math.sqrt, 'sqrt')}({ins[0]}))"


EMITTERS = {
    "buffers.acquire": emit_acquire,
    "buffers.release": emit_release,
    "fused": emit_fused,
    "fused.item": emit_item,
    "reduce.sum": emit_reduce,
    "reduce.mean": emit_reduce,
    "reduce.max": emit_reduce,
    "reduce.min": emit_reduce,
    "scalar.sqrt": emit_scalar_sqrt,
    "@out": emit_planned,          # the family of planned twins ``<op>@out``
}
