"""The ``janus-lite`` command (also ``python -m janus_lite``): demo, inspect, bench.

* ``demo``    trains a small MLP whose unchanged NumPy step is decorated with jit, with a
              progress bar; prints the speedup, the graph summary and explain(); draws the
              graph.
* ``inspect`` decorates one of your functions (``MODULE:FUNCTION``), calls it the way you
              say (``--call "f(np.ones(3))"`` or ``--args-from SCRIPT``) and prints what
              janus_lite made of it: explain(), the summary, the generated code, the graph.
* ``bench``   runs the benchmark suite (``python -m benchmarks.run``): from the current
              source checkout, else the copy installed with the package.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import subprocess
import sys
import traceback

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
    rounds = 3 if opts.quick else 11
    print(f"timing the plain and the decorated step side by side ({rounds} interleaved "
          f"rounds) ...", flush=True)
    cmp = compare(demo_step, step, (*params, X, Y, 0.5), rounds=rounds,
                  reps=3 if opts.quick else 30,
                  progress=lambda i, n: progress(i, n, "timing rounds"))
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
        print(f"\ndrawing the graph to {path} ...", flush=True)
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
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise SystemExit(_user_error(f"running {mod_name}", exc)) from None
    else:
        sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and mod_name.startswith(exc.name) and (
                    exc.name == mod_name or mod_name[len(exc.name)] == "."):
                raise SystemExit(f"janus-lite inspect: no module named {exc.name!r} (from "
                                 f"{os.getcwd()}; give a dotted module importable from "
                                 f"here, or a .py path)") from None
            raise SystemExit(_user_error(f"importing {mod_name}", exc)) from None
        except Exception as exc:
            raise SystemExit(_user_error(f"importing {mod_name}", exc)) from None
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise SystemExit(f"janus-lite inspect: {mod_name} has no {attr!r}") from None
    return module, obj


def _user_error(what: str, exc: BaseException) -> str:
    """A short message for an error in the user's code: their frames only, then the error."""
    frames = [fr for fr in traceback.extract_tb(exc.__traceback__)
              if "importlib" not in fr.filename and os.path.dirname(__file__)
              not in fr.filename]
    where = "".join(traceback.format_list(frames[-3:]))
    return (f"janus-lite inspect: error while {what}:\n{where}"
            f"{type(exc).__name__}: {exc}")


def _compile_calls(calls: list) -> list:
    """Compile every ``--call`` first: a syntax error is reported before anything runs."""
    code = []
    for c in calls:
        try:
            code.append((c, compile(c, "<--call>", "eval")))
        except SyntaxError as exc:
            caret = " " * max(0, (exc.offset or 1) - 1) + "^"
            raise SystemExit(f"janus-lite inspect: --call {c!r} is not a Python expression: "
                             f"{exc.msg}\n  {c}\n  {caret}") from None
    return code


def _check_draw_path(path: str | None, need_engine: bool = True) -> None:
    """Reject a --draw path janus_lite cannot write before running any call."""
    if not path:
        return
    from janus_lite.inspect.draw import FORMATS, available_engines
    fmt = os.path.splitext(path)[1].lower().lstrip(".")
    if fmt not in FORMATS:
        raise SystemExit(f"janus-lite: cannot draw to {path!r}: the suffix must be one of "
                         f"{', '.join('.' + f for f in FORMATS)}")
    if need_engine and fmt != "dot" and not available_engines():
        raise SystemExit(f"janus-lite: cannot draw .{fmt} here: neither Graphviz's `dot` nor "
                         f"matplotlib is installed; use a .dot path")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise SystemExit(f"janus-lite: cannot draw to {path!r}: no folder {folder}")


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
    _check_draw_path(opts.draw)
    code = _compile_calls(opts.call or [])
    if opts.args_from and not os.path.isfile(opts.args_from):
        raise SystemExit(f"janus-lite inspect: --args-from: no such file {opts.args_from!r}")
    module, obj = load_target(opts.target)
    if not callable(obj):
        raise SystemExit(f"janus-lite inspect: {opts.target} is a {type(obj).__name__}, not "
                         f"a function")
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
        for _ in range(times):
            for text, c in code:
                try:
                    eval(c, ns)
                except Exception as exc:
                    raise SystemExit(_user_error(f"evaluating --call {text!r}", exc)) \
                        from None
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
    """The folder holding ``benchmarks/run.py``: the current directory (a source checkout),
    the checkout this package was installed from (editable installs), or the site folder
    the package was installed into (the suite is installed with it)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for root in (os.getcwd(), here):
        if os.path.isfile(os.path.join(root, "benchmarks", "run.py")):
            return root
    try:
        spec = importlib.util.find_spec("benchmarks.run")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin and os.path.isfile(spec.origin):
        return os.path.dirname(os.path.dirname(spec.origin))
    return None


def _bench_parser(root: str | None, parents=True) -> argparse.ArgumentParser | None:
    """The suite's own option parser (``benchmarks.run.build_parser``), or None."""
    if root is None:
        return None
    path = os.path.join(root, "benchmarks", "run.py")
    try:
        with open(path) as fh:
            if "def build_parser(" not in fh.read():
                return None        # an older suite, or someone else's `benchmarks`
        spec = importlib.util.spec_from_file_location("_janus_lite_bench_run", path,
                                                      submodule_search_locations=None)
        module = importlib.util.module_from_spec(spec)
        module.__package__ = "benchmarks"
        spec.loader.exec_module(module)
        return module.build_parser(prog="janus-lite bench", add_help=False)
    except Exception:          # an older suite, or someone else's `benchmarks`
        return None


