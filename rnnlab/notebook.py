"""Helpers for the chapter notebooks themselves."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Make ``value`` available to the prose as ``{glue:}`name```, and return it.

    Uses myst-nb's ``glue`` when the book is being built; elsewhere (JupyterLab, Colab without
    myst-nb) it simply returns the value, so a chapter runs the same everywhere.

    Args:
        name: the key the prose refers to.
        value: the computed number, string or figure.
        display: also show the value in the notebook's output.

    Returns:
        ``value``, unchanged.

    NumPy scalars are glued as the equivalent Python number: NumPy 2 writes ``np.float64(0.5)``
    as their text, which ``{glue:text}`name:.2f``` could not format.
    """
    shown = value.item() if isinstance(value, np.generic) else value
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return value
    myst_glue(name, shown, display=display)
    return value


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table: one header row, a separator, one line per row (cells as given).

    Args:
        header: the column titles.
        rows: one sequence of cells per row, as many as the header has; cells are written with
            ``str`` (format numbers before, e.g. ``f"{x:.2f}"``). A ``|`` inside a cell is escaped.

    Returns:
        The table as Markdown text.

    Raises:
        ValueError: when a row has a different number of cells than the header.
    """
    def line(cells: Sequence[Any]) -> str:
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"

    header = list(header)
    lines = [line(header), "|" + "---|" * len(header)]
    for number, row in enumerate(rows, start=1):
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"row {number} has {len(row)} cells, the header {len(header)}: {row}")
        lines.append(line(row))
    return "\n".join(lines)


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Any:
    """A results table a chapter shows: :func:`markdown_table` wrapped for display.

    In a notebook it renders as a table (the book parses it as MyST Markdown); where IPython is
    missing, the Markdown text itself is returned.
    """
    text = markdown_table(header, rows)
    try:
        from IPython.display import Markdown
    except ImportError:
        return text
    return Markdown(text)
