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
from dataclasses import dataclass
import numpy as np

from rnnlab.checks import integer
from rnnlab.config import SEED
from rnnlab.experiments.records import Record
from rnnlab.experiments.training import train

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
        def median(seconds: list[float]) -> float:
            return float(np.median(seconds[1:] or seconds))

        return median(self.numpy_epoch_seconds), median(self.keras_epoch_seconds)


def numpy_epoch(params: Arrays, velocity: Arrays, x: np.ndarray, y: np.ndarray, *,
                batch_size: int, learning_rate: float, momentum: float, clip: float,
                update: Callable[..., tuple[Arrays, Arrays]] = momentum_step
                ) -> tuple[Arrays, Arrays, float]:
    """One epoch of a SimpleRNN with a linear head, y = h_T V + c, MSE, batches in order.

    Args:
        params: ``W``, ``U``, ``b`` (the recurrent layer) and ``V``, ``c`` (the head).
        velocity: the optimizer's state, same names.
        x, y: inputs (n, T, d) and targets (n, 1).
        batch_size, learning_rate, momentum, clip: the training setting.
        update: the optimizer step, ``update(params, grads, velocity, learning_rate, momentum)``.

    Returns:
        ``(params, velocity, loss)`` after the epoch; the loss is the batch-size-weighted mean.
    """
    from rnnlab.bptt import backward
    from rnnlab.cells import RNN
    from rnnlab.gradients import clip_by_global_norm

    total = 0.0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        rnn = RNN("simple_rnn", params["W"], params["U"], params["b"])
        run = rnn.forward(xb)
        h_T = run["h"][:, -1]
        error = h_T @ params["V"] + params["c"] - yb
        total += float(np.mean(error**2)) * len(xb)
        dy = 2.0 * error / error.size                    # dL/dy of the mean squared error
        dh = np.zeros_like(run["h"])
        dh[:, -1] = dy @ params["V"].T
        grads = backward(rnn, run, dh)
        grads = {"W": grads["W"], "U": grads["U"], "b": grads["b"], "V": h_T.T @ dy,
                 "c": dy.sum(axis=0)}
        grads, _ = clip_by_global_norm(grads, clip)
        params, velocity = update(params, grads, velocity, learning_rate, momentum)
    return params, velocity, total / len(x)


def scratch_vs_keras(x: np.ndarray, y: np.ndarray, *, units: int = 8, epochs: int,
                     batch_size: int = 32, learning_rate: float = 0.01, momentum: float = 0.9,
                     clip: float = 1.0, seed: int = SEED,
                     update: Callable[..., tuple[Arrays, Arrays]] = momentum_step) -> ScratchRun:
    """Train ``SimpleRNN(units)`` + ``Dense(1)`` twice: the NumPy loop, and Keras.

    Both start from the weights Keras draws with ``seed``, read the batches in the same order
    (no shuffling), minimise the MSE with SGD with momentum and clip the global gradient norm at
    ``clip`` (``global_clipnorm``).

    Args:
        x, y: training inputs (n, T, d) and targets (n,) or (n, 1).
        units, epochs, batch_size, learning_rate, momentum, clip: the setting.
        seed: the initial weights' seed.
        update: the NumPy side's optimizer step (default :func:`momentum_step`).

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
    W, U, b, V, c = (np.asarray(w, dtype=np.float64) for w in model.get_weights())
    params = {"W": W, "U": U, "b": b, "V": V, "c": c}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    numpy_loss, numpy_seconds = [], []
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    for _ in range(epochs):
        start = time.perf_counter()
        params, velocity, loss = numpy_epoch(params, velocity, x64, y64, batch_size=batch_size,
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
