"""Write the numba source of one segment (see `lower.py` for what lowers and why)."""
from __future__ import annotations

import math

from ... import config
from .fpflags import FLAGS_SET
from .lower import FLOATS, dtype_of, kind_of, nb_type, placeholder
from .prelude import _NP, literal


class SegmentSource:
    """Numba source for the nodes ``nodes`` (a run of one graph's schedule)."""

    def __init__(self, graph, nodes, inputs, outputs, checker, fname):
        self.graph = graph
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.loops = checker._loops
        self.rows = checker.rows
        self.fname = fname
        self.lines: list[str] = []
        self.indent = 1
        self.names: dict[str, str] = {}
        self._n = 0
        self._fail = None
        self.uloops: list = []        # (op, dtype) of each NumPy-loop address argument
        self.kept = False             # whether ``_kp`` (fpflags._keep) holds any value
        self.recycled: list = []      # arrays written into buffers the wrapper passes (`fresh`)

    # -- names --------------------------------------------------------------------------
    def tmp(self, hint="t") -> str:
        self._n += 1
        return f"_{hint}{self._n}"

    def var(self, graph, name, dtype=None) -> str:
        """The numba expression for node ``name`` (a literal cast to ``dtype`` for
        constants)."""
        if name in self.names:
            v = self.names[name]
        else:
            node = graph[name]
            if node.op == "const":
                return literal(node.attrs["value"], dtype)
            if node.op == "input" and node.attrs.get("role") == "capture":
                return self.var(graph.parent, node.attrs["outer"], dtype)
            v = self.names[name] = "v_" + name
        src = dtype_of(graph[name].meta)
        if dtype is not None and src != dtype:
            return f"{_NP[dtype]}({v})"
        return v

    def emit(self, text):
        self.lines.append("    " * self.indent + text)

    # -- the function -------------------------------------------------------------------
    def source(self) -> str:
        g = self.graph
        args = [f"a{i}" for i in range(len(self.inputs))]
        for a, name in zip(args, self.inputs):
            self.names[name] = a
        metas = [g[o].meta for o in self.outputs]
        self._fail = ", ".join(placeholder(m) for m in metas)
        self.emit_nodes(g, self.nodes, set(self.outputs))
        outs = ", ".join(self.var(g, o) for o in self.outputs)
        if self.kept:
            self.lines.insert(0, "    _kp = np.uint64(0)")
        used = outs + ", _kp" if self.kept else outs
        # the floating-point flags, tested after every result is computed (fpflags.py)
        self.emit(f"if _fe_flags(pf, ({used + ',' if used else ''})):")
        self.emit(f"    return ({FLAGS_SET}, {outs})")
        self.emit(f"return (0, {outs})")
        args += [f"r{j}" for j in range(len(self.recycled))] + \
            [f"p{j}" for j in range(len(self.uloops))] + ["pf"]
        types = [nb_type(g[i].meta) for i in self.inputs] + \
            [nb_type(g[o].meta) for o in self.recycled] + \
            ["numba.intp"] * (len(self.uloops) + 1)
        sig = ", ".join(types)
        head = [f"@numba.njit(({sig}{',' if len(types) == 1 else ''}), cache=True, "
                f"error_model='numpy', nogil=True)",
                f"def {self.fname}({', '.join(args)}):"]
        return "\n".join(head + self.lines) + "\n"

    def fail(self, code) -> str:
        return f"return ({code}, {self._fail})"

    # -- node runs ----------------------------------------------------------------------
    def emit_nodes(self, graph, nodes, needed_after):
        """Emit ``nodes`` (in order); ``needed_after``: names used after them. Scalar
        elementwise ops that need no array op of the run go first, so that the array ops
        around them fuse into one loop (all are pure, and compiled code never raises)."""
        front, rest, later = [], [], set()
        for n in nodes:
            row = self.row(n)
            if row is not None and row.kind == "ew" and kind_of(n.meta) == "scalar" and \
                    not any(i in later for i in n.inputs):
                front.append(n)
            else:
                rest.append(n)
                later.add(n.name)
        nodes = front + rest
        users: dict[str, set] = {}
        for n in nodes:
            for i in n.inputs:
                users.setdefault(i, set()).add(n.name)
        i = 0
        while i < len(nodes):
            n = nodes[i]
            if n.op in ("input", "const"):
                i += 1
                continue
            if self._ew_array(n):
                group = [n]
                j = i + 1
                while j < len(nodes) and (nodes[j].op == "const" or (
                        self._ew_array(nodes[j]) and nodes[j].meta.shape == n.meta.shape)):
                    if nodes[j].op != "const":
                        group.append(nodes[j])
                    j += 1
                self.emit_group(graph, group, users, needed_after)
                i = j
                continue
            self.emit_node(graph, n)
            i += 1

    def row(self, n):
        """The table row lowering node ``n`` (the one the checker chose)."""
        return self.rows.get(n.name)

    def _ew_array(self, n) -> bool:
        row = self.row(n)
        return row is not None and row.kind == "ew" and kind_of(n.meta) == "array"

    def ew_expr(self, graph, n, operand, local=()) -> str:
        """``n``'s scalar expression; ``local``: the names computed in the same fused
        loop."""
        row = self.row(n)
        loop = self.loops[n.name]
        ops = [operand(i, dt) for i, dt in zip(n.inputs, loop if row.ufunc is not None
                                                 else ["bool"] + loop)]
        if row.ufunc is None and dtype_of(n.meta) in FLOATS:   # np.where: each float arm
            for name, arm in zip(n.inputs[1:], ops[1:]):       # computed here is kept
                if name in local or self._scalar_result(graph, name):
                    self.keep(arm)
        expr = row.template.format(*ops)
        out = dtype_of(n.meta)
        return expr if out == "bool" else f"{_NP[out]}({expr})"

    def keep(self, value):
        """Use float ``value`` on every path from here (fpflags._keep): LLVM may not
        compute it only where a select or a branch picks it, losing its flags."""
        self.emit(f"_kp = _keep(_kp, {value})")
        self.kept = True

    @staticmethod
    def _scalar_result(graph, name) -> bool:
        """Whether ``name`` is a float scalar the segment computes."""
        node = graph[name]
        return kind_of(node.meta) == "scalar" and dtype_of(node.meta) in FLOATS and \
            node.op not in ("input", "const")

    def fresh(self, n, shape) -> str:
        """The expression of a new array for array node ``n`` (of run-time shape
        ``shape``): a buffer the wrapper passes in where ``n`` is large, of static shape and
        made once per run (not in a loop or branch body). The wrapper takes it from a pool
        (`recycle.OutputPool`): a result the caller dropped, or a temporary of an earlier
        run, whose pages are mapped already (a fresh one faults on first write)."""
        dt = _NP[dtype_of(n.meta)]
        new = f"np.empty({shape}, {dt})"
        static = n.meta.shape
        if self.indent != 1 or not all(isinstance(d, int) for d in static) or \
                math.prod(static) * n.meta.dtype.itemsize < config.RECYCLE_MIN_BYTES:
            return new
        r = f"r{len(self.recycled)}"
        self.recycled.append(n.name)
        return f"{r} if {r}.shape == {shape} else {new}"

    def emit_group(self, graph, group, users, needed_after):
        names = {n.name for n in group}
        ext = []
        for n in group:
            for i in n.inputs:
                if i not in names and kind_of(graph[i].meta) == "array" and \
                        graph[i].op != "const" and i not in ext:
                    ext.append(i)
        ref = self.var(graph, ext[0])
        shape = self.tmp("shape")
        self.emit(f"{shape} = {ref}.shape")
        ndim = _ndim(group[0].meta)
        if any(_ndim(graph[e].meta) != ndim for e in ext):
            ndim = 0        # a rank not known for each array: the flat loop below
        keep = [n for n in group if (users.get(n.name, set()) - names) or
                n.name in needed_after]
        for e in ext[1:]:
            self.emit(f"if {self.var(graph, e)}.shape != {shape}:")
            self.emit(f"    {self.fail(-1)}")
        flat, outs = {}, {}
        if ndim:            # index each array by its own dims: no ravel (a reshape per array)
            idxs = [self.tmp("i") for _ in range(ndim)]
            at = f"[{', '.join(idxs)}]"
            for e in ext:
                flat[e] = self.var(graph, e)
            for n in keep:
                v = outs[n.name] = self.var(graph, n.name)
                self.emit(f"{v} = {self.fresh(n, shape)}")
            for d, i in enumerate(idxs):
                self.emit(f"for {i} in range({shape}[{d}]):")
                self.indent += 1
        else:               # rank unknown (or 0-d): one flat loop over C-order views
            for e in ext:
                flat[e] = self.tmp("f")
                self.emit(f"{flat[e]} = {self.var(graph, e)}.ravel()")
            for n in keep:
                v = self.var(graph, n.name)
                self.emit(f"{v} = np.empty({shape}, {_NP[dtype_of(n.meta)]})")
                outs[n.name] = self.tmp("o")
                self.emit(f"{outs[n.name]} = {v}.ravel()")
            idxs = [self.tmp("i")]
            at = f"[{idxs[0]}]"
            self.emit(f"for {idxs[0]} in range({flat[ext[0]]}.size):")
            self.indent += 1
        local = {}

        def operand(name, dt):
            if name in local:
                src = dtype_of(graph[name].meta)
                return local[name] if src == dt else f"{_NP[dt]}({local[name]})"
            if name in flat:
                src = dtype_of(graph[name].meta)
                e = f"{flat[name]}{at}"
                return e if src == dt else f"{_NP[dt]}({e})"
            return self.var(graph, name, dt)

        for n in group:
            s = self.tmp("s")
            self.emit(f"{s} = {self.ew_expr(graph, n, operand, local)}")
            local[n.name] = s
            if n.name in outs:
                self.emit(f"{outs[n.name]}{at} = {s}")
        self.indent -= len(idxs)

    def emit_node(self, graph, n):
        row = self.row(n)
        v = self.var(graph, n.name)
        ins = n.inputs
        if row.kind == "ew":
            self.emit(f"{v} = {self.ew_expr(graph, n, lambda i, dt: self.var(graph, i, dt))}")
        elif row.kind in ("sum", "mean"):
            x = self.var(graph, ins[0])
            dt = dtype_of(graph[ins[0]].meta)
            tag = {"float64": "f8", "float32": "f4"}[dt]
            flat = x if _ndim(graph[ins[0]].meta) == 1 else f"{x}.ravel()"
            total = f"({_NP[dt]}(0.0) + _psum_{tag}({flat}, 0, {x}.size))"
            if row.kind == "sum":
                self.emit(f"{v} = {total}")
            else:
                self.emit(f"{v} = {_NP[dt]}(np.float64({total}) / np.float64({x}.size))")
        elif row.kind == "uloop":
            self.emit_uloop(graph, n, v)
        elif row.kind == "matvec":
            self.emit(f"{v} = np.dot({self.var(graph, ins[0])}, {self.var(graph, ins[1])})")
        elif row.kind == "transpose":
            self.emit(f"{v} = {self.var(graph, ins[0])}.T")
        elif row.kind == "truth":
            self.emit(f"{v} = bool({self.var(graph, ins[0])})")
        elif row.kind == "assert":
            test = "not " if n.attrs["expect"] else ""
            self.emit(f"if {test}{self.var(graph, ins[0])}:")
            self.emit(f"    {self.fail(n.attrs['index'] + 1)}")
        elif row.kind == "tuple":
            self.emit(f"{v} = ({''.join(self.var(graph, i) + ', ' for i in ins)})")
        elif row.kind == "getitem":
            self.emit(f"{v} = {self.var(graph, ins[0])}[{graph[ins[1]].attrs['value']}]")
        elif row.kind == "cond":
            self.emit_cond(graph, n, v)
        elif row.kind == "loop":
            self.emit_loop(graph, n, v)
        else:                                  # pragma: no cover - table and emitter agree
            raise NotImplementedError(n.op)

    def emit_uloop(self, graph, n, v):
        """NumPy's own loop for ``n`` (its address: the segment's argument ``p<j>``)."""
        dt = dtype_of(n.meta)
        key = (n.op, dt)
        if key not in self.uloops:
            self.uloops.append(key)
        p = f"p{self.uloops.index(key)}"
        x = self.var(graph, n.inputs[0], dt)
        if kind_of(n.meta) == "array":
            self.emit(f"{v} = {self.fresh(n, f'{x}.shape')}")
            self.emit(f"_uloop_array({p}, {x}, {v})")
        else:
            self.emit(f"{v} = _uloop_{'f8' if dt == 'float64' else 'f4'}({p}, {x})")

    def emit_sub(self, sub):
        self.emit_nodes(sub, list(sub.nodes()), {sub.output})
        return self.var(sub, sub.output)

    def emit_cond(self, graph, n, v):
        then_g, else_g = n.subgraphs
        captured = {sub[i].attrs.get("outer") for sub in n.subgraphs for i in sub.inputs
                    if sub[i].attrs.get("role") == "capture"}
        for outer in sorted(captured - {None}):   # computed before the branch, as in NumPy
            if self._scalar_result(graph, outer):
                self.keep(self.var(graph, outer))
        self.emit(f"if {self.var(graph, n.inputs[0])}:")
        for sub in (then_g, else_g):
            if sub is else_g:
                self.emit("else:")
            self.indent += 1
            self.emit(f"{v} = {self.emit_sub(sub)}")
            self.indent -= 1

    def emit_loop(self, graph, n, v):
        k = n.attrs["n_carried"]
        inits = [self.var(graph, i) for i in n.inputs[:k]]
        carried = [f"{v}_c{i}" for i in range(k)]
        cond_g, body_g = n.subgraphs
        for sub in n.subgraphs:
            for name in sub.inputs:
                inp = sub[name]
                if inp.attrs.get("role") == "carried":
                    self.names[name] = carried[inp.attrs["index"]]
        for c, i in zip(carried, inits):
            self.emit(f"{c} = {i}")
        self.emit("while True:")
        self.indent += 1
        self.emit(f"if not {self.emit_sub(cond_g)}:")
        self.emit("    break")
        out = self.emit_sub(body_g)
        self.emit(f"{', '.join(carried + [v + '_brk'])} = {out}")
        self.emit(f"if {v}_brk:")
        self.emit("    break")
        self.indent -= 1
        self.emit(f"{v} = ({''.join(c + ', ' for c in carried)})")


__all__ = ["SegmentSource", "FLOATS"]


def _ndim(meta) -> int:
    """The rank of an array value when known from its shape (0: unknown, or a 0-d array)."""
    shape = getattr(meta, "shape", None)
    return len(shape) if isinstance(shape, tuple) else 0
