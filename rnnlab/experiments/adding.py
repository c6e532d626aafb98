"""The adding-problem and clipping experiments (chapters 2 and 4), and the marker-task run (chapter 3)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlab.config import SEED, seed_everything
from rnnlab.data import adding_problem
from rnnlab.experiments.records import Record
from rnnlab.experiments.training import gradient_norm, predict, train
from rnnlab.models import build_model


__all__ = ["ADDING_TOLERANCE", "adding_accuracy", "adding_model", "AddingRun", "length_sweep",
    "ClippingRun", "clipping_run", "ClippingBatches", "clipping_batches"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""


@dataclass
class AddingRun(Record):
    """One cell trained on the adding problem at one length with one seed (:func:`length_sweep`).

    Attributes:
        cell, units, timesteps, seed: what was trained.
        params: the model's parameter count.
        test_mse: mean squared error on the test sequences.
        test_accuracy: fraction of test sums predicted within ``ADDING_TOLERANCE``.
        seconds_per_epoch: median wall time of an epoch.
        history: Keras' per-epoch training metrics.
    """

    cell: str
    units: int
    timesteps: int
    seed: int
    params: int
    test_mse: float
    test_accuracy: float
    seconds_per_epoch: float
    history: dict[str, list[float]]


@dataclass
class ClippingRun(Record):
    """The exploding-gradient experiment (:func:`clipping_run`).

    Attributes:
        loss: training loss per epoch (NaN once it overflowed).
        clip: the global-norm threshold, or None.
        initial_gradient_norm: the norm of the whole gradient at the start.
    """

    loss: list[float]
    clip: float | None
    initial_gradient_norm: float


@dataclass
class ClippingBatches(Record):
    """The first batches of chapter 2's exploding-gradient experiment, in NumPy
    (:func:`clipping_batches`).

    Attributes:
        loss: the training loss (MSE) of each batch, before its step.
        gradient_norm: the global norm of each batch's gradient, before clipping.
        clip: the global-norm threshold, or None.
        layer_gradient_norm: the norm of the recurrent layer's part (``W``, ``U``, ``b``).
        head_gradient_norm: the norm of the linear head's part (``W_y``, ``b_y``).
        recurrent_norm: the spectral norm of ``U`` when the batch is read, before its step.
    """

    loss: list[float]
    gradient_norm: list[float]
    clip: float | None
    layer_gradient_norm: list[float] = field(default_factory=list)
    head_gradient_norm: list[float] = field(default_factory=list)
    recurrent_norm: list[float] = field(default_factory=list)


ADDING_TOLERANCE = 0.04
"""A prediction of the adding problem counts as right within this absolute error. The number is
Hochreiter & Schmidhuber's (1997), but their target 0.5 + (X1 + X2)/4 (values in [-1, 1]) has half
the standard deviation of this course's target X1 + X2 (values in [0, 1], the variant of Le,
Jaitly & Hinton 2015), so relative to the target's spread the criterion here is twice as strict."""


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
                 learning_rate: float = 3e-3, seed: int = SEED) -> list[AddingRun]:
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
        One :class:`AddingRun` per (length, cell), in that order.
    """
    rows = []
    for timesteps in lengths:
        x, y = adding_problem(samples, timesteps, seed + 1)
        x_test, y_test = adding_problem(test_samples, timesteps, seed + 2)
        for cell in cells:
            seed_everything(seed)
            model = adding_model(cell, timesteps, units, learning_rate)
            record = train(model, x, y, epochs=epochs, batch_size=batch_size, seed=seed)
            prediction = predict(model, x_test)      # model.predict's values, no retracing
            rows.append(AddingRun(
                cell=cell, units=units, timesteps=timesteps, seed=seed, params=record.params,
                test_mse=float(np.mean((prediction - y_test) ** 2)),
                test_accuracy=adding_accuracy(y_test, prediction),
                seconds_per_epoch=float(np.median(record.epoch_seconds)),
                history=record.history))
    return rows


def clipping_run(clip: float | None, *, timesteps: int = 10, samples: int = 2000, epochs: int,
                 units: int = 32, gain: float = 2.0, learning_rate: float = 0.1,
                 batch_size: int = 32, seed: int = SEED) -> ClippingRun:
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
        A :class:`ClippingRun`; a loss that overflowed is NaN.
    """
    import keras

    seed_everything(seed)
    x, y = adding_problem(samples, timesteps, seed + 1)
    model = build_model("simple_rnn", timesteps, 2, units, head="regression",
                        recurrent_initializer=keras.initializers.Orthogonal(gain=gain, seed=seed))
    initial_norm = gradient_norm(model, x[:256], y[:256])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate, global_clipnorm=clip), loss="mse")
    record = train(model, x, y, epochs=epochs, batch_size=batch_size, seed=seed)
    return ClippingRun(loss=record.history["loss"], clip=clip, initial_gradient_norm=initial_norm)


