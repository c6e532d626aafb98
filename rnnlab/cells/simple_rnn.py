"""The simple (Elman) recurrent cell, Keras' ``SimpleRNN``: forward step beside backward step."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, accumulate, previous, register


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


def step_back(rnn: Any, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    """Backward through one step: dL/da_t = dL/dh_t ⊙ (1 − h_t²), then through a_t's products.

    Returns dL/dx_t; ``carry["h"]`` becomes dL/dh_{t-1} (through this step), ``grads`` gains this
    step's dL/dW = x_tᵀ dL/da_t, dL/dU = h_{t-1}ᵀ dL/da_t and dL/db.
    """
    # h_t = tanh(a_t),  a_t = x_t W + h_{t-1} U + b
    x_t, h_prev, h_t = run["x"][:, t], previous(run, "h", t), run["h"][:, t]
    da = carry["h"] * (1.0 - h_t**2)
    dx, carry["h"] = accumulate(rnn, grads, x_t, h_prev, da, da)
    return dx


SPEC = register(CellSpec(
    name="simple_rnn", keras_class="SimpleRNN", label="SimpleRNN", color="#7f7f7f", order=0,
    blocks=("h",), states=("h",), step=step, step_back=step_back))
