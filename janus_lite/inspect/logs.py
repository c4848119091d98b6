"""Logging topics of janus_lite, and switching them on from the environment.

Everything janus_lite logs goes through the standard `logging` module under the logger
``janus_lite``, split into one child logger per topic so that a topic can be turned on alone:

* ``janus_lite.graphs``    INFO: a graph built, relaxed, retired, or a function abandoned to
  imperative execution (one line each, with the function and the source line);
  DEBUG: the printed graph of every graph built.
* ``janus_lite.fallbacks`` INFO: each *distinct* fallback (a call the graphs could not
  answer), logged the first time it happens; repeats are only counted (see ``explain()``).
* ``janus_lite.guards``    DEBUG: the guards (entry checks) of every graph built.

Nothing is logged at WARNING or above in normal operation, so with Python's default
configuration (WARNING) janus_lite is silent. ``logging.getLogger("janus_lite")
.setLevel(logging.INFO)`` (plus a handler) shows every topic's INFO lines.

``JANUS_LITE_LOG=fallbacks,graphs,guards`` (or ``all``) turns topics on without code
changes: at import, each named topic logger gets level DEBUG and its own stderr handler
(and stops propagating, so a configured root handler does not print the line twice).
"""
from __future__ import annotations

import logging
import sys

TOPICS = {
    "graphs": "graphs built, relaxed, retired or abandoned (INFO); printed graphs (DEBUG)",
    "fallbacks": "each distinct fallback, the first time it happens (INFO)",
    "guards": "the entry guards of every graph built (DEBUG)",
}

_KIND_TOPIC = {"fallback": "fallbacks"}
_FORMAT = "janus_lite[%(topic)s] %(message)s"


def topic_of(kind: str) -> str:
    """The topic an explain() event kind is logged under."""
    return _KIND_TOPIC.get(kind, "graphs")


def logger(topic: str) -> logging.Logger:
    return logging.getLogger(f"janus_lite.{topic}")


class _TopicFormatter(logging.Formatter):
    def format(self, record):
        record.topic = record.name.rpartition(".")[2]
        return super().format(record)


class _EnvHandler(logging.StreamHandler):
    """The stderr handler that JANUS_LITE_LOG attaches (recognised so it is added once)."""


def parse_topics(text: str) -> tuple[set, set]:
    """``"fallbacks, graphs"`` → (known topics, unknown words); ``all``/``*``/``1`` = all."""
    words = {w.strip().lower() for w in text.split(",") if w.strip()}
    if words & {"all", "*", "1", "true", "yes"}:
        return set(TOPICS), set()
    return words & set(TOPICS), words - set(TOPICS)


def enable(topics, stream=None) -> list[logging.Logger]:
    """Turn ``topics`` on: level DEBUG and a stderr (or ``stream``) handler on each."""
    out = []
    for topic in sorted(topics):
        if topic not in TOPICS:
            raise ValueError(f"unknown janus_lite log topic {topic!r}; known: "
                             f"{', '.join(TOPICS)}")
        lg = logger(topic)
        lg.setLevel(logging.DEBUG)
        if not any(isinstance(h, _EnvHandler) for h in lg.handlers):
            handler = _EnvHandler(stream if stream is not None else sys.stderr)
            handler.setFormatter(_TopicFormatter(_FORMAT))
            lg.addHandler(handler)
        lg.propagate = False
        out.append(lg)
    return out


def disable(topics) -> None:
    """Undo `enable` for ``topics`` (tests use it)."""
    for topic in topics:
        lg = logger(topic)
        for h in [h for h in lg.handlers if isinstance(h, _EnvHandler)]:
            lg.removeHandler(h)
        lg.setLevel(logging.NOTSET)
        lg.propagate = True


def setup_from_env(text: str | None) -> set:
    """Called at import with ``$JANUS_LITE_LOG``; returns the topics switched on."""
    if not text:
        return set()
    known, unknown = parse_topics(text)
    enable(known)
    if unknown:
        print(f"janus_lite: ignoring unknown JANUS_LITE_LOG topic(s) "
              f"{', '.join(sorted(unknown))}; known: {', '.join(TOPICS)}", file=sys.stderr)
    return known


def log_graph(qualname: str, graph) -> None:
    """DEBUG-log a newly built graph (topic graphs) and its guards (topic guards)."""
    glog = logger("graphs")
    if glog.isEnabledFor(logging.DEBUG):
        glog.debug("%s: printed graph:\n%s", qualname, graph.text())
    dlog = logger("guards")
    if dlog.isEnabledFor(logging.DEBUG):
        lines = [f"  {a.line_text()}" for a in graph.assumptions if a.is_guard]
        dlog.debug("%s: graph %s checks %d guards on entry:\n%s", qualname, graph.name,
                   len(lines), "\n".join(lines))
