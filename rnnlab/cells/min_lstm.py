"""The minimal LSTM of Feng et al. (2024): no output gate, no cell state, gates that read x_t only.

Forward step beside backward step. The Keras layer is :class:`rnnlab.cells.minimal_layers.MinLSTM`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, input_gated, register, sigmoid


__all__ = ["min_lstm_coefficients", "min_lstm_step", "min_lstm_step_backward"]
"""What :mod:`rnnlab.cells` exports of this cell (the API page lists it there)."""

def min_lstm_coefficients(x: np.ndarray, W: np.ndarray, b: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The minimal LSTM as a linear recurrence h_t = a_t ⊙ h_{t-1} + b_t, for any leading axes.

    f_t = σ(x_t W_f + b_f),  i_t = σ(x_t W_i + b_i)      forget and input gates: read x_t only
    h~_t = x_t W_h + b_h                                  candidate: linear, no tanh
    f'_t = f_t / (f_t + i_t),  i'_t = i_t / (f_t + i_t)   normalised: f'_t + i'_t = 1
    a_t = f'_t,  b_t = i'_t ⊙ h~_t

    Args:
        x: inputs, shape (..., features).
        W: kernel, shape (features, 3 units), blocks f, i, h~.
        b: bias, shape (3 units,).

    Returns:
        ``(a, b_t, gates)`` with gates ``"f"``, ``"i"``, ``"h_tilde"`` and ``"f_norm"`` (f').
    """
    a_f, a_i, a_h = np.split(x @ W + b, 3, axis=-1)
    f, i = sigmoid(a_f), sigmoid(a_i)
    # f / (f + i) = σ(softplus(−a_i) − softplus(−a_f)): the same number, without 0 / 0 when
    # both gates underflow
    f_norm = sigmoid(np.logaddexp(0.0, -a_i) - np.logaddexp(0.0, -a_f))
    return f_norm, (1.0 - f_norm) * a_h, {"f": f, "i": i, "h_tilde": a_h, "f_norm": f_norm}


def min_lstm_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, b: np.ndarray
                  ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One step of the minimal LSTM (``rnnlab.cells.minimal_layers.MinLSTM``).

    f_t = σ(x_t W_f + b_f),  i_t = σ(x_t W_i + b_i),  h~_t = x_t W_h + b_h
    h_t = f'_t ⊙ h_{t-1} + i'_t ⊙ h~_t,  with f'_t = f_t / (f_t + i_t), i'_t = i_t / (f_t + i_t)

    Args:
        x_t: inputs, shape (batch, features).
        h_prev: state h_{t-1}, shape (batch, units).
        W: kernel, shape (features, 3 units), blocks f, i, h~.
        b: bias, shape (3 units,).

    Returns:
        ``(h_t, gates)`` with gates ``"f"``, ``"i"``, ``"h_tilde"`` and ``"f_norm"``, each
        (batch, units).
    """
    a, b_t, gates = min_lstm_coefficients(x_t, W, b)
    return a * h_prev + b_t, gates


def min_lstm_step_backward(dh_t: np.ndarray, cache: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Backward through one step of :func:`min_lstm_step`, for a batch.

    With h_t = f' ⊙ h_{t-1} + (1 − f') ⊙ h~ and f' = f / (f + i) = σ(u), u = softplus(−a_i) −
    softplus(−a_f): dL/dh_{t-1} = dL/dh_t ⊙ f', dL/dh~ = dL/dh_t ⊙ (1 − f'),
    dL/du = dL/dh_t ⊙ (h_{t-1} − h~) ⊙ f'(1 − f'), and ∂u/∂a_f = 1 − f, ∂u/∂a_i = −(1 − i)
    (the same as ∂f'/∂f = i / (f + i)² and ∂f'/∂i = −f / (f + i)² through the sigmoids);
    then through x_t W + b.

    Args:
        dh_t: dL/dh_t, shape (batch, units).
        cache: ``x_t``, ``h_prev``, ``W`` and the step's gates ``f``, ``i``, ``h_tilde``,
            ``f_norm``.

    Returns:
        ``(dx_t, dh_prev, dW, db)``.
    """
    f, i, h_tilde, h_prev = cache["f"], cache["i"], cache["h_tilde"], cache["h_prev"]
    f_norm = cache["f_norm"]
    du = dh_t * (h_prev - h_tilde) * f_norm * (1.0 - f_norm)
    da_f = du * (1.0 - f)
    da_i = -du * (1.0 - i)
    da = np.concatenate([da_f, da_i, dh_t * (1.0 - f_norm)], axis=-1)
    return da @ cache["W"].T, dh_t * f_norm, cache["x_t"].T @ da, da.sum(axis=0)


step, step_back = input_gated(min_lstm_step, min_lstm_step_backward)
"""The registry's forms of :func:`min_lstm_step` and :func:`min_lstm_step_backward`."""


def _keras_layer(units: int, **options: Any) -> Any:
    from rnnlab.cells.minimal_layers import MinLSTM

    return MinLSTM(units, **options)


SPEC = register(CellSpec(
    name="min_lstm", keras_class="MinLSTM", label="minLSTM", color="#8c564b", order=4,
    blocks=("f", "i", "h_tilde"), states=("h",), step=step, step_back=step_back,
    keras_factory=_keras_layer, recurrent=False))
