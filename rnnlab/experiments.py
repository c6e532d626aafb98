"""The training harness: train a Keras model and keep what the chapters report.

:func:`train` wraps ``model.fit`` and records the per-epoch history and wall time.
:func:`length_sweep` trains the three cells on the adding problem at several sequence lengths
(chapters 2 and 4); :func:`clipping_run` is the exploding-gradient experiment of chapter 2;
:func:`compare` is the MNIST comparison of chapter 6 and of ``python -m rnnlab compare``.
Every experiment is seeded through :func:`rnnlab.config.seed_everything`, so a rerun gives the
same numbers.
"""
from __future__ import annotations

import io
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.cells import check_cell, names as cell_names, spec as cell_spec
from rnnlab.checks import integer
from rnnlab.config import SEED, seed_everything
from rnnlab.data import adding_problem, atomic_write
from rnnlab.models import build_model

ADDING_TOLERANCE = 0.04
"""A prediction of the adding problem counts as right within this absolute error. The number is
Hochreiter & Schmidhuber's (1997), but their target 0.5 + (X1 + X2)/4 (values in [-1, 1]) has half
the standard deviation of this course's target X1 + X2 (values in [0, 1], the variant of Le,
Jaitly & Hinton 2015), so relative to the target's spread the criterion here is twice as strict."""


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
                    callbacks=[timer, *callbacks], verbose=verbose, shuffle=True)
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    return {"history": history, "epoch_seconds": timer.seconds, "params": model.count_params()}


