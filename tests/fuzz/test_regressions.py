"""Named regression tests: each failure the fuzzer found, reduced to a minimal program.

A test marked ``xfail(strict=True)`` is a bug still open in janus_lite (the reason says
where and why); when it is fixed the test passes, strict xfail turns that into a failure,
and the marker (and the entry in `gen.KNOWN_BUGS` that keeps the fuzzer off the
construct) is removed.
"""
import numpy as np

from differential import differential, steady


# -- found by the fuzzer, fixed in janus_lite ----------------------------------------------
def draws_noise(x):
    return x + np.random.standard_normal(x.shape)


def test_conversion_does_not_draw_from_global_rng():
    """The call after which the graph was built advanced the global RNG by the draws that
    shape inference ran on stand-ins (fixed in 3326467: impure ops never run on stand-ins)."""
    f = differential(draws_noise, [(np.ones(3),)] * 5, seed=3)
    steady(f, 2)


def draws_noise_helper(x, s):
    a = x + np.random.standard_normal(x.shape)
    if s > 0:
        return a
    return x


def test_conversion_does_not_draw_from_global_rng_profile_runs_1():
    f = differential(draws_noise_helper, [(np.ones((2, 3)), 0.5)] * 4,
                     jit_kwargs={"profile_runs": 1})
    steady(f, 2)


def dict_item_read_then_written(d):
    r = d["b"] * 2
    d["b"] = 3.0
    return r


def test_dict_item_read_then_written_not_folded_from_after_call():
    """The conversion example was bound after the profiled call ran, so d['b'] was folded as
    3.0 (the value the call wrote) under a guard d['b'] == 0.5 from the pre-call summary:
    6.0 instead of 1.0 from the 3rd call on (fixed in fce7c24: list/dict argument items
    follow their merged spec)."""
    differential(dict_item_read_then_written, [({"b": 0.5},) for _ in range(5)])


def dict_item_appended_then_written(d, log):
    log.append(d["b"] * 2)
    d["b"] = 3.0
    return 0


def test_dict_item_written_state_appended_from_after_call():
    differential(dict_item_appended_then_written, [({"b": 0.5}, []) for _ in range(5)])


# -- found by the fuzzer, fixed in b237751 (each diagnosis kept: what went wrong) --------------
def double_in_while(x):
    k = 0
    while k < 3:
        k += 1
        x[...] = x * 2.0
    return x.sum()


def double_first_in_while(x, flag):
    k = 0
    while k < 4 and flag:
        k += 1
        x[0] = x[0] * 2.0
    return x.sum()


class Holder:
    def __init__(self, w):
        self.w = w
        self.n = 0


def double_attr_in_while(h):
    k = 0
    while k < 3:
        k += 1
        h.w[...] = h.w * 2.0
    return h.w.sum()


_WHILE_SETITEM = (
    "wrong answer: item assignment into an argument's (or attribute's) array inside a while "
    "loop node writes into the private copy made before the loop (v_ndarray_copy = x.copy() "
    "hoisted to the root graph), but the loop body keeps reading the original argument "
    "array, so every trip after the first reads stale values (x*2 instead of x*8). The copy "
    "must be the loop-carried value the body reads (frontend/control.py loop node + "
    "state.py writable()/cow); for loops (unrolled or loop nodes) and += are not affected")


# fixed in b237751; the diagnosis was _WHILE_SETITEM
def test_item_assignment_into_argument_in_while_loop():
    differential(double_in_while, [(np.ones(2),) for _ in range(4)])


# fixed in b237751; the diagnosis was _WHILE_SETITEM
def test_item_assignment_into_argument_in_data_dependent_while_loop():
    differential(double_first_in_while, [(np.ones(3), True) for _ in range(4)])


# fixed in b237751; the diagnosis was _WHILE_SETITEM
def test_item_assignment_into_attribute_array_in_while_loop():
    differential(double_attr_in_while, [(Holder(np.ones(2)),) for _ in range(4)])


def return_from_nested_loop(flag, n):
    k = 0
    while k < 4 and flag:
        k += 1
        for i in range(n):
            return k
    return -1


def return_array_from_nested_loop(x, n):
    k = 0
    while k < 4:
        k += 1
        for i in range(n):
            return x * k
    return x + 0


