"""Fixed functions for the golden tests of explain() and summary(): do not edit (line
numbers appear in the expected text); add new functions at the end."""
import zlib

import numpy as np


def scale(x, a):
    return x * a


def clipped(x, use_clip):
    if use_clip:
        x = np.minimum(x, 1.0)
    return x + 1.0


def positive_part(x):
    if x.sum() > 0:
        return x * 2.0
    return x


def checksum(x):
    return zlib.crc32(x.tobytes()) + x.sum()


def guarded(x):
    try:
        return x + 1.0
    except:            # noqa: E722  (a bare except: kept imperative)
        return x
