"""How long a conversion takes: from "enough profile runs" to "graph entry ready"
(frontend.convert → passes.run_passes → backend compile, guards included).

    python -m benchmarks.conversion                 # ms per graph and per node
    python -m benchmarks.conversion --profile       # plus a cProfile top 20 per function
    python -m benchmarks.conversion --only lossFun --repeat 10

Each function is taken from a corpus program (tests/corpus/programs): the program runs once
decorated, the arguments of the function's first successful conversion (`_convert`) are kept,
and that conversion is then repeated on its own, with conversion's memo tables emptied
before each (``--warm`` keeps them: what converting the same function again costs). Reported: the best and median time of the
whole `_convert`, its phases (convert, passes, backend compile), and the node count, all in
CPU time of this process (`time.process_time`: the machine may be busy with other work).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import janus_lite.api as api  # noqa: E402
from janus_lite.runtime.policy import Failure  # noqa: E402

CASES = [
    # (label, corpus program, qualified name of the decorated function)
    ("layer backward", "mlp_layers_sgd", "Dense.backward"),
    ("softmax loss", "softmax_linear_classifier", "softmax_loss_vectorized"),
    ("char-RNN step", "charrnn_adagrad", "lossFun"),
    ("LSTM encode (unrolled)", "lstm_step", "encode"),
    ("60-trip unrolled loop", "kernel_perceptron", "perceptron_epoch"),
    ("naive conv backward", "conv_naive_layers", "conv_backward_naive"),
]


def capture(program: str, qualname: str):
    """Run ``program`` decorated; the (function, args) of ``qualname``'s first conversion."""
    from corpus import harness
    seen = {}
    orig = api.SpeculativeFunction._convert

    def _convert(self, specs, example=None, relaxed=frozenset()):
        record = orig(self, specs, example, relaxed)
        if not isinstance(record, Failure) and not seen \
                and self.__wrapped__.__qualname__ == qualname:
            seen["call"] = (self, (specs, example, relaxed), len(record.graph))
        return record

    api.SpeculativeFunction._convert = _convert
    try:
        harness.run_program(program, True)
    finally:
        api.SpeculativeFunction._convert = orig
    if not seen:
        raise RuntimeError(f"{program}: {qualname} was never converted")
    return seen["call"]


def clear_caches() -> None:
    """Empty the memo tables conversion keeps between conversions (where this version has
    them), so that a timed conversion pays what a first conversion pays."""
    import importlib
    for module, names in CACHES:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        for name in names:
            table = getattr(mod, name, None)
            if table is not None:
                table.clear()


CACHES = [
    ("janus_lite.frontend.calls", ("_INLINE_AST",)),
    ("janus_lite.backend.codegen", ("_CODE_CACHE",)),
    ("janus_lite.ir.rules", ("_BY_EXAMPLE",)),
]
"""(module, names of its memo dicts) that --warm keeps and the default empties."""


def phases(sf, args) -> tuple[float, float, float]:
    """Seconds in convert, run_passes and backend compile for one conversion."""
    specs, example, relaxed = args
    fn = sf.__wrapped__
    t0 = time.process_time()
    graph = api.convert(fn, sf._fdef, sf._klass, specs, sf._profiler.profile, fn.__name__,
                        example, relaxed)
    t1 = time.process_time()
    backend = api.for_specs(specs, sf.backend)
    api.run_passes(graph, api.passes_for(backend))
    t2 = time.process_time()
    api.backend_compile(graph, fn, sf._fdef, graph.guards, backend)
    t3 = time.process_time()
    return t1 - t0, t2 - t1, t3 - t2


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", action="store_true", help="cProfile top 20 per function")
    ap.add_argument("--only", help="run the cases whose label or name contains this")
    ap.add_argument("--repeat", type=int, default=0,
                    help="conversions timed per function (default: about 1.5 s' worth)")
    ap.add_argument("--warm", action="store_true",
                    help="keep memo tables between conversions (a function converted again)")
    ap.add_argument("--sort", default="tottime", help="cProfile sort key (tottime, cumtime)")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    logging.getLogger("janus_lite").setLevel(logging.CRITICAL)
    rows = []
    for label, program, qualname in CASES:
        if a.only and a.only not in label and a.only not in qualname and a.only not in program:
            continue
        sf, args, nodes = capture(program, qualname)
        t0 = time.process_time()
        sf._convert(*args)                                 # warm (imports, caches)
        first = time.process_time() - t0
        n = a.repeat or max(2, min(30, int(1.5 / max(first, 1e-3))))
        times, split = [], []
        for _ in range(n):
            if not a.warm:
                clear_caches()
            t0 = time.process_time()
            record = sf._convert(*args)
            times.append(time.process_time() - t0)
            assert not isinstance(record, Failure), record.reason
        for _ in range(max(1, n // 3)):
            if not a.warm:
                clear_caches()
            split.append(phases(sf, args))
        best, med = min(times), statistics.median(times)
        conv, passes, comp = (min(s[i] for s in split) for i in range(3))
        rows.append((label, qualname, nodes, best, med, conv, passes, comp))
        print(f"{label:24} {qualname:26} {nodes:5d} nodes  best {1e3 * best:8.1f} ms  "
              f"median {1e3 * med:8.1f} ms  {1e3 * best / nodes:6.3f} ms/node  "
              f"[convert {1e3 * conv:.1f}, passes {1e3 * passes:.1f}, "
              f"compile {1e3 * comp:.1f}] (n={n})", flush=True)
        if a.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(max(1, n // 3)):
                if not a.warm:
                    clear_caches()
                sf._convert(*args)
            prof.disable()
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats(a.sort).print_stats(20)
            print(s.getvalue())
    if rows:
        geo = statistics.geometric_mean([r[3] for r in rows])
        print(f"geomean best ms per graph: {1e3 * geo:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