_NESTED_RETURN = (
    "wrong answer: a return inside a loop nested in a loop node; the outer loop body's "
    "carried outputs for its .ret flag and .retval slots are filled with the constant that "
    "initializes the inner loop variable (the _Unbound sentinel) instead of the inner "
    "loop's ret flag/retval (see the generated tuple '(v_add, v_getitem, _k10, _k10, "
    "v_getitem_brk)'), so after the outer loop the graph sees a truthy .ret and returns "
    "janus_lite.frontend.control._Unbound to the caller (frontend/control.py, loop carried "
    "slots for return flags when the inner loop's target is also carried)")


# fixed in b237751; the diagnosis was _NESTED_RETURN
def test_return_from_loop_nested_in_loop_node():
    differential(return_from_nested_loop, [(True, 0), (True, 1), (True, 0), (True, 1), (True, 2)])


# fixed in b237751; the diagnosis was _NESTED_RETURN
def test_return_array_from_loop_nested_in_loop_node():
    differential(return_array_from_nested_loop, [(np.ones(2), n) for n in (0, 1, 0, 1, 2, 3)])


def bump_other(h, other):
    h.w += 1.0
    return other.w * 1.0


def bump_then_read_dict(h, d):
    h.w += 1.0
    return d["a"] * 1.0


def bump_then_read_list(x, lst):
    x += 1.0
    return lst[0] * 1.0


_ALIAS = (
    "wrong answer: two state locations holding the same array (h.w and other.w, or h.w and "
    "d['a'], or x and lst[0], aliased by the caller) with an in-place update through one: "
    "the graph reads the other location's array, which is not updated until the commit, "
    "and no guard checks that they do not share memory: state.py writable() adds 'disjoint' "
    "guards only against the sources known at the time of the update, so sources first read "
    "after it (other.w, d['a']) are never checked, and list items read through getitem are "
    "not sources at all. Models whose optimizer state dict refers to the parameter arrays "
    "hit this")


# fixed in b237751; the diagnosis was _ALIAS
def test_state_arrays_aliased_by_the_caller_updated_in_place():
    calls = []
    for _ in range(4):
        w = np.ones(2)
        calls.append((Holder(w), Holder(w)))
    differential(bump_other, calls)


def test_attribute_and_dict_item_aliased_updated_in_place():
    calls = []
    for _ in range(4):
        w = np.ones(2)
        calls.append((Holder(w), {"a": w}))
    differential(bump_then_read_dict, calls)


# fixed in b237751; the diagnosis was _ALIAS
def test_argument_and_list_item_aliased_updated_in_place():
    calls = []
    for _ in range(4):
        w = np.ones(2)
        calls.append((w, [w]))
    differential(bump_then_read_list, calls)


def set_mode(h, lst):
    if len(lst) > 0:
        h.n = 5
    else:
        h.n = 7
    return 0


def set_mode_and_more(h, lst):
    if len(lst) > 0:
        h.n = h.n + 1
    else:
        h.n = h.n + 1
        h.w = h.w + 1.0
    return 0


_BOTH_BRANCHES = (
    "wrong state: an attribute assigned in both branches of a cond node: each branch's "
    "output tuple lists the new value and the attribute's old value, but in different orders "
    "(then: (v_new, v_old), else: (v_old, v_new)) while the commit step reads the slots by "
    "position and writes both (setattr n = slot0; setattr n = slot1), so in one direction "
    "the write is lost (h.n stays 0 instead of 5). The branches' dirty attributes must be "
    "joined in one order (frontend/control.py, merging the branch heaps)")


# fixed in b237751; the diagnosis was _BOTH_BRANCHES
def test_attribute_written_in_both_branches_of_cond_node():
    lists = [[], [1], [], [1], [], [1]]
    differential(set_mode, [(Holder(np.ones(2)), lst) for lst in lists])


# fixed in b237751; the diagnosis was _BOTH_BRANCHES
def test_attribute_updated_in_both_branches_of_cond_node():
    lists = [[], [1], [], [1], [], [1]]
    differential(set_mode_and_more, [(Holder(np.ones(2)), lst) for lst in lists])


def bump_if_nonempty(x, lst):
    if len(lst) > 0:
        x += 1.0
    return x


def double_then_maybe_return(x, n):
    x *= 2.0
    for i in range(n):
        if x.sum() > 100:
            return x
    return x


def set_then_pick(x, y):
    x[...] = x + 1
    if x.mean() > 0:
        return x
    return y


_IDENTITY = (
    "wrong aliasing: an argument updated in place and then returned through a cond or loop "
    "node's output: the graph returns its private copy (the cond/loop output) instead of the "
    "caller's array, so 'f(x) is x' is False and a caller that updates the result in place "
    "no longer updates x. StateConverter.identity maps the working copy back to the argument "
    "only along straight-line in-place results (note_inplace_result); cond/loop outputs that "
    "carry the copy are not mapped (frontend/control.py + state.py)")


