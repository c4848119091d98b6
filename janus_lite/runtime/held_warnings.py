"""Warnings a graph run emits are held until its answer is kept.

A graph that warns (``np.log(0)``) and is then abandoned (an assertion fails later, an op
raises) is answered by the imperative rerun, which warns again. So while a graph runs, the
warnings that pass the filters are held, not shown: when the run's answer is kept they are
shown, in order, through the ``showwarning`` that was in place; when the run is abandoned
they are dropped and the entries the filters' registries got for them are taken back, so
the rerun shows them exactly as the plain function does (once per location under the
default filters, every time under ``"always"``). Warnings that other threads emit meanwhile
pass straight through.
"""
from __future__ import annotations

import threading
import warnings

import numpy as np

from ..ir import get_op
from ..ir.node import same_dtype
from ..ir.quiet import registry_of as _registry_of, take_back as _take_back


_SHAPE_CHECKED = ("reduce.", "scalar.", "matmul")
_PRODUCTS = ("np.dot", "ndarray.dot")
_SHAPE_ONLY = frozenset({
    "np.linalg.norm", "np.clip", "ndarray.clip", "np.var", "ndarray.var", "np.std",
    "ndarray.std", "np.where", "np.pad", "np.arange", "np.insert", "np.reshape",
    "ndarray.reshape", "np.transpose", "ndarray.transpose", "np.concatenate", "np.stack",
    "np.vstack", "np.hstack", "np.outer", "np.eye", "np.identity", "np.full", "getitem",
    "np.argmax", "np.argmin", "ndarray.argmax", "ndarray.argmin"})
"""Ops whose errors depend only on their operands' shapes and dtypes and on constant
arguments (an axis, bounds, a constant index; never on array values, unlike
``np.bincount``, ``np.linalg.cholesky`` or an index array): on arrays of the shapes the
guards fix, with constants, the conversion already ran them (the shape rules run an op on
an example where they cannot infer), so they raise nothing. Only the first operand may be
an array, except for the ops in `_ARRAY_ARGS` (``x[idx]`` with an index array, a shape
given as an array: their values decide)."""
_ARRAY_ARGS = frozenset({
    "np.clip", "ndarray.clip", "np.where", "np.outer"})
"""Ops of `_SHAPE_ONLY` all of whose array operands are data (shapes decide, not values)."""


def may_abandon(graph) -> bool:
    """Can a run of ``graph`` be abandoned after it may have warned? Only then are its
    warnings held (which costs a hook installed per call). A run is abandoned when a node
    raises once the guards held (an assertion, an op whose registry row says ``may_raise``
    and whose operands do not rule it out, see `may_raise`); a warning shown before that
    would be shown again by the imperative rerun. So: does a node that may raise run after
    (or is it itself) a node that may warn (`may_warn`)? A loop or branch counts as one
    node whose parts may run in any order (a loop's body repeats). Elementwise, reduction
    and matmul ops over arrays whose shapes the guards fix raise nothing (under
    ``np.errstate(all="raise")`` the op that would warn raises first, before any warning
    of the run was shown; a mix of "warn" and "raise" categories in one errstate is the
    corner left out)."""
    nodes = {n.name: n for n in graph.all_nodes()}
    warned = False
    for top in graph.nodes():
        if top.subgraphs:
            tree = [top]
            for sub in top.subgraphs:
                tree.extend(sub.all_nodes())
            warns = any(may_warn(n, nodes) for n in tree)
            if (warned or warns) and any(may_raise(n, nodes) for n in tree):
                return True
        else:
            warns = may_warn(top, nodes)
            if (warned or (warns and not _raises_before_warning(top))) and \
                    may_raise(top, nodes):
                return True
        warned = warned or warns
    return False


def _base_op(op: str) -> str:
    """``mul@out`` → ``mul``: a planned twin behaves as its op (writing into a buffer of
    the result's own shape and dtype)."""
    return op[:-4] if op.endswith("@out") else op


def _raises_before_warning(node) -> bool:
    """Does ``node`` raise, when it does, before it could warn? True for NumPy's ufunc
    machinery (elementwise ops, reductions, matrix products): their errors (shapes that do
    not broadcast, types with no loop, an empty max) come before the loop runs, their
    floating-point warnings after it. So a run whose only warning could come from the node
    that raises shows nothing before it is abandoned."""
    op = _base_op(node.op)
    try:
        opdef = get_op(op)
    except KeyError:
        return False
    return _ufunc_machinery(op, opdef)


