"""Finding a function's AST and rebuilding functions from (transformed) ASTs.

`function_ast` returns the ``FunctionDef``/``Lambda`` node with the file's real line
numbers, or raises `NoSource` with the reason. `build_function` compiles a (possibly
instrumented) copy that shares the original's globals, closure cells and defaults, so it
behaves like the original; `source_matches` checks that the source on disk is the code
that runs (a file edited after import must not be trusted).
"""
from __future__ import annotations

import ast
import linecache
import types

from ..ir.pycode import function_code, own_compile
from .astcopy import copy_ast


class NoSource(Exception):
    """The function's source cannot be used; ``str(exc)`` says why."""


_MODULE_CACHE: dict[tuple[str, int], ast.Module] = {}
_INDEX_CACHE: dict[int, tuple] = {}      # id(module tree) -> (tree, starts)


def _module_index(filename: str) -> tuple:
    """(tree, first line -> [(function or lambda starting there, the name of the class whose
    body holds it directly or None)]) of a module, built once per parsed module: every
    function decorated in it shares it."""
    tree = _module_ast(filename)
    index = _INDEX_CACHE.get(id(tree))
    if index is None or index[0] is not tree:
        starts: dict[int, list] = {}
        _index_scopes(tree, None, starts)
        index = (tree, starts)
        _bounded_put(_INDEX_CACHE, id(tree), index)
    return index


_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _index_scopes(tree, klass, starts) -> None:
    """One walk of ``tree``: each function and lambda under its first line, with the class
    whose body holds it (``klass`` at the top; None inside a function)."""
    stack = [(tree, klass)]
    while stack:
        node, klass = stack.pop()
        for child in ast.iter_child_nodes(node):
            inner = klass
            if isinstance(child, _FUNCS):
                line = child.decorator_list[0].lineno if child.decorator_list else child.lineno
                starts.setdefault(line, []).append((child, klass))
                inner = None
            elif isinstance(child, ast.Lambda):
                starts.setdefault(child.lineno, []).append((child, klass))
                inner = None
            elif isinstance(child, ast.ClassDef):
                inner = child.name
            stack.append((child, inner))


def _bounded_put(cache: dict, key, value, limit: int = 64) -> None:
    """Store as the newest entry (a stale one under the same key moves to the end), dropping
    the oldest past ``limit``: a program decorating functions from more files than that
    keeps the most recent ones parsed, not none."""
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > limit:
        del cache[next(iter(cache))]


def _module_ast(filename: str) -> ast.Module:
    lines = linecache.getlines(filename)
    if not lines:
        linecache.checkcache(filename)
        lines = linecache.getlines(filename)
    if not lines:
        raise NoSource(f"no source file for {filename!r} (defined in a REPL, exec or -c?)")
    text = "".join(lines)
    key = (filename, hash(text))
    tree = _MODULE_CACHE.get(key)
    if tree is None:
        try:
            with own_compile(filename):
                tree = ast.parse(text, filename)
        except SyntaxError as exc:
            raise NoSource(f"source of {filename!r} does not parse: {exc}") from None
        _bounded_put(_MODULE_CACHE, key, tree)
    return tree


def _module_imports(filename: str) -> list[str]:
    try:
        tree = _module_ast(filename)
    except NoSource:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
    return names


def _by_columns(code, found: list) -> list:
    """Of several lambdas on one line with the same parameters (``(lambda x: x, lambda x:
    x * 2)``), the one whose body holds every source position of ``code``'s instructions
    (the innermost such, for a lambda inside a lambda)."""
    spots = [(line, col, end, end_col) for line, end, col, end_col in code.co_positions()
             if line is not None and col is not None and end is not None and
             end_col is not None and (col, end_col) != (0, 0)]
    if not spots:
        return found
    lo = min((line, col) for line, col, _, _ in spots)
    hi = max((end, end_col) for _, _, end, end_col in spots)

    def span(node):
        body = node.body
        return (body.lineno, body.col_offset), (body.end_lineno, body.end_col_offset)

    holding = [(node, klass) for node, klass in found
               if span(node)[0] <= lo and hi <= span(node)[1]]
    if not holding:
        return found
    inner = max(span(node)[0] for node, _ in holding)     # nested: the latest start
    return [(node, klass) for node, klass in holding if span(node)[0] == inner]


def function_ast(fn) -> tuple[ast.AST, str | None]:
    """(``FunctionDef``/``Lambda`` node, enclosing class name or None) for ``fn``."""
    code = getattr(fn, "__code__", None)
    if code is None:
        call = getattr(type(fn), "__call__", None)
        if not isinstance(fn, type) and hasattr(call, "__code__"):
            name = type(fn).__qualname__
            raise NoSource(f"it is a callable object (a {name} instance), not a function; "
                           f"decorate the method instead: {name}.__call__ = "
                           f"janus_lite.jit({name}.__call__)")
        if isinstance(fn, type):
            raise NoSource(f"it is a class ({fn.__qualname__}), not a function; decorate its "
                           f"methods instead")
        raise NoSource(f"{fn!r} is not a Python function (builtin or C function)")
    # generator functions are found here and refused by the construct checker, which names
    # the `yield` and its line
    tree, starts = _module_index(code.co_filename)
    first = code.co_firstlineno
    found = []
    for node, klass in starts.get(first, ()):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name == code.co_name:
                found.append((node, klass))
        elif code.co_name == "<lambda>" and \
                [a.arg for a in node.args.args] == list(code.co_varnames[:code.co_argcount]):
            found.append((node, klass))
    if len(found) > 1 and code.co_name == "<lambda>":
        found = _by_columns(code, found)
    if len(found) != 1:
        raise NoSource(f"cannot locate the source of {fn.__qualname__} in {code.co_filename}"
                       f" line {first} ({len(found)} candidates)")
    node, klass = found[0]
    if isinstance(node, ast.AsyncFunctionDef):
        raise NoSource(f"{fn.__qualname__} is an async function")
    return node, klass


