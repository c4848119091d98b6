"""The corpus harness: load a training program fresh, run it plain or decorated, and
compare everything observable.

Each program in ``programs/`` is a module with ``run(jit)``: it builds its data and model
from fixed seeds, decorates the functions a user would pick *from outside*
(``Cls.method = jit(Cls.method)``, ``f = jit(f)``) and drives its own training loop,
returning what it computed (losses, predictions, the model object with its final state).
``jit`` is the identity for the plain run and ``janus_lite.jit`` for the decorated one.

A program is imported afresh for every run (a new module object from its file), so that the
decoration of one run never leaks into the next and both runs start from the same classes.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import math
import random
import sys
import time
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import janus_lite
import janus_lite.api

PROGRAMS = Path(__file__).resolve().parent / "programs"
REPROS = Path(__file__).resolve().parent / "repros"
"""Small scenario modules for the repro tests (same shape: ``run(jit)``)."""
_serial = itertools.count()


def program_names(directory: Path = PROGRAMS) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.py") if not p.stem.startswith("_"))


def load(name: str, directory: Path = PROGRAMS) -> types.ModuleType:
    """A fresh module object for ``<directory>/<name>.py`` (registered in sys.modules, so
    that ``inspect`` finds the source of its classes)."""
    path = directory / f"{name}.py"
    modname = f"corpus_program_{name}_{next(_serial)}"
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod


class Decorator:
    """What a program is given as ``jit``: the identity (plain) or ``janus_lite.jit``, and
    a record of every function it decorated (for stats and explain())."""

    def __init__(self, decorated: bool, made=None, wrap=None):
        self.decorated = decorated
        self.functions: list[tuple[str, object]] = []
        self.made = {} if made is None else made   # (function, options) → its wrapper
        self.wrap = wrap         # (qualname, callable) → what the program gets (timing)

    def __call__(self, fn=None, **kwargs):
        if fn is None:
            return lambda f: self(f, **kwargs)
        fn = getattr(fn, "__jl_inner__", fn)          # a `wrap` of an earlier run
        out = self._decorate(fn, kwargs)
        if self.wrap is None:
            return out
        wrapped = self.wrap(getattr(getattr(fn, "__wrapped__", fn), "__qualname__", "?"), out)
        wrapped.__jl_inner__ = fn
        return wrapped

    def _decorate(self, fn, kwargs):
        if not self.decorated:
            return fn
        if isinstance(fn, janus_lite.api.SpeculativeFunction):   # a second run of a module
            self.functions.append((fn.__wrapped__.__qualname__, fn))   # keeps its graphs
            return fn
        # a second run that decorates the same function again (``step = jit(step_fn)``
        # inside ``run``) gets the wrapper of the first run, graphs and all: the second
        # run is the steady state of one process (new models and data, graphs built)
        key = (fn, repr(sorted(kwargs.items())))
        wrapped = self.made.get(key)
        if wrapped is None:
            wrapped = self.made[key] = janus_lite.jit(fn, **kwargs)
        self.functions.append((getattr(fn, "__qualname__", repr(fn)), wrapped))
        return wrapped


@dataclass
class Outcome:
    result: object
    printed: str
    warned: list
    np_rng: tuple
    py_rng: tuple
    seconds: float
    functions: list = field(default_factory=list)
    module: object = None
    performance_warnings: list = field(default_factory=list)


def run_program(name: str, decorated: bool, *, seed: int = 0, mod=None,
                directory: Path = PROGRAMS, wrap=None) -> Outcome:
    """One whole run of a program; its exception (if any) is part of the outcome. ``wrap``:
    see `Decorator` (benchmarks.corpus times each decorated function with it)."""
    mod = mod or load(name, directory)
    deco = Decorator(decorated, mod.__dict__.setdefault("__jl_wrappers__", {})
                     if decorated else None, wrap)
    np.random.seed(seed)
    random.seed(seed)
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        try:
            result = ("ok", mod.run(deco))
        except Exception as exc:                  # the exception is behaviour too
            result = ("raise", type(exc).__name__, str(exc))
        seconds = time.perf_counter() - t0
    # janus_lite's own PerformanceWarning ("runs imperatively for good ...", DESIGN §7) is
    # the library speaking, not the program: kept apart, everything else must match
    ours = [w for w in caught if w.category.__module__.split(".")[0] == "janus_lite"]
    warned = [(w.category.__name__, str(w.message), Path(w.filename).name, w.lineno)
              for w in caught if w not in ours]
    return Outcome(result, out.getvalue(), warned, np.random.get_state(), random.getstate(),
                   seconds, deco.functions, mod, [str(w.message) for w in ours])


# -- deep comparison ----------------------------------------------------------------------
def _program_type(t) -> bool:
    return t.__module__.startswith("corpus_program_")


def _same_type(a, b) -> bool:
    ta, tb = type(a), type(b)
    if ta is tb:
        return True
    return _program_type(ta) and _program_type(tb) and ta.__qualname__ == tb.__qualname__


def assert_same(a, b, path="result", _seen=None):
    """Deep, bit-for-bit equality with equal types, dtypes and shapes (NaN == NaN). Classes
    and functions of the two module instances of one program compare by qualified name."""
    _seen = _seen if _seen is not None else set()
    assert _same_type(a, b), f"{path}: type {type(a).__qualname__} != {type(b).__qualname__}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, f"{path}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{path}: shape {a.shape} != {b.shape}"
        if a.dtype.kind in "fc":
            same = np.array_equal(a, b, equal_nan=True) and np.array_equal(
                np.signbit(a.real), np.signbit(b.real))
        else:
            same = np.array_equal(a, b)
        assert same, f"{path}: values differ" + (
            f" (max abs diff {np.nanmax(np.abs(a - b))})" if a.size and a.dtype.kind in "fc"
            else "")
        return
    if isinstance(a, np.generic):
        assert a.dtype == b.dtype, f"{path}: dtype {a.dtype} != {b.dtype}"
        assert (a == b) or (a != a and b != b), f"{path}: {a!r} != {b!r}"
        return
    if isinstance(a, float):
        assert a == b or (math.isnan(a) and math.isnan(b)), f"{path}: {a!r} != {b!r}"
        return
    if isinstance(a, (bool, int, str, bytes, type(None), complex)):
        assert a == b, f"{path}: {a!r} != {b!r}"
        return
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]", _seen)
        return
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]", _seen)
        return
    if isinstance(a, np.random.Generator):
        assert_same(a.bit_generator.state, b.bit_generator.state, f"{path}.bit_generator")
        return
    if isinstance(a, np.random.RandomState):
        assert_same(a.get_state(legacy=False), b.get_state(legacy=False), f"{path}.state")
        return
    if isinstance(a, random.Random):
        assert a.getstate() == b.getstate(), f"{path}: random.Random state differs"
        return
    if isinstance(a, (types.FunctionType, types.BuiltinFunctionType, type)):
        assert getattr(a, "__qualname__", a) == getattr(b, "__qualname__", b), \
            f"{path}: {a!r} != {b!r}"
        return
    if isinstance(a, types.MethodType):
        assert a.__func__.__qualname__ == b.__func__.__qualname__, f"{path}: {a!r} != {b!r}"
        assert_same(a.__self__, b.__self__, f"{path}.__self__", _seen)
        return
    if hasattr(a, "__dict__"):
        if id(a) in _seen:
            return
        _seen.add(id(a))
        assert_same(vars(a), vars(b), f"{path}.__dict__", _seen)
        return
    assert a == b, f"{path}: {a!r} != {b!r}"


def _state_equal(a, b) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:])


def assert_same_outcome(plain: Outcome, jitted: Outcome):
    """Everything observable agrees: result, printed output, warnings, RNG streams."""
    assert plain.result[0] == jitted.result[0], f"plain {plain.result} vs jit {jitted.result}"
    if plain.result[0] == "ok":
        assert_same(plain.result[1], jitted.result[1])
    else:
        assert plain.result == jitted.result, f"{plain.result} vs {jitted.result}"
    assert plain.printed == jitted.printed, \
        f"printed output differs:\n--- plain\n{plain.printed}\n--- jit\n{jitted.printed}"
    assert plain.warned == jitted.warned, f"warnings: {plain.warned} vs {jitted.warned}"
    assert _state_equal(plain.np_rng, jitted.np_rng), "global np.random state diverged"
    assert plain.py_rng == jitted.py_rng, "Python random state diverged"


# -- what the graphs did ---------------------------------------------------------------
def warm_calls(f) -> int:
    """Calls after warm-up: all calls but the profile runs."""
    s = f.stats
    return max(s["calls"] - min(s["calls"], f.profile_runs), 0)


def served_share(f) -> float:
    after = warm_calls(f)
    return f.stats["graph_calls"] / after if after else 0.0


def first_reason(f) -> str:
    """explain()'s verdict for a function that stays (mostly) imperative, in one line."""
    lines = f.explain().splitlines()
    verdict = next((ln for ln in lines if ln.startswith("Verdict:")), "")
    text = verdict[len("Verdict: "):]
    if "often imperative" in verdict:
        top = next((ln.strip() for ln in lines if "Most frequent fallback" in ln), "")
        text = top.replace("Most frequent fallback: ", "fallback: ") or text
    return text
