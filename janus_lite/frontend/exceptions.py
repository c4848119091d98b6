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

from .control import may_exit
from .errors import ConversionError

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


class ExceptionConverter:
    def stmt_Try(self, node: ast.Try, rest) -> bool:
        """Convert the path on which the body raises nothing; consumes ``rest``."""
        check_try(node)
        self.block(node.body + node.orelse + node.finalbody + list(rest))
        return True
