"""Chapter 10's experiments: what the minimal gated cells can and cannot learn, and scan timings.

:func:`parity_sweep` trains cells on running parity (:func:`rnnlab.data.parity_problem`), the
state-tracking task where gates that cannot see h_{t-1} fail; the adding problem, where they
succeed, is :func:`rnnlab.experiments.length_sweep`. :func:`scan_timings` reads the files
``benchmarks/scan_speed.py`` wrote; :func:`pass_seconds` times the forward and backward passes
of one layer, and :func:`pass_timings` reads what ``benchmarks/pass_speed.py`` wrote with it.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab import baselines
from rnnlab.checks import integer
from rnnlab.config import SEED, seed_everything
from rnnlab.data import forecasting_splits, load_sunspots, parity_problem
from rnnlab.experiments.records import Record
from rnnlab.experiments.training import predict, train
from rnnlab.models import build_model, recurrent_layer


__all__ = ["ParityRun", "ForecastRun", "sunspot_forecasts", "parity_model", "parity_sweep",
    "pass_seconds", "pass_timings", "scan_timings"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""

TIMINGS = Path(__file__).resolve().parents[1] / "data" / "timings"
"""Where ``benchmarks/scan_speed.py`` writes its files: inside the package, so that they ship
with it and chapter 10 reads them wherever ``rnnlab`` is installed."""


@dataclass
class ParityRun(Record):
    """One cell trained on running parity with one seed (:func:`parity_sweep`).

    Attributes:
        cell, units, timesteps, seed: what was trained.
        params: the model's parameter count.
        accuracy_by_step: test accuracy of the answer after t bits, for t = 1 … T.
        final_accuracy: test accuracy after all T bits (the last entry of the above).
        seconds_per_epoch: median wall time of an epoch.
        history: Keras' per-epoch training metrics.
        layers: how many recurrent layers are stacked.
    """

    cell: str
    units: int
    timesteps: int
    seed: int
    params: int
    accuracy_by_step: list[float]
    final_accuracy: float
    seconds_per_epoch: float
    history: dict[str, list[float]]
    layers: int = 1


@dataclass
class ForecastRun(Record):
    """One cell trained to forecast next month's sunspot number (:func:`sunspot_forecasts`).

    Attributes:
        cell, units, window, seed: what was trained.
        params: the model's parameter count.
        test_rmse: root-mean-squared error on the test months, in sunspot numbers.
        validation_rmse: the same on the validation months (what chooses between models).
        persistence_rmse: the test RMSE of "next month equals this month", on the same months.
        best_epoch, epochs_run: the epoch early stopping kept, and how many ran.
        seconds_per_epoch: median wall time of an epoch.
        test_forecast: the forecast of every test month, in time order, in sunspot numbers
            (what :func:`rnnlab.baselines.diebold_mariano` compares month by month).
    """

    cell: str
    units: int
    window: int
    seed: int
    params: int
    test_rmse: float
    validation_rmse: float
    persistence_rmse: float
    best_epoch: int
    epochs_run: int
    seconds_per_epoch: float
    test_forecast: list[float]


def sunspot_forecasts(cells: Sequence[str], *, window: int = 24, units: int = 32, epochs: int,
                      patience: int = 5, batch_size: int = 32,
                      seed: int = SEED) -> list[ForecastRun]:
    """Train each cell to forecast next month's sunspot number from the last ``window`` months.

    The series, the chronological 70/15/15 split and the scaling (by the training targets' mean
    and standard deviation) are chapter 5's (:func:`rnnlab.data.load_sunspots`,
    :func:`rnnlab.data.forecasting_splits`); each model is one recurrent layer and ``Dense(1)``,
    compiled and trained as :func:`rnnlab.experiments.fit_evaluate` does (Adam, mean squared
    error, early stopping on the validation loss that keeps the best epoch's weights). The
    errors come from ``rnnlab.experiments.training.predict`` (the model called batch by
    batch) rather than ``model.predict``/``evaluate``, whose compiled functions every new model
    traces again.

    Args:
        cells: cell names, e.g. ``("gru", "min_gru", "min_lstm")``.
        window: months each forecast reads.
        units: units of the recurrent layer.
        epochs, patience, batch_size: of the training (see
            :func:`rnnlab.experiments.fit_evaluate`).
        seed: seeds the weights and the shuffling.

    Returns:
        One :class:`ForecastRun` per cell, in order.
    """
    import keras

    integer("window", window)
    integer("patience", patience)
    _, series = load_sunspots()
    splits = forecasting_splits(series, window, fractions=(0.7, 0.15, 0.15))
    mean, std = float(splits.train[1].mean()), float(splits.train[1].std())
    scaled = {name: ((x - mean) / std, (y - mean) / std) for name, (x, y) in splits.items()}
    x_test, y_test = splits.test
    persistence_rmse = baselines.rmse(baselines.persistence(x_test), y_test)

    def forecast(model: Any, part: str) -> np.ndarray:
        """The model's forecasts for one split, in sunspot numbers."""
        return predict(model, scaled[part][0]).ravel() * std + mean

    runs = []
    for cell in cells:
        model = build_model(cell, window, 1, units, head="regression", seed=seed)
        model.compile(optimizer="adam", loss="mse", metrics=[])
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                             restore_best_weights=True)
        record = train(model, *scaled["train"], epochs=epochs, batch_size=batch_size,
                       validation_data=scaled["validation"], callbacks=[stop], seed=seed)
        validation_loss = record.history["val_loss"]
        test_forecast = forecast(model, "test")
        runs.append(ForecastRun(cell=cell, units=units, window=window, seed=seed,
                                params=record.params,
                                test_rmse=baselines.rmse(test_forecast, y_test),
                                validation_rmse=baselines.rmse(forecast(model, "validation"),
                                                               splits.validation[1]),
                                persistence_rmse=persistence_rmse,
                                best_epoch=int(np.nanargmin(validation_loss)) + 1,
                                epochs_run=len(validation_loss),
                                seconds_per_epoch=float(np.median(record.epoch_seconds)),
                                test_forecast=test_forecast.tolist()))
    return runs