def test_argument_updated_in_place_returned_through_cond_node():
    differential(bump_if_nonempty, [(np.ones(2), []), (np.ones(2), [1]), (np.ones(2), [])])


# fixed in b237751; the diagnosis was _IDENTITY
def test_argument_updated_in_place_returned_through_loop_node():
    differential(double_then_maybe_return, [(np.ones(2), 70) for _ in range(4)])


# fixed in b237751; the diagnosis was _IDENTITY
def test_argument_item_assigned_returned_through_cond_node():
    calls = [(np.ones(2), np.ones(2)), (-3 * np.ones(2), np.ones(2))] * 3
    differential(set_then_pick, calls)


def add_into_dict_item(x, d):
    d["a"] += x
    return 0


def test_interpreter_backend_partial_commit_applied_twice():
    """backend='interpreter' committed d['a'] (commit_copyto), then failed in
    commit_setitem, and the fallback reran the function on the half-committed state:
    x added twice (passes since b237751)."""
    calls = [(np.ones(3), {"a": np.zeros(3)}) for _ in range(4)]
    differential(add_into_dict_item, calls, jit_kwargs={"backend": "interpreter"})


def scale_then_sum(w):
    w *= 1.0
    return float(w.sum())


def test_fortran_ordered_argument_updated_in_place_then_reduced():
    """The private copy of an argument updated in place was C-ordered (ndarray.copy): for a
    Fortran-ordered argument, sum() over the copy differed in the last bits (pairwise
    summation follows memory order)."""
    rng = np.random.default_rng(0)
    calls = [(np.asfortranarray(rng.standard_normal((200, 300))),) for _ in range(6)]
    differential(scale_then_sum, calls)


# -- open bugs ----------------------------------------------------------------------------------
def draw_then_branch(x):
    y = x + np.random.rand()
    if y.sum() > 0:
        return y
    return -y


class Acc:
    def __init__(self):
        self.acc = 0.0


def accumulate_draw(o):
    o.acc = o.acc + float(np.random.rand())
    return 0


def test_interpreter_backend_restores_rng_when_graph_abandoned():
    calls = [(np.ones(2),)] * 3 + [(-np.ones(2) * 5,)] + [(np.ones(2),)]
    differential(draw_then_branch, calls, jit_kwargs={"backend": "interpreter"})


def test_interpreter_backend_commits_attribute_writes():
    f = differential(accumulate_draw, [(Acc(),) for _ in range(4)],
                     jit_kwargs={"backend": "interpreter"})
    steady(f, 2)


def random_walk(x):
    k = 0
    while np.random.rand() < 0.7:
        k += 1
        x = x + 1.0
    return x + 0, k


def draws_in_while_condition(flag):
    k = 0
    while k < 7 and np.random.randint(0, 3) != 0:
        k += 1
        print("v", end=";")
    return k


_WHILE_DRAW = (
    "wrong answer: a while loop whose condition draws from the global RNG: the graph "
    "evaluates the condition once more before the loop node (v_np_random_randint_2 = "
    "randint(0, 3) emitted in the enclosing graph when the condition is converted the first "
    "time, then kept by DCE because draws are side effects) and again on every trip inside "
    "the loop, so each call draws one extra number: trip counts, printed output and the "
    "stream all differ from the plain run (frontend/control.py while conversion; "
    "Monte Carlo loops like 'while np.random.rand() < p' hit this)")


def test_random_draw_in_while_condition():
    differential(random_walk, [(np.zeros(2),)] * 8)


def test_random_draw_in_compound_while_condition_with_print():
    differential(draws_in_while_condition, [(True,)] * 8, jit_kwargs={"max_graphs": 1})


def pass_scalar_through(x, s):
    return x + 0, s


def test_numpy_scalar_argument_returned_keeps_identity():
    calls = [(np.ones(2), np.float32(0.5 + 0 * i)) for i in range(4)]
    differential(pass_scalar_through, calls)


# -- found by the long run after b237751 (19,716 programs) ------------------------------------
class Box1:
    def __init__(self, w):
        self.w = w


def speculated_then_static_loop_with_break(x, o):
    r = 1.0
    if x.sum() > 0:      # positive while profiling: an assertion
        r = 2.0
    for i in range(3):
        if o.w.sum() > i:
            break
    return r


