"""Run one generated `Program` plain and decorated and demand identical behaviour.

The program's text is written to a real ``.py`` file (janus_lite reads the source) and
imported twice, as two separate modules: the plain function runs against one module's
globals, the decorated one against the other's, so updates of module globals are compared
too. The calls go through ``tests/differential.py``'s `differential` (results with types,
exceptions, printed output, every argument and object after each call, the global RNG
stream, result identity); then the globals a program may write are compared.
"""
from __future__ import annotations

import importlib.util
import itertools
import linecache
import logging
import os
import sys
import tempfile
import warnings

import numpy as np

import janus_lite
from janus_lite import config
from janus_lite.runtime.degrade import PerformanceWarning

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from differential import assert_same, differential  # noqa: E402

from .gen import GLOBAL_NAMES  # noqa: E402
from .support import SUPPORT_NAMES, build_calls  # noqa: E402

_DIR = None
_COUNTER = itertools.count()
TOTALS = {"programs": 0, "calls": 0, "graph_calls": 0, "fallbacks": 0, "conversions": 0,
          "graphed_programs": 0, "compiled_graphs": 0, "compiled_calls": 0,
          "compiled_programs": 0}
"""Counts over every program run in this process (reported by the long-run script). The
``compiled_*`` ones count the compiled tier (``config.TIER = "compiled"``): graphs served
by compiled code, calls that compiled code answered (not handed to the NumPy tier), and
programs where it answered at least one."""


def _tier_fallbacks() -> int:
    tier = sys.modules.get("janus_lite.backend.compiled.tier")
    return tier.COUNTS["numpy_tier_calls"] if tier is not None else 0


def _tmpdir() -> str:
    global _DIR
    if _DIR is None:
        _DIR = tempfile.mkdtemp(prefix="jl_fuzz_")
    return _DIR


def load(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    mod.__dict__.update(SUPPORT_NAMES)
    spec.loader.exec_module(mod)
    return mod


def write_module(source: str) -> tuple[str, str]:
    stem = f"jlfuzz_{os.getpid()}_{next(_COUNTER)}"
    path = os.path.join(_tmpdir(), stem + ".py")
    with open(path, "w") as fh:
        fh.write(source)
    return path, stem


def _recording(fn, log: list):
    """``fn``, with the warnings each call shows recorded (every one: ``"always"``) as one
    list per call in ``log`` (janus_lite's own PerformanceWarning left out, DESIGN §7)."""
    def call(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return fn(*args, **kwargs)
            finally:
                log.append([(w.category.__name__, str(w.message), w.lineno) for w in caught
                            if not issubclass(w.category, PerformanceWarning)])
    return call


def run_program(prog, keep_file: bool = False, check_warnings: bool = False) -> dict:
    """Run ``prog``; raises AssertionError (with the program in the message) on any
    difference. Returns the decorated function's stats. ``check_warnings``: the warnings
    each call shows (under ``"always"``) must be the same too (else all are ignored)."""
    path, stem = write_module(prog.source)
    old_passes = config.PASSES
    logger = logging.getLogger("janus_lite")
    old_level = logger.level
    logger.setLevel(logging.ERROR)      # internal conversion errors are findings only when
    try:                                # they change behaviour (then the comparison fails)
        plain_mod = load(path, stem + "_plain")
        jit_mod = load(path, stem + "_jit")
        calls = build_calls(prog.calls)
        config.PASSES = prog.passes
        handed = _tier_fallbacks()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jitted = janus_lite.jit(jit_mod.f, **prog.jit_kwargs)
            try:
                if check_warnings:
                    plain_w: list = []
                    jit_w: list = []
                    differential(_recording(plain_mod.f, plain_w), calls,
                                 decorated=_recording(jitted, jit_w))
                    for i, (pw, jw) in enumerate(zip(plain_w, jit_w)):
                        assert pw == jw, f"call {i}: warnings {pw} vs {jw}"
                else:
                    differential(plain_mod.f, calls, decorated=jitted)
                for name in GLOBAL_NAMES:
                    assert_same(getattr(plain_mod, name), getattr(jit_mod, name),
                                f"global {name} after the calls")
                assert jitted.stats["graphs"] <= jitted.max_graphs, \
                    f"graph cache over max_graphs: {jitted.stats}"
                assert len(jitted.graphs) <= max(16, config.MAX_GRAPHS * 2), \
                    f"graph history unbounded: {len(jitted.graphs)} graphs kept"
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n--- program ---\n{prog.describe()}\n--- explain "
                                     f"---\n{jitted.explain()}") from None
        stats = jitted.stats
        TOTALS["programs"] += 1
        TOTALS["calls"] += stats["calls"]
        TOTALS["graph_calls"] += stats["graph_calls"]
        TOTALS["fallbacks"] += stats["fallbacks"]
        TOTALS["conversions"] += stats["conversions"]
        TOTALS["graphed_programs"] += stats["graph_calls"] > 0
        compiled = [cg for cg in jitted.graphs if cg.tier == "compiled"]
        served = sum(cg.hits for cg in compiled) - (_tier_fallbacks() - handed)
        TOTALS["compiled_graphs"] += len(compiled)
        TOTALS["compiled_calls"] += max(served, 0)
        TOTALS["compiled_programs"] += served > 0
        return stats
    finally:
        config.PASSES = old_passes
        logger.setLevel(old_level)
        np.random.seed(None)
        linecache.cache.pop(path, None)
        if not keep_file:
            try:
                os.remove(path)
            except OSError:
                pass
