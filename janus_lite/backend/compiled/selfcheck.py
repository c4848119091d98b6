"""Start-up check of the lowering table against NumPy on this machine.

Every elementwise row runs in one generated numba loop per dtype on sample operands
(signed zeros, subnormals, ±inf, NaN, the largest values, random values of every scale)
and must give NumPy's bits exactly; the pairwise sum and mean are checked on sizes around
every block boundary; 2-d @ 1-d products on several shapes, plain and transposed (and once
more on the exact shape of each product a graph lowers). A row that differs is switched
off for this process (`table.DISABLED`) and a warning goes to the ``janus_lite.tier`` log.
The generated check module is cached on disk like any other, so later processes pay
only the comparisons.
"""
from __future__ import annotations

import logging
import threading

import numpy as np

from .prelude import _NP, literal
from .table import DISABLED, ROWS, TABLE

log = logging.getLogger("janus_lite.tier")
_lock = threading.Lock()
_done = False
_MATVEC: dict = {}

_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.141592653589793, 1e-310, -1e-310, 1e-300,
           1e300, -1e300, 1.7976931348623157e308, float("inf"), float("-inf"), float("nan"),
           2.0 ** -1074, 123456.789, -7e-8, 1e20]
_INTS = [0, 1, -1, 2, 7, -9, 2 ** 31 - 1, -2 ** 31, 2 ** 62, -2 ** 63, 2 ** 63 - 1, 12345]


def _samples(dtype, rng):
    base = _INTS if dtype.kind == "i" else [True, False] if dtype.kind == "b" else _FLOATS
    with np.errstate(all="ignore"):
        vals = np.array(base, dtype=np.float64 if dtype.kind == "f" else None)
        vals = vals.astype(dtype) if dtype.kind != "i" else \
            np.array([v for v in base if np.iinfo(dtype).min <= v <= np.iinfo(dtype).max],
                     dtype)
    a = np.repeat(vals, len(vals))
    b = np.tile(vals, len(vals))
    if dtype.kind == "f":
        extra = (rng.standard_normal(2000) * 10.0 ** rng.integers(-30, 30, 2000)).astype(dtype)
        a = np.concatenate([a, extra])
        b = np.concatenate([b, extra[::-1] * dtype.type(1.5)])
    elif dtype.kind == "i":
        extra = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, 2000, dtype=dtype)
        a, b = np.concatenate([a, extra]), np.concatenate([b, extra[::-1]])
    return a, b


def _rows_for(kind):
    return [r for r in ROWS if r.kind == "ew" and r.ufunc is not None and kind in r.kinds]


def _check_source(dtype) -> str:
    dt = dtype.name
    lines = ["@numba.njit(cache=True, error_model='numpy')",
             f"def chk_{dt}(a, b, out):",
             "    for i in range(a.size):",
             "        x = a[i]",
             "        y = b[i]"]
    for k, row in enumerate(_rows_for(dt[0])):
        expr = row.template.format("x", "y")
        lines.append(f"        out[{k}, i] = {expr}")
    if dt[0] == "f":
        c = len(_rows_for(dt[0]))
        lines.append(f"        out[{c}, i] = ({_NP[dt]}(0.9) * x + {literal(0.1, dt)} * y)")
    return "\n".join(lines) + "\n"


def _same(x, y) -> bool:
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    if x.dtype.kind != "f":
        return np.array_equal(x, y)
    nx, ny = np.isnan(x), np.isnan(y)
    ints = {4: np.uint32, 8: np.uint64}[x.dtype.itemsize]
    return bool(np.array_equal(nx, ny) and
                np.array_equal(x[~nx].view(ints), y[~ny].view(ints)))


def _disable(ops, why):
    for op in ops:
        DISABLED[op] = why
    log.warning("compiled tier: lowering of %s switched off: %s", "/".join(ops), why)


def run() -> None:
    """Check the table once per process (thread-safe; later calls return at once)."""
    global _done
    with _lock:
        if _done:
            return
        from .build import load
        rng = np.random.default_rng(12345)
        dtypes = [np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.int64),
                  np.dtype(np.int32), np.dtype(bool)]
        mod = load("".join(_check_source(d) for d in dtypes))
        for d in dtypes:
            rows = _rows_for(d.name[0])
            a, b = _samples(d, rng)
            with np.errstate(all="ignore"):
                want = [row.ufunc(a, b) if row.ufunc.nin == 2 else row.ufunc(a)
                        for row in rows]
            buf = np.zeros((len(rows) + 1, a.size), np.float64 if d.kind == "f" else d)
            bufs = {w.dtype for w in want} | {d}
            results = {}
            for dt in bufs:        # one run per result dtype (bool rows, value rows)
                out = np.zeros((len(rows) + 1, a.size), dt)
                getattr(mod, f"chk_{d.name}")(a, b, out)
                results[dt] = out
            for k, row in enumerate(rows):
                if row.faithful and not _same(results[want[k].dtype][k], want[k]):
                    _disable(row.ops, f"differs from NumPy on {d.name} samples")
            if d.kind == "f":
                with np.errstate(all="ignore"):
                    expect = d.type(0.9) * a + d.type(0.1) * b
                if not _same(results[d][len(rows)], expect):
                    _disable(("add", "mul"), f"NEP 50 scalar casts differ on {d.name}")
            del buf
        _check_where(mod, rng)
        _check_numpy_loops(rng)
        _check_sums(rng)
        for n in (3, 20, 64, 100, 512):
            for dt in ("float64", "float32"):
                for trans in (False, True):
                    if not matvec_ok((n, n + 3), dt, trans, rng):
                        _disable(("matmul", "np.matmul", "np.dot", "ndarray.dot"),
                                 f"{dt} {n}x{n + 3} matrix @ vector differs")
        _done = True


