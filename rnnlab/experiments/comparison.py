"""SimpleRNN vs LSTM vs GRU on MNIST read row by row (chapter 6, ``python -m rnnlab compare``)."""
from __future__ import annotations

import io
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.cells import check_cell, names as cell_names, spec as cell_spec
from rnnlab.checks import integer
from rnnlab.config import SEED, seed_everything
from rnnlab.data import Splits, atomic_write
from rnnlab.experiments.machine import flat
from rnnlab.experiments.records import Record
from rnnlab.experiments.training import steady_seconds, train
from rnnlab.models import build_model


__all__ = ["ARTICLE_CELLS", "OPTIMIZERS", "ORDERS", "PROTOCOLS", "MNIST_TRAIN", "MNIST_TEST",
    "ARTICLE_VALIDATION", "CompareConfig", "mnist_splits", "mnist_model", "matmul_gflops",
    "CompareRun", "NormCheck", "batch_norm_check", "CellSummary", "Comparison", "compare",
    "summarize", "write_results", "SUMMARY_COLUMNS", "summary_rows", "mean_curves"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""


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
            ``ARTICLE_CELLS``).
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
        batch_norm: the article's ``BatchNormalization()`` between the recurrent layer and the
            head (True) or none (False; the same initial weights otherwise, since the layer
            draws no random numbers).
        learning_rate: the optimizer's learning rate (None: Keras' default, 0.01 for SGD and
            0.001 for Adam).
        momentum: SGD's momentum (0: plain SGD, the article's); only for ``optimizer="sgd"``.
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
    batch_norm: bool = True
    learning_rate: float | None = None
    momentum: float = 0.0

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
        if self.learning_rate is not None and (
                isinstance(self.learning_rate, bool) or not isinstance(self.learning_rate, (int, float))
                or not np.isfinite(self.learning_rate) or self.learning_rate <= 0):
            raise ValueError(f"learning_rate must be a positive number (or None for Keras' "
                             f"default), got {self.learning_rate!r}")
        if (isinstance(self.momentum, bool) or not isinstance(self.momentum, (int, float))
                or not 0.0 <= self.momentum < 1.0):
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if self.momentum and self.optimizer != "sgd":
            raise ValueError(f"momentum is SGD's; optimizer {self.optimizer!r} takes none "
                             f"(got momentum={self.momentum!r})")
        if not isinstance(self.batch_norm, bool):
            raise ValueError(f"batch_norm must be True or False, got {self.batch_norm!r}")
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


