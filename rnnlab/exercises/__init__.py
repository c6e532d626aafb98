"""Exercises with immediate feedback.

In a chapter, a learner's solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
(the nbgrader convention), followed by a visible check::

    rnnlab.exercises.check("elman-step", elman_step)

:func:`check` prints one line when the answer is right ("Correct!", or "Close." for an answer
that is only partly right, see :class:`Close`) and raises :class:`WrongAnswer` with a hint when
it is not. A checker never crashes on a learner's answer: whatever the answer does
(raise, return the wrong type or shape, not be implemented yet) becomes a :class:`WrongAnswer`
that says what was expected. Each chapter's checkers live in their own module here and register
themselves with :func:`checker`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np


class WrongAnswer(AssertionError):
    """The learner's answer is not right yet; the message says why and what to try."""


class Close(str):
    """A checker's message for an answer that the exercise's reasoning supports in part but the
    measurement does not: :func:`check` prints it after "Close." instead of "Correct!", and
    raises nothing."""


_CHECKERS: dict[str, Callable[[Any], str]] = {}


def checker(name: str) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
    """Register a checker under ``name``; it returns a success message or raises WrongAnswer."""

    def register(function: Callable[[Any], str]) -> Callable[[Any], str]:
        if name in _CHECKERS:
            raise ValueError(f"an exercise named {name!r} is already registered")
        _CHECKERS[name] = function
        return function

    return register


def names() -> list[str]:
    """The names of all exercises, sorted."""
    return sorted(_CHECKERS)


def check(name: str, answer: Any) -> None:
    """Check a learner's answer to exercise ``name``.

    Args:
        name: the exercise's name, as given in the chapter (e.g. ``"elman-step"``).
        answer: the learner's answer: a function, a number or an array, as the exercise says.

    Raises:
        WrongAnswer: when the answer is not right, with a message that says what to fix.
        ValueError: when ``name`` is not an exercise (the message lists the known ones).
    """
    if callable(name) and isinstance(answer, str):
        raise ValueError(f"the arguments are swapped: call check({answer!r}, "
                         f"{getattr(name, '__name__', 'your_answer')}), the exercise's name first")
    if not isinstance(name, str) or name not in _CHECKERS:
        raise ValueError(f"no exercise named {name!r}; known exercises: {', '.join(names())}")
    try:
        message = _CHECKERS[name](answer)
    except WrongAnswer as wrong:
        raise WrongAnswer(f"[{name}] {wrong}") from None
    except Exception as error:  # a checker bug must not look like the learner's fault
        raise WrongAnswer(
            f"[{name}] the checker could not assess this answer ({type(error).__name__}: {error}). "
            "Check that the answer has the form the exercise asks for."
        ) from None
    print(f"{'Close.' if isinstance(message, Close) else 'Correct!'} [{name}] {message}")


def call_answer(function: Any, *args: Any, hints: Mapping[str, str] | None = None) -> Any:
    """Call a learner's function, turning anything it does wrong into a WrongAnswer.

    Args:
        function: the learner's answer.
        *args: what to call it with.
        hints: error-message fragment -> the explanation to give instead when the function
            raises an error whose message contains that fragment (the usual mistake behind it).
    """
    if not callable(function):
        raise WrongAnswer(f"expected a function, got {type(function).__name__}. "
                          "Pass the function itself, without calling it: check(name, my_function).")
    try:
        return function(*args)
    except NotImplementedError:
        raise WrongAnswer("not implemented yet: replace `raise NotImplementedError()` "
                          "with your code.") from None
    except Exception as error:
        for fragment, hint in (hints or {}).items():
            if fragment.lower() in str(error).lower():
                raise WrongAnswer(hint) from None
        shapes = ", ".join(str(np.shape(a)) for a in args)
        called = f" (it was called with arguments of shapes {shapes})" if args else ""
        raise WrongAnswer(f"your function raised {type(error).__name__}: {error}{called}.") from None