def print_then_static_loop_with_break(o):
    print("p1")
    for i in range(3):
        if o.w.sum() > i:
            break
    return 0


_ROLLBACK = (
    "wrong answer: frontend/statements.py unroll() remembers mark = len(graph.order) and, "
    "when the body meets a run-time exit (NeedLoopNode: a data-dependent break), removes "
    "graph.order[mark:] to start over as a loop node; but a state read converted during the "
    "aborted unroll (heap.py _source_node, here o.w) was inserted at the FRONT of the root "
    "graph (before=_after_inputs(root)), which shifts the order by one, so the rollback "
    "removes the last node emitted before the loop instead of the source node: the assert "
    "of the speculated branch (the graph returns 2.0 where the plain function returns 1.0), "
    "or the deferred print (its output is lost). The deferred-print outbox (state.py "
    "deferred_print, also inserted at the front) has the same effect. Roll back by the set "
    "of nodes added since the mark, not by position")


def test_unroll_rollback_keeps_the_speculation_assert():
    calls = [(np.ones(2), Box1(np.ones(2) * v)) for v in (1, 0, 1, 2)] + \
        [(-np.ones(2), Box1(np.ones(2)))]
    differential(speculated_then_static_loop_with_break, calls)


def test_unroll_rollback_keeps_the_print_before_the_loop():
    differential(print_then_static_loop_with_break, [(Box1(np.ones(2) * v),) for v in (1, 0, 1, 2)])


def return_from_inner_loop_then_draw(x):
    for r in x:
        for i in range(3):
            return x + 0
        t = float(np.random.rand())  # noqa: F841 (the draw is the point)
    return x * 2


def return_from_inner_loop_then_print(x):
    for r in x:
        for i in range(3):
            return 1
        print("after")
    return 2


def return_from_inner_loop_in_branch(x, y):
    for i in range(3):
        if x.sum() > 0:
            for r in y:
                return i + 10
    return -1


_INNER_RETURN = (
    "wrong answer / wrong side effects: a return from a loop nested in another loop "
    "(b237751 fixed the plain case): (1) the statements after the inner loop in the outer "
    "body still run on the returning trip — their print and random draw are not guarded by "
    "the inner loop's .ret flag, so 'after' is printed and the RNG advanced; (2) when the "
    "inner loop sits in a branch (cond node) of the outer loop body, the branch passes the "
    "outer loop's old .retval (v_loop_c3, None) instead of the inner loop's retval, so the "
    "function returns None instead of 10 (frontend/control.py: return flags through cond "
    "outputs inside loop nodes)")


def test_return_from_inner_loop_skips_the_rest_of_the_outer_body_draw():
    differential(return_from_inner_loop_then_draw, [(np.ones(4),)] * 4)


def test_return_from_inner_loop_skips_the_rest_of_the_outer_body_print():
    differential(return_from_inner_loop_then_print, [(np.ones(4),)] * 4)


def test_return_from_inner_loop_inside_branch_of_outer_loop():
    calls = [(np.ones(2) * sg, np.ones(3)) for sg in (1, -1, 1, -1, 1, -1)]
    differential(return_from_inner_loop_in_branch, calls)


def set_then_rebind_in_loop(x, w):
    x[0] = 1.0
    for r in w:
        x = r * 2.0
    return x


def set_then_rebind_in_loop_node(x, n):
    x[0] = 1.0
    for i in range(n):
        x = x * 2.0
    return x


_REBIND = (
    "wrong answer (introduced by b237751): after an in-place update of an argument, a loop "
    "that rebinds the variable returns the CALLER'S ARGUMENT instead of the loop's result "
    "([1, 0, 0] instead of [6, 6, 6]). frontend/control.py loop conversion sets "
    "self.identity[item] = self.original(init_names[i]) for every carried output whose "
    "initial value is the argument's private copy, without checking that the body's output "
    "for that slot is still the copy; the return then maps the loop output back to the "
    "argument (committed_value -> OrigRef)")


def test_loop_rebinding_an_argument_updated_in_place_returns_the_loop_result():
    differential(set_then_rebind_in_loop, [(np.zeros(3), np.ones((2, 3)) * (i + 1))
                                           for i in range(4)])


def test_loop_node_rebinding_an_argument_updated_in_place_returns_the_loop_result():
    differential(set_then_rebind_in_loop_node, [(np.ones(3), n) for n in (70, 70, 80, 70)])


def double_if_positive(x, y):
    if y.sum() > 0:
        x += x
    return x


