"""Claims: the sentences of the book that state a direction or a comparison, checked where the
numbers are real.

A chapter writes its conclusions as plain sentences, by hand, for the published (full-budget,
recorded) results, and guards each one with a claim in the hidden cell beside it::

    rnnlab.claim(gated_low > simple_high, "both gated cells beat the SimpleRNN")

In a full-budget run whose numbers are the recorded ones (the published site, built strictly
from the results store), a false claim raises :class:`ClaimFailed`: a new recording that changes
a conclusion stops the build, and a person rewrites the sentence. In fast mode the claim is only
recorded: fast budgets prove that the code runs, and no sentence describes their numbers. A
learner who trains the full budgets on their own machine gets a warning instead of an error,
since those numbers are theirs, not the recorded ones.

``RNNLAB_CLAIMS_LOG`` names a file to which every evaluated claim is appended
(``ok``/``false``, a tab, the sentence), so a test can check that the published build evaluated
every claim of the book.
"""
from __future__ import annotations

import os
import warnings
from typing import Any

LOG_ENV = "RNNLAB_CLAIMS_LOG"

EVALUATED: list[tuple[str, bool]] = []
"""Every claim evaluated in this process, in order: (sentence, whether it held)."""


class ClaimFailed(AssertionError):
    """A sentence of the book is false for the recorded numbers."""


class ClaimWarning(UserWarning):
    """A sentence of the book does not hold for numbers trained here (not the recorded ones)."""


def numbers_are_recorded() -> bool:
    """Whether this process shows the published numbers: full mode, and no training run was
    trained here for want of a record (``RNNLAB_STORE=off``, or a record the store lacks)."""
    from rnnlab.config import fast_mode

    if fast_mode():
        return False
    from rnnlab.experiments import store

    return store.mode() != "off" and not store.TRAINED_UNRECORDED


def claim(condition: Any, says: str) -> bool:
    """Guard a sentence of the prose with the condition that makes it true.

    Args:
        condition: the comparison the sentence states (anything ``bool`` accepts, e.g. a NumPy
            boolean).
        says: the sentence, or its gist, as a string literal (a test lists every claim of the
            book from the notebooks' source and checks the published build evaluated it).

    Returns:
        Whether the claim held.

    Raises:
        ClaimFailed: when it does not hold for the recorded, full-budget numbers.
        TypeError: when ``says`` is not a non-empty string.
    """
    if not isinstance(says, str) or not says.strip():
        raise TypeError(f"claim needs the sentence it guards as a non-empty string, got {says!r}")
    held = bool(condition)
    EVALUATED.append((says, held))
    path = os.environ.get(LOG_ENV, "").strip()
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{'ok' if held else 'false'}\t{says}\n")
    if held:
        return True
    from rnnlab.config import fast_mode

    if fast_mode():
        return False
    if numbers_are_recorded():
        raise ClaimFailed(f"the text says {says!r}, and the recorded numbers no longer show it: "
                          "rewrite the sentence (and this claim) for the new results")
    warnings.warn(f"the text says {says!r}; the numbers trained here do not show it (the text "
                  "describes the recorded runs)", ClaimWarning, stacklevel=2)
    return False
