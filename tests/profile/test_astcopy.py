"""copy_ast gives what copy.deepcopy gives for a function's syntax tree: every field and
position, no node shared but the contentless ones (``Load``, ``Add``...), which ast.parse
shares too."""
import ast
import copy
import inspect

from janus_lite.profile.astcopy import copy_ast


def _sample(a, b=2, *rest, k: int = 3, **kw):
    """A function with most constructs: comprehensions, lambdas, f-strings, try, with."""
    total = sum(x * b for x in a if x > 0)
    f = lambda y: y ** 2  # noqa: E731
    try:
        with open(__file__) as fh:
            first = fh.readline()
    except OSError as exc:
        first = f"{exc!r:>10}"
    return {k: v for k, v in kw.items()}, [f(t) for t in rest], total, first, a[1:-1:2]


def test_copy_ast_matches_deepcopy_and_shares_no_node():
    tree = ast.parse(inspect.getsource(_sample))
    mine, theirs = copy_ast(tree), copy.deepcopy(tree)
    assert ast.dump(mine, include_attributes=True) == ast.dump(theirs, include_attributes=True)
    originals = {id(n) for n in ast.walk(tree)}
    shared = [n for n in ast.walk(mine) if id(n) in originals]
    assert shared and all(not n._fields and not n._attributes for n in shared)
    compile(mine, "<copy>", "exec")                  # a valid tree
