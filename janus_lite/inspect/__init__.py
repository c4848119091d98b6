"""Looking at graphs and speculation: summary tables (`summary`), DOT text (`dot`),
drawings (`draw`, with the pure-Python `layout`), `explain`, and the logging topics
(`logs`). Graph objects expose these as methods (``graph.summary()``, ``graph.to_dot()``,
``graph.draw(path)``: this package registers them in `ir.graph.VIEWS` when imported);
``f.explain()`` calls `explain.explain`."""
from ..ir.graph import VIEWS as _VIEWS
from .dot import to_dot as _to_dot
from .draw import draw as _draw, svg as _svg
from .summary import summary as _summary

_VIEWS.update(summary=_summary, to_dot=_to_dot, draw=_draw, svg=_svg)