def mnist_splits(config: CompareConfig) -> Splits:
    """Training, validation and test sets for a comparison, as float32 sequences in [0, 1].

    Args:
        config: the comparison (its ``protocol``, ``order``, sample counts).

    Returns:
        :class:`~rnnlab.data.Splits` with x of shape (N, 28, 28) where axis 1 is time: pixel
        rows (``order="rows"``) or columns (``"columns"``).
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
    return Splits(train, validation, test).map(lambda pair: (prepare(pair[0]), pair[1].astype(np.int64)))


def mnist_model(cell: str, units: int, optimizer: str, batch_norm: bool = True,
                learning_rate: float | None = None, momentum: float = 0.0) -> Any:
    """The article's model, compiled: recurrent layer → BatchNormalization → Dense(10) logits
    (without the BatchNormalization layer when ``batch_norm`` is False), trained by ``optimizer``
    (``"sgd"`` or ``"adam"``) at ``learning_rate`` (None: Keras' default) with SGD's
    ``momentum``."""
    import keras

    model = build_model(cell, 28, 28, units, head="logits", classes=10, batch_norm=batch_norm,
                        name=f"mnist_{cell}")
    settings: dict[str, float] = {} if learning_rate is None else {"learning_rate": float(learning_rate)}
    if optimizer == "sgd":
        opt = keras.optimizers.SGD(**settings, **({"momentum": float(momentum)} if momentum else {}))
    else:
        opt = keras.optimizers.Adam(**settings)
    model.compile(optimizer=opt, metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def matmul_gflops(size: int = 2048, repeats: int = 10) -> float:
    """GFLOP/s of a large float32 matrix product on the Keras backend: the machine's practical
    ceiling for the library that trains the models.

    Args:
        size: the side of the square matrices (2 size³ floating-point operations per product).
        repeats: products timed after one warm-up product.

    Returns:
        Achieved GFLOP/s.
    """
    import keras

    integer("size", size)
    integer("repeats", repeats)
    a = keras.ops.convert_to_tensor(
        np.random.default_rng(SEED).uniform(size=(size, size)).astype(np.float32))
    keras.ops.convert_to_numpy(keras.ops.matmul(a, a))  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        result = keras.ops.matmul(a, a)
    keras.ops.convert_to_numpy(result)  # wait for the last product (asynchronous backends)
    return 2 * size ** 3 * repeats / (time.perf_counter() - start) / 1e9


@dataclass
class CompareRun(Record):
    """One cell trained with one seed in a comparison.

    Attributes:
        cell, seed: what was trained.
        params: the model's parameter count.
        history: Keras' per-epoch metrics (training mode for ``accuracy``, inference mode for
            ``val_accuracy``).
        epoch_seconds: wall time of each epoch.
        train_accuracy, validation_accuracy: of the last epoch.
        test_accuracy: on the test set, evaluated once after training (NaN for a run of
            ``compare(..., test=False)``, e.g. a tuning run: those choose on validation).
        test_samples: how many test images (0 when the test set was not evaluated).
        wall_seconds: the whole run.
        train_inference_accuracy: with ``compare(..., diagnose=True)``: the training images
            evaluated after training in inference mode, as validation and test are (None
            otherwise).
        norm_check: with ``diagnose=True`` and a ``BatchNormalization`` layer: its
            :class:`NormCheck`, as a dict (None otherwise).
    """

    cell: str
    seed: int
    params: int
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    train_accuracy: float
    validation_accuracy: float
    test_accuracy: float
    test_samples: int
    wall_seconds: float
    train_inference_accuracy: float | None = None
    norm_check: dict[str, float] | None = None


@dataclass
class NormCheck(Record):
    """What ``BatchNormalization``'s moving statistics do to one trained model
    (:func:`batch_norm_check`).

    In training mode the layer normalises each batch with that batch's own mean and variance
    (and updates its moving averages, momentum 0.99); in inference mode (``evaluate``,
    ``predict``) it uses the moving averages. Replacing them by the exact mean and variance of
    its input over the training images, with every weight unchanged, tells whether the moving
    averages are what the model lacks.

    Attributes:
        train_accuracy, validation_accuracy, test_accuracy: inference mode, moving averages
            (the training images: those the statistics are computed on).
        recalibrated_train_accuracy, recalibrated_validation_accuracy,
        recalibrated_test_accuracy: inference mode, the exact statistics of the training images.
        mean_shift: the largest distance, over units, between the moving mean and the exact
            mean, in exact standard deviations.
        variance_ratio: the largest factor, over units, by which the moving variance differs
            from the exact one (moving / exact or its inverse, whichever is at least 1).
    """

    train_accuracy: float
    validation_accuracy: float
    test_accuracy: float
    recalibrated_train_accuracy: float
    recalibrated_validation_accuracy: float
    recalibrated_test_accuracy: float
    mean_shift: float
    variance_ratio: float


def _accuracy(model: Any, pair: tuple[np.ndarray, np.ndarray], batch_size: int = 512) -> float:
    """A compiled model's accuracy on ``(x, y)``, inference mode."""
    return float(model.evaluate(*pair, batch_size=batch_size, verbose=0, return_dict=True)["accuracy"])


