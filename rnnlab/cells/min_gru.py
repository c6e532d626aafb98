"""The minimal GRU of Feng et al. (2024): gates that read x_t only, so the recurrence is linear.

Forward step beside backward step, as for the classic cells. The Keras layer that computes the
same thing, step by step or by a parallel scan, is :class:`rnnlab.cells.minimal_layers.MinGRU`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, input_gated, register, sigmoid


__all__ = ["min_gru_coefficients", "min_gru_step", "min_gru_step_backward"]
"""What :mod:`rnnlab.cells` exports of this cell (the API page lists it there)."""

def min_gru_coefficients(x: np.ndarray, W: np.ndarray, b: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The minimal GRU as a linear recurrence h_t = a_t ⊙ h_{t-1} + b_t, for any leading axes.

    z_t = σ(x_t W_z + b_z)            update gate: reads x_t, not h_{t-1}
    h~_t = x_t W_h + b_h              candidate: linear, no tanh
    a_t = z_t,  b_t = (1 − z_t) ⊙ h~_t

    Args:
        x: inputs, shape (..., features): one step (batch, features) or a whole sequence.
        W: kernel, shape (features, 2 units), blocks z, h~.
        b: bias, shape (2 units,).

    Returns:
        ``(a, b_t, gates)``: the coefficients, shape (..., units), and the gates ``"z"`` and
        ``"h_tilde"``.
    """
    a_z, a_h = np.split(x @ W + b, 2, axis=-1)
    z = sigmoid(a_z)
    return z, (1.0 - z) * a_h, {"z": z, "h_tilde": a_h}


def min_gru_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, b: np.ndarray
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One step of the minimal GRU (``rnnlab.cells.minimal_layers.MinGRU``).

    z_t = σ(x_t W_z + b_z)
    h~_t = x_t W_h + b_h
    h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h~_t          the book's (Keras') convention: z keeps the past

    Feng et al. (2024) write h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ h~_t; since 1 − σ(a) = σ(−a),
    the two are the same family of layers with the signs of W_z and b_z flipped.

    Args:
        x_t: inputs, shape (batch, features).
        h_prev: state h_{t-1}, shape (batch, units).
        W: kernel, shape (features, 2 units), blocks z, h~.
        b: bias, shape (2 units,).

    Returns:
        ``(h_t, gates)`` with gates ``"z"`` and ``"h_tilde"``, each (batch, units).
    """
    a, b_t, gates = min_gru_coefficients(x_t, W, b)
    return a * h_prev + b_t, gates


def min_gru_step_backward(dh_t: np.ndarray, cache: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Backward through one step of :func:`min_gru_step`, for a batch.

    From h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h~: dL/dh_{t-1} = dL/dh_t ⊙ z (the only path back in
    time, and it has no U), the gate's pre-activation dL/dh_t ⊙ (h_{t-1} − h~) ⊙ z(1 − z), the
    candidate's dL/dh_t ⊙ (1 − z); then through x_t W + b.

    Args:
        dh_t: dL/dh_t, shape (batch, units).
        cache: ``x_t``, ``h_prev``, ``W`` and the step's gates ``z``, ``h_tilde``.

    Returns:
        ``(dx_t, dh_prev, dW, db)``.
    """
    z, h_tilde, h_prev = cache["z"], cache["h_tilde"], cache["h_prev"]
    da = np.concatenate([dh_t * (h_prev - h_tilde) * z * (1.0 - z), dh_t * (1.0 - z)], axis=-1)
    return da @ cache["W"].T, dh_t * z, cache["x_t"].T @ da, da.sum(axis=0)


step, step_back = input_gated(min_gru_step, min_gru_step_backward)
"""The registry's forms of :func:`min_gru_step` and :func:`min_gru_step_backward`."""


def _keras_layer(units: int, **options: Any) -> Any:
    from rnnlab.cells.minimal_layers import MinGRU

    return MinGRU(units, **options)


SPEC = register(CellSpec(
    name="min_gru", keras_class="MinGRU", label="minGRU", color="#9467bd", order=3,
    blocks=("z", "h_tilde"), states=("h",), step=step, step_back=step_back,
    keras_factory=_keras_layer, recurrent=False))
