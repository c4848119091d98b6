"""The reference executor: runs a graph node by node (an fx-style Interpreter).

Subclass and override `run_node` (or one ``op_<name>`` method) to build analyses such as
shape propagation. Values are freed after their last use; an error is re-raised as
`NodeError` naming the node and the user's source line.
"""
from __future__ import annotations

from ..ir import get_op
from ..ir.ops_core import AssumptionFailed
from ..runtime.guards import ConstPool, GuardCode


class NodeError(Exception):
    """An op raised; the message names the node, its op and its source line."""

    def __init__(self, node, exc):
        super().__init__(f"{node.name} = {node.op}(...) at line {node.lineno}: "
                         f"{type(exc).__name__}: {exc}")
        self.node = node
        self.original = exc


class Interpreter:
    def __init__(self, graph):
        self.graph = graph
        self._last_use = {}
        for idx, node in enumerate(graph.nodes()):
            for i in node.inputs:
                self._last_use[i] = idx

    def run(self, *inputs):
        env = dict(zip(self.graph.inputs, inputs))
        keep = set(self.graph.inputs) | {self.graph.output}
        for idx, node in enumerate(self.graph.nodes()):
            if node.op == "input":
                continue
            try:
                env[node.name] = self.run_node(node, [env[i] for i in node.inputs])
            except AssumptionFailed:
                raise
            except Exception as exc:
                raise NodeError(node, exc) from exc
            for i in node.inputs:
                if self._last_use.get(i) == idx and i not in keep:
                    env.pop(i, None)
        return env[self.graph.output]

    def run_node(self, node, args):
        method = getattr(self, "op_" + node.op.replace(".", "_"), None)
        if method is not None:
            return method(node, args)
        op = get_op(node.op)
        kwn = node.attrs.get("kw", ())
        pos, kw = (args[:len(args) - len(kwn)], dict(zip(kwn, args[len(args) - len(kwn):]))) \
            if kwn else (args, {})
        if op.emit == "method":
            return getattr(pos[0], op.symbol)(*pos[1:], **kw)
        return op.impl(*pos, **kw)

    def op_const(self, node, args):
        return node.attrs["value"]

    def op_source(self, node, args):
        pool = ConstPool()
        expr = GuardCode(pool).source_expr(node.attrs["src"])
        return eval(expr, {}, dict(pool.values))

    def op_assert(self, node, args):
        if bool(args[0]) is not node.attrs["expect"]:
            raise AssumptionFailed(node.attrs["index"])

    def op_getattr(self, node, args):
        return getattr(args[0], node.attrs["name"])

    def op_call(self, node, args):
        kwn = node.attrs.get("kw", ())
        pos = args[:len(args) - len(kwn)] if kwn else args
        return node.attrs["fn"](*pos, **dict(zip(kwn, args[len(args) - len(kwn):])))

    def op_tuple(self, node, args):
        return tuple(args)

    def op_unpack(self, node, args):
        return get_op("unpack").impl(args[0], node.attrs["n"])


def compile_interpreted(graph, fn, fdef, guards):
    """An entry with the user's signature: guards, then the interpreter."""
    from .codegen import CodeGen, Miss, signature_text
    import ast
    import types
    pool = ConstPool()
    gc = GuardCode(pool)
    miss = pool.add(tuple(Miss(i) for i in range(len(guards))), "MISS")
    interp = Interpreter(graph)
    run = pool.add(interp.run, "run")
    lines = gc.lines(guards, miss)
    args = ", ".join(graph.inputs)
    lines.append(f"return {run}({args})")
    sig = signature_text(fdef)
    text = f"def entry({sig}):\n" + "\n".join("    " + ln for ln in lines)
    names = list(pool.values)
    outer = f"def __jl_make({', '.join(names)}):\n" + \
        "\n".join("    " + ln for ln in text.splitlines()) + "\n    return entry"
    code = compile(outer, fn.__code__.co_filename, "exec")
    make = types.FunctionType(next(c for c in code.co_consts if isinstance(c, types.CodeType)),
                              fn.__globals__)
    entry = make(*pool.values.values())
    entry.__defaults__ = fn.__defaults__
    entry.__kwdefaults__ = fn.__kwdefaults__
    _ = (CodeGen, ast)
    return entry, text
