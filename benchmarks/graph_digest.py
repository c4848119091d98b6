"""A digest of every graph janus_lite builds for the corpus and a fuzz sample: checks that a
change meant for speed alone (conversion, passes, codegen) leaves every printed graph and
every generated source exactly as it was.

    python -m benchmarks.graph_digest --make-sample /tmp/fuzz300.pkl --programs 300
    python -m benchmarks.graph_digest --sample /tmp/fuzz300.pkl --out /tmp/before.txt
    ... change the code ...
    python -m benchmarks.graph_digest --sample /tmp/fuzz300.pkl --out /tmp/after.txt
    diff /tmp/before.txt /tmp/after.txt      # or compare the sha1 printed last

The fuzz programs are drawn once and pickled (hypothesis seeds its draws with constants of
the modules loaded, so drawing again after a code change could give other programs). Each
program also runs through the fuzzer's differential check; a difference is recorded in the
digest rather than raised.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import pickle
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import janus_lite.api  # noqa: E402
from janus_lite.runtime.policy import Failure  # noqa: E402

BUILT: list[str] = []


def _hook():
    orig = janus_lite.api.SpeculativeFunction._convert

    def _convert(self, specs, example=None, relaxed=frozenset()):
        record = orig(self, specs, example, relaxed)
        name = getattr(self.__wrapped__, "__qualname__", "?")
        if isinstance(record, Failure):
            BUILT.append(f"## {name}: conversion failed ({record.reason})\n")
        else:
            BUILT.append(f"## {name}\n{record.graph.text()}\n--- source\n"
                         f"{record.graph.source()}\n")
        return record

    janus_lite.api.SpeculativeFunction._convert = _convert


def make_sample(path: str, n: int) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from fuzz.gen import programs
    progs = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=(Phase.generate,))
    @given(programs())
    def collect(prog):
        progs.append(prog)

    collect()
    with open(path, "wb") as fh:
        pickle.dump(progs, fh)
    print(f"{len(progs)} programs -> {path}")


def digest(sample: str | None, corpus: bool) -> list[tuple[str, str]]:
    _hook()
    warnings.simplefilter("ignore")
    logging.getLogger("janus_lite").setLevel(logging.CRITICAL)
    parts = []
    if corpus:
        from corpus import harness
        for name in harness.program_names():
            BUILT.clear()
            out = harness.run_program(name, True)
            parts.append((f"corpus {name}", f"result {out.result[0]}\n" + "".join(BUILT)))
    if sample:
        from fuzz.runner import run_program
        with open(sample, "rb") as fh:
            progs = pickle.load(fh)
        for i, prog in enumerate(progs):
            BUILT.clear()
            try:
                run_program(prog)
                verdict = "same"
            except AssertionError as exc:
                verdict = "DIFFERS " + str(exc).splitlines()[0]
            parts.append((f"fuzz {i}", verdict + "\n" + "".join(BUILT)))
    return parts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--make-sample", metavar="PKL")
    ap.add_argument("--programs", type=int, default=300)
    ap.add_argument("--sample", metavar="PKL", help="fuzz programs made by --make-sample")
    ap.add_argument("--no-corpus", action="store_true")
    ap.add_argument("--out", help="write every graph's text and source here")
    a = ap.parse_args(argv)
    if a.make_sample:
        make_sample(a.make_sample, a.programs)
        return 0
    parts = digest(a.sample, not a.no_corpus)
    total = hashlib.sha1()
    lines = []
    for key, text in parts:
        h = hashlib.sha1(text.encode()).hexdigest()
        total.update(text.encode())
        lines.append(f"{h} {key} ({text.count('## ')} graphs)")
    if a.out:
        Path(a.out).write_text("\n".join(f"==== {k}\n{t}" for k, t in parts))
    print("\n".join(lines))
    n_graphs = sum(t.count("## ") for _, t in parts)
    print(f"{len(parts)} programs, {n_graphs} graphs: sha1 {total.hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
