"""The graph dispatch, generated per function with the user's signature.

A call of a decorated function goes through ``type(f).__call__``. The generic dispatch
(`api.SpeculativeFunction.__call__`) takes ``*args, **kwargs``, packs them again for each
graph entry it tries, and loops over the installed graphs. Measured on this 2-core machine
(``x * 2.0`` on 8 floats, one graph): the entry alone 0.53 µs, through the generic dispatch
0.97 µs, through a ``__call__`` with the function's own signature about 0.65 µs. So once a
decorated function has graphs, its object gets a class of its own whose ``__call__`` is a
static method generated for it, with the user's signature (parameter names and kinds;
defaults are the very objects of the user's function):

- one graph (and no order to learn): its entry and counters bound in, its warnings held
  or not as `runtime.held_warnings.may_abandon` decided (``make_plain``/``make_held``);
- several: the generic dispatch's loop over ``owner._cur`` in the order the plan learnt
  (``make_multi``).

The hit is counted where the generic dispatch counts it; every other outcome (guard misses,
an abandoned run, janus_lite switched off) goes to the generic dispatch's own steps
(`api`'s ``_misses_answer``, ``_fast_abandoned``, ``_disabled_call``, ``_run_held``), so
that it behaves as there. `api.SpeculativeFunction._to_dispatch` installs it whenever the
graphs or the serving state change; the serving classes (arbitration, waiting, skipping)
and functions whose signature cannot be written use the generic dispatch.

Arguments that do not bind raise the TypeError the plain function raises (the generated
function bears the user's function's name and qualified name), before anything is counted:
such a call does not appear in ``stats``.
"""
from __future__ import annotations

import inspect
import threading
import types
import warnings

from .runtime.held_warnings import HeldWarnings

_P = "_jl_"           # the prefix of every name of ours in the generated code
_BUILTINS = (BaseException, Exception, isinstance, getattr, type, len)


class FastPath:
    """One decorated function's fast path: its class (a subclass of the dispatch's class,
    made for this one object) and the factory of that class's ``__call__``."""

    __slots__ = ("cls", "_factory")

    def __init__(self, cls, factory):
        self.cls, self._factory = cls, factory

    def set(self, owner, entry, counts, cg, hold, miss_type, switch, is_disabled) -> None:
        """Make ``cls.__call__`` call ``entry`` (the one installed graph's) for ``owner``;
        ``hold``: its runs' warnings are held until the answer is kept."""
        self.cls.__call__ = staticmethod(
            self._factory(owner, entry, counts, cg, hold, miss_type, switch, is_disabled))


def build(base, fn, names=None) -> FastPath | None:
    """The fast path of ``fn``'s decorated object (an instance of ``base``), or None when
    its signature cannot be written (no signature of its own, a parameter name of ours, or
    parameters other than ``names``: those of the definition its graphs were made from)."""
    if not isinstance(fn, types.FunctionType) or "__signature__" in vars(fn):
        return None                            # only what the code object itself binds
    try:
        sig = inspect.signature(fn, follow_wrapped=False)
        if sig != inspect.signature(fn):       # a wrapper (functools.wraps): not its own
            return None
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())
    if names is not None and [p.name for p in params] != list(names):
        return None                            # not the parameters its graphs take
    if any(p.name.startswith(_P) or p.name in ("__class__",) for p in params):
        return None
    K = inspect.Parameter
    text, call, pos, kw, defaults = [], [], [], [], []
    star = splat = None
    for p in params:
        d = ""
        if p.default is not K.empty:
            d = f"={_P}d{len(defaults)}"
            defaults.append(p.default)
        if p.kind in (K.POSITIONAL_ONLY, K.POSITIONAL_OR_KEYWORD):
            text.append(p.name + d)
            call.append(p.name)
            pos.append(p.name)
            if p.kind is K.POSITIONAL_ONLY and not any(
                    q.kind is K.POSITIONAL_ONLY for q in params[params.index(p) + 1:]):
                text.append("/")
        elif p.kind is K.VAR_POSITIONAL:
            star = p.name
            text.append("*" + p.name)
            call.append("*" + p.name)
        elif p.kind is K.KEYWORD_ONLY:
            if star is None and "*" not in text:
                text.append("*")
            text.append(p.name + d)
            call.append(f"{p.name}={p.name}")
            kw.append(p.name)
        else:
            splat = p.name
            text.append("**" + p.name)
            call.append("**" + p.name)
    A = "(" + "".join(f"{n}, " for n in pos) + (f"*{star}, " if star else "") + ")"
    KW = "{" + "".join(f"{n!r}: {n}, " for n in kw) + (f"**{splat}" if splat else "") + "}"
    srcs = _source(", ".join(text), ", ".join(call), A, KW, len(defaults))
    qualname, fname = fn.__qualname__, fn.__name__
    makes: dict = {}

    def make(kind):
        """The factory of one kind, compiled when first needed (most functions only ever
        need "plain")."""
        if kind not in makes:
            # the builtins the generated code uses, under our prefix: a parameter may be
            # named ``type`` or ``len`` (it would shadow the builtin inside the function)
            namespace: dict = {"__builtins__": __builtins__,
                               **{_P + b.__name__: b for b in _BUILTINS}}
            exec(_compiled(srcs[kind], f"<janus_lite dispatch of {qualname}>"), namespace)
            makes[kind] = namespace[f"{_P}make_{kind}"]
        return makes[kind]

    def factory(owner, entry, counts, cg, hold, miss_type, switch, is_disabled):
        kind = "multi" if entry is None else "held" if hold else "plain"
        f = make(kind)(owner, entry, counts, cg, miss_type, switch, is_disabled,
                       HeldWarnings, warnings, threading.get_ident, *defaults)
        # arity errors name the user's function, as the plain function's do
        f.__code__ = f.__code__.replace(co_name=fname, co_qualname=qualname)
        f.__name__, f.__qualname__ = fname, qualname
        return f

    cls = type(base.__name__, (base,), {"__slots__": (), "__module__": base.__module__,
                                         "__qualname__": base.__qualname__})
    return FastPath(cls, factory)


