"""Fused elementwise kernels: a chain of ufuncs run tile by tile over cache-sized tiles.

A `FusedKernel` runs a `Program` (ufunc steps over the group's inputs, written by
`passes/fuse.py`). Guarantee: the result is bit-identical to running the steps one after the
other on whole arrays, as the user's NumPy code does — each element goes through the same
ufunc loops (same dtypes, ``casting='no'`` enforces it at run time), in the same order; only
where the intermediates live changes (small scratch tiles that stay in cache instead of
full-size temporaries). Whenever a run-time fact breaks that argument (an input of another
shape, dtype or memory layout than the program was built for, an empty array), the kernel
runs the original ops one by one instead (`plain`), which is the user's code exactly.

Large arrays may be split across threads (ufuncs release the GIL): the caller and helper
threads take tiles from one counter, where `kernel_threads` finds it pays; a helper runs
in a copy of the caller's context, so ``np.errstate`` applies there too. Result arrays the
caller has dropped are handed out again (`recycle.OutputPool`): a large result then never
costs fresh page faults.
Floating-point errors: while the user's ``np.errstate`` would report one (warn, call,
print, raise), the tiles run with those categories raising, and the first error makes the
kernel run the plain path instead, which reports it exactly as NumPy does (once per op, not
once per tile). The generated code carries the user's file name and line numbers.
"""
from __future__ import annotations

import ast
import contextvars
import functools
import itertools
import math
import threading
import time
import numpy as np

from .. import config
from ..ir.kernel_program import Program, Step, set_kernel_factory, slots as _slots
from ..ir.pycode import compile_function
from .kernel_threads import Chooser, cores_free, helpers
from .recycle import OutputPool