def _ufunc_machinery(op, opdef) -> bool:
    """An elementwise op, a reduction or a matrix product: NumPy checks shapes and types
    before its loop runs and raises nothing once they fit."""
    return opdef.elementwise or op.startswith(_SHAPE_CHECKED) or op in _PRODUCTS


_NO_WARN = {"input", "const", "source", "tuple", "list", "dict", "getattr", "truth",
            "assert", "cond", "errstate", "loop", "np.copy", "ndarray.copy", "type_is", "select",
            "and_", "or_", "commit_final", "compiled.segment", "buffers.acquire",
            "buffers.release"}
"""Ops that show no warning themselves (structured ops: their parts say for themselves; a
compiled segment hands the call to the NumPy tier where NumPy would warn, before anything
is shown, see `backend.compiled.build`)."""

_PY_QUIET = {"add", "sub", "mul", "neg", "pos", "gt", "lt", "ge", "le", "eq",
                            "ne", "truediv", "floordiv", "mod", "pow", "iadd", "isub",
                            "imul", "itruediv"}
"""Python arithmetic on Python numbers warns of nothing (it raises instead)."""


def may_warn(node, nodes) -> bool:
    """Can ``node`` show a warning (a NumPy floating-point ``RuntimeWarning``, a
    deprecation...)? No for the structural ops in `_NO_WARN`, indexing of containers and
    arrays, and Python arithmetic on Python numbers; conservatively yes for the rest."""
    op = node.op
    if op in _NO_WARN or silent(node, nodes):
        return False
    ins = [nodes.get(i) for i in node.inputs]
    if op == "getitem":
        base = ins[0] if ins else None
        return base is None or base.meta.type not in (tuple, list, dict, np.ndarray)
    if op in _PY_QUIET and ins and all(
            i is not None and i.meta.type in (float, int, bool) for i in ins):
        return False
    if op in _NEVER_WARN or (op in _EXACT_SCALAR and len(ins) == 1 and ins[0] is not None
                             and _exact_scalar(op, ins[0].meta.type)):
        return False
    if is_draw(op) and op.rsplit(".", 1)[-1] in _QUIET_DRAWS:
        args = ins[1:] if op.startswith("Generator.") else ins
        return not all(i is not None and i.op == "const" for i in args)
    return True


_NEVER_WARN = {"np.argmax", "np.argmin", "ndarray.argmax", "ndarray.argmin"}
"""Ops that show no warning on any input (an index is found without arithmetic)."""
_QUIET_DRAWS = {"rand", "randn", "random_sample", "random", "ranf", "sample", "randint",
                "standard_normal", "uniform", "normal", "integers", "randrange", "gauss"}
"""Draws (from the global stream, a ``Generator``, Python's ``random``) that warn of
nothing with constant arguments, which the conversion checked."""
_EXACT_SCALAR = {"builtin.abs", "builtin.int"}


def _exact_scalar(op, t) -> bool:
    """Does ``abs(x)`` / ``int(x)`` of a value of type ``t`` neither raise nor warn? ``abs``
    of a Python int or float or a NumPy floating scalar (a NumPy integer's minimum overflows);
    ``int`` of a Python or NumPy integer or bool (``int(nan)`` raises)."""
    if not isinstance(t, type):
        return False
    if op == "builtin.abs":
        return t in (int, float) or issubclass(t, np.floating)
    return t in (int, bool) or issubclass(t, (np.integer, np.bool_))


def is_draw(op: str) -> bool:
    """A draw from a random generator (the global stream, a ``Generator``, Python's
    ``random`` module)."""
    return (op.startswith("np.random.") and op != "np.random.default_rng") or \
        op.startswith("Generator.") or op.startswith("random.")


