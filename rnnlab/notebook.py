"""Helpers for the chapter notebooks themselves."""
from __future__ import annotations

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
