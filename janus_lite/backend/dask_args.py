"""Dask arrays in and out of a call: gathering them for imperative runs, and the rule that
decides which array results stay Dask arrays.

The rule (the same for graph runs and imperative ones): an array result that keeps a
*big* dimension — an axis as long as an axis some Dask argument splits into more than one
chunk — comes back as a Dask array (chunked like that argument along that axis); every other
array result (reduced, or as small as the parameters) comes back as a NumPy array.
"""
from __future__ import annotations

import numpy as np

from ..profile.records import dask_array_type

STATS = {"computes": 0, "persists": 0, "gathers": 0}
"""Process-wide counts: computes and persists made by graph runs on Dask arguments,
gathers made by imperative runs (profiling, fallbacks) on them."""

MAX_DEPTH = 3
"""How deep into lists, tuples and dicts of arguments Dask arrays are looked for."""


def find(value, out: list, depth: int = 0) -> None:
    """Append every Dask array in ``value`` (and its list/tuple/dict items) to ``out``."""
    t = type(value)
    if t is dask_array_type():
        out.append(value)
    elif depth < MAX_DEPTH and t in (list, tuple):
        for v in value:
            find(v, out, depth + 1)
    elif depth < MAX_DEPTH and t is dict:
        for v in value.values():
            find(v, out, depth + 1)


def replace(value, table: dict, depth: int = 0):
    """``value`` with each Dask array ``x`` replaced by ``table[id(x)]`` (containers that
    hold one are copied; others are passed as they are, so their identity is kept)."""
    t = type(value)
    if t is dask_array_type():
        return table[id(value)]
    if depth < MAX_DEPTH and t in (list, tuple):
        items = [replace(v, table, depth + 1) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return items if t is list else tuple(items)
    if depth < MAX_DEPTH and t is dict:
        items = {k: replace(v, table, depth + 1) for k, v in value.items()}
        if all(items[k] is v for k, v in value.items()):
            return value
        return items
    return value


def big_axes(arrays) -> dict:
    """axis length → chunks along it, for every axis a Dask array splits into >1 chunk."""
    out = {}
    for a in arrays:
        for n, c in zip(a.shape, a.chunks):
            if len(c) > 1:
                out.setdefault(n, c)
    return out


def is_big(value) -> bool:
    """A Dask array split into more than one chunk along some axis (kept lazy)."""
    return type(value) is dask_array_type() and any(len(c) > 1 for c in value.chunks)


def rewrap(result, big: dict):
    """Apply the rule to an imperative run's result (top level and tuple items)."""
    if type(result) is tuple:
        items = tuple(rewrap(r, big) for r in result)
        return items if any(a is not b for a, b in zip(items, result)) else result
    if type(result) is np.ndarray and big and any(n in big for n in result.shape):
        import dask.array as da
        chunks = tuple(big.get(n, (n,)) for n in result.shape)
        return da.from_array(result, chunks=chunks)
    return result


def gather(arrays) -> list:
    """The Dask arrays as NumPy arrays, gathered block by block and assembled here
    (computing an array whole would concatenate it on one worker, which may not hold it),
    in batches of at most ``config.DASK_GATHER_BATCH_BYTES`` (the results of one compute wait
    on the workers until all of them are done)."""
    import dask
    from .. import config
    blocks = [a.to_delayed() for a in arrays]
    flat, sizes = [], []
    for a, bl in zip(arrays, blocks):
        for idx in np.ndindex(bl.shape):
            flat.append(bl[idx])
            sizes.append(a.dtype.itemsize * int(np.prod([c[i] for c, i in zip(a.chunks, idx)])))
    results, batch, held = [], [], 0
    for b, n in zip(flat + [None], sizes + [0]):
        if batch and (b is None or held + n > config.DASK_GATHER_BATCH_BYTES):
            results += dask.compute(*batch)     # the workers never hold more than a batch
            batch, held = [], 0
        if b is not None:
            batch.append(b)
            held += n
    out = iter(results)
    values = []
    for a, bl in zip(arrays, blocks):
        got = np.empty(bl.shape, dtype=object)
        for idx in np.ndindex(bl.shape):
            got[idx] = next(out)
        values.append(np.block(got.tolist()) if got.ndim else got[()])
    for a, v in zip(arrays, values):
        if np.shape(v) != a.shape:
            raise RuntimeError(f"gathered a {np.shape(v)} array for a {a.shape} Dask array")
    return values


def run_gathered(fn, args, kwargs):
    """``fn`` on the call's arguments with Dask arrays computed into NumPy arrays (one
    ``dask.compute``); array results that keep a big dimension go back to Dask."""
    found: list = []
    find(args, found)
    find(kwargs, found)
    if not found:
        return fn(*args, **kwargs)
    values = gather(found)
    STATS["gathers"] += 1
    table = {id(a): v for a, v in zip(found, values)}
    args = replace(args, table)
    kwargs = replace(kwargs, table)
    return rewrap(fn(*args, **kwargs), big_axes(found))