def as_array(value: Any, shape: tuple[int, ...], what: str = "your function") -> np.ndarray:
    """Turn a learner's result into a float array of the given shape, or explain why not."""
    if value is None:
        raise WrongAnswer(f"{what} returned None. Did you forget `return`?")
    if np.iscomplexobj(value):
        raise WrongAnswer(f"{what} returned complex numbers; the result is real.")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise WrongAnswer(f"{what} returned a {type(value).__name__}, "
                          f"expected an array of shape {shape}.") from None
    if array.shape != shape:
        hint = ""
        if len(shape) == 2 and array.shape == shape[::-1]:
            hint = (" It looks transposed: in this course vectors are rows, one example per row, "
                    "so write x_t @ W rather than W @ x_t.")
        raise WrongAnswer(f"{what} returned shape {array.shape}, expected {shape}.{hint}")
    if not np.all(np.isfinite(array)):
        raise WrongAnswer(f"{what} returned NaN or infinite values.")
    return array


def diagnose(result: np.ndarray, expected: np.ndarray,
             mistakes: dict[str, np.ndarray], atol: float = 1e-6) -> None:
    """Raise a WrongAnswer naming the known mistake ``result`` matches, if it is not ``expected``."""
    if np.allclose(result, expected, atol=atol, rtol=0):
        return
    for hint, wrong in mistakes.items():
        if np.allclose(result, wrong, atol=atol, rtol=0):
            raise WrongAnswer(hint)
    gap = float(np.max(np.abs(result - expected)))
    raise WrongAnswer(f"the values are off (largest difference {gap:.3g}). "
                      "Compare your code with the equation term by term.")


def evaluate(function: Any, cases: list[tuple[Any, ...]], what: str = "your function") -> np.ndarray:
    """Call a learner's formula on each tuple of arguments and collect the numbers it returns."""
    values = []
    for args in cases:
        value = call_answer(function, *args)
        shown = ", ".join(repr(a) for a in args)
        if isinstance(value, (bool, np.bool_)) or value is None:
            raise WrongAnswer(f"{what}({shown}) returned {value!r}, expected a number.")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise WrongAnswer(f"{what}({shown}) returned a {type(value).__name__}, "
                              "expected a number.") from None
        if not np.isfinite(number):
            raise WrongAnswer(f"{what}({shown}) returned {number}, expected a finite number.")
        values.append(number)
    return np.asarray(values)


def as_number(value: Any, what: str = "your answer") -> float:
    """A learner's numeric answer as a float, or a WrongAnswer that says what was expected."""
    if callable(value):
        raise WrongAnswer(f"{what} should be the number itself, not a function.")
    if value is None or isinstance(value, (bool, np.bool_, str, bytes)):
        raise WrongAnswer(f"{what} should be a number, got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise WrongAnswer(f"{what} should be a number, got a {type(value).__name__}.") from None
    if not np.isfinite(number):
        raise WrongAnswer(f"{what} should be a finite number, got {number}.")
    return number


def as_arrays(value: Any, shapes: list[tuple[int, ...]], names: list[str]) -> list[np.ndarray]:
    """Turn a learner's tuple of results into arrays of the given shapes, or explain why not."""
    if not isinstance(value, (tuple, list)) or len(value) != len(shapes):
        raise WrongAnswer(f"expected a tuple of {len(shapes)} arrays ({', '.join(names)}), "
                          f"got {type(value).__name__}"
                          + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""))
    return [as_array(v, shape, f"your function ({name})")
            for v, shape, name in zip(value, shapes, names)]


def _import_chapters() -> None:
    """Import every chapter's module (``chNN_<topic>.py``): each registers its checkers."""
    import importlib
    import pkgutil
    import re

    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if re.fullmatch(r"ch\d\d_\w+", module.name):
            importlib.import_module(f"{__name__}.{module.name}")


_import_chapters()