def may_raise(node, nodes) -> bool:
    """Can ``node`` raise once the guards held? ``nodes``: name → node, all of the graph.
    See `may_abandon`; a draw whose arguments are all constants raises nothing either
    (they were checked when the graph was built)."""
    op = _base_op(node.op)
    try:
        opdef = get_op(op)
    except KeyError:
        return True
    if not opdef.may_raise or silent(node, nodes):
        return False
    if node.attrs.get("checked"):
        return False        # an index an earlier access checked (`passes.checked_index`)
    ins = [nodes.get(i) for i in node.inputs]
    if op == "getitem" and ins and ins[0] is not None and ins[0].meta.type is tuple:
        return False
    if op in ("getitem", "setitem") and len(ins) >= 2 and \
            (_in_bounds(ins[:2], nodes) or _whole_mask(ins[0], ins[1])) and \
            (op == "getitem" or (len(ins) == 3 and assigns_safely(ins[0].meta, ins[2]))):
        return False        # x[i] with i a loop's trip over a range inside x's static shape,
        #                     x[mask] with a mask of x's own shape (a scalar written)
    if op == "ndarray.astype" and _numeric_cast(node, ins):
        return False        # bool/int/float to a number: FP errors at most (`fp_errors_quiet`)
    if op == "builtin.float" and len(ins) == 1 and ins[0] is not None and \
            _real_scalar(ins[0].meta.type):
        return False        # float() of a NumPy real scalar or a Python float
    if op in _EXACT_SCALAR and len(ins) == 1 and ins[0] is not None and \
            _exact_scalar(op, ins[0].meta.type):
        return False        # abs() of a real number, int() of an integer
    if is_draw(op):
        args = ins[1:] if op.startswith("Generator.") else ins
        return not all(i is not None and i.op == "const" for i in args)
    if op in _PY_SAFE and ins and (_all_type(ins, (float,)) or _all_type(ins, (int, bool))):
        return False        # float with float, int with int: never raises (mixed may)
    if op in _REAL_SAFE and ins and all(_real_valued(i, nodes) or _small_int(i) for i in ins) \
            and not all(_small_int(i) for i in ins):
        return False        # s += x[i], s a float carried by a loop; 1 - 0.9 ** t
    if _raises_on_values(op, node, ins, nodes):
        return True         # shapes and types fit, and it may still raise: see there
    if op in _SHAPE_ONLY and _numpy_typed(node) and _static(node) and ins and all(
            i is not None and (i.op == "const" or (
                i.meta.type is np.ndarray and _static(i) and (k == 0 or op in _ARRAY_ARGS)))
            for k, i in enumerate(ins)):
        return False        # its errors depend on shapes and arguments, checked converting
    if op not in _PY_SAFE and not _numpy_typed(node):
        return True         # Python arithmetic: 1 / 0 raises where NumPy would warn
    return not (_ufunc_machinery(op, opdef) and _static(node) and
                all(i is None or i.op == "const" or _static(i, nonempty=op in _NO_IDENTITY)
                    for i in ins))


_INT_POWERS = frozenset({"pow", "ipow", "np.power"})
_VALUE_CHECKED = frozenset({"scalar.sqrt"})
"""Ops that raise on some values by design: ``scalar.sqrt`` (``math.sqrt``) raises on a
negative input, so that the imperative rerun shows NumPy's nan and warning."""


def _raises_on_values(op, node, ins, nodes) -> bool:
    """Can NumPy raise for this node on operands whose shapes and types fit (the cases the
    ufunc rules below would otherwise call safe)? An op of `_VALUE_CHECKED`; any NumPy value
    of a dtype other than bool, integer, real or complex (object arrays run Python's
    operators; strings, datetimes); an integer power whose exponent may be negative
    (``ValueError: Integers to negative integer powers``); a Python int operand beside a
    NumPy one, unless its range is known and every NumPy operand's dtype holds it (NumPy 2:
    ``int8_array + 300`` and ``float_array * 10**400`` raise ``OverflowError``)."""
    if op in _VALUE_CHECKED or _cannot_cast_back(op, ins):
        return True
    typed = [n for n in [node, *ins] if n is not None and _numpy_typed(n)]
    if not typed:
        return False
    dtypes = [_dtype_of(n.meta) for n in typed]
    if any(d is None or d.kind not in "biufc" for d in dtypes):
        return True
    if op in _INT_POWERS and typed[0] is node and dtypes[0].kind in "iu":
        span = _int_span(ins[1], nodes) if len(ins) > 1 and ins[1] is not None else None
        if span is None or span[0] < 0:
            return True
    for i in ins:
        if i is not None and i.meta.type is int and i.op != "const":
            span = _int_span(i, nodes)
            if span is None or not all(_holds_ints(d, span) for d in dtypes):
                return True
    return False


