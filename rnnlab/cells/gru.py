"""The GRU cell in both Keras variants (``reset_after``): forward step beside backward step."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, previous, register, sigmoid


def gru_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
             reset_after: bool = True) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One step of a GRU layer, Keras' ``GRUCell`` (tanh, sigmoid gates), either variant.

    z_t = σ(x_t W_z + h_{t-1} U_z + b_z)                         update gate
    r_t = σ(x_t W_r + h_{t-1} U_r + b_r)                         reset gate
    h~_t = tanh(x_t W_h + r_t ⊙ (h_{t-1} U_h + b'_h) + b_h)      candidate, reset_after=True
    h~_t = tanh(x_t W_h + (r_t ⊙ h_{t-1}) U_h + b_h)             candidate, reset_after=False
    h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h~_t                       Keras' convention: z keeps the past

    With ``reset_after=True`` each gate has two biases (``b[0]`` for the input part, ``b[1]`` for
    the recurrent part, b'_h above); in the gates they simply add up.

    Args:
        x_t: inputs, shape (batch, features).
        h_prev: state h_{t-1}, shape (batch, units).
        W: kernel, shape (features, 3 units), blocks z, r, h.
        U: recurrent kernel, shape (units, 3 units), blocks z, r, h.
        b: bias, shape (2, 3 units) if ``reset_after`` else (3 units,).
        reset_after: which Keras variant.

    Returns:
        ``(h_t, gates)`` where gates maps ``"z"``, ``"r"``, ``"h_tilde"`` to (batch, units) arrays.
    """
    units = h_prev.shape[-1]
    if reset_after:
        x_z, x_r, x_h = np.split(x_t @ W + b[0], 3, axis=-1)
        m_z, m_r, m_h = np.split(h_prev @ U + b[1], 3, axis=-1)
        z_t, r_t = sigmoid(x_z + m_z), sigmoid(x_r + m_r)
        h_tilde = np.tanh(x_h + r_t * m_h)
    else:
        x_z, x_r, x_h = np.split(x_t @ W + b, 3, axis=-1)
        m_z, m_r = np.split(h_prev @ U[:, : 2 * units], 2, axis=-1)
        z_t, r_t = sigmoid(x_z + m_z), sigmoid(x_r + m_r)
        h_tilde = np.tanh(x_h + (r_t * h_prev) @ U[:, 2 * units:])
    h_t = z_t * h_prev + (1.0 - z_t) * h_tilde
    return h_t, {"z": z_t, "r": r_t, "h_tilde": h_tilde}


def step(x_t: np.ndarray, states: list[np.ndarray], W: np.ndarray, U: np.ndarray, b: np.ndarray,
         reset_after: bool = True) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """The registry's form of :func:`gru_step`: ``([h_t], gates)``."""
    h_t, gates = gru_step(x_t, states[0], W, U, b, reset_after)
    return [h_t], gates


def accumulate(rnn: Any, grads: dict, x_t: np.ndarray, h_prev: np.ndarray, da_in: np.ndarray,
               da_rec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add the weight gradients of a = x_t W + h_{t-1} U + b; return dL/dx_t and dL/dh_{t-1} via U.

    ``da_in`` is dL/d(x_t W + b_in) and ``da_rec`` is dL/d(h_{t-1} U + b_rec); they differ only
    with ``reset_after=True``, whose bias has one row for each.
    """
    grads["W"] += x_t.T @ da_in
    grads["U"] += h_prev.T @ da_rec
    if grads["b"].ndim == 2:  # two bias rows: input and recurrent
        grads["b"][0] += da_in.sum(axis=0)
        grads["b"][1] += da_rec.sum(axis=0)
    else:
        grads["b"] += da_in.sum(axis=0)
    return da_in @ rnn.W.T, da_rec @ rnn.U.T


def step_back(rnn: Any, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    """Backward through one step of either variant; returns dL/dx_t, updates ``carry["h"]``."""
    # h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~
    g = {name: gate[:, t] for name, gate in run["gates"].items()}
    x_t, h_prev, n = run["x"][:, t], previous(run, "h", t), rnn.units
    z, r, h_tilde = g["z"], g["r"], g["h_tilde"]
    dh = carry["h"]
    da_h = dh * (1.0 - z) * (1.0 - h_tilde**2)   # candidate's pre-activation
    da_z = dh * (h_prev - h_tilde) * z * (1.0 - z)
    dh_prev = dh * z
    if rnn.options["reset_after"]:
        m_h = h_prev @ rnn.U[:, 2 * n:] + rnn.b[1, 2 * n:]   # r multiplies (h_{t-1} U_h + b'_h)
        da_r = da_h * m_h * r * (1.0 - r)
        dx, dh_via_U = accumulate(rnn, grads, x_t, h_prev,
                                  np.concatenate([da_z, da_r, da_h], axis=-1),
                                  np.concatenate([da_z, da_r, da_h * r], axis=-1))
        carry["h"] = dh_prev + dh_via_U
        return dx
    U_zr, U_h = rnn.U[:, : 2 * n], rnn.U[:, 2 * n:]
    dq = da_h @ U_h.T                                   # q = r ⊙ h_{t-1}, candidate reads q U_h
    da_r = dq * h_prev * r * (1.0 - r)
    da_zr = np.concatenate([da_z, da_r], axis=-1)
    grads["U"][:, : 2 * n] += h_prev.T @ da_zr
    grads["U"][:, 2 * n:] += (r * h_prev).T @ da_h
    da_in = np.concatenate([da_z, da_r, da_h], axis=-1)
    grads["W"] += x_t.T @ da_in
    grads["b"] += da_in.sum(axis=0)
    carry["h"] = dh_prev + dq * r + da_zr @ U_zr.T
    return da_in @ rnn.W.T


def bias_shape(units: int, reset_after: bool = True) -> tuple[int, ...]:
    """(2, 3 units) with ``reset_after=True`` (an input and a recurrent row), else (3 units,)."""
    return (2, 3 * units) if reset_after else (3 * units,)


SPEC = register(CellSpec(
    name="gru", keras_class="GRU", label="GRU", color="#d62728", order=2,
    blocks=("z", "r", "h_tilde"), states=("h",), step=step, step_back=step_back,
    options=("reset_after",), variants=({"reset_after": True}, {"reset_after": False}),
    bias_shape=bias_shape))