def _check_where(mod, rng):
    pass     # np.where's template is a plain select: checked through the segment tests


def _check_numpy_loops(rng):
    """NumPy's own loops called from compiled code (`ufunc_loops`): on the float samples,
    arrays of sizes around SIMD widths and one scalar at a time, as NumPy gives them."""
    from .build import load
    from .table import NUMPY_LOOPS
    from .ufunc_loops import address, key
    mod = load("@numba.njit(cache=True, error_model='numpy')\n"
               "def uarr(fn, x, out):\n    _uloop_array(fn, x, out)\n"
               "@numba.njit(cache=True, error_model='numpy')\n"
               "def us_f8(fn, x, out):\n"
               "    for i in range(x.size):\n        out[i] = _uloop_f8(fn, x[i])\n"
               "@numba.njit(cache=True, error_model='numpy')\n"
               "def us_f4(fn, x, out):\n"
               "    for i in range(x.size):\n        out[i] = _uloop_f4(fn, x[i])\n")
    for op, row in NUMPY_LOOPS.items():
        for dt in (np.dtype(np.float64), np.dtype(np.float32)):
            fn = address(row.ufunc, dt.name)
            if fn is None:
                _disable((key(op),), f"NumPy's {dt.name} loop not found in the ufunc")
                break
            a, _ = _samples(dt, rng)
            with np.errstate(all="ignore"):
                want = row.ufunc(a)
                ok = True
                for n in (1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, a.size):
                    out = np.empty(n, dt)
                    mod.uarr(fn, a[-n:], out)
                    ok = ok and _same(out, want[-n:])
                out = np.empty(a.size, dt)
                (mod.us_f8 if dt.itemsize == 8 else mod.us_f4)(fn, a, out)
                ok = ok and _same(out, want)
            if not ok:
                _disable((key(op),), f"NumPy's loop called from compiled code differs on "
                                     f"{dt.name} samples")
                break


def _check_sums(rng):
    from .build import load
    src = ("@numba.njit(cache=True, error_model='numpy')\n"
           "def sum_f8(x):\n    return np.float64(0.0) + _psum_f8(x.ravel(), 0, x.size)\n"
           "@numba.njit(cache=True, error_model='numpy')\n"
           "def sum_f4(x):\n    return np.float32(0.0) + _psum_f4(x.ravel(), 0, x.size)\n")
    mod = load(src)
    for dt, fn in ((np.float64, mod.sum_f8), (np.float32, mod.sum_f4)):
        for n in (0, 1, 5, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 136, 255, 256, 257, 1000,
                  4097, 8191, 8192, 8193, 65539, 1_000_003):
            x = (rng.standard_normal(n) * 10.0 ** rng.integers(-5, 5, n)).astype(dt)
            if not _same(np.asarray(fn(x), dt), np.asarray(np.add.reduce(x, None), dt)):
                _disable(("reduce.sum", "reduce.mean"), f"pairwise sum of {n} {dt.__name__}")
                return
        x = rng.standard_normal((37, 513)).astype(dt)
        if not _same(np.asarray(fn(x), dt), np.asarray(np.add.reduce(x, None), dt)):
            _disable(("reduce.sum", "reduce.mean"), f"pairwise sum of a 2-d {dt.__name__}")
            return


def matvec_ok(shape, dtype, trans, rng=None) -> bool:
    """Does numba's ``A @ v`` (``A.T @ v`` when ``trans``; ``shape``: the stored ``A``)
    give NumPy's bits here? Checked once per shape, layout and dtype."""
    key = (tuple(shape), dtype, trans)
    if key in _MATVEC:
        return _MATVEC[key]
    from .build import load
    mod = load("@numba.njit(cache=True, error_model='numpy')\n"
               "def mv(a, x):\n    return np.dot(a, x)\n"
               "@numba.njit(cache=True, error_model='numpy')\n"
               "def mtv(a, x):\n    return np.dot(a.T, x)\n")
    rng = rng or np.random.default_rng(7)
    ok = True
    for _ in range(3):
        a = rng.standard_normal(shape).astype(dtype)
        x = rng.standard_normal(shape[0] if trans else shape[1]).astype(dtype)
        got = mod.mtv(a, x) if trans else mod.mv(a, x)
        want = a.T @ x if trans else a @ x
        ok = ok and _same(got, want)
    _MATVEC[key] = ok
    return ok


def table_report() -> str:
    """One line per row: ops, faithful or not, switched off and why."""
    from .table import NUMPY_LOOPS
    from .ufunc_loops import key
    out = []
    for row in ROWS:
        state = "off: " + DISABLED[row.ops[0]] if row.ops[0] in DISABLED else \
            "faithful" if row.faithful else "exact=False only"
        out.append(f"{'/'.join(row.ops):40s} {row.kind:9s} {state}")
    for op, row in NUMPY_LOOPS.items():
        state = "off: " + DISABLED[key(op)] if key(op) in DISABLED else \
            "faithful (NumPy's own loop)"
        out.append(f"{op:40s} {row.kind:9s} {state}")
    return "\n".join(out)


__all__ = ["run", "matvec_ok", "table_report", "TABLE"]