def batch_norm_check(model: Any, data: Splits, batch_size: int = 512,
                     train_samples: int | None = 10_000, test: bool = True) -> NormCheck:
    """Evaluate a trained model with its ``BatchNormalization`` moving averages, then with the
    exact mean and variance of the layer's input over the training images (the moving values
    are restored afterwards).

    Args:
        model: a trained, compiled model with one ``BatchNormalization`` layer and an
            ``accuracy`` metric (:func:`mnist_model`).
        data: the splits it was trained on.
        batch_size: for evaluation.
        train_samples: use the first this many training images, for the statistics and the
            training accuracies (None: all; 10,000 estimate a mean and a variance per unit to
            about 1 % of a standard deviation, at a fifth of the cost of 55,000).
        test: also evaluate the test set (False: its two accuracies are NaN, and the test
            images are not opened, as in a comparison that only explores on validation).

    Returns:
        A :class:`NormCheck`.

    Raises:
        ValueError: if the model has no ``BatchNormalization`` layer or more than one.
    """
    import keras

    layers = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    if len(layers) != 1:
        raise ValueError(f"batch_norm_check needs a model with one BatchNormalization layer; "
                         f"{model.name} has {len(layers)}")
    norm = layers[0]
    if train_samples is not None:
        integer("train_samples", train_samples)
        data = Splits((data.train[0][:train_samples], data.train[1][:train_samples]),
                      data.validation, data.test)
    parts = [part for part in data if test or part != "test"]
    unopened = {} if test else {"test": float("nan")}
    before = {**{part: _accuracy(model, data[part], batch_size) for part in parts}, **unopened}
    inputs = keras.Model(model.inputs, norm.input).predict(data.train[0], batch_size=batch_size,
                                                            verbose=0)
    inputs = np.asarray(inputs, dtype=np.float64)
    mean, variance = inputs.mean(axis=0), inputs.var(axis=0)
    moving = [np.asarray(keras.ops.convert_to_numpy(v)) for v in (norm.moving_mean, norm.moving_variance)]
    try:
        norm.moving_mean.assign(mean.astype(moving[0].dtype))
        norm.moving_variance.assign(variance.astype(moving[1].dtype))
        after = {**{part: _accuracy(model, data[part], batch_size) for part in parts}, **unopened}
    finally:
        norm.moving_mean.assign(moving[0])
        norm.moving_variance.assign(moving[1])
    eps = norm.epsilon
    ratio = (moving[1] + eps) / (variance + eps)
    return NormCheck(
        train_accuracy=before["train"], validation_accuracy=before["validation"],
        test_accuracy=before["test"], recalibrated_train_accuracy=after["train"],
        recalibrated_validation_accuracy=after["validation"],
        recalibrated_test_accuracy=after["test"],
        mean_shift=float(np.max(np.abs(moving[0] - mean) / np.sqrt(variance + eps))),
        variance_ratio=float(np.max(np.maximum(ratio, 1.0 / ratio))))


@dataclass
class CellSummary(Record):
    """One cell's results over the seeds of a comparison (:func:`summarize`).

    Attributes:
        params: the model's parameter count.
        seeds: how many seeds.
        train_accuracy_mean, ..., test_accuracy_std: mean and standard deviation over seeds
            (ddof=1; 0 for one seed).
        seconds_per_epoch: median over the epochs after the first (the first includes tracing),
            averaged over seeds.
    """

    params: int
    seeds: int
    train_accuracy_mean: float
    train_accuracy_std: float
    validation_accuracy_mean: float
    validation_accuracy_std: float
    test_accuracy_mean: float
    test_accuracy_std: float
    seconds_per_epoch: float


@dataclass
class Comparison(Record):
    """Everything a comparison produced, as ``results.json`` holds it.

    Attributes:
        config: what was compared.
        environment: versions and hardware (:func:`rnnlab.experiments.machine.flat`).
        sizes: images per split (``train``, ``validation``, ``test``).
        runs: one :class:`CompareRun` per cell and seed.
        summary: one :class:`CellSummary` per cell.
        wall_seconds: the whole comparison.
    """

    config: CompareConfig
    environment: dict[str, Any]
    sizes: dict[str, int]
    runs: list[CompareRun]
    summary: dict[str, CellSummary]
    wall_seconds: float

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Comparison:
        """Rebuild a comparison from ``results.json`` (its nested records too)."""
        flat = super().from_json(data)
        config = {**flat.config, "cells": tuple(flat.config["cells"]),
                  "seeds": tuple(flat.config["seeds"])}
        unknown = set(config) - set(CompareConfig.__dataclass_fields__)
        if unknown:
            raise ValueError(f"Comparison: unknown config keys {sorted(unknown)}")
        return cls(config=CompareConfig(**config), environment=flat.environment,
                   sizes=flat.sizes, runs=[CompareRun.from_json(r) for r in flat.runs],
                   summary={c: CellSummary.from_json(s) for c, s in flat.summary.items()},
                   wall_seconds=flat.wall_seconds)


