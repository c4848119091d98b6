"""The floating-point status flags around a compiled segment.

NumPy turns the flags an operation raised (division by zero, invalid, overflow, underflow)
into warnings or errors as ``np.errstate`` says; compiled code cannot, so a segment whose run
raised one hands the call to the NumPy tier, which does exactly what NumPy does.

The segment tests the flags itself, as its last step (`SOURCE`: ``_fe_flags``), and returns
``FLAGS_SET`` when one is set. The test calls libm's ``fetestexcept`` through its address,
an argument of the segment like the NumPy-loop addresses (`ufunc_loops`), so that neither
the generated source nor numba's on-disk cache holds an address valid in one process only.
An empty ``asm volatile`` with a memory clobber comes first and takes every result of the
segment (each scalar's bits, each array's data pointer) as an operand: every operation that
computes a result, and every store into a result array, happens before the flags are read;
LLVM may not move them past it. The Python wrapper (`build.wrapper`) only clears the flags
when a set flag may be stale (see `build.StaleFlags`): one ctypes call on those calls only.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys

FE_INVALID, FE_DIVBYZERO, FE_OVERFLOW, FE_UNDERFLOW, FE_ALL = 0x01, 0x04, 0x08, 0x10, 0x3d
FP_ERRORS = FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW
FLAGS_SET = -2
"""A segment's return code when its run raised a flag in ``FP_ERRORS``."""


def _libm():
    name = ctypes.util.find_library("m") or "libm.so.6"
    libm = ctypes.CDLL(name)
    if sys.platform != "linux" or not hasattr(libm, "fetestexcept"):
        raise OSError("no fenv access")
    for f in (libm.fetestexcept, libm.feclearexcept):
        f.argtypes, f.restype = [ctypes.c_int], ctypes.c_int
    return libm


_LIBM = _libm()
FETEST, FECLEAR = _LIBM.fetestexcept, _LIBM.feclearexcept
TEST_ADDRESS = ctypes.cast(FETEST, ctypes.c_void_p).value
"""``fetestexcept``'s address in this process (the segments' last argument)."""

SOURCE = f'''
from numba.core import cgutils as _cgutils


@_intrinsic
def _fe_flags(typingctx, fn, results):
    """fetestexcept({FP_ERRORS}) through address ``fn``, after a compiler barrier that
    uses every value in the tuple ``results`` (see janus_lite/backend/compiled/fpflags.py)."""
    sig = numba.types.intp(numba.types.intp, results)

    def codegen(context, builder, signature, args):
        fnp, tup = args
        tys = list(signature.args[1])
        i64 = _ir.IntType(64)
        ops = []
        for ty, v in zip(tys, _cgutils.unpack_tuple(builder, tup, len(tys))):
            if isinstance(ty, numba.types.Array):
                data = context.make_array(ty)(context, builder, value=v).data
                ops.append(builder.ptrtoint(data, i64))
            elif isinstance(ty, numba.types.Float):
                bits = builder.bitcast(v, _ir.IntType(ty.bitwidth))
                ops.append(builder.zext(bits, i64) if ty.bitwidth < 64 else bits)
            elif isinstance(ty, (numba.types.Integer, numba.types.Boolean)):
                ops.append(builder.zext(v, i64) if v.type.width < 64 else v)
            else:
                raise TypeError(f"_fe_flags: no barrier operand for {{ty}}")
        for k in range(0, max(len(ops), 1), 4):        # a few registers per barrier
            part = ops[k:k + 4]
            fty = _ir.FunctionType(_ir.VoidType(), [i64] * len(part))
            builder.asm(fty, "", ",".join(["r"] * len(part) + ["~{{memory}}"]), part,
                        side_effect=True)
        i32 = _ir.IntType(32)
        test = builder.inttoptr(fnp, _ir.FunctionType(i32, [i32]).as_pointer())
        got = builder.call(test, [_ir.Constant(i32, {FP_ERRORS})])
        return builder.sext(got, context.get_value_type(numba.types.intp))
    return sig, codegen


@_intrinsic
def _sel(typingctx, cond, a, b):
    """``a if cond else b`` as one LLVM ``select`` (no branch to sink an arm into)."""
    if a != b:
        return None
    sig = a(cond, a, b)

    def codegen(context, builder, signature, args):
        c = context.is_true(builder, signature.args[0], args[0])
        return builder.select(c, args[1], args[2])
    return sig, codegen


@_intrinsic
def _keep(typingctx, acc, v):
    """``acc | bits(v)``: a use of ``v`` on every path, whose result the flags barrier
    takes. An arm of ``np.where`` used only by the select would be computed only where it
    is chosen: x86 folds ``select(m, x * y, z)`` into a masked multiply, and masked-off
    lanes raise no flag, while NumPy computes both arms everywhere and warns."""
    if not isinstance(v, numba.types.Float):
        return None
    sig = numba.types.uint64(numba.types.uint64, v)

    def codegen(context, builder, signature, args):
        a, x = args
        i64 = _ir.IntType(64)
        bits = builder.bitcast(x, _ir.IntType(signature.args[1].bitwidth))
        bits = builder.zext(bits, i64) if signature.args[1].bitwidth < 64 else bits
        return builder.or_(a, bits)
    return sig, codegen
'''
"""Prelude text of every generated module (after `ufunc_loops.INTRINSIC_SOURCE`, which
imports ``_intrinsic`` and ``_ir``)."""
