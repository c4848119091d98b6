"""Code generation for structured nodes: ``cond`` becomes a Python ``if``/``else``, ``loop``
a Python ``for``/``while`` over loop-carried variables. Subgraph code is emitted inline, in
the same function scope, so captured values are just the outer variables.

Per-call economies (the values are the same, the code does less): a branch or loop body
whose output is a ``tuple`` node built only to be unpacked assigns its items straight to
the variables that receive them (no tuple built and indexed per iteration); a cond or loop
whose value is only indexed by constants (``getitem`` nodes) is never built as a tuple, its
``getitem`` nodes read those variables; a loop body's constant ``False`` break flag emits no
test; a loop condition that is a ``truth`` node tests its input (the same ``__bool__``);
a loop-carried value that nothing reads (not the body, not the condition, not the code after
the loop) is never assigned; a branch of the loop body whose item goes only into carried
slot k assigns that slot's variable directly (when nothing after the branch reads the slot's
old value), and an assignment of a variable to itself is not written.
"""
from __future__ import annotations

import numpy as np


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
    pairs = [(t, v) for t, v in zip(targets, values) if t != v]
    targets, values = [t for t, _ in pairs], [v for _, v in pairs]
    if targets:
        gen.emit(f"{', '.join(targets)} = {', '.join(values)}", lineno)


def plan(gen) -> None:
    """Before any code is emitted (variable names are handed out as code is written):
    the ``cond``, ``errstate`` and ``loop`` nodes whose tuple value is only indexed by
    constants get per-item variables, their ``getitem`` nodes aliased to them
    (``gen.cond_items``: a split cond's or region's item variables, a loop's carried variables where `_coalesce` says)."""
    gen.cond_items = {}
    for node in list(gen.graph.all_nodes()):
        if node.op in ("cond", "errstate"):     # every subgraph ends in the value tuple
            outs = [_sole_output(gen, sub, "tuple") for sub in node.subgraphs]
            if any(o is None for o in outs) or len({len(o.inputs) for o in outs}) != 1:
                continue
            split = split_uses(gen, node, len(outs[0].inputs))
            if split is None:
                continue
            out = gen.var(node.name)
            gen.cond_items[node.name] = [f"{out}_{k}" for k in range(len(outs[0].inputs))]
            for name, k in split:
                gen.alias(name, f"{out}_{k}")
            gen.virtual.add(node.name)
            for o in outs:
                gen.skip.add(o.name)
        elif node.op == "loop":
            split = split_uses(gen, node, node.attrs["n_carried"])
            if split is not None:
                for name, k in split:
                    gen.alias(name, carried_var(gen, node, k))
                gen.virtual.add(node.name)
    for node in list(gen.graph.all_nodes()):     # the conds inside are split by now
        if node.op == "loop":
            _coalesce(gen, node)


def _slot_input(sub, k):
    """``sub``'s input node of carried slot ``k`` (None when it has none)."""
    for name in sub.inputs:
        inp = sub[name]
        if inp.attrs.get("role") == "carried" and inp.attrs.get("index") == k:
            return name
    return None


def _reads(node, name) -> bool:
    """Does ``node`` read ``name`` (an input, or captured by one of its subgraphs)?"""
    if name in node.inputs:
        return True
    return any(n.op == "input" and n.attrs.get("outer") == name
               for sub in node.subgraphs for n in sub.all_nodes())


def _coalesce(gen, loop) -> None:
    """A split ``cond`` of the loop body whose item goes only into carried slot k (the
    body's output tuple, at k) assigns slot k's variable itself, when no node after the
    cond reads the slot's old value (the body output's other items included)."""
    body = loop.subgraphs[-1]
    out = _sole_output(gen, body, "tuple")
    n = loop.attrs["n_carried"]
    if out is None or len(out.inputs) != n + 1:
        return
    order = [nd.name for nd in body.nodes()]
    names = gen.cond_items
    for k, v in enumerate(out.inputs[:n]):
        item = body[v] if v in body else None
        if item is None or item.op != "getitem" or v not in gen._aliased or \
                out.inputs.count(v) != 1 or _captured(gen, v) or \
                list(body.nx.successors(v)) != [out.name]:
            continue
        cond = body[item.inputs[0]] if item.inputs[0] in body else None
        j = _const_index(gen, item.inputs[1])
        if cond is None or cond.op != "cond" or cond.name not in names or j is None:
            continue
        old = _slot_input(body, k)
        if old is not None:
            after = order[order.index(cond.name) + 1:]
            if any(_reads(body[a], old) for a in after):
                continue
        var = carried_var(gen, loop, k)
        names[cond.name][j] = var
        gen.alias(v, var)