def compare(config: CompareConfig, *, verbose: int = 0, log: Any = None,
            diagnose: bool = False, test: bool = True) -> Comparison:
    """Train and evaluate every cell of ``config`` with every seed; return all results.

    Each run starts from :func:`rnnlab.config.seed_everything` with its seed. The test set is
    evaluated once per run, after training; nothing is selected on it. Runs recorded in the
    results store are served from it (:func:`~rnnlab.experiments.train`); the comparison's
    ``environment`` is then where they were recorded, and ``wall_seconds`` their training time.

    Args:
        config: what to compare.
        verbose: Keras' verbosity for training (1: a progress bar per epoch).
        log: optional callable taking one line of text, told when each run starts and ends.
        diagnose: also evaluate the training images in inference mode after training
            (``train_inference_accuracy``) and, where the model has ``BatchNormalization``,
            run :func:`batch_norm_check` (``norm_check``; on the test set too only when
            ``test``). This evaluates, it trains nothing.
        test: evaluate the test set after training. False for runs that only choose a
            setting on validation (:func:`~rnnlab.experiments.tune`): their ``test_accuracy``
            is NaN, so the test set is not opened, and no time goes into evaluating it.

    Returns:
        A :class:`Comparison`: every :class:`CompareRun`, a :class:`CellSummary` per cell, the
        split sizes, versions and hardware, wall times.
    """
    started = time.perf_counter()
    data = mnist_splits(config)
    runs, records = [], []
    for cell in config.cells:
        for seed in config.seeds:
            if log:
                log(f"{cell}, seed {seed}: training on {len(data.train[0]):,} images "
                    f"for {config.epochs} epoch(s)")
            seed_everything(seed)
            model = mnist_model(cell, config.units, config.optimizer, config.batch_norm,
                                config.learning_rate, config.momentum)
            record = train(model, *data.train, epochs=config.epochs,
                           batch_size=config.batch_size, validation_data=data.validation,
                           verbose=verbose, seed=seed)
            records.append(record)
            test_accuracy = (model.evaluate(*data.test, batch_size=512, verbose=0)[1] if test
                             else float("nan"))
            history = record.history
            extra: dict[str, Any] = {}
            if diagnose:
                if config.batch_norm:
                    check = batch_norm_check(model, data, test=test)
                    extra = {"train_inference_accuracy": check.train_accuracy,
                             "norm_check": check.to_json()}
                else:
                    extra = {"train_inference_accuracy": _accuracy(model, data.train)}
            runs.append(CompareRun(
                cell=cell, seed=seed, params=record.params, history=history,
                epoch_seconds=record.epoch_seconds, train_accuracy=history["accuracy"][-1],
                validation_accuracy=history["val_accuracy"][-1],
                test_accuracy=float(test_accuracy), test_samples=len(data.test[0]) if test else 0,
                wall_seconds=record.wall_seconds, **extra))
            if log:
                log(f"{cell}, seed {seed}: "
                    + (f"test accuracy {test_accuracy:.4f}" if test else
                       f"validation accuracy {runs[-1].validation_accuracy:.4f}")
                    + f" ({runs[-1].wall_seconds:.0f} s)")
    places = {json.dumps(flat(r.provenance | {"date": ""}), sort_keys=True) for r in records}
    where = flat(records[0].provenance) if len(places) == 1 else flat()
    return Comparison(config=config, environment=where, sizes=data.sizes(), runs=runs,
                      summary=summarize(runs),
                      wall_seconds=sum(r.wall_seconds for r in runs) if all(r.served for r in records)
                      else time.perf_counter() - started)


