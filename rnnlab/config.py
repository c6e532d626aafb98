"""The one place where rnnlab reads its switches and seeds its random number generators.

Fast mode
    ``RNNLAB_FAST=1`` shrinks every training budget in the course so that all notebooks run in a
    few minutes on two CPU cores (CI uses it). Unset or ``0``, the course runs its full budgets,
    which is what the published site shows. Notebooks never test the variable themselves: they
    ask :func:`budget` for the number that belongs to the current mode.

Seeding
    :func:`setup` seeds Python, NumPy and (when Keras is installed) Keras and its backend, so the
    same run gives the same numbers. It works with any Keras backend (``KERAS_BACKEND``:
    ``tensorflow``, the default as on Colab, ``jax`` or ``torch``).

Determinism
    ``RNNLAB_DETERMINISTIC=1`` turns on the backend's deterministic kernels (TensorFlow's
    ``enable_op_determinism``, PyTorch's ``use_deterministic_algorithms``), ``0`` leaves them
    off. Unset, they are on only where a GPU is visible: on a CPU, TensorFlow 2.21 repeated
    training runs bit for bit without them (measured on chapter 6's three models), so they buy
    nothing there, while GPU kernels (cuDNN, atomics) need them. The setting is part of every
    recorded run's key (:mod:`rnnlab.experiments.store`); ``benchmarks/epoch_times.py`` times
    both settings.
"""
from __future__ import annotations

import contextlib
import logging
import os
import random
import sys
from collections.abc import Iterator
from typing import TypeVar

import numpy as np

FAST_ENV = "RNNLAB_FAST"
DETERMINISTIC_ENV = "RNNLAB_DETERMINISTIC"
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


def _switch(name: str) -> bool | None:
    raw = os.environ.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE - {""}:
        return False
    if raw:
        raise ValueError(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})} (or unset); "
                         f"got {raw!r}")
    return None


def backend() -> str | None:
    """The Keras backend this process uses (``tensorflow``, ``jax``, ``torch``), or None
    when Keras is not installed. Keras decides (``KERAS_BACKEND``, else ``~/.keras/keras.json``)."""
    import importlib.util

    if importlib.util.find_spec("keras") is None:
        return None
    import keras

    return keras.backend.backend()


def deterministic() -> bool:
    """Whether the backend's deterministic kernels are used (see the module doc).

    On JAX the kernels are chosen when JAX starts, from ``XLA_FLAGS``: there this returns
    whether ``--xla_gpu_deterministic_ops=true`` is set (JAX on a CPU is deterministic as it
    is; ``RNNLAB_DETERMINISTIC=1`` on a JAX GPU without the flag is an error).

    Returns:
        ``RNNLAB_DETERMINISTIC`` when set; else True where the backend sees a GPU.

    Raises:
        ValueError: for a value that is not a yes/no word, or a request JAX cannot honour.
    """
    chosen = _switch(DETERMINISTIC_ENV)
    wanted = _gpu_visible() if chosen is None else chosen
    if backend() == "jax":
        flag = "--xla_gpu_deterministic_ops=true" in os.environ.get("XLA_FLAGS", "")
        if chosen and not flag and _gpu_visible():
            raise ValueError(f"{DETERMINISTIC_ENV}=1 on JAX with a GPU needs "
                             "XLA_FLAGS=--xla_gpu_deterministic_ops=true set before JAX starts")
        return flag
    return wanted


def _gpu_visible() -> bool:
    name = backend()
    try:
        if name == "tensorflow":
            import tensorflow as tf

            return bool(tf.config.list_physical_devices("GPU"))
        if name == "jax":
            import jax

            return any(d.platform == "gpu" for d in jax.devices())
        if name == "torch":
            import torch

            return bool(torch.cuda.is_available())
    except Exception:  # no usable backend: nothing to make deterministic
        return False
    return False


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send the process's standard error (file descriptor 2, where C++ libraries write) to
    /dev/null for the duration; Python exceptions still propagate."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:          # no file descriptor 2 (some embedded interpreters): nothing to hide
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


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
    """Seed Python's ``random``, NumPy's global generator and, if installed, Keras and its
    backend; turn on deterministic kernels when :func:`deterministic` says so.

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
    name = backend()
    if name is None:
        return
    import keras

    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend's generators
    if deterministic():
        if name == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()
        elif name == "torch":
            import torch

            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # cuBLAS' condition
            torch.use_deterministic_algorithms(True)


class _NoRetracingWarning(logging.Filter):
    """Drops TensorFlow's "triggered tf.function retracing" warning. A sweep builds a new model
    per run, so Keras traces each one's functions anew by design; in a notebook TensorFlow
    prints the warning to stdout, onto the page."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "tf.function retracing" not in record.getMessage()


def setup(seed: int = SEED, *, quiet: bool = False, fast: bool | None = None) -> None:
    """Prepare a chapter: seed everything, read fast mode, set the book's plotting defaults.

    Every notebook's first code cell calls this once, so every chapter starts from the same state.

    Args:
        seed: the seed handed to :func:`seed_everything`.
        quiet: if False, print a one-line summary (seed, mode, library versions).
        fast: True for the small budgets (as ``RNNLAB_FAST=1``), False for the full ones; None
            (the default) leaves ``RNNLAB_FAST`` as it is. ``rnnlab.setup(fast=True)`` in a
            chapter's first cell is the one-line way to run it in minutes anywhere.
    """
    if fast is not None:
        os.environ[FAST_ENV] = "1" if fast else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up chatter
    tf_logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _NoRetracingWarning) for f in tf_logger.filters):
        tf_logger.addFilter(_NoRetracingWarning())
    with _quiet_stderr():   # what TensorFlow logs before it reads that setting (CUDA, oneDNN)
        backend()
        _gpu_visible()
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
    if "keras" in sys.modules:
        import keras

        info.update(keras=keras.__version__, backend=keras.backend.backend(),
                    deterministic=deterministic())
        if "tensorflow" in sys.modules:
            info["tensorflow"] = sys.modules["tensorflow"].__version__
    if not quiet:
        print("rnnlab ready: " + ", ".join(f"{k} {v}" for k, v in info.items()))
