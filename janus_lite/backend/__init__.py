"""Executors behind one interface: ``compile(graph, fn, fdef, guards) -> (entry, source)``."""
from __future__ import annotations

from .codegen import Miss, compile_graph
from . import kernels  # noqa: F401  (registers the fused-kernel factory)
from .interpreter import compile_interpreted, Interpreter, NodeError

BACKENDS = {"numpy": compile_graph, "interpreter": compile_interpreted}


def available() -> list[str]:
    return list(BACKENDS)


def resolve(name: str) -> str:
    """The backend a ``backend=`` argument selects (``"auto"``: the fastest available)."""
    if name == "auto":
        return "numpy"
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; available: {', '.join(available())} "
                         f"or 'auto'")
    return name


def compile(graph, fn, fdef, guards, backend: str = "numpy"):
    return BACKENDS[resolve(backend)](graph, fn, fdef, guards)


__all__ = ["Miss", "compile", "resolve", "available", "Interpreter", "NodeError"]