class FusedKernel:
    """Callable ``kernel(*inputs, *out_buffers)``: the program's outputs (one array, or a
    tuple). ``out_buffers`` (optional, one per output, None for "allocate") are arrays the
    memory plan owns; one whose shape does not match is ignored."""

    def __init__(self, program: Program, filename: str = "<janus_lite kernel>",
                 globals_: dict | None = None, tile: int | None = None):
        self.program = program
        self.dtype = np.dtype(program.dtype)
        self.n_in = program.n_inputs
        self.n_out = len(program.outputs)
        self.tile = int(tile or program.tile or config.TILE_ELEMENTS)
        self.slot_of, self.n_slots = _slots(program)
        self.ref = program.array_inputs[0]
        self._free: list = []
        self.chooser = Chooser()
        self.runs = [0, 0]              # tiled calls run alone, split (for reports)
        self._outs = [OutputPool() for _ in range(self.n_out)]   # `_output`
        self.tiles, self.plain = _compile(program, self.slot_of, self.n_slots, self.tile,
                                          filename, globals_ if globals_ is not None else {})

    @property
    def source(self) -> str:
        """The generated Python code of the tile loop and of the plain path."""
        return self.tiles.source

    def __repr__(self):
        return f"<fused {len(self.program.steps)} ops {self.dtype}: {self.program.describe()}>"

    def scratch_bytes(self, threads: int | None = None) -> int:
        """Bytes of scratch tiles one call holds (per thread that runs tiles)."""
        t = threads or max(1, config.KERNEL_THREADS)
        return self.n_slots * self.tile * self.dtype.itemsize * t

    def _output(self, k, shape):
        """A result array for output ``k`` (`recycle.OutputPool`: one the caller dropped,
        whose pages are mapped already, else a new one)."""
        return self._outs[k].take(shape, self.dtype)

    def _scratch(self):
        try:
            return self._free.pop()
        except IndexError:
            return [np.empty(self.tile, self.dtype) for _ in range(self.n_slots)]

    def __call__(self, *args):
        ins = args[:self.n_in]
        ref = ins[self.ref]
        if type(ref) is not np.ndarray:
            return self.plain(*ins)
        shape = ref.shape
        dt = self.dtype
        for j in self.program.array_inputs:
            a = ins[j]
            if type(a) is not np.ndarray or a.shape != shape or a.dtype != dt or \
                    not a.flags.c_contiguous:
                return self.plain(*ins)
        n = ref.size
        if n < config.FUSE_MIN_ELEMENTS:
            # small (a shape only known at run time): one NumPy call per op costs less than
            # the tile loop, and gives the same bits
            return self.plain(*ins)
        outs = []
        for k in range(self.n_out):
            o = args[self.n_in + k] if len(args) > self.n_in + k else None
            if o is None or o.shape != shape or o.dtype != dt:
                o = self._output(k, shape)
            outs.append(o)
        flat = [a.reshape(-1) if j in self.program.array_inputs else a
                for j, a in enumerate(ins)]
        flat_outs = [o.reshape(-1) for o in outs]
        modes = np.geterr()
        if any(m != "ignore" for m in modes.values()):
            # a floating-point error the user would see (a warning per op, a call, a raise)
            # stops the tiles; the plain path then reports it exactly as NumPy does
            try:
                with np.errstate(**{k: "ignore" if m == "ignore" else "raise"
                                    for k, m in modes.items()}):
                    self._run(n, flat, flat_outs)
            except FloatingPointError:
                return self.plain(*ins)       # under the user's own errstate again
        else:
            self._run(n, flat, flat_outs)
        return outs[0] if self.n_out == 1 else tuple(outs)

    def _run(self, n, flat, flat_outs):
        threads = config.KERNEL_THREADS
        if threads > 1 and n >= config.PARALLEL_MIN_ELEMENTS and n >= 2 * self.tile:
            if not config.KERNEL_THREADS_IF_IDLE:
                self.runs[1] += 1
                return self._run_split(n, flat, flat_outs)
            mode = self.chooser.pick() if cores_free() else 0
            self.runs[mode] += 1
            t0 = time.perf_counter()
            if mode:
                self._run_split(n, flat, flat_outs)
            else:
                self._run_alone(n, flat, flat_outs)
            self.chooser.record(mode, (time.perf_counter() - t0) / n)
        else:
            self.runs[0] += 1
            self._run_alone(n, flat, flat_outs)

    def _run_alone(self, n, flat, flat_outs):
        s = self._scratch()
        self.tiles(itertools.count(0, self.tile).__next__, n, *flat, *flat_outs, *s)
        self._free.append(s)

    def _run_split(self, n, flat, flat_outs):
        """Helper threads and the caller take tiles from one counter (work stealing). The
        caller first waits (without the GIL) until each helper has started — up to
        KERNEL_JOIN_WAIT_S while KERNEL_THREADS_IF_IDLE, else as long as it takes: without
        that wait the helper rarely gets the GIL before the caller has done every tile,
        since the caller takes the GIL back between ufunc calls sooner than a sleeping
        thread wakes. A helper that starts late finds the gate closed and does nothing, so
        the caller never waits for a helper that got no CPU."""
        take = itertools.count(0, self.tile).__next__
        wait = config.KERNEL_JOIN_WAIT_S if config.KERNEL_THREADS_IF_IDLE else 10.0
        gates, errors, mine = [], [], self._scratch()
        scratch = [mine]
        for helper in helpers():
            s2, gate, started = self._scratch(), threading.Lock(), threading.Lock()
            started.acquire()

            def work(s2=s2, gate=gate, started=started):
                started.release()
                if not gate.acquire(blocking=False):
                    return                  # the caller finished every tile already
                try:
                    self.tiles(take, n, *flat, *flat_outs, *s2)
                except BaseException as exc:    # re-raised in the caller
                    errors.append(exc)
                finally:
                    gate.release()

            if helper.offer(functools.partial(contextvars.copy_context().run, work)):
                gates.append((gate, started))
                scratch.append(s2)
            else:
                self._free.append(s2)
        for _, started in gates:
            started.acquire(timeout=wait)
        try:
            self.tiles(take, n, *flat, *flat_outs, *mine)
        finally:
            for gate, _ in gates:
                gate.acquire()              # waits only for a helper that is mid-tile
        if errors:
            raise errors[0]
        self._free.extend(scratch)


def _tile_const(value, dtype):
    """A constant operand as the tiles pass it: a read-only 0-d array of the program's dtype
    where NumPy converts the constant to exactly that dtype anyway (NEP 50: a Python float
    or int next to an array is cast to the array's dtype; a NumPy scalar of that dtype is
    that dtype already), which spares every tile's ufunc call the conversion (~0.3 µs).
    Anything else (out of range, inexact, bool, other types) stays as it is."""
    dt = np.dtype(dtype)
    if isinstance(value, np.generic) and not isinstance(value, np.bool_) and value.dtype == dt:
        z = np.array(value)
    elif type(value) is float and dt.kind == "f":
        with np.errstate(all="ignore"):
            z = np.array(value, dt)
        if np.isinf(z) and not math.isinf(value):
            return value                      # overflows: NumPy's own cast reports it
    elif type(value) is int and dt.kind in "iu":
        info = np.iinfo(dt)
        if not info.min <= value <= info.max:
            return value                      # NumPy raises OverflowError: keep that
        z = np.array(value, dt)
    elif type(value) is int and dt.kind == "f" and abs(value) <= 2 ** (np.finfo(dt).nmant + 1):
        z = np.array(value, dt)               # exactly representable
    else:
        return value
    z.flags.writeable = False
    return z


