"""rnnlab: the helper package of the rnnlab course on recurrent neural networks.

Importing it is light: NumPy and the standard library only. Modules that need TensorFlow import
it inside the functions that use it.
"""
from __future__ import annotations

from rnnlab import cells, data, exercises
from rnnlab.config import budget, fast_mode, seed_everything, setup
from rnnlab.notebook import glue

__version__ = "0.1.0"
__all__ = ["budget", "cells", "data", "exercises", "fast_mode", "glue", "seed_everything", "setup", "__version__"]
