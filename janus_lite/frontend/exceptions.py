"""``try``/``except``/``else``/``finally`` by speculation.

The graph holds the path on which the ``try`` body raises nothing: body, then ``else``,
then ``finally``, then the rest of the block, in that order. No handler is ever part of a
graph. If the body raises at run time, the graph's run raises too (every op that may
raise raises in the graph as in the plain function: dead-code elimination keeps unused
ops that may raise, see ``Converter._dead_user_code``), so the run is abandoned with
nothing committed, and the plain function answers: its handler runs, genuinely.

Refused (the function runs imperatively, said in ``explain()``):
- ``finally`` with a ``return``/``break``/``continue`` in the body or ``else`` (the
  ``finally`` would run between the exit and its target), or in ``finally`` itself;
- a handler that catches what a graph run does not turn into a fallback: a bare
  ``except:`` or ``except BaseException``/``SystemExit``/``KeyboardInterrupt``/
  ``GeneratorExit`` (janus_lite re-raises those instead of rerunning the function);
- ``try``/``except*``.
"""
from __future__ import annotations

import ast
import types

from .control import may_exit
from .errors import ConversionError
from .part import Part

_NOT_FALLBACKS = {"BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}


def _caught_names(handler: ast.ExceptHandler):
    """The last names of the exception classes a handler names (``None``: bare)."""
    if handler.type is None:
        return None
    exprs = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = []
    for e in exprs:
        if isinstance(e, ast.Attribute):
            names.append(e.attr)
        elif isinstance(e, ast.Name):
            names.append(e.id)
    return names


def check_try(node: ast.Try) -> None:
    """Refuse (permanently, before the first call: `unsupported.check_supported`) the
    forms listed in the module docstring."""
    for h in node.handlers:
        names = _caught_names(h)
        if names is None:
            raise ConversionError(f"try/except with a bare `except:` (it catches "
                                  f"KeyboardInterrupt/SystemExit, which a graph run does "
                                  f"not answer by a rerun; line {h.lineno})", node.lineno,
                                  permanent=True)
        hit = _NOT_FALLBACKS.intersection(names)
        if hit:
            raise ConversionError(f"try/except: `except {sorted(hit)[0]}` catches what a "
                                  f"graph run does not answer by a rerun (line {h.lineno})",
                                  node.lineno, permanent=True)
    if node.finalbody and (may_exit(node.body) or may_exit(node.orelse)):
        raise ConversionError("try/finally: return/break/continue inside `try` with a "
                              "`finally` (the finally runs between the exit and its "
                              "target)", node.lineno, permanent=True)
    if may_exit(node.finalbody):
        raise ConversionError("try/finally: return/break/continue inside `finally`",
                              node.lineno, permanent=True)


def _resolve(expr, scope):
    """The object a handler's ``Name`` / ``module.attr`` names, read without running user
    code (globals, closure cells, builtins, module attributes); None if not that simple."""
    if isinstance(expr, ast.Name):
        if expr.id in scope.local_names:
            return None
        if expr.id in scope.cells:
            try:
                return scope.cells[expr.id].cell_contents
            except ValueError:
                return None
        if expr.id in scope.globals:
            return scope.globals[expr.id]
        return scope.builtins.get(expr.id)
    if isinstance(expr, ast.Attribute):
        base = _resolve(expr.value, scope)
        if isinstance(base, types.ModuleType):
            return base.__dict__.get(expr.attr)
    return None


class ExceptionConverter(Part):
    def stmt_Try(self, node: ast.Try, rest) -> bool:
        """Convert the path on which the body raises nothing; consumes ``rest``."""
        check_try(node)
        for h in node.handlers:            # a user's BaseException subclass, by any name
            exprs = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
            for e in exprs:
                k = _resolve(e, self.cx.scope)
                if isinstance(k, type) and issubclass(k, BaseException) and \
                        not issubclass(k, Exception):
                    raise ConversionError(f"try/except: `except {k.__name__}` catches what a "
                                          f"graph run does not answer by a rerun (a "
                                          f"BaseException that is no Exception; line "
                                          f"{h.lineno})", node.lineno, permanent=True)
        self.stmts.block(node.body + node.orelse + node.finalbody + list(rest))
        return True
