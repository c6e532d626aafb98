"""rnnlab: the helper package of the rnnlab course on recurrent neural networks.

Importing it is light: NumPy and the standard library only. Modules that need TensorFlow import
it inside the functions that use it.
"""
from __future__ import annotations

from rnnlab import bptt, cells, data, exercises, gradients
from rnnlab.cells import RNN, count_params, from_keras, random_rnn, to_keras
from rnnlab.claims import claim
from rnnlab.config import budget, fast_mode, seed_everything, setup
from rnnlab.notebook import glue

__version__ = "0.1.0"

_LAZY = ("attention", "decoding", "experiments", "language_model", "milestones", "models", "plots")  # matplotlib / Keras users, loaded on use


def __getattr__(name: str):
    """Import ``rnnlab.plots``, ``rnnlab.models``, ... on first use, so ``import rnnlab`` is light;
    ``rnnlab.fit`` is :func:`rnnlab.experiments.training.fit`."""
    import importlib

    if name in _LAZY:
        return importlib.import_module(f"rnnlab.{name}")
    if name == "fit":
        return importlib.import_module("rnnlab.experiments.training").fit
    raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")


__all__ = [
    "RNN", "bptt", "budget", "cells", "claim", "count_params", "data", "exercises", "fast_mode",
    "fit", "from_keras", "glue", "gradients", "random_rnn", "seed_everything", "setup", "to_keras",
    "__version__", *_LAZY,
]
