"""A loop-carried array whose dtype changes inside an inner loop (float64, then float32)
has an unknown dtype in the graph; NumPy compares a dtype with None as with float64
(``np.dtype('float64') == None`` is True), and the meta join once kept float64 for it, so a
later ``x * 0.5`` was lowered with a float64 0-d constant and gave float64 where NumPy gives
float32. Found by the compiled-tier fuzzer (seed 2200)."""
import numpy as np

from janus_lite.ir.node import Meta, join, same_dtype
from differential import differential, steady


class Scaler:
    def __init__(self, acc):
        self.acc = acc

    def scale(self, v):
        return v * self.acc


def rebinds_in_inner_loop(x, y, obj):
    for _ in x:
        k = 0
        while k < 4:
            k += 1
            x = y
    return obj.scale(x), float(obj.scale(x).sum()), x * 0.25 + 1.0


def test_an_unknown_dtype_joins_as_unknown():
    f64 = Meta(np.ndarray, np.dtype("float64"), (4,))
    unknown = Meta(np.ndarray, None, (4,))
    assert join(f64, unknown).dtype is None and join(unknown, f64).dtype is None
    assert join(f64, Meta(np.ndarray, np.dtype("float64"), (3,))).dtype == np.float64
    assert not same_dtype(np.dtype("float64"), None) and not same_dtype(None, None)


def test_a_carried_array_rebound_to_another_dtype_keeps_numpys_result_dtype():
    x = np.linspace(-1.0, 1.0, 4)
    y = np.linspace(-1.0, 1.0, 4).astype(np.float32)
    f = differential(rebinds_in_inner_loop, [(x, y, Scaler(0.5))] * 5)
    steady(f, 2)
