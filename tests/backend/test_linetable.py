"""backend.linetable: generated code compiled from text and moved to the user's lines is the
code object that compiling the renumbered AST gives (codegen's two paths agree)."""
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
    nop = "def __jl_graph(a):\n    while True:\n        break\n    return a"
    args = (nop, (9, 9, None), 8, [], "user.py")
    _same_code(codegen._compile_factory_ast(*args), codegen._compile_factory(*args))


def test_entries_round_trip():
    code = compile(TEXT.replace("# line", "#"), "x", "exec").co_consts[0]
    assert linetable.encode(linetable.entries(code), code.co_firstlineno) == \
        code.co_linetable
