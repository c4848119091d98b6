"""Code generation for deferred-state ops: commits pass their static attributes as
arguments and record how to undo the reversible ones; a graph that draws random numbers
restores the generators if abandoned, and one that commits undoes what it wrote."""
from __future__ import annotations

import keyword
import random as _random

import numpy as np

from ..ir.ops_state import (ABSENT, commit_append, commit_extend, commit_final, commit_setattr,
                            commit_setitem, flush_prints)
from .aborts import raises_from

UNDO = "_undo"
"""The generated function's list of undo actions for the reversible commits."""
QUIET = "_q"
"""Its flag: floating-point errors can only warn in this call (`aborts.fp_errors_quiet`)."""
WROTE = "_wrote"
"""Its flag: a caller's array may have been updated in place (no way back from here)."""

REVERSIBLE = ("commit_setattr", "commit_setitem", "commit_append", "commit_extend")


def _call(gen, node, fn, label, args) -> None:
    """Emit the statement ``fn(*args)`` (args as code text) for ``node``."""
    gen.emit(f"{gen.pool.add(fn, label)}({', '.join(args)})", node.lineno)


def emit_commit_setattr(gen, node, ins):
    """``obj.name = value`` inline (the undo entry, where one is kept, as a tuple for
    `undo_all`): a function call and a closure less per attribute written; through
    `commit_setattr` where the name or the object is not a plain identifier."""
    name, undo = node.attrs["name"], undo_var(gen)
    obj, value = ins[:2]
    if not (_plain_name(name) and _plain_name(obj)):
        _call(gen, node, commit_setattr, "setattr", [obj, value, repr(name), undo])
        return
    record = "" if undo == "None" else \
        f"{UNDO}.append(({obj}, {name!r}, {gen.pool.add(getattr, 'getattr')}({obj}, " \
        f"{name!r}, {gen.pool.add(ABSENT, 'absent')}))); "
    if _never_absent(gen.graph, node.inputs[1]):
        gen.emit(f"{record}{obj}.{name} = {value}", node.lineno)
        return
    gen.emit(f"if {value} is not {gen.pool.add(ABSENT, 'absent')}: {record}{obj}.{name} = "
             f"{value}", node.lineno)


def _never_absent(graph, name) -> bool:
    """Is the value committed to an attribute known never to be ABSENT (the marker of an
    attribute a run-time branch may have left unset)? Yes where its type is known: a value
    merged from a branch that may leave it unset has no known type (`ir.node.join`)."""
    node = graph[name] if name in graph else None
    t = node.meta.type if node is not None else None
    return t is not None and t is not type(ABSENT)


def _plain_name(text) -> bool:
    return isinstance(text, str) and text.isidentifier() and not keyword.iskeyword(text)


def emit_commit_setitem(gen, node, ins):
    _call(gen, node, commit_setitem, "setitem",
          [*ins[:2], gen.const(node.attrs["key"]), undo_var(gen)])


def emit_commit_append(gen, node, ins):
    _call(gen, node, commit_append, "append", [*ins, f"undo={undo_var(gen)}"])


def emit_commit_extend(gen, node, ins):
    _call(gen, node, commit_extend, "extend", [*ins[:2], f"undo={undo_var(gen)}"])


def emit_commit_final(gen, node, ins):
    undo = undo_var(gen) if has_reversible(gen.graph) else "None"
    outbox, pairs = (ins[0], ins[1:]) if node.attrs.get("outbox") else ("None", ins)
    args = [undo, outbox, str(bool(node.attrs.get("flush"))), *pairs]
    if gen.direct:          # every pair's copy is the caller's array when _q holds
        gen.emit(f"if not {QUIET}: {gen.pool.add(commit_final, 'final')}({', '.join(args)})",
                 node.lineno)
        return
    _call(gen, node, commit_final, "final", args)


def emit_flush_prints(gen, node, ins):
    _call(gen, node, flush_prints, "flush", [ins[0], str(bool(node.attrs.get("flush")))])


def mark_committed(exc) -> None:
    """``exc`` met the call past its point of no return: it is the call's own outcome (the
    dispatcher re-raises it instead of rerunning the function)."""
    try:
        exc.__jl_committed__ = True
    except AttributeError:
        pass


def has_reversible(graph) -> bool:
    return any(n.op in REVERSIBLE for n in graph.nodes())


ATOMIC = ("commit_setattr", "commit_setitem")
"""Reversible commits that either happen whole or raise having changed nothing."""


def needs_undo(graph) -> bool:
    """Must the reversible commits record how to undo them? Not where nothing from the
    first of them on may raise and either there is one, atomic (``self.Y = y`` as a
    method's last step), or none of them can fail (`_cannot_fail`: a layer's
    ``self.x = x; self.mask = m``): no run is then abandoned with some of them done."""
    revs = [n for n in graph.nodes() if n.op in REVERSIBLE]
    if not revs:
        return False
    names = {n.name for n in revs}
    if not (len(revs) == 1 and revs[0].op in ATOMIC or
            all(_cannot_fail(graph, n) for n in revs)):
        return True
    return raises_from(graph, names, exempt=names)


