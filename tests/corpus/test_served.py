"""Corpus programs whose functions the policy once left mostly imperative, now served by
graphs (each run plain and decorated: exact first, then the served share of the function
the fix is about)."""
import pytest

from .harness import assert_same_outcome, run_program, served_share


@pytest.mark.parametrize("name, qualname, share", [
    # a relaxation that cannot be converted (a flag deciding a list's length) puts the
    # value back and specializes instead
    ("trainer_history", "Trainer.step", 0.9),
    # a full max_graphs evicts graphs built for cache entries before they existed
    ("rmsprop_named_cache", "RMSProp.update", 0.9),
    # tuple dict keys ``(layer, name)``; failed relaxations do not stop conversion
    ("adam_layer_list", "Adam.update", 0.9),
    # a failed re-conversion reading written state at run time leaves that state folded,
    # so the short last batch gets its own graph
    ("nielsen_cross_entropy", "Network.update_mini_batch", 0.95),
])
def test_served_after_policy_fix(name, qualname, share):
    plain = run_program(name, decorated=False)
    jitted = run_program(name, decorated=True)
    assert_same_outcome(plain, jitted)
    f = dict(jitted.functions)[qualname]
    assert served_share(f) >= share, f"served {served_share(f):.0%}\n{f.explain()}"