def set_then_maybe_rebind(x):
    x[0] = 1.0
    if x.sum() > 2:
        x = x * 2.0
    return x


_COND_IDENTITY = (
    "wrong aliasing: an argument updated in place inside one branch of a cond node (on "
    "array data, both ways seen) and returned: the graph returns the cond output (its "
    "private copy), not the caller's array, so 'f(x, y) is x' is False (the len(lst) case of "
    "test_argument_updated_in_place_returned_through_cond_node is fixed, this one is not); "
    "and when one branch rebinds the name to a new array, whether the result is the "
    "argument is only known at run time (the graph must return the argument when the "
    "cond output is its copy)")


def test_argument_updated_in_one_branch_on_array_data_returned_keeps_identity():
    differential(double_if_positive, [(np.ones(4), np.ones(4) * sg) for sg in (1, -1, 1, -1)])


def test_argument_maybe_rebound_in_a_branch_returned_keeps_identity():
    differential(set_then_maybe_rebind, [(np.ones(3) * sg,) for sg in (1, -1, 1, -1)])


def add_into_dict_item_in_while(d, x):
    k = 0
    while k < 3:
        k += 1
        d["a"][...] = d["a"] + x
    return d["a"].sum()


def test_item_assignment_into_dict_item_array_in_while_loop():
    differential(add_into_dict_item_in_while, [({"a": np.ones(2)}, np.ones(2)) for _ in range(4)])


def step_with_log(w, g, hist):
    w -= 0.1 * g
    if len(hist) < 4:
        hist.append(float(g[0]))
    return float(w.sum())


def test_list_argument_appended_to_does_not_cause_a_fallback_storm():
    """Since 6831c90 (fixed in 6c6a211) the graph guarded 'len(hist) == 0' and 'hist[0] ==
    1.0' (from the example bound after the profiled call appended), the guard code raised
    IndexError on every call, and the graph was kept: every call fell back (100,000 of
    100,000 in test_load.py)."""
    f = differential(step_with_log, [(np.zeros(3), np.ones(3), []) for _ in range(8)])
    steady(f, 4)


# -- found by the long run with --seed 2 after 023d961 (chunk 65) ---------------------------------
def loop_rebinds_to_other_argument_then_updated(x, y, s):
    x = x + x
    for r in x:            # a loop node whose trips bind x to the argument y
        x = y
    y *= s
    x += x                 # updates the caller's y: must go through y's private copy
    return x


def test_loop_output_aliasing_an_argument_is_not_graph_owned():
    """The loop output's roots were only its initial value's (graph-owned x + x), not what
    a trip binds (the argument y): `x += x` after the loop wrote straight into the caller's
    y mid-graph, and the commit of y's private copy then overwrote it (wrong result and
    wrong final y). Loop outputs now alias what any trip's output aliases (a fixed point
    over the carried slots, control.py _loop_out_roots), so the in-place update of a
    value that may be the caller's array keeps the function imperative."""
    rng = np.random.default_rng(0)
    calls = [(rng.standard_normal(4), rng.standard_normal(4), 0.5) for _ in range(5)]
    differential(loop_rebinds_to_other_argument_then_updated, calls)


# -- found by the long run with --seed 2 (chunk 103) ----------------------------------------------
def return_from_loop_node_inside_unrolled_loop(x, lst):
    for i1 in range(3):                 # unrolled
        x = x + x
        for i2 in range(len(lst)):      # a loop node once len(lst) varies
            return x
    return -x


def return_from_loop_node_inside_unrolled_loop_then_draw(x, lst, d):
    for i1 in range(3):
        for i2 in range(len(lst)):
            return x
    return (d["a"] - x) + np.random.standard_normal(x.shape)


def test_return_from_a_loop_node_inside_an_unrolled_loop():
    """The return's tail duplication covered only the rest of the unrolled loop's body:
    the path that did not return 'fell off the end' (returned None) instead of running the
    loop's other trips and the code after it. Such an unrolled loop is now a loop node."""
    calls = [(np.ones(3) * k, [1.0] * n) for k, n in ((1, 0), (2, 0), (1, 2), (3, 0), (1, 1))]
    steady(differential(return_from_loop_node_inside_unrolled_loop, calls), 1)
    calls = [(np.ones(3), [1.0] * n, {"a": np.ones(3)}) for n in (0, 0, 0, 2, 0, 1, 0)]
    differential(return_from_loop_node_inside_unrolled_loop_then_draw, calls)