def emit_cond(gen, node, ins):
    then_g, else_g = node.subgraphs
    out = gen.var(node.name)
    split = node.name in gen.virtual
    outs = [sub[sub.output] for sub in (then_g, else_g)] if split else [None, None]
    if split:
        items = gen.cond_items[node.name]
    gen.emit(f"if {ins[0]}:", node.lineno)
    for sub, o in zip((then_g, else_g), outs):
        if sub is else_g:
            gen.emit("else:", node.lineno)
        gen.indent += 1
        start = len(gen.lines)
        gen.emit_graph(sub)
        if split:
            _assign(gen, items, [gen.var(i) for i in o.inputs], node.lineno)
            if len(gen.lines) == start:
                gen.emit("pass", node.lineno)
        else:
            gen.emit(f"{out} = {gen.var(sub.output)}", node.lineno)
        gen.indent -= 1
    return None


def emit_errstate(gen, node, ins):
    """``with np.errstate(**kw):`` around the region's code (a new error-state object per
    run: one object entered twice at once, by recursion, would not restore)."""
    sub = node.subgraphs[0]
    kw = ", ".join(f"{k}={v!r}" for k, v in node.attrs["errstate"])
    gen.emit(f"with {gen.pool.add(np.errstate, 'errstate')}({kw}):", node.lineno)
    gen.indent += 1
    start = len(gen.lines)
    gen.emit_graph(sub)
    if node.name in gen.virtual:
        _assign(gen, gen.cond_items[node.name], [gen.var(i) for i in sub[sub.output].inputs],
                node.lineno)
    else:
        gen.emit(f"{gen.var(node.name)} = {gen.var(sub.output)}", node.lineno)
    if len(gen.lines) == start:
        gen.emit("pass", node.lineno)
    gen.indent -= 1
    return None


def _dead_slots(gen, loop, out) -> set:
    """Carried slots of ``loop`` that nothing reads: not its condition or body (their slot
    inputs unused), not the code after it (its value split, no used ``getitem`` of the
    slot: an unused one is aliased to the slot's variable and emits nothing).
    Only where the body's output is a tuple assigned item by item (``out``)."""
    if out is None or loop.name not in gen.virtual:
        return set()
    n = loop.attrs["n_carried"]
    graph = gen.owner_graph(loop.name)
    read = {k for name, k in split_uses(gen, loop, n) or ()       # unused getitems aside
            if any(True for _ in graph.nx.successors(name)) or name == graph.output or
            _captured(gen, name)}
    dead = set()
    for k in range(n):
        if k in read:
            continue
        names = [_slot_input(sub, k) for sub in loop.subgraphs]
        if all(name is None or (not any(True for _ in sub.nx.successors(name)) and
                                not _captured(gen, name) and sub.output != name)
               for sub, name in zip(loop.subgraphs, names)):
            dead.add(k)
    return dead


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
    out = _sole_output(gen, body_g, "tuple")
    if out is not None and len(out.inputs) != n + 1:
        out = None
    dead = _dead_slots(gen, node, out)
    live = [k for k in range(n) if k not in dead]
    _assign(gen, [carried[k] for k in live], [inits[k] for k in live], node.lineno)
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
    if out is not None:
        gen.skip.add(out.name)
    start = len(gen.lines)
    gen.emit_graph(body_g)
    if out is None:
        targets = carried + [brk]
        gen.emit(f"{', '.join(targets)} = {gen.var(body_g.output)}", node.lineno)
        gen.emit(f"if {brk}: break", node.lineno)
    else:
        values = [gen.var(i) for i in out.inputs]
        _assign(gen, [carried[k] for k in live], [values[k] for k in live], node.lineno)
        flag = gen._node(out.inputs[n])
        if flag.op == "const" and flag.attrs.get("value") is True:
            gen.emit("break", node.lineno)
        elif not (flag.op == "const" and flag.attrs.get("value") is False):
            gen.emit(f"if {values[n]}: break", node.lineno)
        if len(gen.lines) == start:
            gen.emit("pass", node.lineno)
    gen.indent -= 1
    if node.name in gen.virtual:      # its getitems read the carried variables (`plan`)
        return None
    return "(" + "".join(c + ", " for c in carried) + ")"
