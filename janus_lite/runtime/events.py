"""Bounded record of what happened to one function: fallbacks, regenerations, failures."""
from __future__ import annotations

import collections
import logging
import os
from dataclasses import dataclass

from .. import config
from ..inspect.logs import topic_of

log = logging.getLogger("janus_lite")


@dataclass
class Event:
    kind: str          # "fallback" | "built" | "relaxed" | "conversion-failed" | "imperative"
    text: str
    lineno: int | None = None
    count: int = 1
    seq: int = 0                      # order of first occurrence within the function
    cause: "Event | None" = None      # the fallback right before this event, if any
    filename: str | None = None       # the file of ``lineno`` when it is not the function's

    def line(self) -> str:
        where = f"line {self.lineno}: " if self.lineno else ""
        if self.lineno and self.filename:
            where = f"{os.path.basename(self.filename)}, {where}"
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"[{self.kind}] {where}{self.text}{times}"


class EventLog:
    """Keeps the last MAX_EVENTS distinct events; repeats bump a count instead."""

    def __init__(self, qualname: str):
        self.qualname = qualname
        self.events: collections.OrderedDict = collections.OrderedDict()
        self._seq = 0
        self._last: Event | None = None

    def add(self, kind: str, text: str, lineno=None, level=logging.INFO, topic=None,
            filename=None) -> Event:
        key = (kind, text, lineno, filename)
        ev = self.events.get(key)
        if ev is not None:
            ev.count += 1
            self.events.move_to_end(key)
            self._last = ev
            return ev
        self._seq += 1
        cause = self._last if self._last is not None and self._last.kind == "fallback" \
            and kind not in ("fallback", "arbitrated") else None
        ev = self.events[key] = Event(kind, text, lineno, seq=self._seq, cause=cause,
                                         filename=filename)
        self._last = ev
        while len(self.events) > config.MAX_EVENTS:
            self.events.popitem(last=False)
        logging.getLogger(f"janus_lite.{topic or topic_of(kind)}").log(
            level, "%s: %s", self.qualname, ev.line())
        return ev

    def __iter__(self):
        return iter(self.events.values())
