"""The ``janus-lite`` command (also ``python -m janus_lite``): demo, inspect, bench.

* ``demo``    trains a small MLP whose unchanged NumPy step is decorated with jit, with a
              progress bar; prints the speedup, the graph summary and explain(); draws the
              graph.
* ``inspect`` decorates one of your functions (``MODULE:FUNCTION``), calls it the way you
              say (``--call "f(np.ones(3))"`` or ``--args-from SCRIPT``) and prints what
              janus_lite made of it: explain(), the summary, the generated code, the graph.
* ``bench``   runs the benchmark suite of a source checkout (``python -m benchmarks.run``).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import subprocess
import sys

import numpy as np

SHOW = ("explain", "summary", "source", "graph", "instrumented")


# -- demo ---------------------------------------------------------------------------------
def demo_step(W1, b1, W2, b2, X, Y, lr):
    """One SGD step of a two-layer ReLU MLP with softmax cross-entropy (Y one-hot)."""
    h = np.maximum(X @ W1 + b1, 0.0)
    logits = h @ W2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.sum(Y * np.log(p + 1e-12)) / X.shape[0]
    d = (p - Y) / X.shape[0]
    dh = (d @ W2.T) * (h > 0)
    return (W1 - lr * (X.T @ dh), b1 - lr * dh.sum(axis=0),
            W2 - lr * (h.T @ d), b2 - lr * d.sum(axis=0), loss)


def _demo_data(n, d, classes, hidden, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, d)) * 0.5
    labels = rng.integers(0, classes, n)
    X = (centers[labels] + rng.standard_normal((n, d))).astype(np.float32)
    Y = np.eye(classes, dtype=np.float32)[labels]
    W1 = (rng.standard_normal((d, hidden)) * np.sqrt(2.0 / d)).astype(np.float32)
    W2 = (rng.standard_normal((hidden, classes)) * np.sqrt(1.0 / hidden)).astype(np.float32)
    return [W1, np.zeros(hidden, np.float32), W2, np.zeros(classes, np.float32)], X, Y


def progress(i: int, n: int, text: str, stream=None, width: int = 30) -> None:
    """A one-line progress bar: redrawn in place on a terminal, every 25% otherwise."""
    stream = stream or sys.stdout
    tty = stream.isatty()
    if not tty and i != n and i % max(1, n // 4) != 0:
        return
    done = width * i // n
    bar = f"[{'#' * done}{'.' * (width - done)}] {i:>{len(str(n))}}/{n}  {text}"
    stream.write(("\r" + bar + ("\n" if i == n else "")) if tty else bar + "\n")
    stream.flush()


def cmd_demo(opts) -> int:
    import janus_lite as jl
    from janus_lite.inspect.draw import DrawError
    from janus_lite.inspect.timing import compare, report_lines
    n, hidden, steps = (256, 32, opts.steps or 40) if opts.quick else (2048, 128,
                                                                          opts.steps or 300)
    params, X, Y = _demo_data(n, 20, 5, hidden)
    step = jl.jit(demo_step)
    print(f"janus_lite demo: training a 2-layer MLP ({X.shape[1]}→{hidden}→{Y.shape[1]}, "
          f"{n} samples) with a jit-decorated NumPy step")
    for i in range(1, steps + 1):
        *params, loss = step(*params, X, Y, 0.5)
        progress(i, steps, f"loss {loss:.4f}")
    cmp = compare(demo_step, step, (*params, X, Y, 0.5), rounds=3 if opts.quick else 11,
                  reps=3 if opts.quick else 30)
    print()
    print("\n".join(report_lines("demo_step", cmp, step)))
    if not step.graphs:
        print(step.explain())
        return 0
    graph = step.graphs[-1]
    print()
    print(graph.summary())
    print()
    print(step.explain())
    if opts.draw != "":
        path = opts.draw
        try:
            engine = graph.draw(path)
        except DrawError as exc:
            alt = os.path.splitext(path)[0] + ".dot"
            graph.draw(alt)
            print(f"\n{exc}\nwrote the DOT text to {alt} instead")
        else:
            print(f"\ndrew the graph to {path} ({engine})")
    return 0


# -- inspect ------------------------------------------------------------------------------
def load_target(target: str):
    """``MODULE:FUNCTION`` → (module, object); MODULE is a dotted name or a .py path,
    FUNCTION may be dotted (``Class.method``)."""
    if ":" not in target:
        raise SystemExit(f"janus-lite inspect: expected MODULE:FUNCTION, got {target!r}")
    mod_name, _, attr = target.rpartition(":")
    if mod_name.endswith(".py") or os.sep in mod_name:
        path = os.path.abspath(mod_name)
        if not os.path.exists(path):
            raise SystemExit(f"janus-lite inspect: no such file {mod_name!r}")
        sys.path.insert(0, os.path.dirname(path))
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    else:
        sys.path.insert(0, os.getcwd())
        module = importlib.import_module(mod_name)
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise SystemExit(f"janus-lite inspect: {mod_name} has no {attr!r}") from None
    return module, obj


def _calls_from_script(path: str) -> list:
    ns: dict = {"__name__": "__janus_lite_args__", "np": np}
    with open(path) as fh:
        exec(compile(fh.read(), path, "exec"), ns)
    if "calls" in ns:
        calls = list(ns["calls"])
    elif "args" in ns:
        calls = [(tuple(ns["args"]), dict(ns.get("kwargs", {})))]
    else:
        raise SystemExit(f"janus-lite inspect: {path} must define `calls` (a list of argument "
                         f"tuples) or `args` (a tuple, with optional `kwargs`)")
    return [c if isinstance(c, tuple) and len(c) == 2 and isinstance(c[1], dict)
            else (tuple(c) if isinstance(c, (tuple, list)) else (c,), {}) for c in calls]


def cmd_inspect(opts) -> int:
    import janus_lite as jl
    from janus_lite.api import SpeculativeFunction
    module, obj = load_target(opts.target)
    f = obj if isinstance(obj, SpeculativeFunction) else jl.jit(obj)
    times = opts.times or f.profile_runs + 3
    if opts.args_from:
        calls = _calls_from_script(opts.args_from)
        for _ in range(times):
            for args, kwargs in calls:
                f(*args, **kwargs)
    elif opts.call:
        ns = dict(vars(module))
        ns.update({"np": np, "jl": jl, "f": f, obj.__name__ if hasattr(obj, "__name__")
                   else "f": f})
        code = [compile(c, "<--call>", "eval") for c in opts.call]
        for _ in range(times):
            for c in code:
                eval(c, ns)
    else:
        print("janus-lite inspect: no calls given (--call or --args-from); showing what is "
              "known before any call", file=sys.stderr)
    show = SHOW if "all" in opts.show else opts.show
    graph = f.graphs[-1] if f.graphs else None
    sections = []
    for what in show:
        if what == "explain":
            sections.append(f.explain())
        elif graph is None and what in ("summary", "source", "graph"):
            sections.append(f"({what}: no graph was built)")
        elif what == "summary":
            sections.append(graph.summary())
        elif what == "source":
            sections.append("# generated code of the newest graph\n" +
                            (graph.source() or "(this backend generates no code)"))
        elif what == "graph":
            sections.append(graph.text())
        elif what == "instrumented":
            src = f.instrumented_source()
            sections.append("# what the profiler runs\n" + (src or "(no instrumented source: "
                                                             f"{f._imperative_reason})"))
    print("\n\n".join(sections))
    if opts.draw and graph is not None:
        print(f"\ndrew the graph to {opts.draw} ({graph.draw(opts.draw)})")
    return 0


# -- bench --------------------------------------------------------------------------------
def find_benchmarks() -> str | None:
    """The folder holding ``benchmarks/run.py``: the current directory or the checkout
    this package was installed from (editable installs)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for root in (os.getcwd(), here):
        if os.path.isfile(os.path.join(root, "benchmarks", "run.py")):
            return root
    return None


