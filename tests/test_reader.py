"""Reader notebooks: MyST constructs rendered to plain Markdown with the executed build's values."""
import json
import os
import re
from pathlib import Path

import pytest

from rnnlab import reader
from toc import ROOT, chapters

BIB = reader.read_bibtex((ROOT / "book" / "references.bib").read_text(encoding="utf-8"))


def glue_output(name, plain):
    return {"output_type": "display_data", "metadata": {"scrapbook": {
        "name": name, "mime_prefix": "application/papermill.record/"}},
        "data": {"application/papermill.record/text/plain": plain}}


def notebook(markdown, code="x = 1", outputs=()):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": [markdown]},
        {"cell_type": "code", "id": "c", "metadata": {}, "source": [code], "outputs": list(outputs),
         "execution_count": None}]}


def render(text, values=None):
    cited, attachments = [], {}
    out = reader.render_markdown(text, values or {}, BIB, ROOT / "book", cited, attachments)
    return out, cited, attachments


def test_glued_values_are_formatted_as_myst_nb_formats_them():
    values = {"acc": {"text/plain": "0.98765"}, "name": {"text/plain": "'LSTM'"},
              "n": {"text/plain": "60000"}}
    out, _, _ = render("{glue:text}`acc:.1%` by {glue:text}`name` on {glue:text}`n:,` "
                       "images ({glue:}`n`)", values)
    assert out == "98.8% by LSTM on 60,000 images (60000)"


def test_a_missing_glue_value_is_an_error_not_a_blank():
    with pytest.raises(KeyError, match="glued no value named 'acc'"):
        render("{glue:text}`acc:.2f`")


def test_citations_become_author_year_links_and_a_reference_list():
    out, cited, _ = render("as shown {cite}`rumelhart1986learning, elman1990finding`.")
    assert out == ("as shown [(Rumelhart et al., 1986; Elman, 1990)](#references).")
    assert cited == ["rumelhart1986learning", "elman1990finding"]
    assert "Finding structure in time" in reader.reference(BIB["elman1990finding"])
    with pytest.raises(KeyError, match="not in references.bib"):
        render("{cite}`nobody2099`")


def test_figures_are_embedded_and_notes_become_block_quotes():
    figure = next((ROOT / "book" / "figures").glob("*.svg")).name
    out, _, attachments = render(f"```{{figure}} figures/{figure}\n:alt: a diagram\n:name: fig-x\n\n"
                                 "The caption.\n```\n\n```{note}\nRead {doc}`bibliography`.\n```")
    assert out.startswith(f"![a diagram](attachment:{figure})\n\n*The caption.*")
    assert attachments[figure]["image/svg+xml"]
    assert "> **Note.**\n>\n> Read [the references below](#references)." in out
    assert reader.myst_leftovers(notebook(out)) == []


def test_a_cross_reference_keeps_its_text_and_a_bare_one_points_below():
    out, _, _ = render("See {ref}`the table at the end <article-models>`; and {ref}`results`.")
    assert out == "See the table at the end; and the section below."
    assert reader.myst_leftovers(notebook(out)) == []


def test_the_reader_keeps_outputs_drops_glue_records_and_lists_references():
    executed = notebook("", outputs=[glue_output("x", "3"), {"output_type": "stream",
                                                              "name": "stdout", "text": ["hi"]}])
    source = notebook("x is {glue:}`x` {cite}`elman1990finding`")
    source["cells"][1]["outputs"] = []
    result = reader.reader_notebook(source, executed, BIB, ROOT / "book")
    assert "".join(result["cells"][0]["source"]) == "x is 3 [(Elman, 1990)](#references)"
    assert result["cells"][1]["outputs"] == [executed["cells"][1]["outputs"][1]]
    assert result["cells"][-1]["id"] == "references"
    with pytest.raises(ValueError, match="code cells differ"):
        reader.reader_notebook(notebook("", code="y = 2"), executed, BIB, ROOT / "book")


