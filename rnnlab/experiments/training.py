"""Training a compiled Keras model and keeping what the chapters report."""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlab.checks import integer
from rnnlab.experiments.records import Record


@dataclass
class TrainRecord(Record):
    """What :func:`train` keeps of a fit.

    Attributes:
        history: Keras' per-epoch metrics (``loss``, ``val_loss``, ``accuracy``, ...).
        epoch_seconds: the wall time of each epoch.
        params: the model's parameter count.
    """

    history: dict[str, list[float]]
    epoch_seconds: list[float]
    params: int


@dataclass
class FitRecord(TrainRecord):
    """What :func:`fit_evaluate` keeps: the fit, the epoch early stopping kept, the test scores.

    Attributes:
        best_epoch: the 1-based epoch with the lowest validation loss (its weights are kept).
        epochs_run: how many epochs ran before early stopping (or the budget) ended training.
        test: ``{"loss": ..., metric: ..., extra: ...}`` on the test set, evaluated once.
    """

    best_epoch: int = 0
    epochs_run: int = 0
    test: dict[str, float] = field(default_factory=dict)


def train(model: Any, x: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int = 64,
          validation_data: tuple[np.ndarray, np.ndarray] | None = None,
          callbacks: Sequence[Any] = (), verbose: int = 0, shuffle: bool = True) -> TrainRecord:
    """Fit a compiled Keras model and record its history and the wall time of each epoch.

    Args:
        model: a compiled ``keras.Model``.
        x, y: training inputs and targets.
        epochs: number of epochs (at least 1).
        batch_size: mini-batch size.
        validation_data: optional ``(x_val, y_val)``, evaluated after each epoch.
        callbacks: extra Keras callbacks (e.g. ``keras.callbacks.EarlyStopping``).
        verbose: Keras' verbosity (0 silent, 1 progress bar, 2 one line per epoch).
        shuffle: shuffle the training examples before each epoch (False: batches in order).

    Returns:
        A :class:`TrainRecord`.
    """
    import keras

    integer("epochs", epochs)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same number of samples, got {len(x)} and {len(y)}")

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.seconds.append(time.perf_counter() - self._start)

    timer = EpochTimer()
    fit = model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data,
                    callbacks=[timer, *callbacks], verbose=verbose, shuffle=shuffle)
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    return TrainRecord(history=history, epoch_seconds=timer.seconds, params=model.count_params())


def fit_evaluate(model: Any, splits: Mapping[str, tuple[Any, Any]], *, loss: str,
                 metrics: Sequence[str] = (), epochs: int, patience: int,
                 batch_size: int = 64, optimizer: str = "adam",
                 test_scores: Mapping[str, Callable[[Any], float]] | None = None) -> FitRecord:
    """Compile, train with early stopping on the validation loss, and evaluate once on test.

    Early stopping watches the validation loss after each epoch, stops after ``patience``
    epochs without improvement, and restores the weights of the best epoch, so the test set is
    evaluated with the model that validation chose; the test set itself is never looked at
    during training.

    Args:
        model: a built, uncompiled ``keras.Model``.
        splits: a :class:`~rnnlab.data.Splits` (or any mapping with ``"train"``,
            ``"validation"`` and ``"test"`` pairs ``(x, y)``).
        loss: Keras loss name (``"mse"``, ``"binary_crossentropy"``, ...).
        metrics: Keras metric names, reported for every split.
        epochs: the most epochs to train.
        patience: epochs without a better validation loss before stopping.
        batch_size: mini-batch size.
        optimizer: Keras optimizer name, with its default settings.
        test_scores: extra scores of the kept model on the test set, by name: each a function
            of the trained model returning a number (e.g. an error in the data's own units).

    Returns:
        A :class:`FitRecord`.
    """
    import keras

    missing = {"train", "validation", "test"} - set(splits)
    if missing:
        raise ValueError(f"splits needs train, validation and test; missing {sorted(missing)}")
    integer("patience", patience)
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                         restore_best_weights=True)
    record = train(model, *splits["train"], epochs=epochs, batch_size=batch_size,
                   validation_data=splits["validation"], callbacks=[stop])
    validation_loss = record.history["val_loss"]
    test = model.evaluate(*splits["test"], batch_size=256, verbose=0, return_dict=True)
    scores = {key: float(value) for key, value in test.items()}
    for name, score in (test_scores or {}).items():
        scores[name] = float(score(model))
    return FitRecord(history=record.history, epoch_seconds=record.epoch_seconds,
                     params=record.params, best_epoch=int(np.nanargmin(validation_loss)) + 1,
                     epochs_run=len(validation_loss), test=scores)
