"""Issue 15: one method called on objects whose attributes differ in type (a ReLU layer and
an identity layer) gets a graph per variant, side by side — it never thrashes."""
import policy_programs as P
from policy_helpers import run_both

import janus_lite


def test_polymorphic_receivers_get_a_graph_each_and_do_not_thrash():
    (f,), _ = run_both(P.polymorphic, steps=100)
    s = f.stats
    assert s["calls"] == 200
    assert s["conversions"] <= 3, f.explain()            # was 199 conversions for 200 calls
    assert s["graph_calls"] >= 190, f.explain()
    assert len(f.active_graphs) == 2
    assert all(g.status.value == "active" for g in f.active_graphs)


def test_attribute_shapes_differing_per_receiver_get_a_graph_each():
    with janus_lite.config.patch(RELAX_STATE_DIMS=False):
        (f,), _ = run_both(P.receiver_shapes, steps=100)
    s = f.stats
    assert s["conversions"] <= 3, f.explain()            # was 99 conversions for 100 calls
    assert s["graph_calls"] >= 95, f.explain()
    assert len(f.active_graphs) == 2


def test_attribute_shapes_differing_per_receiver_share_a_graph_reading_them():
    # by default the attribute's shape is read at run time: one graph for both receivers
    (f,), _ = run_both(P.receiver_shapes, steps=100)
    assert f.stats["conversions"] <= 2, f.explain()
    assert f.stats["graph_calls"] >= 97, f.explain()
    assert len(f.active_graphs) == 1, f.explain()
    assert "the shape of self.w → any" in f.explain()
