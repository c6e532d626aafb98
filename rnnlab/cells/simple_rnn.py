"""The simple (Elman) recurrent cell, Keras' ``SimpleRNN``: forward step beside backward step."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, previous, register


__all__ = ["simple_rnn_step", "simple_rnn_step_backward"]
"""What :mod:`rnnlab.cells` exports of this cell (the API page lists it there)."""

def simple_rnn_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray,
                    b: np.ndarray) -> np.ndarray:
    """One step of a simple (Elman) recurrent layer, Keras' ``SimpleRNNCell`` with tanh.

    h_t = tanh(x_t W + h_{t-1} U + b)

    Args:
        x_t: inputs at step t, shape (batch, features).
        h_prev: hidden state h_{t-1}, shape (batch, units).
        W: input weights (Keras ``kernel``), shape (features, units).
        U: recurrent weights (Keras ``recurrent_kernel``), shape (units, units).
        b: bias (Keras ``bias``), shape (units,).

    Returns:
        h_t, shape (batch, units).
    """
    return np.tanh(x_t @ W + h_prev @ U + b)


def step(x_t: np.ndarray, states: list[np.ndarray], W: np.ndarray, U: np.ndarray,
         b: np.ndarray) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """The registry's form of :func:`simple_rnn_step`: ``([h_t], {})`` (no gates)."""
    return [simple_rnn_step(x_t, states[0], W, U, b)], {}


def simple_rnn_step_backward(dh_t: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray,
                             h_t: np.ndarray, W: np.ndarray, U: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backward through one step of :func:`simple_rnn_step`, for a batch.

    With a_t = x_t W + h_{t-1} U + b and h_t = tanh(a_t):

    dL/da_t = dL/dh_t ⊙ (1 − h_t²)
    dL/dx_t = dL/da_t Wᵀ,   dL/dh_{t-1} = dL/da_t Uᵀ
    dL/dW = x_tᵀ dL/da_t,   dL/dU = h_{t-1}ᵀ dL/da_t,   dL/db = Σ_batch dL/da_t

    Args:
        dh_t: dL/dh_t, shape (batch, units).
        x_t, h_prev, h_t: the step's input, previous state and new state.
        W, U: the step's weights (b is not needed: it does not scale anything).

    Returns:
        ``(dx_t, dh_prev, dW, dU, db)``, shaped like x_t, h_prev, W, U and b.
    """
    da = dh_t * (1.0 - h_t**2)
    return da @ W.T, da @ U.T, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


def step_back(rnn: Any, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    """The registry's backward step: :func:`simple_rnn_step_backward` at step t of a record.

    Returns dL/dx_t; ``carry["h"]`` becomes dL/dh_{t-1} (through this step), ``grads`` gains this
    step's dL/dW, dL/dU and dL/db.
    """
    x_t, h_prev, h_t = run["x"][:, t], previous(run, "h", t), run["h"][:, t]
    dx, carry["h"], dW, dU, db = simple_rnn_step_backward(carry["h"], x_t, h_prev, h_t, rnn.W, rnn.U)
    grads["W"] += dW
    grads["U"] += dU
    grads["b"] += db
    return dx


SPEC = register(CellSpec(
    name="simple_rnn", keras_class="SimpleRNN", label="SimpleRNN", color="#7f7f7f", order=0,
    blocks=("h",), states=("h",), step=step, step_back=step_back))