_CODE: dict = {}
"""Compiled factory modules by their text: functions with the same signature (every
``forward(self, x)``) share one compile (~1 ms each), renamed per function."""


def _compiled(src: str, filename: str):
    code = _CODE.get(src)
    if code is None:
        if len(_CODE) >= 256:
            _CODE.clear()
        code = _CODE[src] = compile(src, "<janus_lite dispatch>", "exec")
    return _renamed(code, filename)


def _renamed(code, filename: str):
    """``code`` and the code objects it holds, with ``filename`` as their file."""
    consts = tuple(_renamed(c, filename) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _run(call, A, KW, on_raise, ind):
    """Statements running the graph entry ``e`` into ``r``, without (``plain``) or with
    (``held``) its warnings held, as the generic dispatch runs it."""
    p = _P
    plain = f"""\
try:
    {p}r = {p}e({call})
except {p}BaseException as {p}x:
    {p}owner._other_calls += 1
    if not {p}isinstance({p}x, {p}Exception) or {p}getattr({p}x, '__jl_committed__', False):
        raise
    return {p}owner._fast_abandoned({p}x, {p}cg, {A}, {KW})
"""
    held = f"""\
{p}hw = {p}Held()
{p}hw.shown, {p}hw.thread, {p}hw.active = {p}w.showwarning, {p}ident(), True
{p}w.showwarning = {p}hw
try:
    {p}r = {p}e({call})
except {p}BaseException as {p}x:
    {p}owner._other_calls += 1
    if {p}owner._run_held({p}hw, {p}x):
        return {p}owner._fast_abandoned({p}x, {p}cg, {A}, {KW})
    raise
{p}hw.active = False
if {p}w.showwarning is {p}hw:
    {p}w.showwarning = {p}hw.shown
if {p}hw:
    if {p}type({p}r) is {p}Miss:
        {p}hw.take_back()
    else:
        {p}hw.show()
"""
    text = held if on_raise == "held" else plain
    return "".join(" " * ind + line + "\n" for line in text.splitlines())


def _source(sig, call, A, KW, n_defaults) -> dict:
    """The module text of each of the three factories, by kind: ``make_plain``/``make_held``
    (one graph, its entry and counters bound) and ``make_multi`` (the installed graphs read
    per call from ``owner._cur``, in the order the plan learnt: the generic dispatch's
    loop)."""
    p = _P
    params = f"{p}owner, {p}e, {p}c, {p}cg, {p}Miss, {p}sw, {p}dis, {p}Held, {p}w, {p}ident" + \
        "".join(f", {p}d{i}" for i in range(n_defaults))
    off = f"""\
        if {p}sw.on and {p}dis():
            return {p}owner._disabled_call({A}, {KW})
"""
    hit = f"""\
{p}h = {p}c['hits'] + 1
{p}c['hits'] = {p}h
if {p}h == {p}c['tick_at']:
    {p}c['tick']()
"""
    out = {}
    for kind in ("plain", "held"):
        out[kind] = (f"""\
def {p}make_{kind}({params}):
    def {p}call({sig}):
{off}{_run(call, A, KW, kind, 8)}\
        if {p}type({p}r) is {p}Miss:
            return {p}owner._misses_answer([({p}cg, {p}r.index)], {A}, {KW}, {p}c)
{"".join(" " * 8 + line + chr(10) for line in hit.splitlines())}\
        return {p}r
    return {p}call
""")
    out["multi"] = (f"""\
def {p}make_multi({params}):
    def {p}call({sig}):
{off}\
        {p}misses = None
        for {p}cg, {p}e, {p}hold, {p}c, {p}at in {p}owner._cur:
            if {p}hold:
{_run(call, A, KW, "held", 16)}\
            else:
{_run(call, A, KW, "plain", 16)}\
            if {p}type({p}r) is {p}Miss:
                {p}c['guard_misses'][{p}r.index] += 1
                if {p}misses is None:
                    {p}misses = []
                {p}misses.append(({p}cg, {p}r.index))
                continue
{"".join(" " * 12 + line + chr(10) for line in hit.splitlines())}\
            {p}plan = {p}owner._plan
            {p}cur = {p}owner._cur
            if {p}plan is not None and ({p}at != {p}owner._prev or not {p}cur or
                                        {p}cur[0][4] != {p}at):
                {p}byfirst, {p}after = {p}plan
                if {p}at < {p}len({p}byfirst):
                    {p}after[{p}owner._prev] = {p}byfirst[{p}at]
                    {p}owner._prev = {p}at
                    {p}owner._cur = {p}after.get({p}at, {p}byfirst[{p}at])
            return {p}r
        return {p}owner._misses_answer({p}misses, {A}, {KW})
    return {p}call
""")
    return out