def cmd_bench(opts) -> int:
    root = find_benchmarks()
    if root is None:
        print("janus-lite bench: no benchmark suite found (benchmarks/run.py): not in the "
              "current folder nor installed with janus_lite. Reinstall janus_lite "
              "(`pip install janus_lite`) or run this from a clone of it.", file=sys.stderr)
        return 2
    rest = list(opts.rest)
    installed = os.path.abspath(root) != os.path.abspath(os.getcwd()) and \
        not os.path.isfile(os.path.join(root, "setup.cfg"))      # not a source checkout
    if installed and "--out" not in rest and not any(a.startswith("--out=") for a in rest):
        rest += ["--out", os.path.join(os.getcwd(), "janus_lite_bench")]
    cmd = [sys.executable, "-m", "benchmarks.run"] + (["--quick"] if opts.quick else []) + rest
    print(f"janus-lite bench: running {' '.join(cmd[1:])} in {root}", flush=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(
        os.pathsep) if p])
    return subprocess.call(cmd, cwd=root, env=env)


# -- entry point --------------------------------------------------------------------------
def build_parser(bench_options: bool = False) -> argparse.ArgumentParser:
    """The ``janus-lite`` parser (``bench_options``: load the suite's options for bench)."""
    from janus_lite import __version__
    ap = argparse.ArgumentParser(prog="janus-lite", description="janus_lite: run imperative "
                                 "NumPy code as speculative, optimized graphs.")
    ap.add_argument("--version", action="version",
                    version=f"janus-lite {__version__} (numpy {np.__version__}, Python "
                            f"{sys.version.split()[0]})")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    d = sub.add_parser("demo", help="train a small MLP with a jit-decorated step and show "
                       "the speedup, the graph summary and a drawing",
                       description="Train a small MLP whose NumPy step is decorated with "
                       "janus_lite.jit; print the speedup, the graph summary and explain(); "
                       "draw the graph.")
    d.add_argument("--steps", type=_positive_int, default=0,
                   help="training steps (default 300; 40 with --quick)")
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
    suite = _bench_parser(find_benchmarks()) if bench_options else None
    b = sub.add_parser("bench", help="run the benchmark suite (benchmarks/run.py)",
                       parents=[suite] if suite is not None else [],
                       conflict_handler="resolve",
                       description="Run the benchmark suite: janus_lite vs plain NumPy (and "
                       "peers) per workload, in fresh processes, medians of interleaved "
                       "samples (python -m benchmarks.run; the arguments are passed on).",
                       epilog="example: janus-lite bench --quick --only mlp_step "
                              "--wait-quiet 60")
    if suite is None:
        b.add_argument("--quick", action="store_true", help="small sizes, few repetitions")
    b.set_defaults(run=cmd_bench)
    return ap


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    bench = "bench" in argv and not any(a in ("demo", "inspect") for a in
                                        argv[:argv.index("bench")])
    ap = build_parser(bench_options=bench)
    opts, extra = ap.parse_known_args(argv)
    if getattr(opts, "command", None) == "bench":
        # the suite's options were checked above; pass the arguments on as given
        opts.rest = [a for a in argv[argv.index("bench") + 1:] if a != "--quick"]
    elif extra:
        ap.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(opts, "run", None) is None:
        ap.print_help()
        return 1
    if opts.command == "demo":
        _check_draw_path(opts.draw, need_engine=False)    # no renderer: it writes .dot
    if opts.command == "inspect":
        bad = [w for w in opts.show if w not in SHOW + ("all",)]
        if bad:
            ap.error(f"--show: unknown section(s) {', '.join(bad)}; choose from "
                     f"{', '.join(SHOW)}, all")
    return opts.run(opts)


if __name__ == "__main__":
    sys.exit(main())
