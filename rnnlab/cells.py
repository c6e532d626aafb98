"""NumPy reference cells that compute exactly what Keras' recurrent layers compute.

Vectors are rows, as in Keras: a batch of inputs ``x_t`` has shape (batch, features), a batch of
states ``h_t`` has shape (batch, units), and a layer computes ``x_t W + h_{t-1} U + b``.
"""
from __future__ import annotations

import numpy as np


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
