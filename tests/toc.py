"""The book's structure, read from ``_toc.yml``: the one list of pages and chapters.

Tests and the browser test derive every list of chapters from here, so a new chapter is one
entry in ``_toc.yml`` (plus its notebook and its exercise module), never an edit of a test.
"""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _toc(root: Path = ROOT) -> dict:
    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))


def pages(root: Path = ROOT) -> list[str]:
    """Every page of the book, in reading order, as ``book/<name>`` (no suffix)."""
    toc = _toc(root)
    return [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]


def chapters(root: Path = ROOT) -> list[str]:
    """The numbered chapters (the parts marked ``numbered: true``), in order."""
    return [entry["file"] for part in _toc(root)["parts"] if part.get("numbered")
            for entry in part["chapters"]]