def clipping_batches(clip: float | None, *, batches: int = 60, timesteps: int = 10,
                     samples: int = 2000, units: int = 32, gain: float = 2.0,
                     learning_rate: float = 0.1, batch_size: int = 32,
                     seed: int = SEED) -> ClippingBatches:
    """The training of :func:`clipping_run`, one batch at a time, written out in NumPy (float64).

    The model starts from the initial weights of :func:`clipping_run` (the Keras model built
    with ``seed``) and reads the same training sequences, in order (no shuffling). Each batch:
    the forward pass, the MSE of a linear head on h_T, BPTT (:func:`rnnlab.bptt.backward`), the
    global norm of the gradient, clipping to ``clip`` when given
    (:func:`rnnlab.gradients.clip_by_global_norm`), and a plain SGD step. Not a recorded run:
    a few dozen small batches take a fraction of a second.

    Args:
        clip: maximum global gradient norm, or None for no clipping.
        batches: how many batches to train (at most one epoch).
        timesteps, samples, units, gain, learning_rate, batch_size, seed: as
            :func:`clipping_run`.

    Returns:
        A :class:`ClippingBatches`; it stops early at the first batch whose loss or gradient is
        no longer finite (that batch's values included).
    """
    import keras

    from rnnlab.checks import integer
    from rnnlab.experiments.scratch import forecaster_gradients
    from rnnlab.gradients import clip_by_global_norm, global_norm

    integer("batches", batches)
    if batches * batch_size > samples:
        raise ValueError(f"{batches} batches of {batch_size} need {batches * batch_size} "
                         f"sequences; the training set has {samples}")
    seed_everything(seed)
    x, y = adding_problem(samples, timesteps, seed + 1)
    model = build_model("simple_rnn", timesteps, 2, units, head="regression",
                        recurrent_initializer=keras.initializers.Orthogonal(gain=gain, seed=seed))
    names = ("W", "U", "b", "W_y", "b_y")
    params = {k: np.asarray(w, dtype=np.float64) for k, w in zip(names, model.get_weights())}
    x, y = x.astype(np.float64), y.astype(np.float64).reshape(len(x), 1)
    losses, norms, layer_norms, head_norms, u_norms = [], [], [], [], []
    for start in range(0, batches * batch_size, batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        with np.errstate(all="ignore"):          # an exploding run overflows; that is recorded
            loss, grads = forecaster_gradients(params, xb, yb)
            losses.append(loss)
            norms.append(global_norm(grads))
            layer_norms.append(global_norm([grads[k] for k in ("W", "U", "b")]))
            head_norms.append(global_norm([grads[k] for k in ("W_y", "b_y")]))
            u_norms.append(float(np.linalg.norm(params["U"], 2))
                           if np.all(np.isfinite(params["U"])) else float("nan"))
        if not (np.isfinite(losses[-1]) and np.isfinite(norms[-1])):
            break
        if clip is not None:
            grads, _ = clip_by_global_norm(grads, clip)
        params = {k: params[k] - learning_rate * grads[k] for k in params}
    return ClippingBatches(loss=losses, gradient_norm=norms, clip=clip,
                           layer_gradient_norm=layer_norms, head_gradient_norm=head_norms,
                           recurrent_norm=u_norms)