def strip_decorators(node: ast.AST) -> ast.AST:
    node = copy_ast(node)
    if isinstance(node, ast.FunctionDef):
        node.decorator_list = []
    return node


class _Mangler(ast.NodeTransformer):
    """Private-name mangling (``self.__x`` → ``self._Cls__x``) that a class body would do."""

    def __init__(self, klass: str):
        self.prefix = "_" + klass.lstrip("_")

    def _m(self, name):
        if name.startswith("__") and not name.endswith("__") and "." not in name:
            return self.prefix + name
        return name

    def visit_Attribute(self, node):
        self.generic_visit(node)
        node.attr = self._m(node.attr)
        return node

    def visit_Name(self, node):
        node.id = self._m(node.id)
        return node


def mangle(node: ast.AST, klass: str | None) -> ast.AST:
    if klass is None or not klass.strip("_"):
        return node
    return _Mangler(klass).visit(node)


def build_function(fn, fdef: ast.AST, extra: dict, filename: str | None = None,
                   imports: bool = True, owned: bool = False):
    """Compile ``fdef`` into a function sharing ``fn``'s globals, cells and defaults.

    ``extra`` maps additional free names (e.g. the profiler's recorder) to values; they are
    given fresh cells. The new function's free variables that ``fn`` also has get ``fn``'s
    very cells, so ``nonlocal`` writes reach the same variables. ``owned``: ``fdef`` is the
    caller's own copy, compiled as it is (its name changed only while it compiles) instead
    of copied first.
    """
    if not owned:
        fdef = copy_ast(fdef)
    name = getattr(fdef, "name", None)
    try:
        return _build(fn, fdef, extra, filename, imports)
    finally:
        if name is not None:
            fdef.name = name


def _build(fn, fdef, extra, filename, imports):
    code = fn.__code__
    if isinstance(fdef, ast.Lambda):
        ret = ast.copy_location(ast.Return(fdef.body), fdef)
        fdef = ast.copy_location(ast.FunctionDef(name="__jl_lambda", args=fdef.args,
                                                 body=[ret], decorator_list=[], returns=None,
                                                 type_params=[]), fdef)
    # inside the factory the function must not bind its own name: a recursive function
    # reads its name as a global, and a local of the factory would turn it into a closure
    fdef.name = "__jl_function"
    free = list(code.co_freevars)
    outer_params = free + [n for n in extra if n not in free]
    factory = ast.FunctionDef(
        name="__jl_factory",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in outer_params],
                           kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[fdef, ast.Return(ast.Name(fdef.name, ast.Load()))],
        decorator_list=[], returns=None, type_params=[])
    # Names the real module binds by `import` compile differently (LOAD_ATTR, not
    # LOAD_METHOD); declare them so the copy's bytecode matches. Never executed.
    imports = [ast.Import(names=[ast.alias(name=n)]) for n in
               (_module_imports(code.co_filename) if imports else ())]
    module = ast.Module(imports + [factory], type_ignores=[])
    locate_new(module)
    fcode = function_code(module, filename or code.co_filename)
    inner = next(c for c in fcode.co_consts if isinstance(c, types.CodeType))
    inner = inner.replace(co_name=code.co_name, co_qualname=code.co_qualname)
    cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
    closure = []
    for name in inner.co_freevars:
        if name in cells:
            closure.append(cells[name])
        elif name in extra:
            closure.append(types.CellType(extra[name]))
        else:
            raise NoSource(f"free variable {name!r} of the rebuilt function has no cell")
    new = types.FunctionType(inner, fn.__globals__, code.co_name, fn.__defaults__,
                             tuple(closure) or None)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__ = fn.__qualname__
    new.__module__ = fn.__module__
    new.__doc__ = fn.__doc__
    return new, inner


def locate_new(tree: ast.AST) -> None:
    """What ``ast.fix_missing_locations`` does, for the nodes made here (the factory, its
    arguments, the imports; lineno 1 at the top, as a Module has none to inherit), without
    walking into subtrees that have their locations: a parsed function and the
    instrumenter's calls are located when made, and walking a function's thousands of
    nodes twice per decoration cost more than the rest of decorating it."""
    stack = [(tree, (1, 0, 1, 0))]
    while stack:
        node, loc = stack.pop()
        if "lineno" in node._attributes:
            if getattr(node, "lineno", None) is not None:
                continue                       # located, and so is everything under it
            node.lineno, node.col_offset, node.end_lineno, node.end_col_offset = loc
        stack.extend((child, loc) for child in ast.iter_child_nodes(node))


def source_matches(fn, fdef: ast.AST) -> bool:
    """Does ``fdef`` compile to the bytecode that ``fn`` runs?"""
    code = fn.__code__
    # with the module's imports declared; then without them: IPython/Jupyter compiles each
    # top-level statement of a cell on its own, so the def never sees the cell's imports
    for imports in (True, False):
        try:
            _, inner = build_function(fn, fdef, {}, imports=imports, owned=True)
        except Exception:
            return False
        if inner.co_code == code.co_code and inner.co_names == code.co_names and \
                inner.co_varnames == code.co_varnames:
            return True
    return False


def param_names(fdef) -> list | None:
    """The parameter names of function definition ``fdef``, in order (None without one)."""
    a = getattr(fdef, "args", None)
    if a is None:
        return None
    return [x.arg for x in (*a.posonlyargs, *a.args)] + ([a.vararg.arg] if a.vararg else []) + \
        [x.arg for x in a.kwonlyargs] + ([a.kwarg.arg] if a.kwarg else [])
