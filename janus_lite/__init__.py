"""janus_lite: run imperative NumPy code as speculative, optimized symbolic graphs."""
from __future__ import annotations

__version__ = "0.1.0"

from . import config  # noqa: E402
from .api import jit, SpeculativeFunction, instrumented_source  # noqa: E402

__all__ = ["jit", "SpeculativeFunction", "instrumented_source", "config", "__version__"]
