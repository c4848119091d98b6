"""The fast path of the graph dispatch: a generated ``__call__`` with the user's signature.

A call of a decorated function goes through ``type(f).__call__``. The generic dispatch
(`api.SpeculativeFunction.__call__`) takes ``*args, **kwargs`` and loops over the installed
graphs. In the common steady state — one graph, whose runs hold no warnings
(`runtime.held_warnings.may_abandon`) — that costs about 0.3 µs per call more than the
graph's entry itself (measured on this 2-core machine, ``x * 2.0`` on 8 floats: entry
0.53 µs, generic dispatch 0.97 µs, this path about 0.65 µs). So while a function has one
graph (its runs' warnings held or not, as the generic dispatch does), the
decorated function's object gets a class of its own whose ``__call__`` is a static method
generated for it: the user's signature (parameter names and kinds; defaults are the very
objects of the user's function), a call of the graph's entry, the hit counted where the
generic dispatch counts it, and every other outcome — a guard miss, an exception,
janus_lite switched off — handed to the generic dispatch's own steps (`api`'s ``_fast_*``
methods), so that it behaves as there. Any other state (several graphs, held warnings,
arbitration, waiting, skipping) uses the generic dispatch: `api.SpeculativeFunction.
_to_dispatch` decides, whenever the installed graphs or the serving state change.

Arguments that do not bind raise the TypeError the plain function raises (the generated
function bears the user's function's name and qualified name), before anything is counted:
such a call does not appear in ``stats``.
"""
from __future__ import annotations

import inspect
import threading
import warnings

from .runtime.held_warnings import HeldWarnings

_P = "_jl_"           # the prefix of every name of ours in the generated code


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
    args = "(" + "".join(f"{n}, " for n in pos) + (f"*{star}, " if star else "") + ")"
    kwargs = "{" + "".join(f"{n!r}: {n}, " for n in kw) + (f"**{splat}" if splat else "") + "}"
    name = f"{_P}call"
    head = f"""\
def {_P}factory({_P}owner, {_P}e, {_P}c, {_P}cg, {_P}Miss, {_P}sw, {_P}dis, {_P}Held, {_P}w,
                {_P}ident{''.join(f', {_P}d{i}' for i in range(len(defaults)))}):
    def {name}({', '.join(text)}):
        if {_P}sw.on and {_P}dis():
            return {_P}owner._disabled_call({args}, {kwargs})
"""
    hit = f"""\
        {_P}h = {_P}c['hits'] + 1
        {_P}c['hits'] = {_P}h
        if {_P}h == {_P}c['tick_at']:
            {_P}c['tick']()
        return {_P}r
    return {name}
"""
    plain = f"""\
        try:
            {_P}r = {_P}e({', '.join(call)})
        except BaseException as {_P}x:
            if not isinstance({_P}x, Exception) or getattr({_P}x, '__jl_committed__', False):
                {_P}owner._other_calls += 1
                raise
            return {_P}owner._fast_abandoned({_P}x, {_P}cg, {args}, {kwargs})
        if type({_P}r) is {_P}Miss:
            return {_P}owner._fast_miss({_P}r, {_P}cg, {_P}c, {args}, {kwargs})
"""
    # the run's warnings held until its answer is kept (as the generic dispatch holds them)
    held = f"""\
        {_P}hw = {_P}Held()
        {_P}hw.shown, {_P}hw.thread, {_P}hw.active = {_P}w.showwarning, {_P}ident(), True
        {_P}w.showwarning = {_P}hw
        try:
            {_P}r = {_P}e({', '.join(call)})
        except BaseException as {_P}x:
            {_P}owner._other_calls += 1
            if {_P}owner._run_held({_P}hw, {_P}x):
                return {_P}owner._fast_abandoned({_P}x, {_P}cg, {args}, {kwargs},
                                                 counted=True)
            raise
        {_P}hw.active = False
        if {_P}w.showwarning is {_P}hw:
            {_P}w.showwarning = {_P}hw.shown
        if {_P}hw:
            if type({_P}r) is {_P}Miss:
                {_P}hw.take_back()
            else:
                {_P}hw.show()
        if type({_P}r) is {_P}Miss:
            return {_P}owner._fast_miss({_P}r, {_P}cg, {_P}c, {args}, {kwargs})
"""
    makes = {}
    for hold, body in ((False, plain), (True, held)):
        namespace: dict = {"__builtins__": __builtins__}
        exec(compile(head + body + hit, f"<janus_lite dispatch of {fn.__qualname__}>", "exec"),
             namespace)
        makes[hold] = namespace[f"{_P}factory"]
    qualname, fname = fn.__qualname__, fn.__name__

    def factory(owner, entry, counts, cg, hold, miss_type, switch, is_disabled):
        f = makes[hold](owner, entry, counts, cg, miss_type, switch, is_disabled,
                        HeldWarnings, warnings, threading.get_ident, *defaults)
        # arity errors name the user's function, as the plain function's do
        f.__code__ = f.__code__.replace(co_name=fname, co_qualname=qualname)
        f.__name__, f.__qualname__ = fname, qualname
        return f

    cls = type(base.__name__, (base,), {"__slots__": (), "__module__": base.__module__,
                                         "__qualname__": base.__qualname__})
    return FastPath(cls, factory)
