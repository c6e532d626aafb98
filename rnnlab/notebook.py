"""Helpers for the chapter notebooks themselves."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


LABEL_WORDS = 4
"""The longest text :func:`glue` accepts, in words: a label (a cell's name, a date, a setting),
never a sentence or a clause, which the prose writes by hand."""
LABEL_CHARS = 40
"""The longest text :func:`glue` accepts, in characters."""


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Make ``value`` available to the prose as ``{glue:}`name```, and return it.

    Uses myst-nb's ``glue`` when the book is being built; elsewhere (JupyterLab, Colab without
    myst-nb) it simply returns the value, so a chapter runs the same everywhere.

    Args:
        name: the key the prose refers to.
        value: a number, a short label (at most :data:`LABEL_WORDS` words and
            :data:`LABEL_CHARS` characters) or a figure. Sentences are written in the prose by
            hand, with the numbers glued into them.
        display: also show the value in the notebook's output.

    Returns:
        ``value``, unchanged.

    Raises:
        TypeError: for text longer than a label, or a value that is none of the above.

    NumPy scalars are glued as the equivalent Python number: NumPy 2 writes ``np.float64(0.5)``
    as their text, which ``{glue:text}`name:.2f``` could not format.
    """
    problem = glue_problem(value)
    if problem:
        raise TypeError(f"glue({name!r}, ...): {problem}")
    shown = value.item() if isinstance(value, np.generic) else value
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return value
    myst_glue(name, shown, display=display)
    return value


def glue_problem(value: Any) -> str | None:
    """Why ``value`` may not be glued into the prose, or None when it may (see :func:`glue`)."""
    if isinstance(value, (bool, np.bool_)):
        return "a truth value is a branch of the text; write the sentence and guard it with rnnlab.claim"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return None
    if isinstance(value, str):
        if len(value.split()) > LABEL_WORDS or len(value) > LABEL_CHARS:
            return (f"{value[:60]!r} is text of {len(value.split())} words; glue numbers and short "
                    f"labels (at most {LABEL_WORDS} words, {LABEL_CHARS} characters) and write "
                    "the sentence in the prose")
        return None
    if type(value).__name__ == "Figure":          # matplotlib's, without importing matplotlib
        return None
    return f"cannot glue a {type(value).__name__}: glue a number, a short label or a figure"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific(value: float, digits: int = 1) -> str:
    """A number as a person writes it in scientific notation, ``"3.3 × 10⁻¹⁰"``: a short label
    to glue where the prose needs a very small or very large number (``{glue:text}`name```: the
    text role drops the quotes that ``{glue:}`` would show), instead
    of ``3.3e-10``.

    Args:
        value: a finite number.
        digits: digits after the decimal point of the mantissa.

    Returns:
        The text; a number whose exponent is 0 is written plainly (``"2.2"``).
    """
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"scientific needs a finite number, got {value}")
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    if int(exponent) == 0:
        return mantissa
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


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


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str | None:
    """Show a results table in the notebook: :func:`markdown_table`, displayed at once (the book
    parses it as MyST Markdown), wherever the call stands in its cell.

    Returns:
        None once displayed; the Markdown text where IPython is missing.
    """
    text = markdown_table(header, rows)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        return text
    if get_ipython() is None:       # plain Python: nothing to display into
        return text
    display(Markdown(text))
    return None
