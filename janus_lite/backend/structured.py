"""Code generation for structured nodes: ``cond`` becomes a Python ``if``/``else``, ``loop``
a Python ``for``/``while`` over loop-carried variables. Subgraph code is emitted inline, in
the same function scope, so captured values are just the outer variables.

Per-call economies (the values are the same, the code does less): a branch or loop body
whose output is a ``tuple`` node built only to be unpacked assigns its items straight to
the variables that receive them (no tuple built and indexed per iteration); a cond or loop
whose value is only indexed by constants (``getitem`` nodes) is never built as a tuple, its
``getitem`` nodes read those variables; a loop body's constant ``False`` break flag emits no
test; a loop condition that is a ``truth`` node tests its input (the same ``__bool__``).
"""
from __future__ import annotations


def _captured(gen, name) -> bool:
    """Does some subgraph capture ``name`` (read it as an outer value)?"""
    return name in gen.captured()


def _sole_output(gen, sub, op):
    """``sub``'s output node when it is an ``op`` node used by nothing but being the
    output, else None."""
    out = sub.output
    if out is None or out not in sub:
        return None
    node = sub[out]
    if node.op != op or any(True for _ in sub.nx.successors(out)) or _captured(gen, out):
        return None
    return node


def _const_index(gen, name):
    node = gen._node(name)
    if node.op != "const":
        return None
    v = node.attrs.get("value")
    return v if type(v) is int else None


def split_uses(gen, node, n) -> list | None:
    """The ``getitem`` nodes reading item k (a constant, 0 <= k < n, each k once) of
    ``node``'s tuple value, when they are its only uses (in its own graph, not captured,
    not an output): they can read per-item variables instead. Else None."""
    graph = gen.owner_graph(node.name)
    if graph is None or graph.output == node.name or _captured(gen, node.name):
        return None
    users, seen = [], set()
    for u in graph.nx.successors(node.name):
        un = graph[u]
        if un.op != "getitem" or len(un.inputs) != 2 or un.inputs[0] != node.name:
            return None
        k = _const_index(gen, un.inputs[1])
        if k is None or not 0 <= k < n or k in seen:
            return None
        seen.add(k)
        users.append((un.name, k))
    return users


def _assign(gen, targets, values, lineno):
    if targets:
        gen.emit(f"{', '.join(targets)} = {', '.join(values)}", lineno)


def plan(gen) -> None:
    """Before any code is emitted (variable names are handed out as code is written):
    the ``cond`` and ``loop`` nodes whose tuple value is only indexed by constants get
    per-item variables, their ``getitem`` nodes aliased to them."""
    for node in list(gen.graph.all_nodes()):
        if node.op == "cond":
            outs = [_sole_output(gen, sub, "tuple") for sub in node.subgraphs]
            if len(outs) != 2 or any(o is None for o in outs) or \
                    len(outs[0].inputs) != len(outs[1].inputs):
                continue
            split = split_uses(gen, node, len(outs[0].inputs))
            if split is None:
                continue
            out = gen.var(node.name)
            for name, k in split:
                gen.alias(name, f"{out}_{k}")
            gen.virtual.add(node.name)
            for o in outs:
                gen.skip.add(o.name)
        elif node.op == "loop":
            split = split_uses(gen, node, node.attrs["n_carried"])
            if split is None:
                continue
            for name, k in split:
                gen.alias(name, carried_var(gen, node, k))
            gen.virtual.add(node.name)


def emit_cond(gen, node, ins):
    then_g, else_g = node.subgraphs
    out = gen.var(node.name)
    split = node.name in gen.virtual
    outs = [sub[sub.output] for sub in (then_g, else_g)] if split else [None, None]
    if split:
        items = [f"{out}_{k}" for k in range(len(outs[0].inputs))]
    gen.emit(f"if {ins[0]}:", node.lineno)
    for sub, o in zip((then_g, else_g), outs):
        if sub is else_g:
            gen.emit("else:", node.lineno)
        gen.indent += 1
        gen.emit_graph(sub)
        if split:
            _assign(gen, items, [gen.var(i) for i in o.inputs], node.lineno)
            if not items:
                gen.emit("pass", node.lineno)
        else:
            gen.emit(f"{out} = {gen.var(sub.output)}", node.lineno)
        gen.indent -= 1
    return None


def carried_var(gen, node, i) -> str:
    return f"{gen.var(node.name)}_c{i}"


def emit_loop(gen, node, ins):
    a = node.attrs
    n = a["n_carried"]
    offset = 1 if a["has_iter"] else 0
    inits = ins[offset:offset + n]
    carried = [carried_var(gen, node, i) for i in range(n)]
    subs = node.subgraphs
    cond_g, body_g = (subs[0], subs[1]) if len(subs) == 2 else (None, subs[0])
    for sub in subs:
        for name in sub.inputs:
            inp = sub[name]
            if inp.attrs.get("role") == "carried":
                gen.names[name] = carried[inp.attrs["index"]]
            elif inp.attrs.get("role") == "item":
                gen.names[name] = f"{gen.var(node.name)}_item"
    _assign(gen, carried, inits, node.lineno)
    brk = f"{gen.var(node.name)}_brk"
    if a["kind"] == "for":
        gen.emit(f"for {gen.var(node.name)}_item in {ins[0]}:", node.lineno)
    else:
        gen.emit("while True:", node.lineno)
    gen.indent += 1
    if cond_g is not None:
        truth = _sole_output(gen, cond_g, "truth")
        if truth is not None:
            gen.skip.add(truth.name)
        gen.emit_graph(cond_g)
        test = gen.var(truth.inputs[0] if truth is not None else cond_g.output)
        gen.emit(f"if not {test}: break", node.lineno)
    out = _sole_output(gen, body_g, "tuple")
    if out is not None and len(out.inputs) != n + 1:
        out = None
    if out is not None:
        gen.skip.add(out.name)
    gen.emit_graph(body_g)
    if out is None:
        targets = carried + [brk]
        gen.emit(f"{', '.join(targets)} = {gen.var(body_g.output)}", node.lineno)
        gen.emit(f"if {brk}: break", node.lineno)
    else:
        values = [gen.var(i) for i in out.inputs]
        _assign(gen, carried, values[:n], node.lineno)
        flag = gen._node(out.inputs[n])
        if flag.op == "const" and flag.attrs.get("value") is True:
            gen.emit("break", node.lineno)
        elif not (flag.op == "const" and flag.attrs.get("value") is False):
            gen.emit(f"if {values[n]}: break", node.lineno)
        if not n and flag.op == "const" and flag.attrs.get("value") is False:
            gen.emit("pass", node.lineno)
    gen.indent -= 1
    if node.name in gen.virtual:      # its getitems read the carried variables (`plan`)
        return None
    return "(" + "".join(c + ", " for c in carried) + ")"
