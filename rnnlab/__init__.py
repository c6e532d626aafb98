"""rnnlab: the helper package of the rnnlab course on recurrent neural networks.

Importing it is light: NumPy and the standard library only. Modules that need TensorFlow import
it inside the functions that use it.
"""
from __future__ import annotations

from rnnlab import bptt, cells, data, exercises, gradients
from rnnlab.cells import RNN, count_params, from_keras, random_rnn, to_keras
from rnnlab.config import budget, fast_mode, seed_everything, setup
from rnnlab.notebook import glue

__version__ = "0.1.0"
__all__ = [
    "RNN", "bptt", "budget", "cells", "count_params", "data", "exercises", "fast_mode",
    "from_keras", "glue", "gradients", "random_rnn", "seed_everything", "setup", "to_keras",
    "__version__",
]
