"""Up-front check for constructs no graph holds: the function then runs imperatively."""
from __future__ import annotations

import ast

from .errors import ConversionError
from .exceptions import check_try

_CONSTRUCTS = {
    ast.AsyncWith: "async with",
    ast.Yield: "yield (a generator function)", ast.YieldFrom: "yield from (a generator function)",
    ast.Await: "await",
    ast.Import: "import statement", ast.ImportFrom: "import statement",
    ast.ClassDef: "class definition", ast.AsyncFor: "async for", ast.Match: "match statement",
    ast.Raise: None,   # allowed: only its not-taken paths can be in a graph
}
if hasattr(ast, "TryStar"):
    _CONSTRUCTS[ast.TryStar] = "try/except*"
_INTROSPECTION = {"exec", "eval", "locals", "globals", "vars", "compile", "__import__",
                  "breakpoint", "input", "open", "delattr"}


def check_supported(fdef: ast.AST) -> None:
    """Raise a permanent `ConversionError` naming the first unsupported construct and line."""
    body = fdef.body if isinstance(fdef.body, list) else [fdef.body]
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Try):
                check_try(node)        # try/except by speculation: some forms refused
            if isinstance(node, ast.With) and not errstate_shaped(node):
                raise ConversionError("with statement (only `with np.errstate(...):` is held "
                                      "in graphs)", node.lineno, permanent=True)
            what = _CONSTRUCTS.get(type(node))
            if what:
                raise ConversionError(f"{what} is not supported in graphs", node.lineno,
                                      permanent=True)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in _INTROSPECTION:
                raise ConversionError(f"{node.func.id}() (introspection/dynamic code) is not "
                                      f"supported in graphs", node.lineno, permanent=True)
            if isinstance(node, ast.Attribute) and node.attr in ("_getframe", "f_back"):
                raise ConversionError(f"{FRAME_READER}: .{node.attr} (the function runs as "
                                      f"itself, called directly: the caller it sees is yours)",
                                      node.lineno, permanent=True)
            if isinstance(node, ast.Attribute) and node.attr in ("f_locals", "__dict__"):
                raise ConversionError(f"introspection ({node.attr}) is not supported in graphs",
                                      node.lineno, permanent=True)
            if isinstance(node, ast.Call) and _looks_at_callers(node):
                raise ConversionError(f"{FRAME_READER}: {ast.unparse(node.func)}(...) (the "
                                      f"function runs as itself, called directly: the caller "
                                      f"it sees is yours)", node.lineno, permanent=True)


FRAME_READER = "looks at the caller's frame"
"""How `check_supported`'s reason for a function that reads its caller's frame starts
(api._Direct calls such a function directly, whatever else is imported)."""
_FRAME_READERS = {("inspect", "stack"), ("inspect", "currentframe"), ("inspect", "getouterframes"),
                  ("traceback", "extract_stack"), ("traceback", "print_stack"),
                  ("traceback", "format_stack"), ("traceback", "walk_stack")}


def _looks_at_callers(call: ast.Call) -> bool:
    """Does ``call`` name a frame above its own: ``warnings.warn(msg, cat, stacklevel=2)``
    (a stack level other than 1: the caller's file and line, its module's filters and
    registry), ``inspect.stack()``, ``traceback.extract_stack()``? A graph, and the
    dispatch of a decorated call, would put janus_lite's frames there."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name == "warn":
        level = next((k.value for k in call.keywords if k.arg == "stacklevel"),
                     call.args[2] if len(call.args) > 2 else None)
        return level is not None and not (isinstance(level, ast.Constant) and
                                          level.value == 1)
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
        (func.value.id, name) in _FRAME_READERS


def errstate_shaped(node: ast.With) -> bool:
    """``with <...>.errstate(<keywords>):`` (no ``as``): what `regions` may hold; whether
    it is NumPy's is decided while converting."""
    if len(node.items) != 1 or node.items[0].optional_vars is not None:
        return False
    call = node.items[0].context_expr
    func = getattr(call, "func", None)
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return isinstance(call, ast.Call) and not call.args and name == "errstate"
