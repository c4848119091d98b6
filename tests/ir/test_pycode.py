"""`ir.pycode`: source → code object → function in one place (filename, ``dont_inherit``,
the namespace, the user's compile-time warnings kept quiet)."""
import ast
import builtins
import types
import warnings

import pytest

from janus_lite.ir.pycode import compile_function, function_code

SRC = "def __jl_make(k):\n    def f(x: int):\n        return x * k + base\n    return f\n"
NOISY = "def g(idx):\n    return idx is 0\n"          # SyntaxWarning: "is" with a literal


def test_the_function_runs_over_the_namespace_and_binds_only_builtins_there():
    ns = {"base": 100}
    make = compile_function(SRC, "/tmp/user_model.py", ns)
    assert make.__name__ == "__jl_make" and make.__globals__ is ns
    assert make(3)(2) == 106
    ns["base"] = 0                              # globals read at call time, from ns
    assert make(3)(2) == 6
    assert set(ns) == {"base", "__builtins__"}  # as exec binds it: nothing else
    assert ns["__builtins__"] is builtins
    assert make.__code__.co_filename == "/tmp/user_model.py"
    assert compile_function(SRC, "x.py", {}, "renamed").__name__ == "renamed"


def test_an_ast_module_compiles_like_its_text():
    code = function_code(ast.parse(SRC), "m.py")
    assert isinstance(code, types.CodeType) and code.co_name == "__jl_make"
    assert code.co_code == function_code(SRC, "m.py").co_code


def test_no_future_import_leaks_in_unless_asked():
    # this test module has no `from __future__ import annotations`; the flag must come
    # only from the argument (as it came from the callers' own module before)
    plain = compile_function(SRC, "m.py", {"base": 0})(1)
    assert plain.__annotations__ == {"x": int}
    lazy = compile_function(SRC, "m.py", {"base": 0}, future_annotations=True)(1)
    assert lazy.__annotations__ == {"x": "int"}


def _compile_warnings(filename, **kw):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fn = compile_function(NOISY, filename, {}, **kw)
    return fn, [w.category for w in seen]


def test_quiet_hides_the_users_compile_time_warnings_and_leaves_the_filters():
    before = warnings.filters
    fn, seen = _compile_warnings("/tmp/user_model.py")
    assert seen == [] and fn(0) is True
    _, loud = _compile_warnings("/tmp/user_model.py", quiet=False)
    assert SyntaxWarning in loud
    assert warnings.filters is before


def test_quiet_holds_under_error_filters():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compile_function(NOISY, "/tmp/user_model.py", {})(0) is True
        with pytest.raises(SyntaxError):
            compile_function(NOISY, "/tmp/user_model.py", {}, quiet=False)


def test_a_function_made_over_a_bare_namespace_sees_the_builtins():
    """A bare namespace (the compiled tier's segment wrappers) must still give the function
    Python's builtins: without them ``except Exception`` and C code that imports through
    the caller's builtins (numba's BLAS binding loading scipy) fail."""
    src = "def f(xs):\n    try:\n        return len(xs)\n    except Exception:\n        return -1\n"
    f = compile_function(src, "<bare>", {})
    assert f([1, 2]) == 2 and f(3) == -1
