#!/usr/bin/env python3
"""Execute one chapter as the published build does, and show what its prose will read.

    python3 tools/chapter.py 07             # full budgets, strictly from the results store
    python3 tools/chapter.py 07 --fast      # fast budgets (what nbval runs)
    python3 tools/chapter.py 07 --mode read # full budgets, training what the store lacks

Prints every glued value, every claim and whether it held, each markdown cell's sentences over
45 words (with the glued numbers put in), and the time; writes the executed notebook to
``_build/chapter/<name>.ipynb``. Faster than building the site when writing a chapter.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from lecture_metrics import CAPTION_WORDS, SENTENCE_WORDS, SPLIT  # noqa: E402

GLUE_ROLE = re.compile(r"\{glue(?::(?:text|any)?)?\}`([\w-]+)(?::([^`]*))?`")


def glued(nb: dict) -> dict[str, object]:
    """The values a executed notebook glued, by name (as Python objects where they parse)."""
    values: dict[str, object] = {}
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = {key.rsplit("/", 2)[-2] + "/" + key.rsplit("/", 1)[-1]: value
                        for key, value in output.get("data", {}).items()}
                text = data.get("text/plain", "<figure>")
                try:
                    values[name] = eval(text, {}, {})  # noqa: S307 - repr of numbers and strings
                except Exception:
                    values[name] = text
    return values


def rendered(markdown: str, values: dict[str, object]) -> str:
    """Markdown with each glue role replaced by its formatted value, roles and math simplified.

    A glued value gets a space on each side, as in the built page's text (its glue is an element
    of its own), so that "(88.9%)" counts three words here as there."""
    def value(match: re.Match) -> str:
        name, spec = match.group(1), match.group(2) or ""
        if name not in values:
            return f"<{name}?>"
        try:
            text = format(values[name], spec)
        except (TypeError, ValueError):
            text = str(values[name])
        return f" {text} "

    text = GLUE_ROLE.sub(value, markdown)
    text = re.sub(r"\{\w+\}`([^`]*)`", r"\1", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", "MATH", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return text


FIGURE = re.compile(r"^```\{(?:glue:)?figure\}[^\n]*\n(.*?)^```", re.S | re.M)


def captions(nb, values: dict[str, object]) -> list[tuple[str, str]]:
    """Each figure's caption, by cell id: the text of a {figure} or {glue:figure} directive after
    its options, and a code cell's mystnb caption, glued values put in as the page shows them."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            texts = [" ".join(line for line in body.splitlines() if not line.startswith(":"))
                     for body in FIGURE.findall(cell.source)]
        else:
            caption = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption")
            texts = [caption] if caption else []
        found += [(cell.get("id"), " ".join(rendered(text, values).split())) for text in texts]
    return found


def blocks(markdown: str) -> list[str]:
    """Paragraphs, list items and headings of a markdown text, each on one line (tables left
    out, as the built site's sentence count leaves them out)."""
    found: list[str] = []
    for paragraph in re.split(r"\n\s*\n", markdown):
        if paragraph.lstrip().startswith("|"):
            continue
        items = re.split(r"\n(?=\s*(?:[-*]|\d+\.)\s|#)", paragraph)
        found += [" ".join(item.split()) for item in items if item.strip()]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", help="number (07) or file name")
    parser.add_argument("--fast", action="store_true", help="fast budgets")
    parser.add_argument("--mode", default="strict", help="RNNLAB_STORE in full mode (strict)")
    args = parser.parse_args()
    book = ROOT / "book"
    matches = sorted(book.glob(f"{args.chapter}*.ipynb")) or sorted(book.glob(f"{args.chapter}"))
    if len(matches) != 1:
        sys.exit(f"chapter.py: no single chapter {args.chapter!r} in {book}")
    path = matches[0]
    import nbformat
    from nbclient import NotebookClient

    claims = Path(tempfile.mkdtemp()) / "claims.tsv"
    os.environ.update(TF_CPP_MIN_LOG_LEVEL="3", RNNLAB_FAST="1" if args.fast else "0",
                      RNNLAB_CLAIMS_LOG=str(claims))
    if not args.fast:
        os.environ["RNNLAB_STORE"] = args.mode
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    error = None
    try:
        NotebookClient(nb, timeout=3600, kernel_name="python3",
                       resources={"metadata": {"path": str(book)}}).execute()
    except Exception as failure:  # show what ran, then the error
        error = failure
    took = time.perf_counter() - start
    out = ROOT / "_build" / "chapter" / ("fast" if args.fast else "") / path.name
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    values = glued(json.loads(out.read_text(encoding="utf-8")))
    print(f"== glued values ({len(values)})")
    for name, value in values.items():
        print(f"  {name} = {value!r}")
    print("== claims")
    for line in (claims.read_text(encoding="utf-8").splitlines() if claims.exists() else []):
        print("  " + line.replace("\t", ": ", 1))
    print(f"== sentences over {SENTENCE_WORDS} words")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for block in blocks(rendered(cell.source, values)):
                for sentence in SPLIT.split(block):
                    if len(sentence.split()) > SENTENCE_WORDS:
                        print(f"  [{cell.get('id')}] ({len(sentence.split())} words) {sentence}")
    print(f"== figure captions over {CAPTION_WORDS} words")
    for cell_id, caption in captions(nb, values):
        if len(caption.split()) > CAPTION_WORDS:
            print(f"  [{cell_id}] ({len(caption.split())} words) {caption}")
    print(f"== {path.name}: {'fast' if args.fast else 'full, ' + args.mode} in {took:.0f} s; "
          f"executed notebook: {out}")
    if error is not None:
        print(f"== FAILED: {str(error)[-3000:]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
