#!/usr/bin/env python3
"""How the chapters read as lectures: what the page shows and how long its sentences are.

    python3 tools/lecture_metrics.py [BUILT_HTML_DIR]

prints, per chapter: visible glue calls and asserts, hidden if/else lines, visible ``compile``
and ``fit`` calls (from the notebooks in ``book/``) and, when a built site is given (default
``_build/full/_build/html``), the sentences over 45 words and captions over 50 words of each
page. ``tests/test_lecture.py`` and ``tests/test_published.py`` hold the chapters to the limits.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_WORDS = 45
CAPTION_WORDS = 50
REMOVED = {"remove-cell", "remove-input"}
"""Tags that take a cell's code off the rendered page."""


def cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def visible(cell: dict) -> bool:
    """Whether the cell's code is on the rendered page (folded cells count: one click shows them)."""
    return cell["cell_type"] == "code" and not REMOVED & set(cell["metadata"].get("tags", []))


def code_lines(cell: dict) -> list[str]:
    return [line for line in "".join(cell["source"]).splitlines()
            if line.strip() and not line.strip().startswith("#")]


GLUE = re.compile(r"\bglue\(")
ASSERT = re.compile(r"^\s*assert\b")
BRANCH = re.compile(r"\b(if|elif|else)\b")
COMPILE = re.compile(r"\.compile\(")
FIT = re.compile(r"(?:\bmodel\w*|\brnnlab)\.fit\(")


def source_counts(notebook: Path) -> dict[str, int]:
    """Visible glue calls, visible asserts, hidden if/else lines, visible compile and fit calls."""
    shown = [line for c in cells(notebook) if visible(c) for line in code_lines(c)]
    hidden = [line for c in cells(notebook) if c["cell_type"] == "code" and not visible(c)
              for line in code_lines(c)]
    return {"visible glue": sum(bool(GLUE.search(line)) for line in shown),
            "visible assert": sum(bool(ASSERT.search(line)) for line in shown),
            "hidden if/else": sum(bool(BRANCH.search(line)) for line in hidden),
            "visible compile": sum(bool(COMPILE.search(line)) for line in shown),
            "visible fit": sum(bool(FIT.search(line)) for line in shown)}


SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9(\"“‘$`])")
CITATION = re.compile(r"\[\s[^\[\]]*?\d{4}[a-z]?\s\]")
"""A citation as the site renders it, ``[ LeCun et al. , 1998 ]``: one reference, not words."""


def page_prose(html: Path) -> tuple[list[str], list[str]]:
    """The sentences of a built page's prose (paragraphs and list items of the article, code,
    outputs and math left out) and its figure captions."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    for junk in article.select("div.cell_output, div.highlight, pre, script, style, table"):
        junk.decompose()
    for math in article.select("span.math, div.math, mjx-container"):   # a formula: one word
        math.replace_with("MATH")
    for label in article.select("span.caption-number, a.headerlink"):   # "Fig. 3.2", "#"
        label.decompose()
    for code in article.select("code"):         # inline code reads as one word, as in the source
        code.string = f"`{code.get_text()}`"
    captions = [" ".join(c.get_text(" ").split()) for c in article.select("figcaption")]
    for caption in article.select("figcaption"):
        caption.decompose()
    sentences = []
    for block in article.select("p"):
        text = CITATION.sub("[cite]", " ".join(block.get_text(" ").split()))
        sentences += [s for s in SPLIT.split(text) if s]
    return sentences, captions


def words(text: str) -> int:
    return len(text.split())


def long_sentences(html: Path, limit: int = SENTENCE_WORDS) -> list[str]:
    return [s for s in page_prose(html)[0] if words(s) > limit]


def long_captions(html: Path, limit: int = CAPTION_WORDS) -> list[str]:
    return [c for c in page_prose(html)[1] if words(c) > limit]


def main(argv: list[str]) -> None:
    site = Path(argv[1]) if len(argv) > 1 else ROOT / "_build" / "full" / "_build" / "html"
    book = ROOT / "book"
    header = ["chapter", "visible glue", "visible assert", "hidden if/else", "visible compile",
              "visible fit", f"sentences > {SENTENCE_WORDS}", f"captions > {CAPTION_WORDS}"]
    print(" | ".join(header))
    totals = [0] * (len(header) - 1)
    for notebook in sorted(book.glob("[0-9][0-9]_*.ipynb")):
        counts = list(source_counts(notebook).values())
        html = site / "book" / f"{notebook.stem}.html"
        prose = [len(long_sentences(html)), len(long_captions(html))] if html.exists() else [0, 0]
        row = counts + prose
        totals = [a + b for a, b in zip(totals, row)]
        print(" | ".join([notebook.stem, *map(str, row)]))
    print(" | ".join(["total", *map(str, totals)]))


if __name__ == "__main__":
    main(sys.argv)
