"""janus_lite: run imperative NumPy code as speculative, optimized symbolic graphs."""
from __future__ import annotations

__version__ = "0.1.0"

from . import config  # noqa: E402
from .api import jit, SpeculativeFunction, instrumented_source  # noqa: E402
from .runtime.degrade import PerformanceWarning, StrictModeError  # noqa: E402
from .switch import disabled  # noqa: E402
from .inspect.logs import setup_from_env as _setup_logging  # noqa: E402

_setup_logging(",".join(sorted(config.LOG_TOPICS)))   # JANUS_LITE_LOG=fallbacks,graphs,guards

__all__ = ["jit", "disabled", "SpeculativeFunction", "instrumented_source", "config", "__version__",
           "PerformanceWarning", "StrictModeError"]