def _cannot_cast_back(op, ins) -> bool:
    """An in-place update (``y += x``) whose result type may not cast back to the updated
    array's dtype (``int64 += float64``, ``int64 += 0.5``): NumPy raises its casting error
    (before it writes). True also where a dtype is unknown."""
    try:
        opdef = get_op(op)
    except KeyError:
        return False
    if opdef.mutates != (0,) or not ins or ins[0] is None or \
            ins[0].meta.type is not np.ndarray:
        return False
    target = _dtype_of(ins[0].meta)
    others = []
    for i in ins[1:]:
        t = None if i is None else i.meta.type
        if t in (bool, int, float, complex):
            others.append(t)
        elif t is np.ndarray or (isinstance(t, type) and issubclass(t, np.generic)):
            others.append(_dtype_of(i.meta))
        else:
            others.append(None)
    if target is None or any(o is None for o in others):
        return True
    try:
        return not np.can_cast(np.result_type(target, *others), target, "same_kind")
    except Exception:       # noqa: BLE001 (no common type: the update raises)
        return True


def _dtype_of(meta):
    if meta.dtype is not None:
        return np.dtype(meta.dtype)
    return np.dtype(meta.type) if meta.type is not np.ndarray else None


def _holds_ints(dtype, span) -> bool:
    """Does every int in ``span`` convert to ``dtype`` without an OverflowError?"""
    if dtype.kind in "fc":
        return max(abs(span[0]), abs(span[1])) < 2 ** 1000
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return info.min <= span[0] and span[1] <= info.max
    return -2 ** 63 <= span[0] and span[1] < 2 ** 63     # bool: promoted to int64


def _in_bounds(ins, nodes) -> bool:
    """``x[i]`` (or ``x[i, j]``) on an array whose shape the guards fix, each index an int
    known to lie inside its axis: a constant, or the trip variable of a loop over a constant
    ``range`` (``for i in range(8): ... x[i]``)."""
    if len(ins) != 2 or ins[0] is None or ins[1] is None or ins[0].meta.type is not np.ndarray:
        return False
    if not ins[0].meta.static_shape:
        return False
    shape = ins[0].meta.shape
    idx = ins[1]
    parts = [nodes.get(i) for i in idx.inputs] if idx.op == "tuple" else [idx]
    if idx.op == "const" and type(idx.meta.value) is tuple:
        parts = list(idx.meta.value)
    if not parts or len(parts) > len(shape):
        return False
    for part, n in zip(parts, shape):
        span = _int_span(part, nodes)
        if span is None or span[0] < -n or span[1] >= n:
            return False
    return True


def _whole_mask(base, idx) -> bool:
    """``x[mask]`` with a boolean array of exactly ``x``'s static shape: it selects elements
    whatever the mask holds (NumPy checks only its shape)."""
    if base is None or idx is None or base.meta.type is not np.ndarray or \
            idx.meta.type is not np.ndarray or idx.meta.dtype != np.bool_:
        return False
    return base.meta.static_shape and idx.meta.shape == base.meta.shape


def assigns_safely(array_meta, value) -> bool:
    """Does writing ``value`` (a node) into elements of an array described by ``array_meta``
    convert without raising? A NumPy scalar of the array's dtype; a Python float into a
    float64 array; a constant Python int (or bool) the array's dtype holds exactly (a
    float's up to 2**31, an integer's within its range: ``uint8[i] = -1`` and
    ``x[i] = 10**400`` raise)."""
    dtype = array_meta.dtype
    if value is None or dtype is None or array_meta.type is not np.ndarray:
        return False
    t = value.meta.type
    if isinstance(t, type) and issubclass(t, np.generic):
        return same_dtype(value.meta.dtype, dtype)
    if t is float:
        return dtype == np.float64
    if t in (int, bool) and value.op == "const" and type(value.attrs.get("value")) is t:
        v = int(value.attrs["value"])
        if dtype.kind == "f":
            return abs(v) <= 2 ** 31
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            return info.min <= v <= info.max
        return dtype.kind == "b" and v in (0, 1)
    return False


def _int_span(node, nodes):
    """(least, greatest) value of an int (an index, an operand), when known at conversion:
    a constant, ``len(x)`` (a count below 2**63), an int read at run time whose range is
    guarded, the trip variable of a loop over a constant ``range``; else None."""
    if type(node) is int:
        return node, node
    if not hasattr(node, "meta") or node.meta.type is not int:     # a slice, None, ...
        return None
    if node.op == "const":
        return (node.meta.value, node.meta.value) if type(node.meta.value) is int else None
    if node.op == "builtin.len":
        return 0, 2 ** 63 - 1
    seen = 0
    while node.op == "input" and node.attrs.get("role") == "capture" and seen < 64:
        node, seen = nodes.get(node.attrs.get("outer")), seen + 1
        if node is None:
            return None
    if node.op in ("input", "source") and node.attrs.get("span"):
        return tuple(node.attrs["span"])     # read at run time, its range guarded
    if node.op != "input" or node.attrs.get("role") != "item":
        return None
    loop = _loop_holding(node.name, nodes)    # the loop whose body binds this trip variable
    if loop is None or not loop.attrs.get("has_iter"):
        return None
    it = nodes.get(loop.inputs[0])
    r = it.meta.value if it is not None and it.op == "const" else None
    if type(r) is not range or len(r) == 0:
        return None
    return min(r[0], r[-1]), max(r[0], r[-1])


