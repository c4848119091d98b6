"""Executors behind one interface: ``compile(graph, fn, fdef, guards) -> (entry, source)``."""
from __future__ import annotations

from .codegen import Miss, compile_graph
from . import kernels  # noqa: F401  (registers the fused-kernel factory)
from .interpreter import compile_interpreted, Interpreter, NodeError

BACKENDS = {"numpy": compile_graph, "interpreter": compile_interpreted}


def _compile_dask(graph, fn, fdef, guards):
    from .dask_backend import compile_dask      # imports dask: only when a graph needs it
    return compile_dask(graph, fn, fdef, guards)


def _dask_installed() -> bool:
    """Is Dask with its ``dask.array`` package installed? Looked up on disk, not imported:
    ``find_spec("dask.array")`` would import ``dask`` itself (~120 ms and some 20,000
    objects that every later full garbage collection walks), for programs that never
    make a Dask array."""
    import importlib.util
    import os
    spec = importlib.util.find_spec("dask")
    return spec is not None and any(
        os.path.isfile(os.path.join(loc, "array", "__init__.py"))
        for loc in (spec.submodule_search_locations or ()))


if _dask_installed():
    BACKENDS["dask"] = _compile_dask


def for_specs(specs: dict, backend: str) -> str:
    """The backend a graph over ``specs`` runs on: "dask" when an argument is a Dask array
    (whatever ``backend`` says: NumPy code cannot run on lazy chunked arrays)."""
    if backend == "dask":
        return backend
    from ..runtime.spec import has_dask
    if any(has_dask(s) for s in specs.values()):
        return "dask"
    return backend


def passes_for(backend: str):
    """The optimization passes a backend's graphs get (None: ``config.PASSES``)."""
    if backend == "dask":
        from .. import config
        return config.DASK_PASSES
    return None


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


__all__ = ["Miss", "compile", "resolve", "available", "for_specs", "passes_for", "Interpreter",
           "NodeError"]
