"""Looking at graphs and speculation: summary tables (`summary`), DOT text (`dot`),
drawings (`draw`, with the pure-Python `layout`), `explain`, and the logging topics
(`logs`). Graph objects expose these as methods (``graph.summary()``, ``graph.to_dot()``,
``graph.draw(path)``); ``f.explain()`` calls `explain.explain`. Submodules are imported
lazily (runtime.events imports `logs` early)."""
