"""NumPy's own inner loops, called from compiled code.

NumPy's transcendental kernels (``np.exp``, ``np.log``, ``np.tanh`` …) are its own SIMD code,
not libm: numba's versions differ in the last bits (see the table). But the very loop NumPy
runs is a C function whose address the ufunc object holds (``PyUFuncObject.functions``, in
NumPy's public ``ufuncobject.h``): called on the same contiguous operands it gives NumPy's
bits, and raises the same floating-point flags (which the segment wrapper tests). Compiled
code gets the address as an argument (addresses differ per process; the generated code and
numba's on-disk cache do not depend on them) and calls it through `INTRINSIC_SOURCE`.

The address is read only after the struct is checked against the ufunc's own Python view
(argument counts, name, number of loops, no loop data); every row is then checked against
NumPy on sample inputs at start-up (`selfcheck._check_numpy_loops`) like any lowering.
"""
from __future__ import annotations

import ctypes
import sys

import numpy as np

_HEAD = 2 * ctypes.sizeof(ctypes.c_void_p)          # PyObject_HEAD (release builds)
_cache: dict = {}


def key(op: str) -> str:
    """The name a NumPy-loop row is switched off under (`table.DISABLED`): apart from the
    op's own ``exact=False`` row."""
    return f"{op} (NumPy's loop)"


def address(ufunc, dtype: str) -> int | None:
    """The address of ``ufunc``'s inner loop for ``dtype -> dtype`` (a one-input ufunc), or
    None when the ufunc's struct does not read as expected here."""
    k = (ufunc, dtype)
    if k not in _cache:
        _cache[k] = _read(ufunc, dtype)
    return _cache[k]


def _read(ufunc, dtype):
    if dtype not in ("float64", "float32") or ctypes.sizeof(ctypes.c_void_p) != 8 or \
            sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):
        return None                 # the intrinsic's block layout assumes 8-byte words
    char = np.dtype(dtype).char
    sig = f"{char}->{char}"
    if ufunc.nin != 1 or ufunc.nout != 1 or sig not in ufunc.types:
        return None
    base = id(ufunc)
    ptr, cint = ctypes.sizeof(ctypes.c_void_p), ctypes.sizeof(ctypes.c_int)
    try:
        nin, nout, nargs = (ctypes.c_int.from_address(base + _HEAD + i * cint).value
                            for i in range(3))
        at = _HEAD + 4 * cint
        functions = ctypes.c_void_p.from_address(base + at).value
        data = ctypes.c_void_p.from_address(base + at + ptr).value
        ntypes = ctypes.c_int.from_address(base + at + 2 * ptr).value
        name = ctypes.c_char_p.from_address(base + at + 2 * ptr + 2 * cint).value
    except (ValueError, OSError):                     # pragma: no cover - defensive
        return None
    if (nin, nout, nargs) != (ufunc.nin, ufunc.nout, ufunc.nargs) or \
            ntypes != ufunc.ntypes or name is None or name.decode() != ufunc.__name__ or \
            not functions:
        return None
    i = ufunc.types.index(sig)
    if data and ctypes.c_void_p.from_address(data + i * ptr).value:
        return None                                   # a loop that needs its data pointer
    fn = ctypes.c_void_p.from_address(functions + i * ptr).value
    return fn or None


INTRINSIC_SOURCE = '''
from numba.extending import intrinsic as _intrinsic
from llvmlite import ir as _ir


@_intrinsic
def _uloop_call(typingctx, fn, buf):
    """Call NumPy inner loop ``fn`` (an address) with the (args, dimensions, steps) kept
    in ``buf``: two pointers, the count, two strides."""
    sig = numba.types.void(numba.types.intp, numba.types.voidptr)

    def codegen(context, builder, signature, args):
        fnp, b = args
        vp = _ir.IntType(8).as_pointer()
        fty = _ir.FunctionType(_ir.VoidType(), [vp, vp, vp, vp])
        f = builder.inttoptr(fnp, fty.as_pointer())
        i8 = _ir.IntType(64)
        dims = builder.gep(b, [_ir.Constant(i8, 16)])
        steps = builder.gep(b, [_ir.Constant(i8, 24)])
        builder.call(f, [b, dims, steps, _ir.Constant(vp, None)])
        return context.get_dummy_value()
    return sig, codegen


@numba.njit(cache=True, nogil=True)
def _uloop_array(fn, x, out):
    """out[...] = ufunc(x) through NumPy's loop ``fn``; both C-contiguous, one size."""
    buf = np.empty(5, np.intp)
    buf[0] = x.ctypes.data
    buf[1] = out.ctypes.data
    buf[2] = x.size
    buf[3] = x.itemsize
    buf[4] = out.itemsize
    _uloop_call(fn, buf.ctypes)


'''

_SCALAR = '''

@numba.njit(cache=True, nogil=True)
def _uloop_{tag}(fn, x):
    """ufunc(x) of one {dtype} through NumPy's loop ``fn`` (NumPy runs it with n = 1)."""
    a = np.empty(1, np.{dtype})
    a[0] = x
    out = np.empty(1, np.{dtype})
    _uloop_array(fn, a, out)
    return out[0]
'''
INTRINSIC_SOURCE += "".join(_SCALAR.format(tag=t, dtype=d)
                            for t, d in (("f8", "float64"), ("f4", "float32")))
"""Prelude text of every generated module (after ``import numba``)."""
