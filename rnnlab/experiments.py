"""The training harness: train a Keras model and keep what the chapters report.

:func:`train` wraps ``model.fit`` and records the per-epoch history and wall time.
:func:`length_sweep` trains the three cells on the adding problem at several sequence lengths
(chapters 2 and 4); :func:`clipping_run` is the exploding-gradient experiment of chapter 2.
Every experiment is seeded through :func:`rnnlab.config.seed_everything`, so a rerun gives the
same numbers.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from rnnlab.config import SEED, seed_everything
from rnnlab.data import adding_problem
from rnnlab.models import build_model

ADDING_TOLERANCE = 0.04
"""A prediction of the adding problem counts as right within this absolute error, the
criterion of Hochreiter & Schmidhuber (1997)."""


def train(model: Any, x: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int = 64,
          validation_data: tuple[np.ndarray, np.ndarray] | None = None,
          callbacks: Sequence[Any] = (), verbose: int = 0) -> dict[str, Any]:
    """Fit a compiled Keras model and record its history and the wall time of each epoch.

    Args:
        model: a compiled ``keras.Model``.
        x, y: training inputs and targets.
        epochs: number of epochs (at least 1).
        batch_size: mini-batch size.
        validation_data: optional ``(x_val, y_val)``, evaluated after each epoch.
        callbacks: extra Keras callbacks (e.g. ``keras.callbacks.EarlyStopping``).
        verbose: Keras' verbosity (0 silent, 1 progress bar, 2 one line per epoch).

    Returns:
        ``{"history": {metric: [value per epoch]}, "epoch_seconds": [...], "params": int}``.
    """
    import keras

    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
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
                    callbacks=[timer, *callbacks], verbose=verbose, shuffle=True)
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    return {"history": history, "epoch_seconds": timer.seconds, "params": model.count_params()}


def adding_accuracy(y_true: np.ndarray, y_pred: np.ndarray,
                    tolerance: float = ADDING_TOLERANCE) -> float:
    """The fraction of predictions within ``tolerance`` of the target (adding problem)."""
    y_true, y_pred = np.asarray(y_true, float).ravel(), np.asarray(y_pred, float).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same size, got {y_true.size} "
                         f"and {y_pred.size}")
    return float(np.mean(np.abs(y_true - y_pred) < tolerance))


def adding_model(cell: str, timesteps: int, units: int, learning_rate: float) -> Any:
    """A compiled one-layer model for the adding problem: recurrent layer, ``Dense(1)``, MSE, Adam."""
    import keras

    model = build_model(cell, timesteps, 2, units, head="regression")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model


def length_sweep(cells: Sequence[str], lengths: Sequence[int], *, samples: int,
                 test_samples: int = 1000, epochs: int, units: int = 32, batch_size: int = 64,
                 learning_rate: float = 3e-3, seed: int = SEED) -> list[dict[str, Any]]:
    """Train each cell on the adding problem at each sequence length, and test it.

    Training, validation and test sequences are drawn with different seeds, so no test sequence
    is seen in training. Each model starts from the same seed.

    Args:
        cells: cell names, e.g. ``("simple_rnn", "lstm", "gru")``.
        lengths: sequence lengths T.
        samples: training sequences per length.
        test_samples: test sequences per length.
        epochs: training epochs per model.
        units: units of the recurrent layer.
        batch_size, learning_rate: of the Adam training.
        seed: seeds the weights; the data use ``seed + 1`` and ``seed + 2``.

    Returns:
        One row per (cell, length): ``cell``, ``timesteps``, ``params``, ``test_mse``,
        ``test_accuracy`` (fraction within 0.04), ``seconds_per_epoch``, ``history``.
    """
    rows = []
    for timesteps in lengths:
        x, y = adding_problem(samples, timesteps, seed + 1)
        x_test, y_test = adding_problem(test_samples, timesteps, seed + 2)
        for cell in cells:
            seed_everything(seed)
            model = adding_model(cell, timesteps, units, learning_rate)
            record = train(model, x, y, epochs=epochs, batch_size=batch_size)
            prediction = model.predict(x_test, batch_size=256, verbose=0)
            rows.append({
                "cell": cell, "timesteps": timesteps, "params": record["params"],
                "test_mse": float(np.mean((prediction - y_test) ** 2)),
                "test_accuracy": adding_accuracy(y_test, prediction),
                "seconds_per_epoch": float(np.median(record["epoch_seconds"])),
                "history": record["history"],
            })
    return rows


def clipping_run(clip: float | None, *, timesteps: int = 10, samples: int = 2000, epochs: int,
                 units: int = 32, gain: float = 2.0, learning_rate: float = 0.1,
                 batch_size: int = 32, seed: int = SEED) -> dict[str, Any]:
    """Train a SimpleRNN whose recurrent matrix starts too large, with or without clipping.

    The recurrent kernel starts orthogonal times ``gain`` (spectral radius ``gain``), so the
    gradient at the start is large; plain SGD with this learning rate then takes a step that
    wrecks the weights. ``clip`` sets Keras' ``global_clipnorm``: the whole gradient is rescaled
    to norm ``clip`` whenever it is longer, which is the rule of Pascanu et al. (2013).

    Args:
        clip: maximum global gradient norm, or None for no clipping.
        timesteps, samples: size of the adding-problem training set.
        epochs, units, gain, learning_rate, batch_size: of the model and its SGD training.
        seed: seeds the weights; the data use ``seed + 1``.

    Returns:
        ``{"loss": [per epoch], "initial_gradient_norm": float, "clip": clip}``; a loss that
        overflowed is NaN.
    """
    import keras
    import tensorflow as tf

    seed_everything(seed)
    x, y = adding_problem(samples, timesteps, seed + 1)
    model = build_model("simple_rnn", timesteps, 2, units, head="regression",
                        recurrent_initializer=keras.initializers.Orthogonal(gain=gain, seed=seed))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x[:256]) - y[:256]))
    gradient = tape.gradient(loss, model.trainable_variables)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate, global_clipnorm=clip), loss="mse")
    record = train(model, x, y, epochs=epochs, batch_size=batch_size)
    return {"loss": record["history"]["loss"], "clip": clip,
            "initial_gradient_norm": float(tf.linalg.global_norm(gradient))}
