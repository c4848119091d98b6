"""Code generation for structured nodes: ``cond`` becomes a Python ``if``/``else``, ``loop``
a Python ``for``/``while`` over loop-carried variables. Subgraph code is emitted inline, in
the same function scope, so captured values are just the outer variables."""
from __future__ import annotations


def emit_cond(gen, node, ins):
    then_g, else_g = node.subgraphs
    out = gen.var(node.name)
    gen.emit(f"if {ins[0]}:", node.lineno)
    for sub in (then_g, else_g):
        if sub is else_g:
            gen.emit("else:", node.lineno)
        gen.indent += 1
        gen.emit_graph(sub)
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
    if n:
        gen.emit(f"{', '.join(carried)}{',' if n == 1 else ''} = "
                 f"{', '.join(inits)}{',' if n == 1 else ''}", node.lineno)
    brk = f"{gen.var(node.name)}_brk"
    if a["kind"] == "for":
        gen.emit(f"for {gen.var(node.name)}_item in {ins[0]}:", node.lineno)
    else:
        gen.emit("while True:", node.lineno)
    gen.indent += 1
    if cond_g is not None:
        gen.emit_graph(cond_g)
        gen.emit(f"if not {gen.var(cond_g.output)}: break", node.lineno)
    gen.emit_graph(body_g)
    targets = carried + [brk]
    gen.emit(f"{', '.join(targets)} = {gen.var(body_g.output)}", node.lineno)
    gen.emit(f"if {brk}: break", node.lineno)
    gen.indent -= 1
    return "(" + "".join(c + ", " for c in carried) + ")"
