"""One function being converted: its AST, its environment of abstract values, and where
its free names live (locals, closure cells, globals, builtins)."""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from .errors import ConversionError


def assigned_names(fdef: ast.AST) -> frozenset[str]:
    """Names the function binds locally (parameters, assignment targets, loop targets …).
    Found once per tree (kept on it: a callee inlined on every trip of an unrolled loop
    asks again each time); copies of the tree find them again."""
    names = fdef.__dict__.get("_jl_assigned")
    if names is None:
        names = fdef._jl_assigned = frozenset(_assigned(fdef))
    return names


def global_names(fdef: ast.AST) -> frozenset[str]:
    """Names the function's own ``global`` statements declare (not its nested functions'):
    read from and written to its module's globals, never local. Kept on the tree. A
    declared name bound other than by assignment (a loop target, ``:=``, ``except ... as``,
    a nested ``def``) raises `ConversionError`: only assignments become deferred writes."""
    return _declared(fdef)[0]


def nonlocal_names(fdef: ast.AST) -> frozenset[str]:
    """Names the function's own ``nonlocal`` statements declare: read from and written to
    their closure cells (as `global_names`, the same rules)."""
    return _declared(fdef)[1]


def _declared(fdef: ast.AST) -> tuple:
    found = fdef.__dict__.get("_jl_declared")
    if found is None:
        names = {ast.Global: set(), ast.Nonlocal: set()}
        bound = []
        body = fdef.body if isinstance(fdef.body, list) else []
        todo = list(body)
        while todo:
            node = todo.pop()
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                names[type(node)].update(node.names)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.NamedExpr)):
                bound += [(n.id, n.lineno) for n in ast.walk(node.target)
                          if isinstance(n, ast.Name)]
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.append((node.name, node.lineno))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.append((node.name, node.lineno))
                continue
            if isinstance(node, ast.Lambda):
                continue
            todo.extend(ast.iter_child_nodes(node))
        declared = names[ast.Global] | names[ast.Nonlocal]
        found = fdef._jl_declared = (frozenset(names[ast.Global]),
                                     frozenset(names[ast.Nonlocal]),
                                     [(n, ln) for n, ln in bound if n in declared])
    if found[2]:
        name, lineno = found[2][0]
        raise ConversionError(f"global or nonlocal {name!r} bound other than by assignment "
                              f"(a loop target, :=, except ... as, a nested def)", lineno)
    return found


def _assigned(fdef: ast.AST) -> set[str]:
    names = set()
    args = fdef.args
    for a in args.posonlyargs + args.args + args.kwonlyargs:
        names.add(a.arg)
    for a in (args.vararg, args.kwarg):
        if a is not None:
            names.add(a.arg)
    body = fdef.body if isinstance(fdef.body, list) else [fdef.body]
    todo = list(body)
    while todo:                  # not into nested functions: their names are their own
        node = todo.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            todo.extend(node.decorator_list)
            if not isinstance(node, ast.ClassDef):
                todo.extend(node.args.defaults + [d for d in node.args.kw_defaults if d])
            continue
        elif isinstance(node, ast.Lambda):
            todo.extend(node.args.defaults + [d for d in node.args.kw_defaults if d])
            continue
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        todo.extend(ast.iter_child_nodes(node))
    return names - global_names(fdef) - nonlocal_names(fdef)


@dataclass
class Scope:
    fn: object                        # the Python function
    fdef: ast.AST
    klass: str | None
    globals: dict
    cells: dict                       # free variable name -> cell
    local_names: frozenset
    profile: object | None = None     # profile.records.Profile of this function, if any
    env: dict = field(default_factory=dict)
    returned: object = None           # abstract return value once a return ran
    done: bool = False                # a return ended this path
    loop_exit: str | None = None      # "break" / "continue" / "return" raised on this path
    loops: list = field(default_factory=list)   # loop nodes being converted (innermost last)
    parent: "Scope | None" = None     # the enclosing function's scope (a nested def/lambda)
    declared_globals: frozenset = frozenset()    # names its `global` statements declare
    declared_nonlocals: frozenset = frozenset()  # names its `nonlocal` statements declare

    @classmethod
    def of(cls, fn, fdef, klass, profile=None):
        code = fn.__code__
        cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
        return cls(fn, fdef, klass, fn.__globals__, cells, assigned_names(fdef), profile,
                   declared_globals=global_names(fdef),
                   declared_nonlocals=nonlocal_names(fdef))

    @property
    def builtins(self) -> dict:
        b = self.globals.get("__builtins__", builtins)
        return b if isinstance(b, dict) else b.__dict__