def _cannot_fail(graph, node) -> bool:
    """A commit that cannot raise: an attribute written on an object whose class the
    conversion found to assign attributes plainly (``frontend.state.write_attr`` refuses
    descriptors and custom ``__setattr__``; the guards fix the class). Item writes and
    appends keep their undo entries (they go through `ir.ops_state`'s functions, whose
    failures the fault-injection tests simulate)."""
    return node.op == "commit_setattr" and node.inputs[0] in graph and \
        graph[node.inputs[0]].meta.type is not None


def undo_var(gen) -> str:
    """The undo list the commits of ``gen``'s graph record into ("None": none kept)."""
    return UNDO if getattr(gen, "keeps_undo", True) else "None"


def random_states(graph):
    """(save, restore) callables for each generator a graph draws from, or []."""
    global_ops, gens, py_random = set(), [], False
    for node in graph.all_nodes():
        if node.op.startswith("np.random.") and node.op != "np.random.default_rng":
            global_ops.add(node.op[len("np.random."):])
        elif node.op.startswith("Generator."):
            gens.append(node.inputs[0])
        elif node.op.startswith("random."):
            py_random = True
    out = []
    if py_random:                  # Python's random module (idioms: ir/ops_state.py)
        out.append(("python", _random.getstate, _random.setstate))
    if global_ops and global_ops <= _NO_GAUSS:     # the Mersenne Twister's words are the whole state
        out.append(("global", save_global_words, restore_global_words))
    elif global_ops:
        out.append(("global", np.random.get_state, np.random.set_state))
    return out, list(dict.fromkeys(gens))


# Draws from the global stream that leave the legacy Gaussian cache alone: for them the
# stream's state is the Mersenne Twister's 624 words and position, saved by one memcpy
# (~1 µs) instead of `np.random.get_state` (~45 µs: it copies the words one by one).
_NO_GAUSS = {"rand", "random_sample", "random", "ranf", "sample", "uniform", "randint",
             "bytes", "permutation", "choice", "exponential", "laplace", "logistic",
             "binomial", "poisson", "geometric", "hypergeometric", "multinomial",
             "standard_exponential", "triangular", "pareto", "power", "weibull", "gumbel",
             "rayleigh", "logseries", "zipf", "vonmises"}
"""Checked against NumPy in tests/backend/test_rng_words.py (each leaves ``has_gauss`` and
``gauss`` as it found them, in every sampling regime); normal, gamma and what is built on
them (lognormal, beta, chisquare, standard_t, wald, standard_cauchy, negative_binomial ...)
use the cache and keep the full `np.random.get_state`."""
_MT_BYTES = 624 * 4 + 4             # mt19937_state: uint32 key[624]; int pos
_RAND = np.random.rand.__self__     # the RandomState the global draws are bound methods of
_words = (None, None, None)         # (its bit generator, a view of the state's bytes, that
#                                     view's ``tobytes``: one memcpy, ~0.1 µs)


def _words_view():
    """(bit generator, view, tobytes) of the global stream's state, or None when another
    bit generator than MT19937 serves it (``np.random.set_bit_generator``)."""
    global _words
    bg = _RAND._bit_generator
    if bg is _words[0]:
        return _words
    if type(bg) is not np.random.MT19937:
        return None
    import ctypes
    raw = (ctypes.c_char * _MT_BYTES).from_address(bg.ctypes.state_address)
    view = np.frombuffer(raw, dtype=np.uint8)
    _words = (bg, view, memoryview(view).tobytes)   # keeps the generator (its memory) alive
    return _words


def save_global_words():
    """The global stream's state, for `restore_global_words` (on every call of a graph
    that draws and may still be abandoned after: kept short)."""
    w = _words
    if _RAND._bit_generator is not w[0]:
        w = _words_view()
        if w is None:
            return np.random.get_state()
    return (w[1], w[2]())


def restore_global_words(saved) -> None:
    if type(saved) is tuple and len(saved) == 2:
        view, words = saved
        view[...] = np.frombuffer(words, dtype=np.uint8)
    else:
        np.random.set_state(saved)


def _check_words() -> bool:
    """Does the memory view hold the state `np.random.get_state` reports (this NumPy's
    struct layout)? Checked once at import; if not, `get_state` is used."""
    try:
        words = _words_view()
        view = words[1] if words is not None else None
        state = np.random.get_state()
        return view is not None and bytes(view[:624 * 4]) == state[1].astype("<u4").tobytes() \
            and int(view[624 * 4:].view(np.int32)[0]) == state[2]
    except Exception:
        return False


if not _check_words():
    _NO_GAUSS = set()


EMITTERS = {"commit_setattr": emit_commit_setattr, "commit_setitem": emit_commit_setitem,
            "commit_append": emit_commit_append, "commit_extend": emit_commit_extend,
            "commit_final": emit_commit_final, "flush_prints": emit_flush_prints}
