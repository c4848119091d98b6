"""State the function reads (an attribute's type, a config object's optional field) that
alternates between calls gets a graph per variant, kept side by side, instead of one graph
rebuilt on every call."""
from dataclasses import dataclass

import numpy as np

from differential import differential, steady


@dataclass
class Config:
    lr: float = 0.1
    momentum: float = 0.9
    clip: float | None = None


def update(w, g, v, cfg):
    if cfg.clip is not None:
        g = np.clip(g, -cfg.clip, cfg.clip)
    v *= cfg.momentum
    v -= cfg.lr * g
    w += v
    return w


def test_optional_config_field_alternating_keeps_a_graph_per_variant():
    calls = [(np.ones(3), np.ones(3) * i, np.zeros(3), Config(clip=0.5 if i % 2 else None))
             for i in range(12)]
    f = differential(update, calls)
    s = steady(f, 8)
    assert s["conversions"] <= 3, f.explain()
    assert s["graphs"] == 2, f.explain()