def _loop_holding(name, nodes):
    """The loop node one of whose subgraphs (its body, a while loop's test) holds node
    ``name`` directly, or None."""
    return next((n for n in nodes.values() if n.op == "loop" and
                 any(name in sub for sub in n.subgraphs)), None)


_COPIES = ("np.copy", "ndarray.copy")
_LIKE = ("np.zeros_like", "np.ones_like", "np.empty_like")
_FILLED = ("np.zeros", "np.ones", "np.empty")


def silent(node, nodes) -> bool:
    """Does ``node`` neither raise nor warn once the guards held, so that the function
    computing it and never using it is the same function without it? (Dead-code elimination
    drops only such unused user code.) True for a copy of an array, ``np.zeros_like(a)`` and
    its kin on an array (constant keywords: ``dtype=``), and ``np.zeros(shape)`` and its kin
    with constant arguments whose result the conversion already made (a static shape).
    ``config.get('velocity', np.zeros_like(w))`` evaluates its default on every call; the
    graph of a call that finds the key skips it. Only memory can run out in any of these
    (as `may_raise` says of copies)."""
    ins = [nodes.get(i) for i in node.inputs]
    if any(i is None for i in ins):
        return False
    if node.op in _COPIES:
        return len(ins) == 1 and ins[0].meta.type is np.ndarray
    if node.op in _LIKE:
        return ins[0].meta.type is np.ndarray and all(i.op == "const" for i in ins[1:])
    if node.op in _FILLED:
        return node.meta.type is np.ndarray and node.meta.static_shape and \
            all(i.op == "const" for i in ins)
    return False


def _numeric_cast(node, ins) -> bool:
    """``a.astype(dtype)`` alone (no keywords: the default unsafe casting) from a bool,
    integer or real array to a bool, integer, real or complex array: it raises nothing
    (complex sources are left out: they warn ComplexWarning)."""
    if len(ins) != 2 or ins[0] is None or ins[0].meta.type is not np.ndarray:
        return False
    src, dst = ins[0].meta.dtype, node.meta.dtype
    return src is not None and dst is not None and node.meta.type is np.ndarray and \
        src.kind in "biuf" and dst.kind in "biufc"


def _real_scalar(t) -> bool:
    """A type ``float()`` converts without raising: a Python float, a NumPy floating, integer
    or bool scalar (not a Python int: ``float(10**400)`` overflows)."""
    return t is float or (isinstance(t, type) and
                          issubclass(t, (np.floating, np.integer, np.bool_)))
_NO_IDENTITY = ("reduce.max", "reduce.min")    # raise on an empty array
_PY_SAFE = {"add", "sub", "mul", "neg", "pos", "gt", "lt", "ge", "le", "eq", "ne"}
_REAL_SAFE = _PY_SAFE | {"iadd", "isub", "imul"}
"""Ops that never raise on real scalars (Python floats, NumPy floating scalars: ``inf`` or
a warning on overflow, never an exception)."""
_REAL_RESULT = _REAL_SAFE - {"gt", "lt", "ge", "le", "eq", "ne"} | {"truediv", "itruediv"}
"""Ops whose result is a real scalar when their operands are (a quotient may raise, but
what it returns is real)."""


def _is_real(t) -> bool:
    return t is float or (isinstance(t, type) and issubclass(t, np.floating))


