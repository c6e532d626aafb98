"""Training from scratch in NumPy, next to the same model in Keras (chapter 2).

The NumPy side is the whole loop written out: forward with :class:`rnnlab.RNN` and a dense head,
backward with :func:`rnnlab.bptt.backward`, global-norm clipping with
:func:`rnnlab.gradients.clip_by_global_norm`, and the optimizer step, :func:`momentum_step`,
SGD with momentum as Keras applies it. The Keras side trains the same model from the same
initial weights on the same batches in the same order; the two loss curves should coincide.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlab.checks import integer
from rnnlab.config import SEED
from rnnlab.experiments.records import NOT_SAVED, Record
from rnnlab.experiments.training import steady_seconds, train


__all__ = ["momentum_step", "ScratchRun", "forecaster_gradients", "numpy_epoch",
    "scratch_vs_keras", "CharScratchRun", "char_numpy_epoch", "char_scratch_vs_keras"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""

Arrays = dict[str, np.ndarray]


def momentum_step(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
                  velocity: Mapping[str, np.ndarray], learning_rate: float,
                  momentum: float) -> tuple[Arrays, Arrays]:
    """One step of SGD with momentum, as ``keras.optimizers.SGD(learning_rate, momentum)``:

    v ← μ v − η g,    p ← p + v

    Args:
        params, grads, velocity: arrays by name (velocity starts at zeros).
        learning_rate: η.
        momentum: μ, in [0, 1).

    Returns:
        ``(new_params, new_velocity)``, new dicts (the inputs are not changed).
    """
    new_velocity = {k: momentum * velocity[k] - learning_rate * grads[k] for k in params}
    return {k: params[k] + new_velocity[k] for k in params}, new_velocity


@dataclass
class ScratchRun(Record):
    """The NumPy loop and Keras trained side by side (:func:`scratch_vs_keras`).

    Attributes:
        numpy_loss, keras_loss: training loss (MSE) per epoch, each the batch losses averaged
            with the batch sizes as weights (as Keras reports it).
        epochs, units, timesteps, batch_size, learning_rate, momentum, clip: the setting.
        numpy_epoch_seconds, keras_epoch_seconds: wall time of each epoch (Keras' first epoch
            also traces its computation graph).
    """

    numpy_loss: list[float]
    keras_loss: list[float]
    epochs: int
    units: int
    timesteps: int
    batch_size: int
    learning_rate: float
    momentum: float
    clip: float
    numpy_epoch_seconds: list[float]
    keras_epoch_seconds: list[float]

    def seconds_per_epoch(self) -> tuple[float, float]:
        """Median wall time of an epoch after the first (tracing excluded): NumPy, Keras."""
        return steady_seconds(self.numpy_epoch_seconds), steady_seconds(self.keras_epoch_seconds)


def forecaster_gradients(params: Arrays, x: np.ndarray, y: np.ndarray) -> tuple[float, Arrays]:
    """The mean squared error of a SimpleRNN with a linear head, y = h_T W_y + b_y, on one batch,
    and its gradient by BPTT (:func:`rnnlab.bptt.backward`).

    Args:
        params: ``W``, ``U``, ``b`` (the recurrent layer) and ``W_y``, ``b_y`` (the head).
        x, y: inputs (batch, T, d) and targets (batch, 1).

    Returns:
        ``(loss, grads)``, the gradients under the parameters' names.
    """
    from rnnlab.bptt import backward
    from rnnlab.cells import RNN

    rnn = RNN("simple_rnn", params["W"], params["U"], params["b"])
    run = rnn.forward(x)
    h_T = run["h"][:, -1]
    error = h_T @ params["W_y"] + params["b_y"] - y
    dy = 2.0 * error / error.size                        # dL/dy of the mean squared error
    dh = np.zeros_like(run["h"])
    dh[:, -1] = dy @ params["W_y"].T
    grads = backward(rnn, run, dh)
    return float(np.mean(error**2)), {"W": grads["W"], "U": grads["U"], "b": grads["b"],
                                      "W_y": h_T.T @ dy, "b_y": dy.sum(axis=0)}


def numpy_epoch(params: Arrays, velocity: Arrays, x: np.ndarray, y: np.ndarray, *,
                batch_size: int, learning_rate: float, momentum: float, clip: float,
                update: Callable[..., tuple[Arrays, Arrays]] = momentum_step
                ) -> tuple[Arrays, Arrays, float]:
    """One epoch of a SimpleRNN with a linear head, y = h_T W_y + b_y, MSE, batches in order.

    Args:
        params: ``W``, ``U``, ``b`` (the recurrent layer) and ``W_y``, ``b_y`` (the head).
        velocity: the optimizer's state, same names.
        x, y: inputs (n, T, d) and targets (n, 1).
        batch_size, learning_rate, momentum, clip: the training setting.
        update: the optimizer step, ``update(params, grads, velocity, learning_rate, momentum)``.

    Returns:
        ``(params, velocity, loss)`` after the epoch; the loss is the batch-size-weighted mean.
    """
    from rnnlab.gradients import clip_by_global_norm

    total = 0.0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        loss, grads = forecaster_gradients(params, xb, yb)
        total += loss * len(xb)
        grads, _ = clip_by_global_norm(grads, clip)
        params, velocity = update(params, grads, velocity, learning_rate, momentum)
    return params, velocity, total / len(x)


def scratch_vs_keras(x: np.ndarray, y: np.ndarray, *, units: int = 8, epochs: int,
                     batch_size: int = 32, learning_rate: float = 0.01, momentum: float = 0.9,
                     clip: float = 1.0, seed: int = SEED,
                     update: Callable[..., tuple[Arrays, Arrays]] = momentum_step,
                     epoch: Callable[..., tuple[Arrays, Arrays, float]] = numpy_epoch
                     ) -> ScratchRun:
    """Train ``SimpleRNN(units)`` + ``Dense(1)`` twice: the NumPy loop, and Keras.

    Both start from the weights Keras draws with ``seed``, read the batches in the same order
    (no shuffling), minimise the MSE with SGD with momentum and clip the global gradient norm at
    ``clip`` (``global_clipnorm``).

    Args:
        x, y: training inputs (n, T, d) and targets (n,) or (n, 1).
        units, epochs, batch_size, learning_rate, momentum, clip: the setting.
        seed: the initial weights' seed.
        update: the NumPy side's optimizer step (default :func:`momentum_step`).
        epoch: the NumPy side's epoch, called as :func:`numpy_epoch` is (default
            :func:`numpy_epoch`): a chapter passes the loop it shows, so that the loop on the
            page is the one that runs.

    Returns:
        A :class:`ScratchRun` with both loss curves.
    """
    import keras

    from rnnlab.models import build_model

    integer("units", units)
    integer("epochs", epochs)
    integer("batch_size", batch_size)
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32).reshape(len(x), 1)
    model = build_model("simple_rnn", x.shape[1], x.shape[2], units, head="regression", seed=seed)
    W, U, b, W_y, b_y = (np.asarray(w, dtype=np.float64) for w in model.get_weights())
    params = {"W": W, "U": U, "b": b, "W_y": W_y, "b_y": b_y}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    numpy_loss, numpy_seconds = [], []
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    for _ in range(epochs):
        start = time.perf_counter()
        params, velocity, loss = epoch(params, velocity, x64, y64, batch_size=batch_size,
                                       learning_rate=learning_rate, momentum=momentum,
                                       clip=clip, update=update)
        numpy_seconds.append(time.perf_counter() - start)
        numpy_loss.append(loss)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum,
                                                 global_clipnorm=clip), loss="mse")
    # store=False: this run measures the machine it runs on, beside the NumPy loop timed here
    record = train(model, x, y, epochs=epochs, batch_size=batch_size, shuffle=False, store=False)
    return ScratchRun(numpy_loss=numpy_loss, keras_loss=record.history["loss"], epochs=epochs,
                      units=units, timesteps=x.shape[1], batch_size=batch_size,
                      learning_rate=learning_rate, momentum=momentum, clip=clip,
                      numpy_epoch_seconds=numpy_seconds, keras_epoch_seconds=record.epoch_seconds)


@dataclass
class CharScratchRun(Record):
    """A character model trained by the NumPy loop and by Keras side by side
    (:func:`char_scratch_vs_keras`).

    Attributes:
        numpy_loss, keras_loss: training loss per epoch, nats per character.
        cell, units, window, batch_size, learning_rate, momentum, clip, epochs, train_chars:
            the setting.
        numpy_epoch_seconds, keras_epoch_seconds: wall time of each epoch.
        lm: the NumPy-trained model (:class:`rnnlab.language_model.CharLM`; not written to JSON).
    """

    numpy_loss: list[float]
    keras_loss: list[float]
    cell: str
    units: int
    window: int
    batch_size: int
    learning_rate: float
    momentum: float
    clip: float
    epochs: int
    train_chars: int
    numpy_epoch_seconds: list[float]
    keras_epoch_seconds: list[float]
    lm: Any = field(default=None, repr=False, compare=False, metadata=NOT_SAVED)


def char_numpy_epoch(cell: str, params: Arrays, velocity: Arrays, x: np.ndarray, y: np.ndarray,
                     *, batch_size: int, learning_rate: float, momentum: float, clip: float
                     ) -> tuple[Arrays, Arrays, float]:
    """One epoch of a one-hot character model in NumPy, batches in order.

    Forward: x_t = one_hot(s_t), the cell's layer gives h_t, logits_t = h_t W_y + b_y,
    p_t = softmax(logits_t), loss = mean over batch and steps of -ln p_t[s_{t+1}].
    Backward: dL/dlogits_t = (p_t - one_hot(s_{t+1})) / (B T), dL/dh_t = dL/dlogits_t W_yᵀ
    (the direct gradient at every step), then :func:`rnnlab.bptt.backward` through time.

    Args:
        cell: a registered cell's name.
        params: ``W``, ``U``, ``b`` (the recurrent layer), ``W_y``, ``b_y`` (the head).
        velocity: SGD's momentum buffers, same names.
        x, y: input and target ids, (windows, T).
        batch_size, learning_rate, momentum, clip: as :func:`scratch_vs_keras`.

    Returns:
        ``(params, velocity, loss)`` after the epoch (loss: the batch-size-weighted mean).
    """
    from rnnlab.bptt import backward
    from rnnlab.cells import RNN
    from rnnlab.gradients import clip_by_global_norm

    vocab_size = params["b_y"].shape[0]
    eye = np.eye(vocab_size)
    total = 0.0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        rnn = RNN(cell, params["W"], params["U"], params["b"], return_sequences=True)
        run = rnn.forward(eye[xb])
        h = run["h"]
        logits = h @ params["W_y"] + params["b_y"]
        logits = logits - logits.max(axis=-1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=-1, keepdims=True)
        total += float(-np.mean(np.log(np.take_along_axis(p, yb[..., None], -1)))) * len(xb)
        dlogits = (p - eye[yb]) / yb.size
        grads = backward(rnn, run, dlogits @ params["W_y"].T)
        grads = {"W": grads["W"], "U": grads["U"], "b": grads["b"],
                 "W_y": h.reshape(-1, h.shape[-1]).T @ dlogits.reshape(-1, vocab_size),
                 "b_y": dlogits.sum(axis=(0, 1))}
        grads, _ = clip_by_global_norm(grads, clip)
        params, velocity = momentum_step(params, grads, velocity, learning_rate, momentum)
    return params, velocity, total / len(x)


def char_scratch_vs_keras(ids: np.ndarray, vocab_size: int, *, cell: str = "simple_rnn",
                          units: int = 32, window: int = 32, epochs: int, batch_size: int = 32,
                          learning_rate: float = 0.5, momentum: float = 0.9, clip: float = 1.0,
                          seed: int = SEED,
                          epoch: Callable[..., tuple[Arrays, Arrays, float]] = char_numpy_epoch
                          ) -> CharScratchRun:
    """Train a one-hot character model twice, by :func:`char_numpy_epoch` and by Keras.

    Both start from the weights Keras draws with ``seed`` (the model of
    :func:`rnnlab.models.language_model` with ``embedding_dim=None``), read the same windows in
    the same order (no shuffling), minimise the per-step cross-entropy with SGD with momentum
    and clip the global gradient norm at ``clip``.

    Args:
        ids: the training text as ids.
        vocab_size: V.
        cell, units, window: the model and the window length.
        epochs, batch_size, learning_rate, momentum, clip: the setting.
        seed: the initial weights' seed.
        epoch: the NumPy side's epoch, called as :func:`char_numpy_epoch` is (default
            :func:`char_numpy_epoch`): a chapter passes the loop it shows, so that the loop on
            the page is the one that runs.

    Returns:
        A :class:`CharScratchRun`.
    """
    import keras

    from rnnlab.data.text import lm_windows
    from rnnlab.models import language_model
    from rnnlab.language_model import CharLM

    integer("epochs", epochs)
    batch_size = integer("batch_size", batch_size)
    x, y = lm_windows(ids, window)
    model = language_model(cell, vocab_size, units, embedding_dim=None, seed=seed)
    W, U, b, W_y, b_y = (np.asarray(w, dtype=np.float64) for w in model.get_weights())
    params = {"W": W, "U": U, "b": b, "W_y": W_y, "b_y": b_y}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    numpy_loss, numpy_seconds = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        params, velocity, loss = epoch(cell, params, velocity, x, y, batch_size=batch_size,
                                       learning_rate=learning_rate, momentum=momentum,
                                       clip=clip)
        numpy_seconds.append(time.perf_counter() - start)
        numpy_loss.append(loss)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum,
                                                 global_clipnorm=clip),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    one_hot = np.eye(vocab_size, dtype=np.float32)[x]
    # store=False: a check of the NumPy loop against Keras, timed on this machine
    record = train(model, one_hot, y, epochs=epochs, batch_size=batch_size, shuffle=False,
                   store=False)
    trained = CharLM.from_keras(model)
    trained.rnn.W, trained.rnn.U, trained.rnn.b = params["W"], params["U"], params["b"]
    trained.W_y, trained.b_y = params["W_y"], params["b_y"]
    return CharScratchRun(numpy_loss=numpy_loss, keras_loss=record.history["loss"], cell=cell,
                          units=units, window=window, batch_size=batch_size,
                          learning_rate=learning_rate, momentum=momentum, clip=clip,
                          epochs=epochs, train_chars=len(ids), numpy_epoch_seconds=numpy_seconds,
                          keras_epoch_seconds=record.epoch_seconds, lm=trained)
