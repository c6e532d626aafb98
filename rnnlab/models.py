"""Keras model builders used by the chapters and the command line.

One function, :func:`build_model`, makes every model of the course: one or more recurrent layers
(SimpleRNN, LSTM or GRU) read a sequence of shape (timesteps, features), and a dense head turns
the last state into the output the task needs. Keras 3 style: the input is a ``keras.Input``.
TensorFlow/Keras is imported inside the functions, so ``import rnnlab`` stays light.
"""
from __future__ import annotations

from typing import Any

from rnnlab.cells import check_cell

KERAS_LAYER = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
HEADS = ("regression", "binary", "softmax", "logits")


def _positive_int(name: str, value: Any, allow_none: bool = False) -> None:
    if allow_none and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def recurrent_layer(cell: str, units: int, **options: Any) -> Any:
    """A Keras recurrent layer by the course's cell name.

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        units: the number of units n.
        **options: passed to the layer (``return_sequences``, ``dropout``, ``reset_after``, ...).

    Returns:
        ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU`` with those settings.
    """
    import keras

    check_cell(cell)
    _positive_int("units", units)
    return getattr(keras.layers, KERAS_LAYER[cell])(units, **options)


def build_model(cell: str, timesteps: int | None, features: int, units: int, *,
                head: str = "regression", classes: int | None = None, stacked: int = 1,
                dropout: float = 0.0, batch_norm: bool = False, bidirectional: bool = False,
                mask_value: float | None = None, name: str | None = None,
                **layer_options: Any) -> Any:
    """Build (not compile) a sequence model: recurrent layer(s), then a dense head.

    Args:
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        timesteps: sequence length T, or None for sequences of any length.
        features: number of input features d per step.
        units: units n of each recurrent layer.
        head: ``"regression"`` (``Dense(1)``, linear), ``"binary"`` (``Dense(1)``, sigmoid),
            ``"softmax"`` (``Dense(classes)``, softmax) or ``"logits"`` (``Dense(classes)``,
            linear; pair it with a loss built with ``from_logits=True``).
        classes: number of classes for the ``softmax`` and ``logits`` heads.
        stacked: number of recurrent layers; all but the last return their whole sequence
            (``return_sequences=True``) so the next one has a sequence to read.
        dropout: if positive, a ``Dropout(dropout)`` layer between the last recurrent layer and
            the head.
        batch_norm: if True, a ``BatchNormalization()`` layer before the head.
        bidirectional: if True, each recurrent layer is wrapped in ``Bidirectional``: one copy
            reads the sequence forwards, one backwards, and their outputs are concatenated
            (twice the units, twice the parameters).
        mask_value: if given, a ``Masking(mask_value)`` layer first, so that time steps whose
            features all equal it (the padding of shorter sequences) are skipped: the state is
            carried over them unchanged.
        name: the model's name (default: the cell and head).
        **layer_options: passed to every recurrent layer (e.g. ``recurrent_dropout``).

    Returns:
        A ``keras.Model``.

    Raises:
        ValueError: for an unknown cell or head, non-positive sizes, ``classes`` missing or < 2
            for a classification head, or ``dropout`` outside [0, 1).
    """
    import keras

    check_cell(cell)
    _positive_int("timesteps", timesteps, allow_none=True)
    for label, value in (("features", features), ("units", units), ("stacked", stacked)):
        _positive_int(label, value)
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    if head in ("softmax", "logits") and (not isinstance(classes, int) or classes < 2):
        raise ValueError(f"head {head!r} needs classes >= 2, got {classes!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")

    inputs = keras.Input(shape=(timesteps, features), name="x")
    h = inputs
    if mask_value is not None:
        h = keras.layers.Masking(mask_value=mask_value, name="masking")(h)
    for depth in range(stacked):
        last = depth == stacked - 1
        layer = recurrent_layer(cell, units, return_sequences=not last,
                                name=f"{cell}_{depth + 1}", **layer_options)
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{depth + 1}")
        h = layer(h)
    if dropout > 0:
        h = keras.layers.Dropout(dropout, name="dropout")(h)
    if batch_norm:
        h = keras.layers.BatchNormalization(name="batch_norm")(h)
    size = 1 if head in ("regression", "binary") else classes
    activation = {"regression": None, "binary": "sigmoid", "softmax": "softmax",
                  "logits": None}[head]
    outputs = keras.layers.Dense(size, activation=activation, name="head")(h)
    return keras.Model(inputs, outputs, name=name or f"{cell}_{head}")
