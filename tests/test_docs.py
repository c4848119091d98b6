"""Every ```python snippet in docs/ runs (each on its own, from a file, so that jit can read
its source). A snippet followed by ``<!-- expected output -->`` and a ```text block must
print exactly that text. ``<!-- file: name.py -->`` before a snippet names its file."""
import contextlib
import glob
import io
import logging
import os
import re
import runpy

import pytest

import janus_lite

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
_FENCE = re.compile(r"^```(\w*)\s*$")


def snippets(path):
    """[(index, line, code, expected output or None, file name)] of one page."""
    out, lines = [], open(path, encoding="utf-8").read().splitlines()
    i, pending_file, expect_next = 0, None, False
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^<!--\s*file:\s*(\S+)\s*-->", line)
        if m:
            pending_file = m.group(1)
        if re.match(r"^<!--\s*expected output\s*-->", line):
            expect_next = True
        fence = _FENCE.match(line)
        if fence:
            lang, start = fence.group(1), i + 1
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                i += 1
            body = "\n".join(lines[start:i]) + "\n"
            if lang == "python":
                out.append([len(out), start, body, None, pending_file or "snippet.py"])
                pending_file = None
            elif lang == "text" and expect_next:
                assert out, f"{path}:{start}: expected output without a snippet before it"
                out[-1][3] = body
            expect_next = False
        i += 1
    return [tuple(s) for s in out]


PAGES = sorted(glob.glob(os.path.join(DOCS, "**", "*.md"), recursive=True)) + \
    [os.path.join(ROOT, "README.md")]
CASES = [(os.path.relpath(p, DOCS), s) for p in PAGES for s in snippets(p)]


def test_docs_exist_and_have_snippets():
    names = {os.path.relpath(p, DOCS) for p in PAGES}
    for page in ["index.md", "architecture.md", "guide/getting-started.md",
                 "guide/explain.md", "guide/supported.md", "guide/performance.md",
                 "guide/limitations.md", "guide/inspecting.md"]:
        assert page in names, page
    for name in ["logistic_regression", "mlp_classifier", "kmeans", "char_rnn", "tree_rnn",
                 "policy_gradient"]:
        assert f"examples/{name}.md" in names, f"no docs page for example {name}"
    assert len(CASES) >= 20


@pytest.fixture
def restore_state():
    saved = {k: getattr(janus_lite.config, k) for k in dir(janus_lite.config) if k.isupper()}
    loggers = {name: (lg.level, lg.propagate, list(lg.handlers))
               for name, lg in logging.root.manager.loggerDict.items()
               if name.startswith("janus_lite") and isinstance(lg, logging.Logger)}
    yield
    for k, v in saved.items():
        setattr(janus_lite.config, k, v)
    for name, (level, propagate, handlers) in loggers.items():
        lg = logging.getLogger(name)
        lg.setLevel(level)
        lg.propagate = propagate
        lg.handlers[:] = handlers


@pytest.mark.parametrize("page,snippet", CASES,
                         ids=[f"{page}:{s[1]}" for page, s in CASES])
def test_snippet(page, snippet, tmp_path, monkeypatch, restore_state):
    index, line, code, expected, filename = snippet
    path = tmp_path / filename
    path.write_text(code)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        runpy.run_path(str(path), run_name="__main__")
    if expected is not None:
        got = buf.getvalue()
        assert got == expected, f"docs/{page}:{line}: output differs\n--- got ---\n{got}" \
                                f"--- expected ---\n{expected}"


# -- the notebook (issue 12 item 8) ---------------------------------------------------------
NOTEBOOK = os.path.join(ROOT, "examples", "notebook.ipynb")


def _run_notebook_cells(path, tmp_path):
    """Execute the notebook in a Jupyter kernel (nbclient) with this checkout importable;
    returns the outputs of each code cell."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([ROOT] + ([env_before] if env_before else []))
    try:
        nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before
    return [c.get("outputs", []) for c in nb.cells if c.cell_type == "code"]


def test_notebook_shows_a_graph_svg_and_an_explain_report(tmp_path):
    outputs = _run_notebook_cells(NOTEBOOK, tmp_path)
    errors = [o for cell in outputs for o in cell if o.get("output_type") == "error"]
    assert not errors, errors
    text = "".join(o.get("text", "") for o in outputs[0])
    graph_calls = int(re.search(r"'graph_calls': (\d+)", text).group(1))
    assert graph_calls >= 15, text          # defined in a cell, it still runs as graphs
    rich = [o.get("data", {}) for cell in outputs[1:] for o in cell
            if o.get("output_type") == "execute_result"]
    graph, summary, report = rich
    assert graph["image/svg+xml"].lstrip().startswith("<svg")
    assert "sgd_step" in graph["image/svg+xml"]
    assert summary["text/html"].startswith("<pre") and 'Graph "sgd_step"' in summary["text/plain"]
    assert report["text/html"].startswith("<pre")
    assert "janus_lite report for sgd_step" in report["text/plain"]
    assert "Verdict: graph-served" in report["text/plain"]
    assert "\\n" not in report["text/plain"]          # lines, not one escaped string