# -- variants of the fixes in 023d961 / d74324d ------------------------------------------------
class LastHolder:
    def __init__(self, w):
        self.w = w
        self.last = None


def maybe_rebound_in_tuple_and_attribute(x, o):
    x[0] = 1.0
    if x.sum() > 2:
        x = x * 2.0
    o.last = x                    # stored: the caller's array when x was not rebound
    return x, (x, 1)


def test_maybe_rebound_argument_in_a_returned_tuple_and_an_attribute_keeps_identity():
    calls = [(np.ones(3) * sg, LastHolder(None)) for sg in (1, -1, 1, -1, 1, -1)]
    steady(differential(maybe_rebound_in_tuple_and_attribute, calls), 3)


def draw_in_while_test_via_helper(x, p):
    n = 0
    while np.random.rand() < p:
        n += 1
        x = x + 1.0
    print("trips", n)
    return x


def test_random_draw_in_while_test_counts_trips_like_the_plain_function():
    np.random.seed(0)
    calls = [(np.zeros(2), p) for p in (0.5, 0.7, 0.5, 0.9, 0.5)]
    steady(differential(draw_in_while_test_via_helper, calls), 2)


def return_from_unrolled_inside_loop_node(x, n):
    total = 0.0
    for k in range(n):                   # a loop node (n varies)
        for j in range(2):               # unrolled inside it
            if x[j] > 5:
                return k * 10 + j
            total += x[j]
        print("outer", k)
        x = x + 1.0
    return total


def test_return_from_unrolled_loop_inside_loop_node_skips_the_rest():
    calls = [(np.array([1.0, 2.0]), n) for n in (3, 4, 5, 6, 2, 7)]
    steady(differential(return_from_unrolled_inside_loop_node, calls), 2)


def loop_keeps_or_rebinds(x, n):
    x *= 2.0
    for i in range(n):
        if i == 2:
            x = x + 1.0          # rebinds on the third trip only
        else:
            x += 1.0
    return x


def test_loop_output_identity_depends_on_the_trips():
    calls = [(np.ones(2), n) for n in (1, 2, 4, 1, 5, 2)]
    steady(differential(loop_keeps_or_rebinds, calls), 1)


# -- found by the 20,000-program run with --seed 600 --warnings (session 14) -------------------------
def _differences_of_self(a, b):
    c = np.tanh(a - a)            # noqa: F841  (computed, unused: it may warn)
    return a


def twice_the_same_difference(x, s):
    a0 = x - x                    # noqa: F841
    return _differences_of_self(x, s) + x


def _warnings_of(fn, calls):
    import warnings
    out = []
    for args in calls:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        out.append([(w.category, str(w.message), w.lineno) for w in caught])
    return out


def test_two_places_computing_the_same_value_each_warn():
    """CSE merged ``x - x`` (the function) with ``a - a`` (an inlined callee): on an
    infinity the plain function warns "invalid value encountered in subtract" twice, from
    two lines, and the graph once. Nodes that may warn are no longer merged."""
    import janus_lite
    inf = np.array([1.0, np.inf, 2.0, 0.5])
    calls = [(np.ones(4), 0.5)] * 3 + [(inf, 0.5), (np.ones(4), 0.5), (inf, 0.5)]
    f = janus_lite.jit(twice_the_same_difference)
    assert _warnings_of(f, calls) == _warnings_of(twice_the_same_difference, calls)
    steady(f, 3)
    differential(twice_the_same_difference, calls)


class _Accumulator:
    def __init__(self, acc):
        self.n, self.acc = 0, acc

    def bump(self, v):
        self.n = self.n + 1
        self.acc = self.acc + v
        return self.n


def bump_by_root_of_sum(x, obj):
    obj.bump(float(np.sqrt(x.sum())))


