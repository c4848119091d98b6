"""``print(..., file=stream)``: a stream read at call time (``sys.stderr``, a log object
passed in), written at the commit in program order with the call's other printed text
(before, such a function ran imperatively). Redirecting ``sys.stderr`` between calls
changes the stream the graph reads, as it does for the plain function."""
import contextlib
import io
import sys

import numpy as np

import janus_lite


def log_to_stderr(x, i):
    loss = float((x ** 2).sum())
    print(f"step {i}", end=" ")
    print("loss", round(loss, 3), file=sys.stderr, flush=True)
    print("done", i)
    return loss


def log_to(stream, x):
    print("mean", float(x.mean()), file=stream, sep="=")
    return x * 2


def _run(fn, calls):
    """(results, stdout, stderr) of ``calls``, stderr redirected to a fresh buffer for
    the first half and to another one for the rest."""
    out, errs, results = io.StringIO(), [io.StringIO(), io.StringIO()], []
    with contextlib.redirect_stdout(out):
        for k, c in enumerate(calls):
            with contextlib.redirect_stderr(errs[k * 2 // len(calls)]):
                results.append(fn(*c))
    return results, out.getvalue(), [e.getvalue() for e in errs]


def test_print_to_stderr_is_graphed_and_goes_where_plain_print_goes():
    calls = [(np.arange(3.0) * i, i) for i in range(8)]
    f = janus_lite.jit(log_to_stderr)
    assert _run(log_to_stderr, calls) == _run(f, calls)
    assert f.stats["graph_calls"] >= 4, f.explain()


def test_print_to_a_stream_argument():
    f = janus_lite.jit(log_to)
    plain_logs, jit_logs = io.StringIO(), io.StringIO()
    for i in range(6):
        a = log_to(plain_logs, np.arange(3.0) + i)
        b = f(jit_logs, np.arange(3.0) + i)
        assert np.array_equal(a, b)
    assert plain_logs.getvalue() == jit_logs.getvalue()
    assert f.stats["graph_calls"] >= 3, f.explain()


def log_none(x):
    print("value", float(x.sum()), file=None)
    return x + 1


def test_print_with_file_none_goes_to_stdout():
    calls = [(np.arange(3.0) + i, ) for i in range(5)]
    f = janus_lite.jit(log_none)
    assert _run(log_none, calls)[1:] == _run(f, calls)[1:]
    assert f.stats["graph_calls"] >= 2, f.explain()
