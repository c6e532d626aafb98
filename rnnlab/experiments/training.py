"""Training a compiled Keras model and keeping what the chapters report.

Every run goes through :func:`train`, which asks the results store
(:mod:`rnnlab.experiments.store`) first: a run recorded under the same key is served (its trained
variables assigned to the model, its history returned) instead of trained again.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlab.checks import integer
from rnnlab.config import SEED, seed_everything
from rnnlab.experiments import store as results
from rnnlab.experiments.recipe import Unkeyable, recipe
from rnnlab.experiments.records import Record


__all__ = ["TrainRecord", "FitRecord", "train", "fit", "predict", "fit_evaluate", "gradient_norm"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""


@dataclass
class TrainRecord(Record):
    """What :func:`train` keeps of a fit.

    Attributes:
        history: Keras' per-epoch metrics (``loss``, ``val_loss``, ``accuracy``, ...).
        epoch_seconds: the wall time of each epoch.
        params: the model's parameter count.
        wall_seconds: the whole fit.
        key: the run's key in the results store.
        provenance: where and when it was trained (machine, backend, versions, date).
        served: True when the run came from the store rather than from training here.
    """

    history: dict[str, list[float]]
    epoch_seconds: list[float]
    params: int
    wall_seconds: float = 0.0
    key: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    served: bool = False


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
          callbacks: Sequence[Any] = (), verbose: int = 0, shuffle: bool = True,
          seed: int = SEED, store: bool = True) -> TrainRecord:
    """Fit a compiled Keras model and record its history and the wall time of each epoch.

    The run is made from one seed: build the model right after seeding with ``seed`` (rnnlab's
    builders do it when given ``seed=``), and :func:`~rnnlab.config.seed_everything` is called
    with it again right before ``fit``, so the order of the shuffled batches depends on ``seed``
    and not on what the caller drew before (dropout masks come from each dropout layer's own
    generator, part of the model's initial variables). Afterwards the generators are seeded with
    ``seed`` again, so a served run and a trained one leave the same state behind. With ``store``
    (the default) the results store decides (:func:`rnnlab.experiments.store.serve_or_train`,
    mode ``RNNLAB_STORE``): a recorded run is served, and a run trained here is written when
    the mode says so. A run whose callbacks hold functions is never recorded.

    Args:
        model: a compiled ``keras.Model``.
        x, y: training inputs and targets (``x`` a list of arrays for a model with several
            inputs).
        epochs: number of epochs (at least 1).
        batch_size: mini-batch size.
        validation_data: optional ``(x_val, y_val)``, evaluated after each epoch.
        callbacks: extra Keras callbacks (e.g. ``keras.callbacks.EarlyStopping``).
        verbose: Keras' verbosity (0 silent, 1 progress bar, 2 one line per epoch).
        shuffle: shuffle the training examples before each epoch (False: batches in order).
        seed: seeds the shuffling and dropout of this fit.
        store: False to bypass the results store (for runs that measure this machine, such as
            timing comparisons).

    Returns:
        A :class:`TrainRecord`.

    Raises:
        rnnlab.experiments.store.MissingRecord: in strict mode, for a run the store lacks.
        rnnlab.experiments.store.RecordMismatch: in verify mode, for a run that does not
            reproduce its record.
        rnnlab.experiments.store.InitMismatch: for a recorded run whose initial weights are
            not this model's (it was not built right after seeding with ``seed``).
        rnnlab.experiments.store.StoreError: for a model served from the store and trained again
            (its optimizer state was not recorded).
    """
    epochs = integer("epochs", epochs)
    batch_size = integer("batch_size", batch_size)
    seed = integer("seed", seed, minimum=0)
    inputs = list(x) if isinstance(x, (list, tuple)) else [x]
    if not inputs or any(len(part) != len(y) for part in inputs):
        raise ValueError(f"x and y must have the same number of samples, got "
                         f"{[len(part) for part in inputs]} and {len(y)}")
    store_mode = results.mode() if store else "off"
    what = None
    if store_mode != "off":
        validation = validation_data or (None, None)
        try:
            what = recipe(model, {**_named("x", x), "y": y, **_named("x_validation", validation[0]),
                                  "y_validation": validation[1]},
                          {"epochs": epochs, "batch_size": batch_size, "shuffle": bool(shuffle),
                           "seed": seed}, callbacks)
        except Unkeyable:
            store_mode = "off"
    label = f"{model.name}: {model.count_params():,} parameters, {epochs} epoch(s), seed {seed}"

    def fit() -> results.Trained:
        done = _fit(model, x, y, epochs=epochs, batch_size=batch_size,
                    validation_data=validation_data, callbacks=callbacks, verbose=verbose,
                    shuffle=shuffle, seed=seed)
        return done.history, done.epoch_seconds, done.params, done.wall_seconds

    try:
        outcome = results.serve_or_train(model, what, label, fit, store_mode=store_mode)
    finally:
        # the same generator state after a served run as after a trained one
        seed_everything(seed)
    run = outcome.run
    return TrainRecord(history=run.history, epoch_seconds=run.epoch_seconds, params=run.params,
                       wall_seconds=run.wall_seconds, key=run.key, provenance=run.provenance,
                       served=outcome.served)


def fit(model: Any, x: Any, y: Any, *, batch_size: int = 32, epochs: int = 1,
        verbose: int | str = "auto", callbacks: Sequence[Any] | None = None,
        validation_data: tuple[Any, Any] | None = None, shuffle: bool = True,
        seed: int = SEED) -> Any:
    """``model.fit`` with the same arguments and return value, served from the course's
    recorded runs when this exact run was recorded.

    Build the model right after ``keras.utils.set_random_seed(seed)``: the one seed decides the
    initial weights and (here, again, right before training) the order of the batches. On one
    backend the run then repeats up to floating-point nondeterminism (parallel sums may add up in
    another order unless deterministic kernels are on, :func:`rnnlab.config.deterministic`), and
    the results store keys it by backend and determinism. When the results store holds the run,
    its trained weights are loaded into ``model`` and its history returned, instead of training
    again; ``evaluate`` and ``predict`` then work as after training. See :func:`train` for the store's part.

    Args:
        model: a compiled ``keras.Model``.
        x, y: training inputs (a list of arrays for several inputs) and targets.
        batch_size: samples per gradient step (Keras' default, 32).
        epochs: passes over the training data.
        verbose: 0 silent, 2 one line per epoch; ``"auto"`` and 1 mean 2 here (a progress bar
            per batch fills a page).
        callbacks: Keras callbacks (e.g. ``keras.callbacks.EarlyStopping``).
        validation_data: ``(x_val, y_val)``, evaluated after every epoch.
        shuffle: shuffle the training samples before every epoch.
        seed: the seed the model was built with, and that orders the batches.

    Returns:
        A ``keras.callbacks.History``: ``.history`` maps each metric to its value per epoch,
        ``.epoch`` lists the epochs, ``.model`` is the model.
    """
    import keras

    shown = 0 if verbose == 0 else 2
    record = train(model, x, y, epochs=epochs, batch_size=batch_size,
                   validation_data=validation_data, callbacks=list(callbacks or []),
                   verbose=shown, shuffle=shuffle, seed=seed)
    if record.served and shown:
        date = str(record.provenance.get("date", "?"))[:10]
        print(f"Recorded run, trained on {date}: loaded its weights and history")
        for epoch in range(len(next(iter(record.history.values()), []))):
            scores = " - ".join(f"{name}: {values[epoch]:.4f}"
                                for name, values in record.history.items())
            print(f"Epoch {epoch + 1}/{epochs} - {scores}")
    history = keras.callbacks.History()
    history.set_model(model)
    history.history = {name: list(values) for name, values in record.history.items()}
    history.epoch = list(range(len(next(iter(history.history.values()), []))))
    history.params = {"verbose": shown, "epochs": epochs}
    return history


def predict(model: Any, x: Any, *, batch_size: int = 256) -> np.ndarray:
    """What ``model.predict(x, batch_size=batch_size, verbose=0)`` returns, as a NumPy array,
    computed by calling the model on one batch after another.

    ``model.predict`` traces a TensorFlow graph for every new model, and once more for a last,
    shorter batch. A helper that trains and tests several models in a loop
    (:func:`~rnnlab.experiments.length_sweep`) then makes TensorFlow print warnings of
    "excessive retracing" on the page, although every model is traced only as often as it must
    be. Calling the model traces nothing and gives the same values.

    Args:
        model: a built ``keras.Model`` with one output.
        x: its input (one array).
        batch_size: examples per call.

    Returns:
        The outputs for all of ``x``, in order.
    """
    import keras

    batch_size = integer("batch_size", batch_size)
    x = np.asarray(x)
    return np.concatenate([keras.ops.convert_to_numpy(model(x[start:start + batch_size],
                                                            training=False))
                           for start in range(0, len(x), batch_size)])


def steady_seconds(epoch_seconds: Sequence[float]) -> float:
    """The median wall time of the epochs after the first, which also traces the computation
    graph (the first epoch's time when there is only one).

    Args:
        epoch_seconds: the seconds of each epoch, in order.

    Returns:
        Seconds per epoch.
    """
    if len(epoch_seconds) == 0:
        raise ValueError("no epoch was timed")
    return float(np.median(list(epoch_seconds[1:]) or list(epoch_seconds)))


def _named(name: str, x: Any) -> dict[str, Any]:
    """The arrays of one argument by name for the recipe: ``x``, or ``x0``, ``x1``, ... for a
    model with several inputs (a list of arrays)."""
    if isinstance(x, (list, tuple)):
        return {f"{name}{i}": part for i, part in enumerate(x)}
    return {name: x}


def _fit(model: Any, x: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int,
         validation_data: Any, callbacks: Sequence[Any], verbose: int, shuffle: bool,
         seed: int) -> TrainRecord:
    """Train for real: seed, ``model.fit``, time each epoch."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.seconds.append(time.perf_counter() - self._start)

    timer = EpochTimer()
    seed_everything(seed)
    started = time.perf_counter()
    fit = model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data,
                    callbacks=[timer, *callbacks], verbose=verbose, shuffle=shuffle)
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    return TrainRecord(history=history, epoch_seconds=timer.seconds, params=model.count_params(),
                       wall_seconds=time.perf_counter() - started)


def fit_evaluate(model: Any, splits: Mapping[str, tuple[Any, Any]], *, loss: str,
                 metrics: Sequence[str] = (), epochs: int, patience: int,
                 batch_size: int = 64, optimizer: str = "adam",
                 test_scores: Mapping[str, Callable[[Any], float]] | None = None,
                 seed: int = SEED) -> FitRecord:
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
        seed: seeds the shuffling and dropout of training (see :func:`train`).

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
                   validation_data=splits["validation"], callbacks=[stop], seed=seed)
    validation_loss = record.history["val_loss"]
    test = model.evaluate(*splits["test"], batch_size=256, verbose=0, return_dict=True)
    scores = {key: float(value) for key, value in test.items()}
    for name, score in (test_scores or {}).items():
        scores[name] = float(score(model))
    return FitRecord(history=record.history, epoch_seconds=record.epoch_seconds,
                     params=record.params, wall_seconds=record.wall_seconds, key=record.key,
                     provenance=record.provenance, served=record.served, best_epoch=int(np.nanargmin(validation_loss)) + 1,
                     epochs_run=len(validation_loss), test=scores)


def gradient_norm(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    """The global norm of the gradient of the mean squared error with respect to the model's
    trainable weights, on any Keras backend.

    Keras 3 has no backend-independent gradient, so this is the one place that asks the backend:
    ``tf.GradientTape`` on TensorFlow, ``jax.grad`` of ``model.stateless_call`` on JAX,
    ``backward()`` on PyTorch.

    Args:
        model: a built ``keras.Model`` with one output.
        x, y: inputs and targets (the loss is ``mean((model(x) - y) ** 2)``).

    Returns:
        ``sqrt(sum of the squared gradient entries)`` over every trainable weight.
    """
    import keras

    x = np.asarray(x, np.float32)
    y = np.asarray(y, np.float32).reshape(len(x), -1)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = [np.asarray(g) for g in tape.gradient(loss, model.trainable_variables)
                 if g is not None]
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        trainable = [v.value for v in model.trainable_variables]
        frozen = [v.value for v in model.non_trainable_variables]

        def loss(weights: list[Any]) -> Any:
            output, _ = model.stateless_call(weights, frozen, x)
            return jnp.mean(jnp.square(output - y))

        grads = [np.asarray(g) for g in jax.grad(loss)(trainable)]
    elif backend == "torch":
        import torch

        loss = torch.mean(torch.square(model(x) - keras.ops.convert_to_tensor(y)))
        weights = [v.value for v in model.trainable_variables]
        grads = [g.detach().cpu().numpy()
                 for g in torch.autograd.grad(loss, weights, allow_unused=True) if g is not None]
    else:
        raise ValueError(f"gradient_norm supports the tensorflow, jax and torch backends, "
                         f"not {backend!r}")
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads)))
