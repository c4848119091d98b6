"""Fixtures for the Dask backend's tests: one bounded LocalCluster (2 worker processes, one
thread each, 300 MB each) for the whole session, closed at its end; ``scheduler`` runs a
test once on Dask's threaded scheduler and once on the cluster."""
from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import math
import re

import numpy as np
import pytest

if all(importlib.util.find_spec(m) is not None for m in ("dask", "distributed")):
    # installed: imported for real, so that a Dask and a distributed that do not work
    # together fail here loudly instead of skipping the backend's tests (the extras ask
    # for dask[array,distributed], whose versions match)
    import dask
    import dask.array as da
    import distributed
else:                      # the optional extra is not installed: nothing here to run
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def cluster_client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       memory_limit="300MB", dashboard_address=":0",
                                       silence_logs=logging.ERROR)
    client = distributed.Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close(timeout=20)


@pytest.fixture(params=["threads", "cluster"])
def scheduler(request):
    """The Dask scheduler a test's computes go to."""
    if request.param == "threads":
        with dask.config.set(scheduler="threads"):
            yield "threads"
    else:
        client = request.getfixturevalue("cluster_client")
        with dask.config.set(scheduler=client.get):
            yield client


def bound(chunks: int) -> float:
    """The documented tolerance (docs/guide/dask.md): relative 1e-12 * max(1, log2 k)."""
    return 1e-12 * max(1.0, math.log2(max(chunks, 1)))


def assert_close(a, b, chunks, path="result"):
    """``b`` (the decorated function on Dask data) equals ``a`` (the plain function on NumPy
    data) up to the bound, with NumPy types where ``a`` is small; Dask arrays are computed."""
    if isinstance(b, da.Array):
        assert isinstance(a, np.ndarray), f"{path}: a Dask array for a {type(a).__name__}"
        b = b.compute()
    if isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), f"{path}: {a!r} vs {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_close(x, y, chunks, f"{path}[{i}]")
        return
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            assert_close(a[k], b[k], chunks, f"{path}[{k!r}]")
        return
    if isinstance(a, (np.ndarray, np.generic, float)):
        assert type(a) is type(b), f"{path}: type {type(a).__name__} != {type(b).__name__}"
        if isinstance(a, (np.ndarray, np.generic)):
            assert a.dtype == b.dtype and np.shape(a) == np.shape(b), path
        tol = bound(chunks)
        ok = np.abs(np.asarray(a) - np.asarray(b)) <= tol * np.maximum(1.0, np.abs(a))
        assert np.all(ok), f"{path}: {a!r} vs {b!r} beyond {tol:g}"
        return
    assert type(a) is type(b) and a == b, f"{path}: {a!r} != {b!r}"


_NUM = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def assert_same_text(a: str, b: str, chunks):
    """Printed text equal, floats in it equal up to the bound."""
    assert _NUM.sub("#", a) == _NUM.sub("#", b), f"{a!r} vs {b!r}"
    for x, y in zip(_NUM.findall(a), _NUM.findall(b)):
        assert_close(float(x), float(y), chunks, "printed")


def run(fn, *args):
    """(result or exception, printed text) of ``fn(*args)``."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            result = fn(*args)
        except Exception as exc:    # compared by type and message
            result = exc
    return result, out.getvalue()


def to_dask(a, rows):
    """``a`` as a Dask array chunked into blocks of ``rows`` rows."""
    return da.from_array(a, chunks=(rows,) + a.shape[1:])
