"""backend.linetable: generated code compiled from text and moved to the user's lines is the
code object that compiling the renumbered AST gives (codegen's two paths agree)."""
import dis
import types

import pytest

from janus_lite.backend import codegen, linetable

pytestmark = pytest.mark.skipif(not linetable.SUPPORTED, reason="location table unknown")


def _same_code(a, b):
    for attr in ("co_code", "co_names", "co_varnames", "co_freevars", "co_cellvars",
                 "co_firstlineno", "co_linetable", "co_exceptiontable", "co_qualname",
                 "co_flags", "co_stacksize"):
        assert getattr(a, attr) == getattr(b, attr), attr
    assert list(a.co_positions()) == list(b.co_positions())
    assert len(a.co_consts) == len(b.co_consts)
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType):
            _same_code(x, y)
        else:
            assert x == y or x is y


TEXT = """def __jl_graph(a, b):
    if type(a) is not _t0: return _MISS0[0]  # line 40
    v_add_1 = a + b  # line 41
    v_mul_2 = v_add_1 * (v_add_1 - 1) if a else [x for x in (a, b)]  # line 7
    del v_add_1  # line 41
    return v_mul_2"""


@pytest.mark.parametrize("linenos", [
    (40, 41, 7, 41, None),
    (40, 41, 300, 41, None),          # a long jump back and forth: the long form
    (None, None, None, None, None),   # every line the function's own
])
def test_text_path_is_the_ast_path(linenos):
    args = (TEXT, linenos, 39, ["_t0", "_MISS0"], "user.py")
    fast = codegen._compile_factory(*args)
    _same_code(codegen._compile_factory_ast(*args), fast)


def test_wide_columns_and_nops():
    wide = "def __jl_graph(a):\n    v_" + "x" * 200 + " = a + 1  # line 5\n" \
        "    return v_" + "x" * 200
    args = (wide, (5, None), 3, [], "user.py")
    _same_code(codegen._compile_factory_ast(*args), codegen._compile_factory(*args))


def _steps(code) -> list:
    """``code``'s instructions but its NOPs, each with its position and its operand (a jump
    as the index of the step it lands on), and the same for the code among its constants."""
    ins = list(dis.get_instructions(code))
    kept = [i for i in ins if i.opname != "NOP"]
    step, n = {}, len(kept)
    for i in reversed(ins):        # a jump to a NOP lands on the next kept step
        n -= i.opname != "NOP"
        step[i.offset] = n
    out = []
    for i in kept:
        arg = step.get(i.argval) if i.opcode in dis.hasjrel + dis.hasjabs else \
            "code" if isinstance(i.argval, types.CodeType) else i.argrepr
        out.append((i.opname, arg, i.positions))
    return out + [_steps(c) for c in code.co_consts if isinstance(c, types.CodeType)]


@pytest.mark.parametrize("text", [
    "def __jl_graph(a):\n    while True:  # line 9\n        break  # line 9\n"
    "    return a  # line 9",
    "def __jl_graph(a):\n    try:  # line 8\n        if a.w is not _t0: return 1  # line 8\n"
    "    except AttributeError: return 2  # line 8\n    v = a.w + 1  # line 12\n"
    "    try:  # line 8\n        return v * 2  # line 13\n"
    "    except BaseException as _exc:  # line 8\n        raise  # line 8",
])
def test_nops_are_the_only_difference(text):
    """A ``try:`` or ``while True:`` on a line of its own compiles to a NOP the renumbered
    AST's compile drops (its moved line is its neighbour's): the text path keeps it (a line
    tracer's step, nothing else) and is otherwise the AST path's code."""
    linenos = tuple(int(ln.rsplit("# line ", 1)[1]) for ln in text.splitlines()[1:])
    args = (text, linenos, 8, ["_t0"], "user.py")
    fast, slow = codegen._compile_factory(*args), codegen._compile_factory_ast(*args)
    assert linetable.has_nop(fast)
    assert _steps(fast) == _steps(slow)
    for attr in ("co_names", "co_varnames", "co_firstlineno", "co_qualname", "co_flags"):
        assert getattr(fast, attr) == getattr(slow, attr), attr


def test_entries_round_trip():
    code = compile(TEXT.replace("# line", "#"), "x", "exec").co_consts[0]
    assert linetable.encode(linetable.entries(code), code.co_firstlineno) == \
        code.co_linetable