def parity_model(cell: str, timesteps: int, units: int, learning_rate: float,
                 layers: int = 1) -> Any:
    """A compiled model for running parity: ``layers`` recurrent layers, each returning every
    h_t, then ``Dense(1, sigmoid)`` at every step; binary cross-entropy, Adam."""
    import keras

    integer("layers", layers)
    inputs = keras.Input((timesteps, 1))
    states = inputs
    for _ in range(layers):
        states = recurrent_layer(cell, units, return_sequences=True)(states)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(states),
                        name=f"{cell}_parity" if layers == 1 else f"{cell}_x{layers}_parity")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def parity_sweep(cells: Sequence[str], timesteps: int, *, samples: int, epochs: int,
                 units: int = 32, learning_rate: float = 1e-2, batch_size: int = 64,
                 test_samples: int = 1000, layers: int = 1,
                 seed: int = SEED) -> list[ParityRun]:
    """Train each cell on running parity of ``timesteps`` bits and test it after every bit.

    Training and test sequences use the seeds ``seed + 1`` and ``seed + 2``; each model starts
    from ``seed``.

    Args:
        cells: cell names, e.g. ``("gru", "min_gru")``.
        timesteps: T, the number of bits.
        samples: training sequences.
        epochs: training epochs.
        units: units of the recurrent layer.
        learning_rate, batch_size: of the Adam training.
        test_samples: test sequences.
        layers: recurrent layers stacked (each returns its whole sequence of states).
        seed: seeds the weights and the shuffling.

    Returns:
        One :class:`ParityRun` per cell, in order.
    """
    integer("timesteps", timesteps)
    x, y = parity_problem(samples, timesteps, seed + 1)
    x_test, y_test = parity_problem(test_samples, timesteps, seed + 2)
    runs = []
    for cell in cells:
        seed_everything(seed)
        model = parity_model(cell, timesteps, units, learning_rate, layers)
        record = train(model, x, y, epochs=epochs, batch_size=batch_size, seed=seed)
        predicted = predict(model, x_test) > 0.5
        by_step = np.mean(predicted == (y_test > 0.5), axis=(0, 2))
        runs.append(ParityRun(cell=cell, units=units, timesteps=timesteps, seed=seed,
                              params=record.params, accuracy_by_step=by_step.tolist(),
                              final_accuracy=float(by_step[-1]),
                              seconds_per_epoch=float(np.median(record.epoch_seconds)),
                              history=record.history, layers=layers))
    return runs