def fit_evaluate(model: Any, splits: Mapping[str, tuple[Any, Any]], *, loss: str,
                 metrics: Sequence[str] = (), epochs: int, patience: int,
                 batch_size: int = 64, optimizer: str = "adam") -> dict[str, Any]:
    """Compile, train with early stopping on the validation loss, and evaluate once on test.

    Early stopping watches the validation loss after each epoch, stops after ``patience``
    epochs without improvement, and restores the weights of the best epoch, so the test set is
    evaluated with the model that validation chose; the test set itself is never looked at
    during training.

    Args:
        model: a built, uncompiled ``keras.Model``.
        splits: ``{"train": (x, y), "validation": (x, y), "test": (x, y)}``.
        loss: Keras loss name (``"mse"``, ``"binary_crossentropy"``, ...).
        metrics: Keras metric names, reported for every split.
        epochs: the most epochs to train.
        patience: epochs without a better validation loss before stopping.
        batch_size: mini-batch size.
        optimizer: Keras optimizer name, with its default settings.

    Returns:
        :func:`train`'s record plus ``"best_epoch"`` (1-based), ``"epochs_run"`` and
        ``"test"`` (``{"loss": ..., metric: ...}``).
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
    validation_loss = record["history"]["val_loss"]
    record["best_epoch"] = int(np.nanargmin(validation_loss)) + 1
    record["epochs_run"] = len(validation_loss)
    test = model.evaluate(*splits["test"], batch_size=256, verbose=0, return_dict=True)
    record["test"] = {key: float(value) for key, value in test.items()}
    return record


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
        One row per (cell, length): ``cell``, ``units``, ``timesteps``, ``seed``, ``params``,
        ``test_mse``, ``test_accuracy`` (fraction within 0.04), ``seconds_per_epoch``,
        ``history``.
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
                "cell": cell, "units": units, "timesteps": timesteps, "seed": seed,
                "params": record["params"],
                "test_mse": float(np.mean((prediction - y_test) ** 2)),
                "test_accuracy": adding_accuracy(y_test, prediction),
                "seconds_per_epoch": float(np.median(record["epoch_seconds"])),
                "history": record["history"],
            })
    return rows


def seed_spread(rows: Sequence[Mapping[str, Any]], metric: str,
                keys: Sequence[str] = ("cell", "units", "timesteps")) -> dict[tuple, dict[str, Any]]:
    """Mean and spread over seeds of one metric, per group of rows that differ only in ``seed``.

    Args:
        rows: result rows with a ``seed`` entry, e.g. from :func:`length_sweep` run per seed.
        metric: the entry to summarise, e.g. ``"test_accuracy"``.
        keys: the entries that identify a group.

    Returns:
        ``{group key tuple: {"mean", "std", "min", "max", "n", "values"}}``, standard deviation
        with ddof=1 (0 for one seed), values ordered by seed.
    """
    groups: dict[tuple, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    spread = {}
    for key, mine in groups.items():
        seeds = [r["seed"] for r in mine]
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"group {key} has repeated seeds {seeds}: give each run its own seed")
        values = np.array([r[metric] for r in sorted(mine, key=lambda r: r["seed"])], dtype=float)
        spread[key] = {"mean": float(values.mean()), "n": len(values), "values": values.tolist(),
                       "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
                       "min": float(values.min()), "max": float(values.max())}
    return spread


MIN_SEEDS_FOR_VERDICT = 3
"""Fewer seeds than this give a standard deviation too noisy to compare a gap with."""


def gap_verdict(mean_a: float, std_a: float, mean_b: float, std_b: float, seeds: int) -> str:
    """Say whether the gap between two means over seeds is larger than their spread.

    The course's rule of thumb for ranking sentences, not a significance test: a gap counts as
    larger than the seed-to-seed spread when it exceeds twice the larger standard deviation over
    at least :data:`MIN_SEEDS_FOR_VERDICT` seeds (a standard deviation of one or two values says
    almost nothing).

    Args:
        mean_a, std_a, mean_b, std_b: mean and standard deviation over seeds of the two results.
        seeds: how many seeds each mean averages.

    Returns:
        The end of a sentence that starts "the gap is ...".

    Raises:
        ValueError: for non-finite means, negative or non-finite standard deviations, or fewer
            than one seed.
    """
    values = np.array([mean_a, std_a, mean_b, std_b], dtype=float)
    if not np.all(np.isfinite(values)) or std_a < 0 or std_b < 0:
        raise ValueError(f"means must be finite and standard deviations finite and >= 0, got "
                         f"{mean_a!r} ± {std_a!r} and {mean_b!r} ± {std_b!r}")
    integer("seeds", seeds)
    if seeds < MIN_SEEDS_FOR_VERDICT:
        return (f"measured with {seeds} seed{'s' if seeds > 1 else ''}, too few to tell it from "
                "the seed-to-seed spread")
    if abs(mean_a - mean_b) > 2 * max(std_a, std_b):
        return ("more than twice the larger standard deviation over seeds: larger than the "
                "seed-to-seed spread (a rule of thumb, not a significance test)")
    return ("within twice the larger standard deviation over seeds: not a difference the "
            "seed-to-seed spread lets us call")


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


# --- SimpleRNN vs LSTM vs GRU on MNIST read row by row (chapter 6, `python -m rnnlab compare`) --

ARTICLE_CELLS = ("simple_rnn", "lstm", "gru")
"""The cells the seed article compares: the default of :class:`CompareConfig` and the CLI."""
OPTIMIZERS = ("sgd", "adam")
ORDERS = ("rows", "columns")
PROTOCOLS = ("honest", "article")
MNIST_TRAIN, MNIST_TEST = 60_000, 10_000
ARTICLE_VALIDATION = 9_990
"""The seed article validated on the first 9,990 test images and "tested" on the last 10."""


@dataclass(frozen=True)
class CompareConfig:
    """One comparison of recurrent cells on MNIST, each image read as a sequence of 28 steps.

    The model is the seed article's: the recurrent layer, ``BatchNormalization()``, and
    ``Dense(10)`` logits, trained with sparse categorical cross-entropy (``from_logits=True``) on
    pixels scaled to [0, 1].

    Attributes:
        cells: which cells to train: registered cell names (default: the article's three,
            :data:`ARTICLE_CELLS`).
        units: units of the recurrent layer (64 in the article).
        optimizer: ``"sgd"`` (Keras defaults, learning rate 0.01: the article's) or ``"adam"``
            (Keras defaults, learning rate 0.001).
        epochs: training epochs (10 in the article).
        batch_size: mini-batch size (64 in the article).
        seeds: one training run per seed and cell.
        order: ``"rows"`` (step t reads pixel row t) or ``"columns"`` (step t reads column t).
        protocol: ``"honest"``: validation set carved from the end of the training set, the
            10,000 test images evaluated once at the end; ``"article"``: the article's protocol,
            training on all 60,000, validating on the first 9,990 test images and testing on
            the last 10.
        train_samples: use only the first this many training images (None: all available).
        validation_samples: size of the honest protocol's validation set.
    """

    cells: tuple[str, ...] = ARTICLE_CELLS
    units: int = 64
    optimizer: str = "sgd"
    epochs: int = 10
    batch_size: int = 64
    seeds: tuple[int, ...] = (SEED,)
    order: str = "rows"
    protocol: str = "honest"
    train_samples: int | None = None
    validation_samples: int = 5_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(self.cells))
        object.__setattr__(self, "seeds", tuple(self.seeds))
        if not self.cells:
            raise ValueError(f"cells: give at least one of {', '.join(cell_names())}")
        for cell in self.cells:
            try:
                check_cell(cell)
            except ValueError as error:
                raise ValueError(f"cells: {error}") from None
        if len(set(self.cells)) != len(self.cells):
            raise ValueError(f"cells: each cell once, got {list(self.cells)}")
        for name in ("units", "epochs", "batch_size", "validation_samples"):
            integer(name, getattr(self, name))
        integer("train_samples", self.train_samples, allow_none=True)
        if not self.seeds or any(isinstance(s, bool) or not isinstance(s, int) or s < 0
                                 for s in self.seeds):
            raise ValueError(f"seeds must be non-negative integers, got {list(self.seeds)}")
        for name, allowed in (("optimizer", OPTIMIZERS), ("order", ORDERS),
                              ("protocol", PROTOCOLS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}; "
                                 f"got {getattr(self, name)!r}")
        if self.protocol == "honest" and self.validation_samples >= MNIST_TRAIN:
            raise ValueError(f"validation_samples must be below {MNIST_TRAIN}, "
                             f"got {self.validation_samples}")


def mnist_splits(config: CompareConfig) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Training, validation and test sets for a comparison, as float32 sequences in [0, 1].

    Args:
        config: the comparison (its ``protocol``, ``order``, sample counts).

    Returns:
        ``{"train": (x, y), "validation": (x, y), "test": (x, y)}``, x of shape (N, 28, 28)
        where axis 1 is time: pixel rows (``order="rows"``) or columns (``"columns"``).
    """
    from rnnlab.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist(verbose=False)

    def prepare(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32) / 255.0
        return np.ascontiguousarray(x.transpose(0, 2, 1)) if config.order == "columns" else x

    if config.protocol == "article":
        train = (x_train, y_train)
        validation = (x_test[:ARTICLE_VALIDATION], y_test[:ARTICLE_VALIDATION])
        test = (x_test[ARTICLE_VALIDATION:], y_test[ARTICLE_VALIDATION:])
    else:
        cut = MNIST_TRAIN - config.validation_samples
        train = (x_train[:cut], y_train[:cut])
        validation = (x_train[cut:], y_train[cut:])
        test = (x_test, y_test)
    if config.train_samples is not None:
        train = (train[0][:config.train_samples], train[1][:config.train_samples])
    return {name: (prepare(x), y.astype(np.int64))
            for name, (x, y) in (("train", train), ("validation", validation), ("test", test))}


def mnist_model(cell: str, units: int, optimizer: str) -> Any:
    """The article's model, compiled: recurrent layer → BatchNormalization → Dense(10) logits."""
    import keras

    model = build_model(cell, 28, 28, units, head="logits", classes=10, batch_norm=True,
                        name=f"mnist_{cell}")
    opt = keras.optimizers.SGD() if optimizer == "sgd" else keras.optimizers.Adam()
    model.compile(optimizer=opt, metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def matmul_gflops(size: int = 2048, repeats: int = 10) -> float:
    """GFLOP/s of a large float32 matrix product with TensorFlow: the machine's practical ceiling.

    Args:
        size: the side of the square matrices (2 size³ floating-point operations per product).
        repeats: products timed after one warm-up product.

    Returns:
        Achieved GFLOP/s.
    """
    import tensorflow as tf

    integer("size", size)
    integer("repeats", repeats)
    a = tf.random.uniform((size, size), seed=SEED)
    tf.linalg.matmul(a, a).numpy()  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        result = tf.linalg.matmul(a, a)
    result.numpy()
    return 2 * size ** 3 * repeats / (time.perf_counter() - start) / 1e9


def environment() -> dict[str, Any]:
    """Versions and hardware of this run: Python, NumPy, TensorFlow, Keras, CPU and GPUs."""
    import os
    import platform

    import keras
    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    gpus = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        gpus.append(details.get("device_name", device.name))
    return {"python": platform.python_version(), "numpy": np.__version__,
            "tensorflow": tf.__version__, "keras": keras.__version__,
            "platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count(),
            "gpus": gpus}


def compare(config: CompareConfig, *, verbose: int = 0,
            log: Any = None) -> dict[str, Any]:
    """Train and evaluate every cell of ``config`` with every seed; return all results.

    Each run starts from :func:`rnnlab.config.seed_everything` with its seed. The test set is
    evaluated once per run, after training; nothing is selected on it.

    Args:
        config: what to compare.
        verbose: Keras' verbosity for training (1: a progress bar per epoch).
        log: optional callable taking one line of text, told when each run starts and ends.

    Returns:
        ``{"config", "environment", "runs", "summary", "wall_seconds"}``. Each run has ``cell``,
        ``seed``, ``params``, ``history`` (per epoch), ``epoch_seconds``, final ``train_accuracy``
        and ``validation_accuracy``, ``test_accuracy``, ``test_samples`` and ``wall_seconds``;
        ``summary`` has, per cell, the mean and standard deviation over seeds.
    """
    from dataclasses import asdict

    started = time.perf_counter()
    data = mnist_splits(config)
    runs = []
    for cell in config.cells:
        for seed in config.seeds:
            if log:
                log(f"{cell}, seed {seed}: training on {len(data['train'][0]):,} images "
                    f"for {config.epochs} epoch(s)")
            run_start = time.perf_counter()
            seed_everything(seed)
            model = mnist_model(cell, config.units, config.optimizer)
            record = train(model, *data["train"], epochs=config.epochs,
                           batch_size=config.batch_size, validation_data=data["validation"],
                           verbose=verbose)
            _, test_accuracy = model.evaluate(*data["test"], batch_size=512, verbose=0)
            history = record["history"]
            runs.append({
                "cell": cell, "seed": seed, "params": record["params"], "history": history,
                "epoch_seconds": record["epoch_seconds"],
                "train_accuracy": history["accuracy"][-1],
                "validation_accuracy": history["val_accuracy"][-1],
                "test_accuracy": float(test_accuracy), "test_samples": len(data["test"][0]),
                "wall_seconds": time.perf_counter() - run_start,
            })
            if log:
                log(f"{cell}, seed {seed}: test accuracy {test_accuracy:.4f} "
                    f"({runs[-1]['wall_seconds']:.0f} s)")
    return {"config": asdict(config), "environment": environment(), "runs": runs,
            "summary": summarize(runs), "wall_seconds": time.perf_counter() - started}


def summarize(runs: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Per cell: mean and standard deviation (over seeds, ddof=1; 0 for one seed) of the metrics.

    Seconds per epoch is the median over the epochs after the first (the first includes
    tracing), averaged over seeds.
    """
    summary: dict[str, dict[str, float]] = {}
    for cell in dict.fromkeys(r["cell"] for r in runs):
        mine = [r for r in runs if r["cell"] == cell]
        row: dict[str, float] = {"params": float(mine[0]["params"]), "seeds": float(len(mine))}
        for metric in ("train_accuracy", "validation_accuracy", "test_accuracy"):
            values = np.array([r[metric] for r in mine], dtype=float)
            row[f"{metric}_mean"] = float(values.mean())
            row[f"{metric}_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        per_run = [np.median(r["epoch_seconds"][1:] or r["epoch_seconds"]) for r in mine]
        row["seconds_per_epoch"] = float(np.mean(per_run))
        summary[cell] = row
    return summary


def write_results(results: Mapping[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.json`` and one learning-curve PNG per metric into ``out_dir``.

    Every file is written to a temporary name in the same folder and renamed into place, so an
    interrupted run never leaves a half-written file under the final name.

    Returns:
        The paths written, by kind (``"json"``, ``"accuracy_png"``, ``"loss_png"``).
    """
    import json

    import matplotlib.pyplot as plt

    from rnnlab import plots

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, sort_keys=True, allow_nan=True)
    paths = {"json": out / "results.json"}
    atomic_write(paths["json"], text.encode("utf-8"))
    for metric, label in (("val_accuracy", "validation accuracy (fraction correct)"),
                          ("loss", "training loss (cross-entropy, nats)")):
        fig = plots.curves(mean_curves(results["runs"], metric), ylabel=label)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=120)
        plt.close(fig)
        key = "accuracy_png" if metric == "val_accuracy" else "loss_png"
        paths[key] = out / f"{'validation_accuracy' if key == 'accuracy_png' else 'training_loss'}.png"
        atomic_write(paths[key], buffer.getvalue())
    return paths


def mean_curves(runs: Sequence[Mapping[str, Any]], metric: str) -> dict[str, list[float]]:
    """Per cell, the per-epoch ``metric`` averaged over seeds (labels for the plots)."""

    curves = {}
    for cell in dict.fromkeys(r["cell"] for r in runs):
        histories = np.array([r["history"][metric] for r in runs if r["cell"] == cell], float)
        curves[cell_spec(cell).label] = histories.mean(axis=0).tolist()
    return curves
