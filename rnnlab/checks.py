"""The argument checks every public function shares, with one wording for their errors.

Validate once, at the public boundary, and say what was expected and what was given.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def integer(name: str, value: Any, *, minimum: int = 1, allow_none: bool = False,
            state_minimum: bool = False) -> int | None:
    """``value`` as an int if it is an integer >= ``minimum`` (None passes if allowed).

    Args:
        name: the argument's name, for the message.
        value: what was given. ``True``/``False`` and floats are refused even when integral.
        minimum: the smallest value accepted (1: "a positive integer").
        allow_none: accept None and return it.
        state_minimum: word the error "an integer >= minimum" even when the minimum is 1.

    Returns:
        ``int(value)``, or None.

    Raises:
        ValueError: "``name`` must be a positive integer, got ..." (or "an integer >= minimum").
    """
    if allow_none and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        what = ("a positive integer" if minimum == 1 and not state_minimum
                else f"an integer >= {minimum}")
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def finite_number(name: str, value: Any) -> float:
    """``value`` as a float if it is a finite real number (not a bool), else a ValueError."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number
