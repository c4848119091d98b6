"""`Report`: text that prints as itself in a terminal and as a preformatted block in a
notebook. ``f.explain()`` and ``graph.summary()`` return one; it is a ``str`` (compare it,
``print`` it, ``.splitlines()`` it as before)."""
from __future__ import annotations

import html


class Report(str):
    """A text report: ``str`` and ``repr`` are the text; ``_repr_html_`` a ``<pre>`` block
    (Jupyter shows the lines, not one escaped string)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_html_(self) -> str:
        return ('<pre style="white-space: pre; font-family: monospace; line-height: 1.3">'
                + html.escape(str.__str__(self)) + "</pre>")

    def _repr_pretty_(self, p, cycle) -> None:   # IPython's plain-text display
        p.text(str.__str__(self))
