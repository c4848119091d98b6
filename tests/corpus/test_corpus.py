"""The corpus as differential tests: every training program, run plain and decorated from
outside, gives bit-for-bit the same results, final state, printed output, warnings and RNG
streams — in a first run and in a second run of the same modules (graphs already built). (How much is served by graphs, and how fast, is `python -m benchmarks.corpus`.)"""
import pytest

from .harness import assert_same_outcome, program_names, run_program

NAMES = program_names()

KNOWN_WRONG: dict[str, str] = {}
"""Programs that are not exact today, each with its BUGS.md entry: strict xfails, so that
the fix flips them (remove the entry then)."""


def _param(name):
    if name in KNOWN_WRONG:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[name]))
    return name


def test_corpus_is_big_enough():
    assert len(NAMES) >= 60, NAMES


@pytest.mark.parametrize("name", [_param(n) for n in NAMES])
def test_program_exact(name):
    plain = run_program(name, decorated=False)
    jitted = run_program(name, decorated=True)
    assert plain.result[0] == "ok", f"the plain program itself fails: {plain.result}"
    assert jitted.functions, "the program decorated nothing"
    for qualname, f in jitted.functions:
        assert f.stats["calls"] > f.profile_runs, f"{qualname} is hardly called: {f.stats}"
    assert_same_outcome(plain, jitted)
    # a second run in the same modules: graphs built for the first run's objects now meet
    # new models, optimizers and data (a new trial / fold in the same process)
    plain2 = run_program(name, decorated=False, mod=plain.module)
    jitted2 = run_program(name, decorated=True, mod=jitted.module)
    assert_same_outcome(plain2, jitted2)
