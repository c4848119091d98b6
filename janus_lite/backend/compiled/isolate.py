"""Keep the user's process state exactly as it was while numba runs in this process.

numba is imported, and compiled code loaded from its on-disk cache (or, in the forced
``JANUS_LITE_TIER=compiled`` mode, compiled), only in the calling thread at a call boundary,
inside `kept_process_state()`. The ``warnings`` machinery is process-wide: numba's import may
add filters, its compiler enters ``warnings.catch_warnings()`` and calls
``warnings.simplefilter`` (each of which also bumps the filters version, which empties every
module's ``__warningregistry__`` at its next warning, so warnings shown once show again).
Inside the block:

- ``warnings.filters`` is a private list that records every warning (they are logged at
  DEBUG on topic ``janus_lite.tier``, never shown), ``showwarning`` and ``onceregistry``
  are private too;
- ``warnings._filters_mutated`` is a no-op, so the filters version does not move;

and on the way out every attribute of ``warnings`` and ``_warnings`` is put back by identity
(``filters``, ``showwarning``, ``formatwarning``, ``_showwarnmsg_impl``, ``onceregistry``,
``defaultaction``, ...), the filter list and the once-registry get their contents back, and
should the version have moved anyway, every ``__warningregistry__`` in ``sys.modules`` that
was current is stamped current again (already-shown warnings stay shown). ``sys.stdout``,
``sys.stderr`` and the interpreter hooks are checked, and put back if numba changed them.
"""
from __future__ import annotations

import _warnings
import contextlib
import logging
import sys
import threading
import types
import warnings

log = logging.getLogger("janus_lite.tier")

_MISSING = object()
_IGNORE = ("ignore", None, Warning, None, 0)
_ALWAYS = ("always", None, Warning, None, 0)
_SYS = ("stdout", "stderr", "stdin", "excepthook", "displayhook", "unraisablehook",
        "breakpointhook")
_lock = threading.RLock()


class _Probe(Warning):
    """Never shown: the filters version is read off a private registry (under ``ignore``)."""


def _noop():
    pass


def filters_version():
    """The ``warnings`` filters version (stamped into a private registry, nothing shown;
    call with ``warnings.filters`` an ignore-everything list)."""
    reg: dict = {}
    warnings.warn_explicit("", _Probe, "<janus_lite>", 0, module="janus_lite", registry=reg)
    return reg.get("version")


def _restamp(old, new) -> int:
    n = 0
    for mod in list(sys.modules.values()):
        if not isinstance(mod, types.ModuleType):
            continue
        try:
            reg = mod.__dict__.get("__warningregistry__")
        except Exception:       # noqa: BLE001 (a module object we cannot read: skip it)
            continue
        if type(reg) is dict and reg.get("version") == old:
            reg["version"] = new
            n += 1
    return n


def _put_back(module, saved: dict) -> list:
    changed = []
    now = vars(module)
    for name in [n for n in now if n not in saved]:
        changed.append(name)
        delattr(module, name)
    for name, obj in saved.items():
        if now.get(name, _MISSING) is not obj:
            changed.append(name)
            setattr(module, name, obj)
    return changed


@contextlib.contextmanager
def kept_process_state(what: str):
    """Run the block (numba's import, a cache load, a compile) with the process-wide
    ``warnings`` state private to it, and put everything back exactly afterwards."""
    with _lock:
        saved_w, saved_c = dict(vars(warnings)), dict(vars(_warnings))
        filters, filter_items = warnings.filters, list(warnings.filters)
        once = warnings.onceregistry
        once_items = dict(once) if type(once) is dict else None
        saved_sys = {n: getattr(sys, n, _MISSING) for n in _SYS}
        saved_thread_hook = threading.excepthook
        caught: list = []
        try:
            warnings._filters_mutated = _noop
            warnings.filters = [_IGNORE]
            before = filters_version()
            warnings.filters = [_ALWAYS]
            warnings.onceregistry = {}
            warnings.showwarning = warnings._showwarning_orig
            warnings._showwarnmsg_impl = caught.append
            yield caught
        finally:
            warnings.filters = [_IGNORE]
            try:
                after = filters_version()
            except Exception:       # noqa: BLE001 (cannot happen under "ignore"; be safe)
                after = before
            changed = _put_back(warnings, saved_w) + _put_back(_warnings, saved_c)
            if list(filters) != filter_items:
                filters[:] = filter_items
            if once_items is not None and once != once_items:
                once.clear()
                once.update(once_items)
            if after != before:
                n = _restamp(before, after)
                log.debug("compiled tier: %s moved the warnings filters version %s -> %s; "
                          "%d registries re-stamped", what, before, after, n)
            for name, obj in saved_sys.items():
                if obj is not _MISSING and getattr(sys, name, _MISSING) is not obj:
                    log.warning("compiled tier: %s replaced sys.%s; put back", what, name)
                    setattr(sys, name, obj)
            if threading.excepthook is not saved_thread_hook:
                threading.excepthook = saved_thread_hook
            unexpected = [n for n in changed if n not in (
                "filters", "showwarning", "_showwarnmsg_impl", "onceregistry",
                "_filters_mutated")]
            if unexpected:
                log.debug("compiled tier: %s changed warnings.%s; put back", what,
                          ", warnings.".join(unexpected))
            for w in caught:
                log.debug("compiled tier: %s warned (not shown): %s: %s (%s:%s)", what,
                          w.category.__name__, w.message, w.filename, w.lineno)