def _real_valued(node, nodes, seen=None) -> bool:
    """Is ``node``'s value always a Python float or a NumPy floating scalar? Its type when
    the conversion knew it; else (a value a loop carries, whose type changes on the first
    trip: ``s = 0.0`` then ``s += x[i]`` makes it an ``np.float64``) from what can flow
    into it: the loop's initial value and what its body gives back, the arms of a
    ``cond``, real arithmetic on real values."""
    if node is None:
        return False
    if node.meta.type is not None:
        return _is_real(node.meta.type)
    seen = set() if seen is None else seen
    if node.name in seen:       # around a loop: what else flows in decides
        return True
    seen.add(node.name)
    op = node.op
    if op == "input":
        role = node.attrs.get("role")
        if role == "capture":
            return _real_valued(nodes.get(node.attrs.get("outer")), nodes, seen)
        if role == "carried":
            loop = _loop_holding(node.name, nodes)
            return loop is not None and _slot_real(loop, node.attrs.get("index"), nodes, seen)
        return False
    if op == "getitem" and len(node.inputs) == 2:
        base, idx = nodes.get(node.inputs[0]), nodes.get(node.inputs[1])
        if base is None or idx is None or idx.op != "const" or type(idx.meta.value) is not int:
            return False
        k = idx.meta.value
        if base.op == "loop":
            return _slot_real(base, k, nodes, seen)
        if base.op == "cond" and base.subgraphs:
            return all(_output_real(sub, k, nodes, seen) for sub in base.subgraphs)
        return False
    if op in _REAL_RESULT and node.inputs:
        return all(_real_valued(nodes.get(i), nodes, seen) for i in node.inputs)
    return False


def _small_int(node) -> bool:
    """An int (or bool) constant that converts to a float without overflowing."""
    return node is not None and node.op == "const" and type(node.meta.value) in (int, bool) \
        and abs(node.meta.value) < 2 ** 1000


def _output_real(sub, k, nodes, seen) -> bool:
    """Is item ``k`` of the tuple ``sub`` (a branch, a loop body) gives back real?"""
    out = nodes.get(sub.output) if sub.output is not None else None
    if out is None or out.op != "tuple" or not isinstance(k, int) or k >= len(out.inputs):
        return False
    return _real_valued(nodes.get(out.inputs[k]), nodes, seen)


def _slot_real(loop, k, nodes, seen) -> bool:
    """Is carried slot ``k`` of ``loop`` always real: its initial value and its body's?"""
    if not isinstance(k, int) or not 0 <= k < loop.attrs.get("n_carried", 0):
        return False
    init = loop.inputs[k + (1 if loop.attrs.get("has_iter") else 0)]
    return _real_valued(nodes.get(init), nodes, seen) and \
        _output_real(loop.subgraphs[-1], k, nodes, seen)


def _all_type(nodes, types) -> bool:
    return all(i is not None and i.meta.type in types for i in nodes)


def _numpy_typed(node) -> bool:
    t = node.meta.type
    return t is np.ndarray or (isinstance(t, type) and issubclass(t, np.generic))


def _static(node, nonempty=False) -> bool:
    shape = node.meta.shape
    if not node.meta.static_shape:
        if nonempty:
            return False
        # a Python float broadcasts against anything and converts to any float dtype
        return node.meta.type is float or (node.meta.type in (int, bool) and
                                           node.op in ("input", "source", "const"))
    return not nonempty or all(d > 0 for d in shape)


class HeldWarnings(list):
    """Installed as ``warnings.showwarning`` for the length of one graph run; holds (as
    list items) what this thread warns meanwhile, passes other threads' warnings (and any
    after `end`) straight through to ``shown``, the one it replaced.

    The dispatch installs one per held run, on its hot path, so it is cheap to make: a
    list (made in C, no Python ``__init__``) whose three slots the maker sets — `hold`
    does, or the dispatch inline."""

    __slots__ = ("shown", "thread", "active")

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        if not self.active or threading.get_ident() != self.thread:
            return self.shown(message, category, filename, lineno, file, line)
        self.append((message, category, filename, lineno, file, line,
                     _registry_of(filename, lineno)))
        return None

    def __eq__(self, other):           # identity, as functions compare
        return self is other

    __hash__ = object.__hash__

    @classmethod
    def hold(cls) -> "HeldWarnings":
        """A new one, for this thread, passing on to the current ``showwarning`` (not yet
        installed)."""
        held = cls()
        held.shown, held.thread, held.active = warnings.showwarning, threading.get_ident(), \
            True
        return held

    def end(self) -> None:
        self.active = False
        if warnings.showwarning is self:
            warnings.showwarning = self.shown

    def release(self) -> None:
        """The run's answer is kept: show what it warned."""
        self.end()
        self.show()

    def show(self) -> None:
        for message, category, filename, lineno, file, line, _ in self:
            self.shown(message, category, filename, lineno, file, line)
        self.clear()

    def forget(self) -> None:
        """The run is abandoned: its warnings never happened (the rerun warns)."""
        self.end()
        self.take_back()

    def take_back(self) -> None:
        for message, category, _, lineno, _, _, registry in self:
            _take_back(message, category, lineno, registry)
        self.clear()
