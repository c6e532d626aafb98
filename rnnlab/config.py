"""The one place where rnnlab reads its switches and seeds its random number generators.

Fast mode
    ``RNNLAB_FAST=1`` shrinks every training budget in the course so that all notebooks run in a
    few minutes on two CPU cores (CI uses it). Unset or ``0``, the course runs its full budgets,
    which is what the published site shows. Notebooks never test the variable themselves: they
    ask :func:`budget` for the number that belongs to the current mode.

Seeding
    :func:`setup` seeds Python, NumPy and (when TensorFlow is installed) Keras and TensorFlow, and
    turns on TensorFlow's deterministic ops, so the same run gives the same numbers.
"""
from __future__ import annotations

import os
import random
import sys
from typing import TypeVar

import numpy as np

FAST_ENV = "RNNLAB_FAST"
SEED = 0
"""The seed every chapter uses unless it says otherwise."""

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def fast_mode() -> bool:
    """Whether fast mode is on, read from the ``RNNLAB_FAST`` environment variable.

    Returns:
        True for ``1``/``true``/``yes``/``on``, False when unset or ``0``/``false``/``no``/``off``
        (case-insensitive).

    Raises:
        ValueError: for any other value, so a typo never silently selects the wrong budget.
    """
    raw = os.environ.get(FAST_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{FAST_ENV} must be one of {sorted(_TRUE | _FALSE - {''})} (or unset); got {raw!r}"
    )


def budget(full: T, fast: T) -> T:
    """Pick the value for the current mode: ``fast`` in fast mode, ``full`` otherwise.

    Args:
        full: the course budget (epochs, samples, sequence length, ...) shown on the site.
        fast: the shrunken budget used by CI and by ``RNNLAB_FAST=1``.

    Returns:
        ``fast`` if :func:`fast_mode` is on, else ``full``.
    """
    return fast if fast_mode() else full


def seed_everything(seed: int = SEED) -> None:
    """Seed Python's ``random``, NumPy's global generator and, if installed, Keras/TensorFlow.

    Args:
        seed: a non-negative integer.

    Raises:
        TypeError: if ``seed`` is not an integer.
        ValueError: if ``seed`` is negative or does not fit in 32 bits.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    if _tensorflow_available():
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(seed)  # Python, NumPy and the backend's generators
        tf.config.experimental.enable_op_determinism()


def setup(seed: int = SEED, *, quiet: bool = False) -> None:
    """Prepare a chapter: seed everything, read fast mode, set the book's plotting defaults.

    Every notebook's first code cell calls this once, so every chapter starts from the same state.

    Args:
        seed: the seed handed to :func:`seed_everything`.
        quiet: if False, print a one-line summary (seed, mode, library versions).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up chatter
    seed_everything(seed)
    import matplotlib

    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "axes.grid": True,
                                "grid.alpha": 0.3, "figure.figsize": (6.4, 3.6)})
    info: dict[str, object] = {
        "seed": seed,
        "mode": "fast" if fast_mode() else "full",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
    }
    if "tensorflow" in sys.modules:
        import keras
        import tensorflow as tf

        info.update(tensorflow=tf.__version__, keras=keras.__version__)
    if not quiet:
        print("rnnlab ready: " + ", ".join(f"{k} {v}" for k, v in info.items()))


def _tensorflow_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("tensorflow") is not None
