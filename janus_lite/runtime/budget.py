"""The conversion budget before the first graph: a function converts only once its own run
time has paid for its predicted conversion (``config.CONVERSION_PAYBACK``).

Converting costs milliseconds to seconds; a function that is cheap or short-lived (three
calls of 1 ms) would make the whole program much slower for graphs that can never pay it
back. So, like a ski-rental rule, calls run the plain function (timed, not profiled, the
source not even parsed) until their total run time reaches PAYBACK × the predicted cost of
converting this function; then profiling and conversion start. With PAYBACK = 1 a program
whose function never reaches that point pays nothing, and one that does pays at most about
as much conversion as it has run (so at worst about half the plain speed, before the graphs
start to pay); long training runs reach it within their first calls.

The prediction is this process's conversion time per byte of bytecode, learnt from every
conversion so far (seeded with ``config.CONVERSION_PRIOR_US_PER_BYTE``), times the size of
the function's bytecode. Once the function is profiled, it is predicted again from the
number of values one profiled run recorded (an unrolled loop records every trip, as its
graph will hold a copy of the body per trip), per ``COST_PER_RECORD``; if that says the
conversion does not pay yet, the function waits again.
"""
from __future__ import annotations

import threading

from .. import config

_PRIOR_BYTES = 2000.0           # the weight of the prior, in bytes of converted bytecode


class _CostModel:
    """Process-wide seconds of conversion per unit of size converted (a byte of bytecode,
    or a value recorded by one profiled run)."""

    def __init__(self, prior_knob, prior_weight):
        self._lock = threading.Lock()
        self.prior_knob, self.prior_weight = prior_knob, prior_weight
        self.seconds = 0.0
        self.size = 0.0

    def per_byte(self) -> float:
        prior = getattr(config, self.prior_knob) * 1e-6
        return (prior * self.prior_weight + self.seconds) / (self.prior_weight + self.size)

    def predict(self, size: int) -> float:
        return size * self.per_byte()

    def record(self, size: int, seconds: float) -> None:
        if size > 0:
            with self._lock:
                self.seconds += seconds
                self.size += size


COST = _CostModel("CONVERSION_PRIOR_US_PER_BYTE", _PRIOR_BYTES)
"""Conversion seconds per byte of the function's bytecode (before it is profiled)."""

COST_PER_RECORD = _CostModel("CONVERSION_PRIOR_US_PER_RECORD", 2000.0)
"""Conversion seconds per value one profiled run records: after profiling, a much better
predictor (an unrolled loop records every trip, as its graph will hold every trip)."""


def code_size(fn) -> int:
    """Bytes of ``fn``'s bytecode (0 for a function without Python code)."""
    code = getattr(fn, "__code__", None)
    return len(code.co_code) if code is not None else 0


class Wait:
    """One function's wait for its first conversion: the plain run time it has had."""

    __slots__ = ("size", "seconds", "calls", "done", "need", "records")

    def __init__(self, fn):
        self.size = code_size(fn)
        self.seconds = 0.0          # run time of the plain calls while waiting
        self.calls = 0
        self.done = False
        self.need = -1.0            # run time to reach (refreshed as the estimate learns)
        self.records = 0.0          # values one profiled run recorded (0: not profiled yet)

    def predicted(self) -> float:
        if self.records:
            return COST_PER_RECORD.predict(self.records)
        return COST.predict(self.size)

    def after_profiling(self, records_per_run: float, run_seconds: float) -> bool:
        """Profiled: predict again from what the runs recorded. True if the conversion
        still pays (it goes ahead); else the function waits again, its run time so far
        counted."""
        self.records = max(records_per_run, 1.0)
        self.seconds = max(self.seconds, run_seconds)
        self.need = config.CONVERSION_PAYBACK * self.predicted()
        self.done = self.seconds >= self.need
        return self.done

    def ready(self) -> bool:
        """May profiling (and then conversion) start? (Cheap: one comparison per call,
        the prediction refreshed when it is reached and every 64 calls.)"""
        if self.done:
            return True
        if self.seconds < self.need and self.calls & 63:
            return False
        self.need = config.CONVERSION_PAYBACK * self.predicted()
        if self.seconds >= self.need:
            self.done = True
        return self.done

    def describe(self) -> str:
        need = config.CONVERSION_PAYBACK * self.predicted()
        return (f"waiting for its conversion budget: its {self.calls} calls so far ran "
                f"{self.seconds * 1e3:.2f} ms, and converting it is predicted to cost "
                f"{self.predicted() * 1e3:.1f} ms; profiling and conversion start once its "
                f"plain run time reaches {need * 1e3:.1f} ms (config.CONVERSION_PAYBACK = "
                f"{config.CONVERSION_PAYBACK:g}); until then calls run the plain function")