def pass_seconds(lengths: Sequence[int], *, parallel: bool = False, batch: int = 16,
                 features: int = 16, units: int = 64, repeats: int = 3,
                 seed: int = SEED) -> dict[int, tuple[float, float]]:
    """Time one minimal GRU layer's forward pass, and its forward and backward pass, under
    TensorFlow, for each sequence length.

    Each pass runs inside a ``tf.function`` (as in training), is called once to trace it, then
    ``repeats`` times; the fastest call counts. The backward pass is the gradient of the sum of
    squared states with respect to the layer's weights, by ``tf.GradientTape``.
    ``benchmarks/pass_speed.py`` prints it, to see where the step-by-step layer
    (``keras.ops.scan``) spends its time on long sequences, and writes the file that chapter 10
    reads with :func:`pass_timings`.

    Args:
        lengths: the sequence lengths T to time.
        parallel: time :class:`~rnnlab.cells.minimal_layers.MinGRU` by its parallel scan
            (True) or step by step (False).
        batch, features, units: the size of the random input and of the layer.
        repeats: timed calls per pass and length.
        seed: seeds the weights and the input.

    Returns:
        T -> (forward seconds, forward-and-backward seconds).

    Raises:
        ValueError: if Keras does not run on TensorFlow.
    """
    import time

    import keras

    if keras.backend.backend() != "tensorflow":
        raise ValueError(f"pass_seconds times TensorFlow's execution; Keras runs on "
                         f"{keras.backend.backend()!r}")
    import tensorflow as tf

    from rnnlab.cells.minimal_layers import MinGRU

    integer("repeats", repeats)
    rng = np.random.default_rng(seed)
    timings = {}
    for T in lengths:
        integer("T", T)
        seed_everything(seed)
        layer = MinGRU(units, return_sequences=True, parallel=parallel)
        x = tf.constant(rng.normal(size=(batch, T, features)).astype("float32"))
        layer.build(tuple(x.shape))

        @tf.function
        def forward(x: Any) -> Any:
            return tf.reduce_sum(layer(x) ** 2)

        @tf.function
        def forward_backward(x: Any) -> Any:
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(layer(x) ** 2)
            return tape.gradient(loss, layer.trainable_variables)

        def fastest(run: Any) -> float:
            np.asarray(tf.nest.flatten(run(x))[0])            # trace, compile, warm up
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                [np.asarray(value) for value in tf.nest.flatten(run(x))]
                times.append(time.perf_counter() - start)
            return min(times)

        timings[int(T)] = (fastest(forward), fastest(forward_backward))
    return timings


def pass_timings(path: Path | str | None = None) -> dict[str, Any]:
    """The timings ``benchmarks/pass_speed.py`` wrote (:func:`pass_seconds` on one machine).

    Args:
        path: the file (default: ``TIMINGS / "pass_speed-vm.json"``, the one chapter 10 quotes).

    Returns:
        ``machine`` (the CPU and its logical cores, in words), ``date``, ``versions``,
        ``settings`` and ``seconds``: T -> (forward seconds, forward-and-backward seconds),
        lengths as integers in increasing order.

    Raises:
        FileNotFoundError: if the file is missing, with the command that writes one.
    """
    path = Path(path) if path is not None else TIMINGS / "pass_speed-vm.json"
    if not path.exists():
        raise FileNotFoundError(f"no {path.name} in {path.parent}: run "
                                "python benchmarks/pass_speed.py to time this machine")
    written = json.loads(path.read_text(encoding="utf-8"))
    env = written["environment"]
    return {"machine": f"{env['cpu']}, {env['cpu_count']} logical cores",
            "date": written["date"], "versions": env["versions"],
            "settings": written["settings"],
            "seconds": {int(T): (float(forward), float(both)) for T, (forward, both)
                        in sorted(written["seconds"].items(), key=lambda item: int(item[0]))}}


def scan_timings(folder: Path | str | None = None) -> list[dict[str, Any]]:
    """The timings ``benchmarks/scan_speed.py`` wrote, one row per machine and backend.

    Args:
        folder: where the ``scan_speed-*.json`` files are (default: ``TIMINGS``,
            ``rnnlab/data/timings``).

    Returns:
        Rows with ``machine`` (the CPU, cores and GPUs in words), ``cores`` (logical CPU cores),
        ``backend``, ``versions``, ``gpu`` (True where a GPU was visible), ``file``,
        ``settings`` (the benchmark's batch, features and units, as it wrote them) and
        ``seconds``: a dict model → {T: seconds per training step}, lengths as integers.

    Raises:
        FileNotFoundError: if no file is there, with the command that writes one.
    """
    folder = Path(folder) if folder is not None else TIMINGS
    files = sorted(folder.glob("scan_speed-*.json"))
    if not files:
        raise FileNotFoundError(f"no scan_speed-*.json in {folder}: run "
                                "python benchmarks/scan_speed.py to time this machine")
    rows = []
    for path in files:
        written = json.loads(path.read_text(encoding="utf-8"))
        settings = {key: value for key, value in written.get("settings", {}).items()
                    if key in ("batch", "features", "units", "repeats")}
        for row in written["rows"]:
            env = row["environment"]
            gpus = env.get("gpus") or []
            rows.append({
                "machine": f"{env['cpu']}, {env['cpu_count']} logical cores, "
                           + (", ".join(gpus) if gpus else "no GPU"),
                "cores": int(env["cpu_count"]), "backend": row["backend"],
                "versions": env["versions"], "gpu": bool(gpus), "file": path.name,
                "settings": settings,
                "seconds": {model: {int(T): float(s) for T, s in by_length.items()}
                            for model, by_length in row["seconds_per_step"].items()}})
    return rows