@pytest.mark.parametrize("chapter", chapters())
def test_every_construct_of_every_chapter_has_a_plain_rendering(chapter):
    nb = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    assert reader.myst_leftovers(nb)  # the source is MyST: the scan finds something
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        names = {m.group(2).rsplit(":", 1)[0] if m.group(1) == "text" and ":" in m.group(2)
                 else m.group(2) for m in reader.GLUE.finditer(text)}
        figures = set(re.findall(r"^```+\{glue:figure\}[ \t]*(\S+)", text, re.M))
        values = {name: {"text/plain": "1"} for name in names}
        values.update({name: {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"} for name in figures})
        out, _, _ = render(text, values)
        assert reader.MYST_LEFTOVER.search(out) is None, (cell["id"], out)


def test_a_glued_figure_is_embedded_with_its_caption():
    text = "```{glue:figure} fig_x\n:name: fig-x\n:alt: two lines\n\nThe caption.\n```"
    out, _, attachments = render(text, {"fig_x": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}})
    assert out == "![two lines](attachment:fig_x.png)\n\n*The caption.*"
    assert attachments == {"fig_x.png": {"image/png": "iVBORw0KGgo="}}
    with pytest.raises(ValueError, match="not a figure"):
        render(text, {"fig_x": {"text/plain": "3"}})
    with pytest.raises(KeyError, match="fig_x"):
        render(text, {})


READERS = os.environ.get("RNNLAB_READERS")


@pytest.mark.skipif(not READERS, reason="set RNNLAB_READERS to the reader notebooks of a build")
@pytest.mark.parametrize("chapter", chapters())
def test_the_built_reader_notebooks_show_numbers_not_myst(chapter):
    path = Path(READERS) / f"{Path(chapter).name}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert reader.myst_leftovers(nb) == []
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    source = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    if any("{glue" in "".join(c["source"]) for c in source["cells"]):
        assert re.search(r"\d", markdown)


def test_nbgrader_metadata_follows_the_markers():
    from rnnlab.exercises.student import nbgrader_metadata

    nb = json.loads((ROOT / "book" / "04_gru.ipynb").read_text(encoding="utf-8"))
    graded = nbgrader_metadata(nb)
    meta = {c["id"]: c["metadata"].get("nbgrader") for c in graded["cells"]}
    solutions = [i for i, m in meta.items() if m and m["solution"]]
    checks = [i for i, m in meta.items() if m and m["grade"]]
    assert len(solutions) == len(checks) >= 3
    for cell in graded["cells"]:
        text = "".join(cell["source"])
        m = cell["metadata"].get("nbgrader")
        assert (m is not None and m["solution"]) == ("### BEGIN SOLUTION" in text)
        if m and m["grade"]:
            assert m["locked"] and m["points"] == 1 and "rnnlab.exercises.check(" in text
    assert all("nbgrader" not in c["metadata"] for c in nb["cells"])  # the input is unchanged


def test_values_kept_apart_by_the_site_build_are_read_too():
    kept = {"x": {"output_type": "display_data", "data": {"text/plain": "27"}, "metadata": {
        "scrapbook": {"name": "x", "mime_prefix": "application/papermill.record/"}}}}
    assert reader.glued_values(notebook(""), kept) == {"x": {"text/plain": "27"}}
    assert reader.glued_values(notebook("", outputs=[glue_output("y", "1")])) == {
        "y": {"text/plain": "1"}}


def test_bibtex_accents_become_unicode():
    assert reader._latex_accents(r"Bottou, L\'eon and Schmidhuber, J{\"u}rgen".replace("{", "").replace("}", "")) == \
        "Bottou, Léon and Schmidhuber, Jürgen"
    assert reader._latex_accents(r"Computer Speech \& Language, 100\% \_x") == "Computer Speech & Language, 100% _x"
    assert "\\" not in "".join(reader.reference(entry) for entry in BIB.values())


def test_a_work_without_an_author_is_cited_by_its_title():
    entry = {"title": "Untitled Habr article on LSTM and GRU", "year": "2023"}
    assert reader.author_year(entry) == "Untitled Habr article on LSTM and GRU, 2023"
    assert reader.reference(entry).startswith("Untitled Habr article on LSTM and GRU (2023).")


def test_a_section_label_is_dropped():
    rendered = reader.render_markdown("(sec-x)=\n## A section\n\ntext", {}, {}, Path("."), [], {})
    assert rendered == "## A section\n\ntext" and reader.MYST_LEFTOVER.search(rendered) is None
