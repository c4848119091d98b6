"""The reference executor: runs a graph node by node (an fx-style Interpreter).

How it runs each op is its table, `RULES` (an `ir.tables.OpTable`): op name →
``run(interpreter, node, args) -> value``; ops without a row run their registry row's
``impl`` (or, for ``emit="method"`` rows, the method on the first argument). Subclass and
override `run_node`, or set ``rules`` to a table extending `RULES`, to build analyses
such as shape propagation. Values are freed after their last use; an error is re-raised as
`NodeError` naming the node and the user's source line.
"""
from __future__ import annotations

import types

import numpy as np


from ..ir import get_op
from ..ir.node import split_inputs
from ..ir.pycode import compile_function
from ..ir.ops_core import AssumptionFailed
from ..ir.ops_state import (commit_append, commit_extend, commit_final, commit_setattr,
                            commit_setitem, flush_prints, undo_all)
from ..ir.tables import OpTable, register_table
from ..passes.ops import REDUCTIONS, same_place
from ..runtime.guards import ConstPool, GuardCode
from .codegen import Miss, signature_text
from .state_ops import has_reversible, random_states


class NodeError(Exception):
    """An op raised; the message names the node, its op and its source line."""

    def __init__(self, node, exc):
        super().__init__(f"{node.name} = {node.op}(...) at line {node.lineno}: "
                         f"{type(exc).__name__}: {exc}")
        self.node = node
        self.original = exc


def _at(f, a, k): return f(*a, **k)      # one line: the call sits on co_firstlineno


class _Placed:
    """Calls made as if from the user's source line: per line, a copy of `_at` whose code
    names the user's file and that line, over the user's module globals. A warning a NumPy
    C function raises names the frame that called it; through the trampoline that is the
    user's file, line, module and warning registry, as in the plain function."""

    def __init__(self, fn):
        self.filename = fn.__code__.co_filename
        self.globals = fn.__globals__
        self.at: dict = {}

    def __call__(self, lineno):
        tramp = self.at.get(lineno)
        if tramp is None:
            code = _at.__code__.replace(co_filename=self.filename,
                                        co_firstlineno=lineno or 1)
            tramp = self.at[lineno] = types.FunctionType(code, self.globals)
        return tramp


class Interpreter:
    placed = None          # a `_Placed` for the user's function (warnings at its lines)

    def __init__(self, graph):
        self.graph = graph
        saves, gens = random_states(graph)      # what codegen saves and restores too
        self._saves = saves
        self._draws = bool(saves or gens)
        self._commits = has_reversible(graph)
        self._undo = []
        self._generators = {}
        self._last_use = {}
        for g in [graph] + [s for n in graph.all_nodes() for s in n.subgraphs]:
            last = self._last_use.setdefault(id(g), {})
            for idx, node in enumerate(g.nodes()):
                for i in node.inputs:
                    last[i] = idx

    def run(self, *inputs):
        """Run the graph; if anything aborts it, the random generators it drew from are
        put back as they were (the imperative fallback redraws the same numbers)."""
        self._params = dict(zip(self.graph.inputs, inputs))
        self._generators, self._undo = {}, []
        if not self._draws and not self._commits:
            return self.run_graph(self.graph, dict(self._params))
        saved = [(get(), set_) for _, get, set_ in self._saves]
        try:
            return self.run_graph(self.graph, dict(self._params))
        except BaseException:
            undo_all(self._undo)
            for state, set_ in saved:
                set_(state)
            for gen, state in self._generators.values():
                gen.bit_generator.state = state
            raise
        finally:
            self._generators = {}

    def run_graph(self, graph, env):
        """Run ``graph`` with ``env`` holding its inputs; returns its output value."""
        keep = set(graph.inputs) | {graph.output}
        last_use = self._last_use[id(graph)]
        for idx, node in enumerate(graph.nodes()):
            if node.op == "input":
                continue
            try:
                env[node.name] = self.run_node(node, [env[i] for i in node.inputs])
            except (AssumptionFailed, NodeError):
                raise
            except Exception as exc:
                raise NodeError(node, exc) from exc
            for i in node.inputs:
                if last_use.get(i) == idx and i not in keep:
                    env.pop(i, None)
        return env[graph.output]

    def _sub_env(self, sub, node, args, extra=None):
        captured = dict(zip(node.attrs["captures"], args[-len(node.attrs["captures"]):]
                            if node.attrs["captures"] else ()))
        env = {}
        for name in sub.inputs:
            inp = sub[name]
            role = inp.attrs.get("role")
            if role == "capture":
                env[name] = captured[inp.attrs["outer"]]
            elif extra is not None and role in ("carried", "item"):
                env[name] = extra(inp)
        return env

    def op_cond(self, node, args):
        sub = node.subgraphs[0] if args[0] else node.subgraphs[1]
        return self.run_graph(sub, self._sub_env(sub, node, args))

    def op_errstate(self, node, args):
        sub = node.subgraphs[0]
        with np.errstate(**dict(node.attrs["errstate"])):
            return self.run_graph(sub, self._sub_env(sub, node, args))

    def op_loop(self, node, args):
        a = node.attrs
        n = a["n_carried"]
        off = 1 if a["has_iter"] else 0
        carried = list(args[off:off + n])
        subs = node.subgraphs
        cond_g, body_g = (subs[0], subs[1]) if len(subs) == 2 else (None, subs[0])
        state = {}

        def value(inp):
            if inp.attrs["role"] == "carried":
                return carried[inp.attrs["index"]]
            return state["item"]

        def step():
            out = self.run_graph(body_g, self._sub_env(body_g, node, args, value))
            carried[:] = out[:n]
            return out[n]
        if a["kind"] == "for":
            for item in args[0]:
                state["item"] = item
                if step():
                    break
        else:
            while self.run_graph(cond_g, self._sub_env(cond_g, node, args, value)):
                if step():
                    break
        return tuple(carried)

    def run_node(self, node, args):
        return self.rules.rule(node.op)(self, node, args)

    def op_impl(self, node, args):
        """The default rule: the registry row's implementation."""
        op = get_op(node.op)
        if node.op.startswith("Generator.") and id(args[0]) not in self._generators:
            self._generators[id(args[0])] = (args[0], args[0].bit_generator.state)
        pos, kw = split_inputs(node, args)
        if op.emit == "method":
            fn, pos = getattr(pos[0], op.symbol), pos[1:]
        else:
            fn = op.impl
        if self.placed is not None:
            return self.placed(node.lineno)(fn, pos, kw)
        return fn(*pos, **kw)

    def op_const(self, node, args):
        return node.attrs["value"]

    def op_source(self, node, args):
        pool = ConstPool()
        expr = GuardCode(pool).source_expr(node.attrs["src"])
        return eval(expr, {}, {**self._params, **pool.values})

    def op_assert(self, node, args):
        if bool(args[0]) is not node.attrs["expect"]:
            raise AssumptionFailed(node.attrs["index"])

    def op_getattr(self, node, args):
        return getattr(args[0], node.attrs["name"])

    def op_reduce(self, node, args):
        """A lowered reduction, called as generated code calls it (`same_place`)."""
        x, axis, keep = args
        fn, head, tail = same_place(node.op, node.attrs.get("via"))
        pos, kw = (x, *head, axis, *tail), {"keepdims": keep}
        if self.placed is not None:
            return self.placed(node.lineno)(fn, pos, kw)
        return fn(*pos, **kw)

    def op_call(self, node, args):
        pos, kw = split_inputs(node, args)
        if self.placed is not None:
            return self.placed(node.lineno)(node.attrs["fn"], pos, kw)
        return node.attrs["fn"](*pos, **kw)

    # the commit step: static attributes travel in attrs, not as inputs
    def op_commit_setattr(self, node, args):
        return commit_setattr(args[0], args[1], node.attrs["name"], self._undo)

    def op_commit_setitem(self, node, args):
        return commit_setitem(args[0], args[1], node.attrs["key"], self._undo)

    def op_commit_append(self, node, args):
        return commit_append(*args, undo=self._undo)

    def op_commit_extend(self, node, args):
        return commit_extend(*args, undo=self._undo)

    def op_commit_final(self, node, args):
        outbox, pairs = (args[0], args[1:]) if node.attrs.get("outbox") else (None, args)
        return commit_final(self._undo, outbox, bool(node.attrs.get("flush")), *pairs)

    def op_flush_prints(self, node, args):
        return flush_prints(args[0], bool(node.attrs.get("flush")))

    def op_tuple(self, node, args):
        return tuple(args)

    def op_unpack(self, node, args):
        return get_op("unpack").impl(args[0], node.attrs["n"])


