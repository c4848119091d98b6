"""Loops whose carried values the generated code economises on stay exact.

- A carried slot that nothing reads (the loop variable of ``for i in range(n)`` when ``i``
  is not used after the loop) is never assigned.
- A branch of the loop body whose value goes only into carried slot k assigns the slot's
  variable itself (a swap: one simultaneous assignment) — unless something after the
  branch still reads the slot's old value (another slot takes it, a read after the
  branch), where the branch keeps its own variable.
- Each case runs to the end, and with the speculated-away ``break`` taken at last (the run
  abandoned after the branch assigned the slot). (A lone ``if test: break`` in a loop node is
  never speculated: frontend ``_loop_exit_test``. These exits hold a ``pass`` too, so that
  they are.)
"""
import numpy as np

from differential import differential, steady


def scan(x):
    s = 0.0
    for i in range(100):
        if x[i] < 0:
            continue
        if x[i] > 2:
            pass                        # not a lone break: speculated
            break
        s += x[i]
    return s


def scan_index(x):                      # the loop variable is read after the loop
    s = 0.0
    for i in range(100):
        if x[i] < 0:
            continue
        if x[i] > 2:
            pass                        # not a lone break: speculated
            break
        s += x[i]
    return s, i


def old_after_branch(x):                # the old carried value is read after the branch
    s = 0.0
    t = 0.0
    for i in range(100):
        prev = s
        if x[i] < 0:
            s = s - x[i]
        else:
            s = s + x[i]
        if x[i] > 2:
            pass                        # not a lone break: speculated
            break
        t = t + prev
    return s, t


def swap(x):                            # the branch's values swap two carried slots
    a = 1.0
    b = 2.0
    for i in range(100):
        if x[i] < 0:
            a, b = b, a + x[i]
        else:
            a, b = b + x[i], a
        if x[i] > 2:
            pass                        # not a lone break: speculated
            break
    return a, b


def rotate(x):                          # slot b takes slot a's old value after the branch
    a = 1.0
    b = 2.0
    for i in range(100):
        if x[i] < 0:
            c = a + x[i]
        else:
            c = a - x[i]
        a, b = c, a
        if x[i] > 2:
            pass                        # not a lone break: speculated
            break
    return a, b


def while_scan(x):
    i = 0
    s = 0.0
    while i < 100:
        i += 1
        if x[i - 1] < 0:
            continue
        if x[i - 1] > 2:
            pass                        # not a lone break: speculated
            break
        s += x[i - 1]
    return s


def _calls():
    rng = np.random.default_rng(3)
    mixed = [np.clip(rng.standard_normal(100), -1.9, 1.9) for _ in range(6)]
    breaks = mixed[2].copy()
    breaks[3] = 3.0
    return [(m,) for m in mixed] * 2 + [(breaks,), (mixed[0],), (breaks,), (mixed[1],)]


def _loop_source(f):
    src = f.graphs[0].source()         # the graph that speculated the break away
    assert "for " in src or "while " in src, src
    return src


def test_unread_loop_variable_is_not_assigned():
    f = differential(scan, _calls())
    steady(f, 4)
    src = _loop_source(f)
    assert "_c1" not in src, src                   # the slot of ``i``: never assigned
    assert "pass" in src, src                      # continue: the branch assigns nothing


def test_loop_variable_read_after_the_loop_is_kept():
    f = differential(scan_index, _calls())
    steady(f, 4)
    assert "_c1 = " in _loop_source(f) or "_c1, " in _loop_source(f)


def test_old_value_read_after_the_branch_keeps_the_branch_variable():
    f = differential(old_after_branch, _calls())
    steady(f, 4)
    assert "v_cond" in _loop_source(f)


def test_swapping_branch_values_stay_exact():
    f = differential(swap, _calls())
    steady(f, 4)
    assert "v_cond" not in _loop_source(f)         # one simultaneous assignment


def test_old_value_passed_to_another_slot_keeps_the_branch_variable():
    f = differential(rotate, _calls())
    steady(f, 4)
    assert "v_cond" in _loop_source(f)


def test_while_loop_branch_assigns_the_carried_variable():
    f = differential(while_scan, _calls())
    steady(f, 4)
    src = _loop_source(f)
    assert "v_cond" not in src, src
