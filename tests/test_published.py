"""The published site, as CI's strict build made it (``RNNLAB_BUILD``: the build folder that
``tools/course.py`` writes, with ``_build/html``, ``_build/jupyter_execute`` and the claims log).

Every claim of the book was evaluated there and held; every glued value is a number, a short
label or a figure; no sentence is longer than 45 words and no caption than 50."""
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
from test_claims import book_claims
from toc import chapters, pages

ROOT = Path(__file__).resolve().parent.parent
BUILD = os.environ.get("RNNLAB_BUILD")
pytestmark = pytest.mark.skipif(not BUILD, reason="set RNNLAB_BUILD to a strict build's folder")
spec = importlib.util.spec_from_file_location("lecture_metrics", ROOT / "tools" / "lecture_metrics.py")
metrics = importlib.util.module_from_spec(spec)
spec.loader.exec_module(metrics)


def test_the_published_build_evaluated_every_claim_and_each_held():
    log = Path(BUILD) / "claims.tsv"
    evaluated = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        outcome, text = line.split("\t", 1)
        evaluated[text] = evaluated.get(text, True) and outcome == "ok"
    claims = book_claims()
    missing = sorted(f"{page}: {text}" for text, page in claims.items() if text not in evaluated)
    assert not missing, "claims the published build never evaluated:\n" + "\n".join(missing)
    assert all(evaluated[text] for text in claims)


LABEL = re.compile(r"^'(?P<text>.*)'$", re.S)


@pytest.mark.parametrize("chapter", chapters())
def test_glued_values_are_numbers_labels_or_figures(chapter):
    glued = json.loads((Path(BUILD) / "_build" / "jupyter_execute" / f"{chapter}.glue.json")
                       .read_text(encoding="utf-8"))
    for name, output in glued.items():
        data = output["data"]
        if "image/png" in data or "image/svg+xml" in data:
            continue
        text = data["text/plain"]
        label = LABEL.match(text)
        if label:
            value = label.group("text")
            assert len(value.split()) <= 4 and len(value) <= 40, f"{chapter}: {name} = {text}"
        else:
            float(text)                                  # a number, or this raises


@pytest.mark.parametrize("page", [p for p in pages() if p != "book/api"])   # api: docstrings
def test_no_sentence_over_45_words_and_no_caption_over_50(page):
    html = Path(BUILD) / "_build" / "html" / f"{page}.html"
    assert metrics.long_sentences(html) == [], page
    assert metrics.long_captions(html) == [], page


NOISE = re.compile(r"triggered tf\.function retracing|cuInit|oneDNN custom operations|"
                   r"absl::InitializeLog|cuda_platform\.cc|^[IWE]\d{4} \d\d:\d\d:\d\d", re.M)
"""What TensorFlow prints when it starts or retraces: never course content."""


@pytest.mark.parametrize("page", pages())
def test_no_page_and_no_reader_notebook_shows_backend_noise(page):
    html = (Path(BUILD) / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")
    assert not NOISE.search(html), f"{page}: {NOISE.search(html).group(0)!r}"
    reader = Path(BUILD).parent / "reader" / f"{Path(page).name}.ipynb"
    if reader.exists():
        cells = json.loads(reader.read_text(encoding="utf-8"))["cells"]
        text = json.dumps([c.get("outputs", []) for c in cells])
        assert not NOISE.search(text), f"{reader.name}: {NOISE.search(text).group(0)!r}"
