"""The chapters read as lectures (issue 27): the page shows the lesson's code, plumbing stays in
removed cells, the prose is written by hand, and every chapter that trains shows Keras itself.
These read the notebooks' source; tests/test_published.py checks the built site."""
import importlib.util
import json
import re
from pathlib import Path

import pytest
from toc import chapters

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("lecture_metrics", ROOT / "tools" / "lecture_metrics.py")
metrics = importlib.util.module_from_spec(spec)
spec.loader.exec_module(metrics)
CHAPTERS = [ROOT / f"{c}.ipynb" for c in chapters()]

PLUMBING = re.compile(r"^\s*(rnnlab\.glue\(|rnnlab\.claim\(|assert\b|page = rnnlab\.experiments"
                      r"\.page_runs\(\))")
TRAINS = re.compile(r"rnnlab\.fit\(|\b(fit_evaluate|length_sweep|compare|language_run|"
                    r"seq2seq_run|sunspot_forecasts|parity_sweep|clipping_run|tune|tuned_runs|"
                    r"attention_sweep|bottleneck_sweep)\(")
MACHINERY = re.compile(r"(?i)\bfast mode\b|\bfast[- ]budget|\bCI\b|results store|RNNLAB_|"
                       r"\bserved from\b|course\.py results")


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def code(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_glue_or_claim_is_on_the_page(path):
    shown = [c for c in cells(path) if metrics.visible(c)]
    found = [c["id"] for c in shown if re.search(r"\b(glue|claim)\(", code(c))]
    assert not found, f"{path.name}: glue and claims belong in remove-cell cells: {found}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_visible_cell_only_glues_or_asserts(path):
    for cell in cells(path):
        lines = metrics.code_lines(cell) if metrics.visible(cell) else []
        if lines and all(PLUMBING.match(line) for line in lines):
            pytest.fail(f"{path.name}, cell {cell['id']}: only plumbing; tag it remove-cell")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_bodies_say_nothing_of_the_machinery(path):
    """Fast mode, CI and the results store are explained once, on the page 'How the numbers were
    made'; a chapter's prose is about recurrent networks."""
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            found = MACHINERY.findall(code(cell))
            assert not found, f"{path.name}, cell {cell['id']}: {found}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_that_trains_shows_keras_and_ends_with_where_its_numbers_come_from(path):
    source = "\n".join(code(c) for c in cells(path) if c["cell_type"] == "code")
    if not TRAINS.search(source):
        return
    counts = metrics.source_counts(path)
    assert counts["visible compile"] >= 1 and counts["visible fit"] >= 1, (
        f"{path.name} trains, but no visible cell shows model.compile(...) and "
        "rnnlab.fit(...) (model.fit's twin): show one run in plain Keras")
    last = cells(path)[-2:]
    assert "page_runs" in code(last[0]) and "{doc}`numbers`" in code(last[1]), (
        f"{path.name}: end with the line on where the page's numbers come from")
    assert "Training runs on this page: {glue:text}`page_runs`, recorded {glue:text}`page_dates`" \
        in code(last[1]), f"{path.name}: the closing line in the book's one wording"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_guards_its_conclusions_with_claims(path):
    from test_claims import claims_of

    assert claims_of(path), f"{path.name} states no checked claim"


def test_the_rules_catch_what_they_are_for():
    assert PLUMBING.match("rnnlab.glue('x', 1)") and PLUMBING.match("assert x > 1")
    assert not PLUMBING.match("print(x)")
    assert MACHINERY.search("in fast mode the numbers differ") and MACHINERY.search("CI builds")
    assert not MACHINERY.search("a circuit")
    assert TRAINS.search("history = rnnlab.fit(model, x, y)")