def _default(opdef):
    return Interpreter.op_impl if opdef.impl is not None else None


RULES = register_table(OpTable("interpreter", {
    "cond": Interpreter.op_cond, "loop": Interpreter.op_loop, "const": Interpreter.op_const,
    "errstate": Interpreter.op_errstate,
    "source": Interpreter.op_source, "assert": Interpreter.op_assert,
    "getattr": Interpreter.op_getattr, "call": Interpreter.op_call,
    "commit_setattr": Interpreter.op_commit_setattr,
    "commit_setitem": Interpreter.op_commit_setitem,
    "commit_append": Interpreter.op_commit_append,
    "commit_extend": Interpreter.op_commit_extend,
    "commit_final": Interpreter.op_commit_final,
    "flush_prints": Interpreter.op_flush_prints,
    "tuple": Interpreter.op_tuple, "unpack": Interpreter.op_unpack,
    **dict.fromkeys(REDUCTIONS, Interpreter.op_reduce),
}, default=_default))
"""The interpreter's rules (see the module docstring)."""
Interpreter.rules = RULES


def compile_interpreted(graph, fn, fdef, guards):
    """An entry with the user's signature: guards, then the interpreter."""
    interp = Interpreter(graph)
    if isinstance(getattr(fn, "__code__", None), types.CodeType):
        interp.placed = _Placed(fn)
    return interpreter_entry(interp, graph, fn, fdef, guards)


def interpreter_entry(interp, graph, fn, fdef, guards, name="entry"):
    """An entry function ``name`` with the user's signature that checks the guards (a
    `Miss` on the first that fails), then returns ``interp.run(*graph.inputs)``; shared by
    the reference interpreter and the Dask backend's interpreter."""
    pool = ConstPool()
    gc = GuardCode(pool)
    miss = pool.add(tuple(Miss(i) for i in range(len(guards))), "MISS")
    run = pool.add(interp.run, "run")
    lines = gc.lines(guards, miss)
    lines.append(f"return {run}({', '.join(graph.inputs)})")
    text = f"def {name}({signature_text(fdef)}):\n" + "\n".join("    " + ln for ln in lines)
    names = list(pool.values)
    outer = f"def __jl_make({', '.join(names)}):\n" + \
        "\n".join("    " + ln for ln in text.splitlines()) + f"\n    return {name}"
    make = compile_function(outer, fn.__code__.co_filename, fn.__globals__, quiet=False,
                            future_annotations=True)
    entry = make(*pool.values.values())
    entry.__defaults__ = fn.__defaults__
    entry.__kwdefaults__ = fn.__kwdefaults__
    return entry, text