def _compile(program, slot_of, n_slots, tile, filename, globals_):
    """Generate the tile loop and the plain path as Python source; compile with the user's
    file name and each step's line number."""
    consts: dict = {}

    def const(value):
        name = f"k{len(consts)}"
        consts[name] = value
        return name

    ufs = {}

    def fn(obj):
        for name, v in ufs.items():
            if v is obj:
                return name
        name = f"f{len(ufs)}"
        ufs[name] = obj
        return name

    ins = [f"i{j}" for j in range(program.n_inputs)]
    outs = [f"o{k}" for k in range(len(program.outputs))]
    scr = [f"s{j}" for j in range(n_slots)]
    out_of = {step: k for k, step in enumerate(program.outputs)}
    arrays = set(program.array_inputs)
    lines = []   # (text, lineno)
    sig = ", ".join(["take", "hi"] + ins + outs + scr)
    lines.append((f"def tiles({sig}):", None))
    lines.append(("    while True:", None))
    lines.append(("        a = take()", None))
    lines.append(("        if a >= hi: break", None))
    lines.append((f"        b = a + {tile}", None))
    lines.append(("        if b > hi:", None))
    lines.append(("            b = hi", None))
    for j in range(n_slots):
        lines.append((f"            t{j} = s{j}[:b - a]", None))
    if n_slots:
        lines.append(("        else:", None))
        lines.append(("            " + ", ".join(f"t{j}" for j in range(n_slots)) +
                      ", = " + ", ".join(scr) + ",", None))
    for j in sorted(arrays):
        lines.append((f"        x{j} = i{j}[a:b]", None))
    for k in range(len(program.outputs)):
        lines.append((f"        y{k} = o{k}[a:b]", None))
    tile_consts, consts_names = {}, {}
    for k, s in enumerate(program.steps):
        args = []
        for kind, ref in s.args:
            if kind == "in":
                args.append(f"x{ref}" if ref in arrays else f"i{ref}")
            elif kind == "step":
                args.append(f"y{out_of[ref]}" if ref in out_of else f"t{slot_of[ref]}")
            else:
                key = id(ref)
                if key not in tile_consts:
                    tile_consts[key] = const(_tile_const(ref, program.dtype))
                args.append(tile_consts[key])
        target = f"y{out_of[k]}" if k in out_of else f"t{slot_of[k]}"
        lines.append((f"        {fn(s.ufunc)}({', '.join(args)}, out={target}, casting='no')",
                      s.lineno))
    lines.append((f"def plain({', '.join(ins)}):", None))
    last_plain = {}
    for k, s in enumerate(program.steps):
        for kind, ref in (s.plain_args or s.args):
            if kind == "step":
                last_plain[ref] = k
    for k, s in enumerate(program.steps):
        args = []
        for kind, ref in (s.plain_args or s.args):
            if kind == "in":
                args.append(f"i{ref}")
            elif kind == "step":
                args.append(f"v{ref}")
            else:
                key = id(ref)
                if key not in consts_names:
                    consts_names[key] = const(ref)
                args.append(consts_names[key])
        lines.append((f"    v{k} = {fn(s.plain)}({', '.join(args)})", s.lineno))
        dead = [ref for ref in dict.fromkeys(r for kind, r in (s.plain_args or s.args)
                                              if kind == "step")
                if last_plain.get(ref) == k and ref not in out_of]
        if dead:      # free temporaries as soon as NumPy would (reference counting)
            lines.append(("    del " + ", ".join(f"v{r}" for r in dead), s.lineno))
    result = ", ".join(f"v{k}" for k in program.outputs)
    lines.append((f"    return {result}", None))
    closure = list(ufs) + list(consts)
    text = f"def __jl_make({', '.join(closure)}):\n" + \
        "\n".join("    " + t for t, _ in lines) + "\n    return tiles, plain\n"
    tree = ast.parse(text)
    first = next((ln for _, ln in lines if ln), 1)
    linemap = {i + 2: (ln or first) for i, (_, ln) in enumerate(lines)}
    for sub in ast.walk(tree):
        if hasattr(sub, "lineno"):
            sub.lineno = linemap.get(sub.lineno, first)
            sub.end_lineno = sub.lineno
    make = compile_function(tree, filename, globals_, "__jl_make", quiet=False)
    values = {**ufs, **consts}
    tiles, plain = make(*(values[n] for n in closure))
    tiles.source = plain.source = text
    return tiles, plain


set_kernel_factory(FusedKernel)

__all__ = ["Step", "Program", "FusedKernel"]
