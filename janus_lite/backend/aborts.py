"""Where a graph run can still be abandoned, and what that lets a run skip.

A run is abandoned when something in it raises after the guards held (an assertion, an op
that may raise); the call then falls back on the plain function, which must find the state
as it was. So a run has to be able to put back what it changed — unless nothing after the
change can abandon it:

- a graph that draws from the global NumPy stream saves that stream's state first, to put it
  back if the run is abandoned (`np.random.get_state` costs ~45 µs); when no node from the
  first draw on may raise, there is nothing to save;
- an argument's array updated in place is updated in a private copy that the commit step
  copies back; when no node from the first such update on may raise, the update can go
  straight into the caller's array (no copy, no commit).

Both rest on one more condition checked per call: NumPy's floating-point errors can only
warn (`fp_errors_quiet`) — under ``np.errstate(all="raise")`` or ``-W error`` any arithmetic
op may raise, and such calls take the saving/copying path — except where the one in-place
update is the last op of the run (`only_the_update_after`): its FP error is raised after it
wrote, as the plain function's is, so that graph writes directly in every call.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..ir import get_op
from ..passes.analysis import alias_roots, mutated_roots_of
from ..runtime.held_warnings import is_draw, may_raise


def _subtree(node):
    yield node
    for sub in node.subgraphs:
        yield from sub.all_nodes()


def raises_from(graph, starts, exempt=frozenset()) -> bool:
    """Can a run raise once it reached a node named in ``starts``? Counted from the top-level
    node that holds the first of them (all of a loop or a branch that holds it), that node
    itself included; nodes named in ``exempt`` are not counted."""
    nodes = {n.name: n for n in graph.all_nodes()}
    started = False
    for top in graph.nodes():
        tree = list(_subtree(top))
        started = started or any(n.name in starts for n in tree)
        if started and any(may_raise(n, nodes) for n in tree if n.name not in exempt):
            return True
    return False


def draws(graph) -> list[str]:
    return [n.name for n in graph.all_nodes() if is_draw(n.op)]


_NONE = (frozenset(), None)


def direct_copies(graph) -> tuple[frozenset, str | None]:
    """(the private copies of caller's arrays that may be the caller's arrays themselves,
    the top-level node that first updates one of them): ``np.copy`` nodes committed back by
    the one ``commit_final``, when every copy the commit writes back qualifies, there is no
    printed text to commit, the caller's arrays are read only before the first update of a
    copy (`first_write`) or by the commit, and nothing from that update on (itself
    included) may raise (the other deferred writes included: attribute, item and list
    writes that cannot fail may stay deferred, they commit after the update as before).
    Else (empty, None)."""
    top = list(graph.nodes())
    finals = [n for n in top if n.op == "commit_final"]
    if len(finals) != 1 or finals[0].attrs.get("outbox"):
        return _NONE
    final = finals[0]
    pairs = final.inputs
    copies = {}                          # copy node → the caller's array it stands for
    for dst, src in zip(pairs[0::2], pairs[1::2]):
        node = graph[src] if src in graph else None
        if node is None or node.op != "np.copy" or node.inputs != (dst,) or \
                graph[dst].op not in ("input", "source") or src in copies:
            return _NONE
        copies[src] = dst
    if not copies:
        return _NONE
    where, owner = {}, {}                # node name → index of its top-level node / node
    for idx, t in enumerate(top):
        for n in _subtree(t):
            where[n.name], owner[n.name] = idx, n
    if any(n.op.startswith("commit_") and n is not final and
           (n.op == "commit_copyto" or may_raise(n, owner)) for n in owner.values()):
        return _NONE               # a deferred write that may fail: keep them all

    def origin(name):
        n = owner.get(name)
        while n is not None and n.op == "input" and n.attrs.get("role") == "capture":
            name = n.attrs["outer"]
            n = owner.get(name)
        return name

    first = first_write(graph, copies)
    if first is None:
        return _NONE
    # each caller's array holds its old contents until its own copy's first update (the
    # arrays updated in place are guarded not to overlap): reads of it up to there are fine
    late = {}                            # caller's array → index of its copy's first update
    for copy, caller in copies.items():
        own = first_write(graph, {copy: caller})
        if own is not None:
            late[caller] = min(own, late.get(caller, own))
    for name, n in owner.items():
        if n is final or name in copies or where[name] < first:
            continue
        if any(where[name] >= late.get(origin(i), len(top)) for i in n.inputs):
            return _NONE           # reads a caller's array's old contents late
    if raises_from(graph, {top[first].name}, exempt={final.name, *copies}):
        return _NONE
    return frozenset(copies), top[first].name


def writes_directly(graph, direct) -> bool | None:
    """How a run updates the caller's arrays it updates in place, given ``direct`` (what
    `direct_copies` found): None when it updates none through a private copy, True when it
    may write them directly, False when it copies them and commits on every call."""
    if direct:
        return True
    finals = [n for n in graph.nodes() if n.op == "commit_final"]
    if not any(src in graph and graph[src].op == "np.copy"
               for f in finals for src in f.inputs[1::2]):
        return None
    return False


def first_write(graph, copies) -> int | None:
    """The index of the first top-level node that updates one of ``copies`` (or a view of
    one) in place, or holds such an update (a loop, a branch); None if none does. Until
    then a copy and the caller's array it stands for hold the same values: a run abandoned
    before it has changed nothing."""
    roots, copies = alias_roots(graph), set(copies)
    for idx, top in enumerate(graph.nodes()):
        if top.name in copies:
            continue
        if mutated_roots_of(top, roots) & copies:
            return idx
    return None


def only_the_update_after(graph, copies) -> bool:
    """Is the one update of a caller's array the last thing that can raise, wherever
    floating-point errors raise? True when from the first of the ``copies`` (`direct_copies`)
    on the graph holds nothing but those copies, constants, one elementwise in-place op
    updating one of them, and the commit. Under ``np.errstate(all="raise")`` or a ``RuntimeWarning`` made an
    error, that op raises after it wrote the caller's array, as the plain function's same op
    does (NumPy tests the FP flags after the loop): the run is past its point of no return
    (``_wrote``), the error is the call's own. So such a graph updates in place directly in
    every call, without asking `fp_errors_quiet`."""
    if not copies:
        return False
    top = list(graph.nodes())
    first = min(i for i, t in enumerate(top) if t.name in copies)
    rest = [t for t in top[first:] if t.name not in copies and
            t.op not in ("commit_final", "const")]
    if len(rest) != 1 or rest[0].subgraphs:
        return False
    node = rest[0]
    try:
        opdef = get_op(node.op)
    except KeyError:
        return False
    return opdef.elementwise and opdef.mutates == (0,) and node.inputs[0] in copies


# -- floating-point errors: can they raise in this call? ---------------------------------------
try:
    from numpy._core._ufunc_config import _extobj_contextvar as _EXTOBJ
except ImportError:        # pragma: no cover - another NumPy layout: ask every time
    _EXTOBJ = None

_QUIET = {"ignore", "warn"}
_last = [(None, None, 0, None, False)]   # [(extobj, filters, len, filters[0], answer)]


def fp_errors_quiet(_last=_last, _get=_EXTOBJ.get if _EXTOBJ is not None else None,
                    _w=warnings, _len=len) -> bool:
    """Can NumPy's floating-point errors in this call only warn (never raise)? False under
    ``np.errstate``/``np.seterr`` with "raise", "call", "print" or "log", or when a warnings
    filter may turn a ``RuntimeWarning`` into an error. The answer is cached on the identity
    of NumPy's error state and of the filter list (its length and first entry: the filter
    functions insert at the front or append). Every generated entry that may write in place
    or skip saving an RNG state asks once per call, so the cached path is kept short (the
    defaults bind what it reads)."""
    last = _last[0]         # one tuple, replaced whole: consistent across threads
    filters = _w.filters
    if _get is not None and _get() is last[0] and filters is last[1] and \
            _len(filters) == last[2] and (filters[0] if filters else None) is last[3] and \
            last[0] is not None:
        return last[4]
    ext = _get() if _get is not None else None
    n = _len(filters)
    answer = all(v in _QUIET for v in np.geterr().values()) and not any(
        f[0] == "error" and issubclass(RuntimeWarning, f[2]) for f in filters)
    _last[0] = (ext, filters, n, filters[0] if n else None, answer)
    return answer