def cmd_bench(opts) -> int:
    root = find_benchmarks()
    if root is None:
        print("janus-lite bench: no benchmark suite found (benchmarks/run.py). The benchmarks "
              "ship with the source checkout: run this command from a clone of janus_lite "
              "(or install it with `pip install -e .` from one).", file=sys.stderr)
        return 2
    cmd = [sys.executable, "-m", "benchmarks.run"] + (["--quick"] if opts.quick else []) + \
        list(opts.rest)
    print(f"janus-lite bench: running {' '.join(cmd[1:])} in {root}", flush=True)
    return subprocess.call(cmd, cwd=root)


# -- entry point --------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="janus-lite", description="janus_lite: run imperative "
                                 "NumPy code as speculative, optimized graphs.")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    d = sub.add_parser("demo", help="train a small MLP with a jit-decorated step and show "
                       "the speedup, the graph summary and a drawing",
                       description="Train a small MLP whose NumPy step is decorated with "
                       "janus_lite.jit; print the speedup, the graph summary and explain(); "
                       "draw the graph.")
    d.add_argument("--steps", type=int, default=0, help="training steps (default 300)")
    d.add_argument("--draw", default="janus_lite_demo.png", metavar="PATH",
                   help="where to draw the graph (.png/.svg/.pdf/.dot; default "
                        "%(default)s; '' to skip)")
    d.add_argument("--quick", action="store_true", help="small sizes, few steps")
    d.set_defaults(run=cmd_demo)
    i = sub.add_parser("inspect", help="show the graphs janus_lite builds for one of your "
                       "functions", description="Decorate MODULE:FUNCTION with jit, call it, "
                       "and print explain(), the graph summary, the generated code ...",
                       epilog='example: janus-lite inspect mymodel.py:train_step '
                              '--call "f(np.ones((8, 3)), np.zeros(3), 0.1)"')
    i.add_argument("target", metavar="MODULE:FUNCTION",
                   help="a dotted module or a .py file, then the function (Class.method ok)")
    i.add_argument("--call", action="append", metavar="EXPR",
                   help="a call to evaluate in the module's namespace, the decorated "
                        "function being `f` (and its own name); repeatable")
    i.add_argument("--args-from", metavar="SCRIPT",
                   help="a Python script defining `calls` (list of argument tuples) or "
                        "`args` (one tuple) and optional `kwargs`")
    i.add_argument("--times", type=int, default=0,
                   help="how many times to make the calls (default: profile runs + 3)")
    i.add_argument("--show", type=lambda s: [w.strip() for w in s.split(",") if w.strip()],
                   default=["explain", "summary"],
                   help=f"comma-separated sections: {', '.join(SHOW)}, all "
                        f"(default explain,summary)")
    i.add_argument("--draw", metavar="PATH", help="also draw the newest graph")
    i.set_defaults(run=cmd_inspect)
    b = sub.add_parser("bench", help="run the benchmark suite (benchmarks/run.py)",
                       description="Run the benchmark suite of a source checkout "
                       "(python -m benchmarks.run); any other arguments are passed on to it.")
    b.add_argument("--quick", action="store_true", help="small sizes, few repetitions")
    b.set_defaults(run=cmd_bench)
    return ap


def main(argv=None) -> int:
    ap = build_parser()
    opts, extra = ap.parse_known_args(argv)
    if getattr(opts, "command", None) == "bench":
        opts.rest = extra
    elif extra:
        ap.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(opts, "run", None) is None:
        ap.print_help()
        return 1
    if opts.command == "inspect":
        bad = [w for w in opts.show if w not in SHOW + ("all",)]
        if bad:
            ap.error(f"--show: unknown section(s) {', '.join(bad)}; choose from "
                     f"{', '.join(SHOW)}, all")
    return opts.run(opts)


if __name__ == "__main__":
    sys.exit(main())
