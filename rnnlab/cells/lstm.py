"""The LSTM cell with a forget gate, Keras' ``LSTM``: forward step beside backward step."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, accumulate, previous, register, sigmoid


def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, W: np.ndarray,
              U: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One step of an LSTM layer, Keras' ``LSTMCell`` (tanh, sigmoid gates).

    i_t = σ(x_t W_i + h_{t-1} U_i + b_i)          input gate
    f_t = σ(x_t W_f + h_{t-1} U_f + b_f)          forget gate
    c~_t = tanh(x_t W_c + h_{t-1} U_c + b_c)      candidate cell state
    o_t = σ(x_t W_o + h_{t-1} U_o + b_o)          output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ c~_t              cell state
    h_t = o_t ⊙ tanh(c_t)                         hidden state

    Args:
        x_t: inputs, shape (batch, features).
        h_prev, c_prev: states h_{t-1} and c_{t-1}, shape (batch, units) each.
        W: kernel, shape (features, 4 units), blocks i, f, c, o.
        U: recurrent kernel, shape (units, 4 units), blocks i, f, c, o.
        b: bias, shape (4 units,), blocks i, f, c, o.

    Returns:
        ``(h_t, c_t, gates)`` where gates maps ``"i"``, ``"f"``, ``"c_tilde"``, ``"o"`` to arrays of
        shape (batch, units).
    """
    a_i, a_f, a_c, a_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    i_t, f_t, c_tilde, o_t = sigmoid(a_i), sigmoid(a_f), np.tanh(a_c), sigmoid(a_o)
    c_t = f_t * c_prev + i_t * c_tilde
    h_t = o_t * np.tanh(c_t)
    return h_t, c_t, {"i": i_t, "f": f_t, "c_tilde": c_tilde, "o": o_t}


def step(x_t: np.ndarray, states: list[np.ndarray], W: np.ndarray, U: np.ndarray,
         b: np.ndarray) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """The registry's form of :func:`lstm_step`: ``([h_t, c_t], gates)``."""
    h_t, c_t, gates = lstm_step(x_t, states[0], states[1], W, U, b)
    return [h_t, c_t], gates


def step_back(rnn: Any, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    """Backward through one step, both states: the cell path dL/dc_{t-1} = dL/dc_t ⊙ f_t, and
    the four gates' pre-activations through x_t W + h_{t-1} U + b. Returns dL/dx_t."""
    # c_t = f ⊙ c_{t-1} + i ⊙ c~,  h_t = o ⊙ tanh(c_t)
    g = {name: gate[:, t] for name, gate in run["gates"].items()}
    x_t, h_prev, c_prev = run["x"][:, t], previous(run, "h", t), previous(run, "c", t)
    tanh_c = np.tanh(run["c"][:, t])
    do = carry["h"] * tanh_c
    dc = carry["c"] + carry["h"] * g["o"] * (1.0 - tanh_c**2)
    carry["c"] = dc * g["f"]  # the additive path: dL/dc_{t-1} = dL/dc_t ⊙ f_t
    da = np.concatenate([
        dc * g["c_tilde"] * g["i"] * (1.0 - g["i"]),   # input gate
        dc * c_prev * g["f"] * (1.0 - g["f"]),         # forget gate
        dc * g["i"] * (1.0 - g["c_tilde"] ** 2),       # candidate
        do * g["o"] * (1.0 - g["o"]),                  # output gate
    ], axis=-1)
    dx, carry["h"] = accumulate(rnn, grads, x_t, h_prev, da, da)
    return dx


SPEC = register(CellSpec(
    name="lstm", keras_class="LSTM", label="LSTM", color="#1f77b4", order=1,
    blocks=("i", "f", "c_tilde", "o"), states=("h", "c"), step=step, step_back=step_back))
