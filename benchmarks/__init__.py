"""janus_lite's benchmark suite: `python -m benchmarks.run [--quick]` (or `janus-lite bench`)."""