def summarize(runs: Sequence[Any]) -> dict[str, CellSummary]:
    """Per cell: mean and standard deviation (over seeds, ddof=1; 0 for one seed) of the metrics.

    Args:
        runs: :class:`CompareRun` records (or dicts with the same keys).

    Returns:
        ``{cell: CellSummary}`` in the order the cells first appear. Seconds per epoch is the
        median over the epochs after the first (the first includes tracing), averaged over
        seeds.
    """
    summary: dict[str, CellSummary] = {}
    for cell in dict.fromkeys(r["cell"] for r in runs):
        mine = [r for r in runs if r["cell"] == cell]
        row: dict[str, Any] = {"params": int(mine[0]["params"]), "seeds": len(mine)}
        for metric in ("train_accuracy", "validation_accuracy", "test_accuracy"):
            values = np.array([r[metric] for r in mine], dtype=float)
            row[f"{metric}_mean"] = float(values.mean())
            row[f"{metric}_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        per_run = [steady_seconds(r["epoch_seconds"]) for r in mine]
        row["seconds_per_epoch"] = float(np.mean(per_run))
        summary[cell] = CellSummary(**row)
    return summary


def write_results(results: Comparison | Mapping[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.json`` and one learning-curve PNG per metric into ``out_dir``.

    Every file is written to a temporary name in the same folder and renamed into place, so an
    interrupted run never leaves a half-written file under the final name.

    Returns:
        The paths written, by kind (``"json"``, ``"accuracy_png"``, ``"loss_png"``).
    """
    import json

    import matplotlib.pyplot as plt

    from rnnlab import plots

    payload = results.to_json() if isinstance(results, Record) else results
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, sort_keys=True, allow_nan=True)
    paths = {"json": out / "results.json"}
    atomic_write(paths["json"], text.encode("utf-8"))
    for metric, label in (("val_accuracy", "validation accuracy (fraction correct)"),
                          ("loss", "training loss (cross-entropy, nats)")):
        fig = plots.curves(mean_curves(payload["runs"], metric), ylabel=label)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=120)
        plt.close(fig)
        key = "accuracy_png" if metric == "val_accuracy" else "loss_png"
        paths[key] = out / f"{'validation_accuracy' if key == 'accuracy_png' else 'training_loss'}.png"
        atomic_write(paths[key], buffer.getvalue())
    return paths


SUMMARY_COLUMNS = ["model", "parameters", "s / epoch", "train acc. %", "validation acc. %",
                   "test acc. %"]


def summary_rows(labelled: Sequence[tuple[str, CellSummary]]) -> list[list[str]]:
    """One table row per ``(label, CellSummary)``: parameters, seconds per epoch, and the three
    accuracies as mean ± standard deviation over seeds, in percent (columns
    ``SUMMARY_COLUMNS``; show them with :func:`rnnlab.notebook.table`)."""
    def pm(mean: float, std: float) -> str:
        return f"{100 * mean:.2f} ± {100 * std:.2f}"

    return [[label, f"{row.params:,}", f"{row.seconds_per_epoch:.1f}",
             pm(row.train_accuracy_mean, row.train_accuracy_std),
             pm(row.validation_accuracy_mean, row.validation_accuracy_std),
             pm(row.test_accuracy_mean, row.test_accuracy_std)] for label, row in labelled]


def mean_curves(runs: Sequence[Any], metric: str) -> dict[str, list[float]]:
    """Per cell, the per-epoch ``metric`` averaged over seeds (labels for the plots)."""

    curves = {}
    for cell in dict.fromkeys(r["cell"] for r in runs):
        histories = np.array([r["history"][metric] for r in runs if r["cell"] == cell], float)
        curves[cell_spec(cell).label] = histories.mean(axis=0).tolist()
    return curves