def test_nan_state_read_at_run_time_not_folded_unguarded():
    """The conversion reads state from its example after the profiled call ran: there
    ``obj.acc`` had become NaN (the square root of a negative sum), and a NaN was folded as
    a constant with no value guard (``acc == nan`` never holds), so every later call added
    to NaN. A NaN read from state is now read at run time."""
    import warnings
    xs = [np.array([0.5, 0.2]), np.array([1.0, -3.0]), np.array([0.5, 0.2]),
          np.array([2.0, 1.0])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f = differential(bump_by_root_of_sum, [(x, _Accumulator(0.5)) for x in xs])
    steady(f, 1)


# -- found by the compiled-tier fuzz run with --seed 2008 --warnings (session 20) ---------------
def _where_above_root(a, b):
    return np.where(a > float(np.sqrt(a.sum())), a, a)


def unused_chain_ending_silently(x, s, w):
    a0 = _where_above_root(w, s) if type(s) is int else (x + x)
    a1 = np.ones_like(np.maximum(a0, 0.0))     # noqa: F841  (unused; np.sqrt above warns)


def test_an_unused_chain_keeps_its_warning_ops_behind_a_silent_end():
    """Only the last node of an unused chain was kept when it may warn; ``ones_like`` cannot,
    so dead-code elimination dropped the whole chain with the ``np.sqrt`` of a negative sum
    in it: the plain function warned "invalid value encountered in sqrt", the graph did not."""
    import janus_lite
    rng = np.random.default_rng(76)
    calls = [(rng.standard_normal(3), 0, rng.random(3) * (-1 if i in (4, 7) else 1))
             for i in range(10)]
    f = janus_lite.jit(unused_chain_ending_silently)
    assert _warnings_of(f, calls) == _warnings_of(unused_chain_ending_silently, calls)
    steady(f, 5)


class _Holder:
    def __init__(self, v):
        self.v = v


def unused_param_and_state(x, unused, h):
    return x, h.v


def test_an_unused_parameter_is_neither_guarded_nor_taken_for_its_value():
    """A parameter the function never names gets no guard; it must then not stand for a
    folded state value that happens to be the same float object (``h.v is unused`` in the
    profiled calls): the graph returned the argument (1.5) where the plain function
    returns the attribute (0.5)."""
    v = float("0.5")
    h = _Holder(v)
    x = np.ones(3)
    calls = [(x, v, h)] * 4 + [(x, 1.5, h), (x, "other", h), (x, 7, h)]
    f = differential(unused_param_and_state, calls)
    steady(f, 3)
    assert f.stats["fallbacks"] == 0, f.explain()


class _Base:
    def forward(self, x):
        return x + 1.0


class _Mid(_Base):
    def forward(self, x):
        return super().forward(x) * 2.0


class _Other(_Base):
    def forward(self, x):
        return x - 1.0


class _Diamond(_Mid, _Other):
    pass


def test_zero_argument_super_keeps_the_receiver_guarded():
    """``super().forward(x)`` reads ``self`` without naming it: ``self`` is still guarded
    (a receiver of another type resolves ``super()`` along another MRO)."""
    x = np.ones(2)
    calls = [(_Mid(), x)] * 4 + [(_Diamond(), x), (_Mid(), x), (_Diamond(), x)]
    f = differential(_Mid.forward, calls)
    steady(f, 3)


class _Cfg:
    lr = 0.1


class _Scaled:
    scale = 2.0

    def apply(self, x):
        return x * _Scaled.scale + type(self).scale


def _sgd_with_class_config(w, g):
    return w - _Cfg.lr * g


def test_class_attributes_set_between_calls_are_read_not_folded():
    """``Cfg.lr`` (a class of the program, read through its global name or ``type(self)``)
    was folded into the graph unguarded: after ``Cfg.lr = 0.5`` between calls, the graph
    kept answering with 0.1 (a wrong answer). It is guarded state now."""
    import janus_lite
    f, g = janus_lite.jit(_sgd_with_class_config), janus_lite.jit(_Scaled.apply)
    w, s = np.ones(3), _Scaled()
    try:
        for i in range(8):
            if i == 5:
                _Cfg.lr, _Scaled.scale = 0.5, 3.0
            assert np.array_equal(f(w, w), _sgd_with_class_config(w, w))
            assert np.array_equal(g(s, w), _Scaled.apply(s, w))
    finally:
        _Cfg.lr, _Scaled.scale = 0.1, 2.0
    steady(f, 4)
    steady(g, 4)


def _scaled_by_defaults(x, scale=[1.0], table={"a": 1.0}, *, shift={"b": 0.0}):
    return x * scale[0] * table["a"] + shift["b"]


def _calls_helper_with_defaults(x):
    return _scaled_by_defaults(x)


def test_mutable_defaults_of_an_inlined_callee_are_read_not_folded():
    """An inlined callee's mutable defaults (a list, dicts, a keyword-only one) were
    folded: after the program changed them between calls, the graph kept the old values
    (a wrong answer, present before this session; found by a probe)."""
    import janus_lite
    f = janus_lite.jit(_calls_helper_with_defaults)
    x = np.ones(3)
    d, kd = _scaled_by_defaults.__defaults__, _scaled_by_defaults.__kwdefaults__
    try:
        for i in range(8):
            if i == 5:
                d[0][0], d[1]["a"], kd["shift"]["b"] = 5.0, 2.0, 7.0
            assert np.array_equal(f(x), _calls_helper_with_defaults(x)), f.explain()
    finally:
        d[0][0], d[1]["a"], kd["shift"]["b"] = 1.0, 1.0, 0.0
    steady(f, 4)


class _Factory:
    base = 2.0

    @classmethod
    def make(cls, x):
        return x * cls.base


def _through_a_classmethod(x):
    return _Factory.make(x) + 1.0


def test_a_classmethod_read_through_its_class_is_served_and_follows_the_class():
    """A class method read through the class is a new bound method each time: its guard
    is on the class dict's entry (a guard on ``_Factory.make`` itself never held)."""
    import janus_lite
    f = janus_lite.jit(_through_a_classmethod)
    x = np.ones(2)
    try:
        for i in range(8):
            if i == 5:
                _Factory.base = 5.0
            assert np.array_equal(f(x), _through_a_classmethod(x))
    finally:
        _Factory.base = 2.0
    steady(f, 4)


class _Maker:
    @classmethod
    def make(cls, x):
        return x * 2.0

    def use(self, x):
        return self.make(x) + 1.0


def test_a_classmethod_rebound_between_calls_is_not_the_old_one():
    """``self.make`` (a class method, through the instance) was folded with no guard: after
    ``_Maker.make`` was rebound, the graph still called the old function."""
    import janus_lite
    f, m, x = janus_lite.jit(_Maker.use), _Maker(), np.ones(2)
    old = _Maker.__dict__["make"]
    try:
        for i in range(8):
            if i == 5:
                _Maker.make = classmethod(lambda cls, v: v * 10.0)
            assert np.array_equal(f(m, x), _Maker.use(m, x))
    finally:
        _Maker.make = old
    steady(f, 4)


def _accept_until(n, thr):
    """Rejection sampling: a list the graph makes, grown inside a run-time loop."""
    out = []
    tries = 0
    while len(out) < n:
        v = np.random.rand()
        tries += 1
        if v > thr:
            out.append(v)
    a = np.round(out, 3)
    return len(a), a.shape, a.size, a.sum(), [float(x) for x in a], tries


def test_a_list_grown_in_a_run_time_loop_has_no_known_length():
    """The list's meta still said ``[]`` (the items it was made with) after the loop
    appended to it: ``np.round(out)`` was inferred of shape (0,), and ``len``, ``.shape``
    and ``.size`` of it folded to 0 on every graph run (a wrong answer, present before
    this session; found by a probe)."""
    f = differential(_accept_until, [(3 + i % 3, 0.5) for i in range(8)])
    steady(f, 5)


def _resized(x, n):
    a = x * 2
    a.resize((n,), refcheck=False)
    return a.shape, len(a), a.size, a


def test_ndarray_resize_in_place_is_not_graphed():
    """``a.resize(...)`` changes ``a``'s shape in place; the graph kept the old shape in its
    metas and folded ``a.shape``/``len(a)``/``a.size`` to it (a wrong answer, present
    before this session; found by a probe). It is no longer in the op table."""
    differential(_resized, [(np.arange(3.0), n) for n in (2, 3, 4, 5, 2, 6)])


class _Counter:
    def __init__(self, n):
        self.n, self.acc = n, 0.0

    def bump(self, v):
        self.n = self.n + 1
        self.acc = self.acc + v
        return self.n


def _bump_then_cast(x, y, obj):
    obj.bump(0.5)
    if obj.n % 2 == 0:
        y += x          # int64 += float64: a casting error, raised before any write


def test_a_casting_error_of_a_direct_update_keeps_the_writes_before_it():
    """Found by the fuzzer (seed 2171): the update of ``y`` (written in place directly)
    raised its casting error with the run past its "point of no return", so the error was
    taken as the call's own and the deferred writes of ``obj.bump`` before it were never
    made (``obj.n`` 1, not 2; present before this session). ``may_raise`` now sees an
    in-place update whose result type does not cast back (`_cannot_cast_back`), so the
    update goes through a copy, the run is abandoned and the plain function answers."""
    calls = [(np.round(np.random.default_rng(s).standard_normal(4), 3),
              np.arange(4, dtype=np.int64), _Counter(s)) for s in (0, 1, 0, 1, 0, 1)]
    differential(_bump_then_cast, calls)
