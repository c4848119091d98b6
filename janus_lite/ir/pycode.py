"""Python source → code object → function, in one place: `function_code` compiles the text
(or ``ast.Module``) of a module that defines one function and returns that function's
code object; `compile_function` makes the function, over a given namespace.

Every caller that turns generated or rebuilt source into a function goes through here:
the generated graph entries (`backend.codegen`, which moves the code's line table
afterwards), the interpreter's entries (`backend.interpreter`), fused kernels
(`backend.kernels`), the compiled tier's segment wrappers (`backend.compiled.build`) and
the profiler's instrumented copies (`profile.source`). It lives at the bottom of the
package so that all of them may import it. `own_compile` is the compile-time warning
guard the callers that compile the user's own source use (``quiet=True``).
"""
from __future__ import annotations

import __future__
import builtins
import re
import threading
import types
import warnings


_COMPILE_CATEGORIES = (SyntaxWarning, DeprecationWarning)
_compile_lock = threading.Lock()


class own_compile:
    """``with own_compile(filename): ast.parse(...) / compile(...)`` — janus_lite parsing or
    compiling a user's source again: the compile-time warnings that source gives (``x is 0``,
    an invalid escape ``"\\d"``) were the user's to see when Python first compiled it, so
    here they are neither shown nor, under ``-W error``, raised. The warnings the parser
    and compiler emit carry no registry, so an "ignore" filter leaves no trace; it is put
    in front of the filters for the length of the block on a new list (the user's list is
    never changed, and `warnings.catch_warnings` is not used: it would bump the filters'
    version, and every module would show again what the default filters had shown once),
    and only for warnings attributed to ``filename`` (the parser names the module after
    the file)."""

    def __init__(self, filename: str | None):
        self.filename = filename or "<unknown>"
        self.saved = None

    def __enter__(self):
        module = self.filename[:-3] if self.filename.endswith(".py") else self.filename
        pattern = re.compile(re.escape(module) + r"\Z")
        _compile_lock.acquire()
        self.saved = warnings.filters
        warnings.filters = [("ignore", None, c, pattern, 0) for c in _COMPILE_CATEGORIES] + \
            list(self.saved)
        return self

    def __exit__(self, *exc):
        try:
            if warnings.filters is not self.saved:
                warnings.filters = self.saved
        finally:
            _compile_lock.release()
        return False


_ANNOTATIONS = __future__.annotations.compiler_flag


def function_code(source, filename: str, *, quiet: bool = True,
                  future_annotations: bool = False) -> types.CodeType:
    """The code object of the first function that the module ``source`` (text or an
    ``ast.Module``) defines, compiled under ``filename`` (what tracebacks and warnings
    name) with ``dont_inherit=True``: nothing of the calling module's ``__future__``
    imports leaks in, except ``from __future__ import annotations`` when
    ``future_annotations`` asks for it (what a module with that import gets from a plain
    ``compile``). ``quiet``: ``source`` holds the user's code again, whose compile-time
    SyntaxWarning/DeprecationWarning are neither shown nor raised (`own_compile`)."""
    flags = _ANNOTATIONS if future_annotations else 0
    if quiet:
        with own_compile(filename):
            code = compile(source, filename, "exec", flags=flags, dont_inherit=True)
    else:
        code = compile(source, filename, "exec", flags=flags, dont_inherit=True)
    return next(c for c in code.co_consts if isinstance(c, types.CodeType))


def compile_function(source, filename: str, namespace: dict, name: str | None = None, *,
                     quiet: bool = True, future_annotations: bool = False):
    """The function that the module ``source`` defines first (`function_code`), made over
    ``namespace`` as its globals, called ``name`` (default: the name in the source). As
    ``exec`` would, it binds ``__builtins__`` in ``namespace`` when missing (nothing else):
    without it the function sees no builtins at all (``Exception``, ``len``, ...)."""
    code = function_code(source, filename, quiet=quiet, future_annotations=future_annotations)
    namespace.setdefault("__builtins__", builtins)
    return types.FunctionType(code, namespace, name)


__all__ = ["own_compile", "function_code", "compile_function"]
