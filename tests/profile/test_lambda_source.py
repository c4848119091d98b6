"""Finding a lambda's AST when several lambdas with the same parameters share its line
(an activation table: ``{"linear": (lambda x: x, lambda x: np.ones_like(x))}``): told apart
by the columns of the code's instructions, a lambda inside a lambda included."""
import ast
import types

import numpy as np

from janus_lite.profile.source import function_ast

from differential import differential, steady

ACTS = {"linear": (lambda x: x + 0.0, lambda x: np.ones_like(x)), "sq": lambda x: (lambda x: x * x)(x)}  # noqa: E501


def test_each_lambda_on_a_shared_line_finds_its_own_body():
    f, df = ACTS["linear"]
    outer = ACTS["sq"]
    inner = types.FunctionType(next(c for c in outer.__code__.co_consts
                                    if isinstance(c, types.CodeType)), globals())
    assert function_ast(f)[0].body.col_offset < function_ast(df)[0].body.col_offset
    assert "ones_like" in ast.unparse(function_ast(df)[0].body)
    assert ast.unparse(function_ast(outer)[0].body).startswith("(lambda x")
    assert ast.unparse(function_ast(inner)[0].body) == "x * x"


def layer(x, act):
    f, df = ACTS[act]
    return f(x) * df(x)


def test_a_layer_calling_lambdas_from_a_shared_line_gets_a_graph():
    f = differential(layer, [(np.arange(4.0) + i, "linear") for i in range(6)])
    steady(f, 3)
