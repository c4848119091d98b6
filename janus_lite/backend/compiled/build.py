"""Compile generated numba source: write it to ``config.CACHE_DIR`` under a name keyed by
the hash of its text (numba's ``cache=True`` needs a file, and keys its own cache on it),
import it (numba compiles each function for its explicit signature, or loads it from the
on-disk cache), and wrap each segment function for the generated Python entry.

The wrapper calls the segment and hands the call to the NumPy tier (`TierFallback`) when
the segment's run raised a floating-point flag (a division by zero, an invalid operation, an
overflow or an underflow: NumPy would warn or raise there, as the user's ``np.errstate``
says, and the NumPy tier then does exactly that; the segment tests the flags itself, see
`fpflags`, and a set flag may be stale, see `StaleFlags`), when the call does not fit the
compiled signature (e.g. a non-contiguous array), or when the segment returns ``-1``.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import threading
import types

import numpy as np

from ... import config
from ...ir.ops_core import AssumptionFailed
from ...ir.pycode import compile_function
from ..recycle import OutputPool
from .fpflags import FE_ALL, FECLEAR, FLAGS_SET, TEST_ADDRESS
from .prelude import module_source

log = logging.getLogger("janus_lite.tier")

_lock = threading.Lock()


class TierFallback(Exception):
    """Raised by compiled code for a call the NumPy tier must answer."""


class StaleFlags:
    """When a segment's wrapper clears the floating-point flags (one ctypes call, ~0.3 µs).

    Segments are pure (they read their inputs and return new values), so the wrapper does
    not clear the flags before the kernel, which tests them as its last step (`fpflags`).
    Clean: nothing the kernel did raised one (nor did anything before it). Set (the kernel
    returns ``FLAGS_SET``): they may be stale — NumPy leaves a flag its error state ignored
    (an underflow) set until its next ufunc call, and Python float arithmetic sets them too
    — so the wrapper clears them and runs the kernel again, and only a flag the second run
    raises hands the call to the NumPy tier. Where stale flags keep coming (more than
    ``_EAGER_AFTER`` reruns), the wrapper clears them first on every call (what it did for
    all calls before: never slower than that) and a flag then set hands the call over at
    once."""

    __slots__ = ("eager", "reruns")
    _EAGER_AFTER = 8

    def __init__(self):
        self.eager, self.reruns = False, 0

    def stale(self) -> None:
        """The kernel ran again on cleared flags and raised none: the first run's were
        stale."""
        self.reruns += 1
        if self.reruns > self._EAGER_AFTER:
            self.eager = True
            log.debug("a compiled segment keeps meeting stale floating-point flags: it "
                      "clears them before every call from now on")


def _fail(code):
    if code > 0:
        raise AssumptionFailed(code - 1)
    raise TierFallback()


_WRAP = {np.float64: np.float64, np.float32: np.float32, np.bool_: np.bool_,
         np.int64: np.int64, np.int32: np.int32, float: float, bool: bool, int: int}


def module_path(source: str) -> str:
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    os.makedirs(config.CACHE_DIR, exist_ok=True)
    return os.path.join(config.CACHE_DIR, f"jl_{digest}.py")


def write_module(source: str) -> str:
    """Write the whole module for segment source ``source`` (once; its name is the hash of
    its text) and return its path."""
    text = module_source(source)
    path = module_path(text)
    with _lock:
        if not os.path.exists(path):
            tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
            with open(tmp, "w") as fh:
                fh.write(text)
            os.replace(tmp, path)
    return path


def load(source: str):
    """Import the module holding ``source`` (compiled or loaded from numba's cache)."""
    return import_path(write_module(source))


def import_path(path: str, builtins=None):
    """Import the generated module at ``path`` (once per process: numba's cache finds the
    functions' module by name in ``sys.modules``)."""
    name = os.path.basename(path)[:-3]
    with _lock:
        mod = sys.modules.get(name)
        if mod is not None:
            return mod
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        if builtins is not None:
            mod.__dict__["__builtins__"] = builtins
        sys.modules[name] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            del sys.modules[name]
            raise
        return mod


class CacheMiss(Exception):
    """A function of a generated module is not in numba's on-disk cache (or its entry is
    stale): loading it would mean compiling it in this process."""


def load_cached(path: str):
    """Import the generated module at ``path`` with every explicitly typed function taken
    from numba's on-disk cache; never compiles (`CacheMiss` instead). Call it inside
    `isolate.kept_process_state`: it imports numba."""
    import builtins as _builtins

    import numba
    from numba.core.compiler_lock import global_compiler_lock

    def cache_only_njit(*args, **kwargs):
        if not args or callable(args[0]):
            return numba.njit(*args, **kwargs)     # untyped: compiled only if called
        sigs = args[0] if isinstance(args[0], list) else [args[0]]

        def decorate(fn):
            disp = numba.njit(**kwargs)(fn)
            with global_compiler_lock:
                for sig in sigs:
                    cres = disp._cache.load_overload(sig, disp.targetctx)
                    if cres is None:
                        raise CacheMiss(f"{fn.__name__} of {os.path.basename(path)}")
                    if not cres.objectmode:
                        disp.targetctx.insert_user_function(cres.entry_point, cres.fndesc,
                                                            [cres.library])
                    disp.add_overload(cres)
                    disp._cache_hits[sig] += 1
            disp.disable_compile()
            return disp
        return decorate

    shim = types.ModuleType("numba")
    shim.__dict__.update(vars(numba))
    shim.njit = cache_only_njit
    real_import = _builtins.__import__

    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "numba" and level == 0 and not fromlist:
            return shim
        return real_import(name, globals, locals, fromlist, level)

    ns = dict(vars(_builtins))
    ns["__import__"] = _import
    return import_path(path, builtins=ns)


def wrapper(kernel, graph, seg):
    """The Python function a generated entry calls for segment ``seg``."""
    from .table import TABLE
    from .ufunc_loops import address
    n = len(seg.inputs)
    args = ", ".join(f"a{i}" for i in range(n))
    ns = {"_k": kernel, "_TF": TierFallback, "_clear": FECLEAR, "_fail": _fail,
          "_pf": TEST_ADDRESS}
    kargs = args
    take = ""
    for j, o in enumerate(seg.recycled):           # pooled buffers (emit.SegmentSource.fresh)
        meta = graph[o].meta
        ns[f"_r{j}"], ns[f"_sh{j}"] = OutputPool().take, tuple(meta.shape)
        ns[f"_dr{j}"] = np.dtype(meta.dtype.name)
        take += f"    b{j} = _r{j}(_sh{j}, _dr{j})\n"
        kargs += f"{', ' if kargs else ''}b{j}"
    for j, (op, dt) in enumerate(seg.uloops):     # this process's NumPy loop addresses
        ns[f"_p{j}"] = address(TABLE[op].ufunc, dt)
        if ns[f"_p{j}"] is None:                  # pragma: no cover - checked when lowered
            raise RuntimeError(f"NumPy's {dt} loop of {op} not found")
        kargs += f"{', ' if kargs else ''}_p{j}"
    kargs += f"{', ' if kargs else ''}_pf"          # fetestexcept: the segment's last step
    outs, fix = [], []
    for j, o in enumerate(seg.outputs):
        meta = graph[o].meta
        if meta.type is np.ndarray:
            # arrays numba made after loading its cache carry an unpickled, equal but
            # not identical dtype object: guards compare dtypes by identity
            ns[f"_d{j}"] = np.dtype(meta.dtype.name)
            fix.append(f"    o{j} = r[{j + 1}]\n"
                       f"    if o{j}.dtype is not _d{j}:\n"
                       f"        o{j}.dtype = _d{j}\n")
            outs.append(f"o{j}")
        else:
            ns[f"_w{j}"] = _WRAP[meta.type]
            outs.append(f"_w{j}(r[{j + 1}])")
    ns["_st"] = StaleFlags()

    def call(pad):
        return (f"{pad}try:\n"
                f"{pad}    r = _k({kargs})\n"
                f"{pad}except Exception:\n"
                f"{pad}    raise _TF() from None\n")
    text = (f"def run_{seg.fname}({args}):\n"
            f"{take}"
            f"    if _st.eager:\n"
            f"        _clear({FE_ALL})\n"
            f"{call('    ')}"
            f"    if r[0]:\n"
            f"        if r[0] != {FLAGS_SET} or _st.eager:\n"
            f"            _fail(r[0])\n"
            f"        _clear({FE_ALL})\n"
            f"{call('        ')}"
            f"        if r[0]:\n"
            f"            _fail(r[0])\n"
            f"        _st.stale()\n"
            f"{''.join(fix)}"
            f"    return ({''.join(o + ', ' for o in outs)})\n")
    run = compile_function(text, f"<janus_lite compiled {seg.fname}>", ns, quiet=False,
                           future_annotations=True)
    return run, text
