"""Logging topics of janus_lite, and switching them on from the environment.

Everything janus_lite logs goes through the standard `logging` module under the logger
``janus_lite``, split into one child logger per topic so that a topic can be turned on alone:

* ``janus_lite.graphs``    INFO: a graph built, relaxed, retired, or a function abandoned to
  imperative execution (one line each, with the function and the source line);
  DEBUG: the printed graph of every graph built.
* ``janus_lite.fallbacks`` INFO: each *distinct* fallback (a call the graphs could not
  answer), logged the first time it happens; repeats are only counted (see ``explain()``).
* ``janus_lite.guards``    DEBUG: the guards (entry checks) of every graph built.
* ``janus_lite.code``      DEBUG: the generated code of every graph built (``graph.source()``).

Nothing is logged at WARNING or above in normal operation, so with Python's default
configuration (WARNING) janus_lite is silent. ``logging.getLogger("janus_lite")
.setLevel(logging.INFO)`` (plus a handler) shows every topic's INFO lines.

``JANUS_LITE_LOG=fallbacks,graphs,guards,code`` (or ``all``) turns topics on without code
changes: at import, each named topic logger gets its own stderr handler (and stops
propagating, so a configured root handler does not print the line twice) at the topic's
level: INFO for ``graphs`` and ``fallbacks`` (one line per event), DEBUG for ``guards`` and
``code`` (their whole content). ``topic:debug`` asks for a topic's DEBUG lines too
(``graphs:debug`` prints every graph built); ``all:debug`` for every topic.
"""
from __future__ import annotations

import logging
import sys

TOPICS = {
    "graphs": "graphs built, relaxed, retired or abandoned (INFO); printed graphs (DEBUG)",
    "fallbacks": "each distinct fallback, the first time it happens (INFO)",
    "guards": "the entry guards of every graph built (DEBUG)",
    "code": "the generated code of every graph built (DEBUG)",
}
LEVEL = {"graphs": logging.INFO, "fallbacks": logging.INFO, "guards": logging.DEBUG,
         "code": logging.DEBUG}
"""The level a topic named in JANUS_LITE_LOG is switched on at (``topic:debug``: DEBUG)."""

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


_ALL = {"all", "*", "1", "true", "yes"}


def parse_levels(text: str) -> tuple[dict, set]:
    """``"fallbacks, graphs:debug"`` → ({topic: level}, unknown words); ``all`` (or
    ``all:debug``) names every topic."""
    levels, unknown = {}, set()
    for word in (w.strip().lower() for w in text.split(",") if w.strip()):
        name, _, level = word.partition(":")
        if level not in ("", "debug", "info"):
            unknown.add(word)
            continue
        names = set(TOPICS) if name in _ALL else {name} if name in TOPICS else None
        if names is None:
            unknown.add(word)
            continue
        for t in names:
            lvl = logging.DEBUG if level == "debug" else \
                LEVEL[t] if level == "" else logging.INFO
            levels[t] = min(levels.get(t, lvl), lvl)
    return levels, unknown


def parse_topics(text: str) -> tuple[set, set]:
    """``"fallbacks, graphs"`` → (known topics, unknown words); ``all``/``*``/``1`` = all."""
    levels, unknown = parse_levels(text)
    return set(levels), unknown


def enable(topics, stream=None) -> list[logging.Logger]:
    """Turn ``topics`` on: a stderr (or ``stream``) handler on each, at the level given
    (``{topic: level}``) or DEBUG (a set of names)."""
    out = []
    levels = topics if isinstance(topics, dict) else dict.fromkeys(topics, logging.DEBUG)
    for topic in sorted(levels):
        if topic not in TOPICS:
            raise ValueError(f"unknown janus_lite log topic {topic!r}; known: "
                             f"{', '.join(TOPICS)}")
        lg = logger(topic)
        lg.setLevel(levels[topic])
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
    levels, unknown = parse_levels(text)
    enable(levels)
    if unknown:
        print(f"janus_lite: ignoring unknown JANUS_LITE_LOG topic(s) "
              f"{', '.join(sorted(unknown))}; known: {', '.join(TOPICS)} (each may end in "
              f":debug or :info)", file=sys.stderr)
    return set(levels)


def log_graph(qualname: str, graph) -> None:
    """DEBUG-log a newly built graph (topic graphs) and its guards (topic guards)."""
    glog = logger("graphs")
    if glog.isEnabledFor(logging.DEBUG):
        glog.debug("%s: printed graph:\n%s", qualname, graph.text())
    clog = logger("code")
    if clog.isEnabledFor(logging.DEBUG):
        source = graph.code
        clog.debug("%s: generated code of graph %s:\n%s", qualname, graph.name,
                   source if source else "(this backend generates no code)")
    dlog = logger("guards")
    if dlog.isEnabledFor(logging.DEBUG):
        lines = [f"  {a.line_text()}" for a in graph.assumptions if a.is_guard]
        dlog.debug("%s: graph %s checks %d guards on entry:\n%s", qualname, graph.name,
                   len(lines), "\n".join(lines))
