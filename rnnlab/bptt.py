"""Backpropagation through time, written out by hand, and a finite-difference gradient check.

The loss is any scalar L of the hidden states. The backward pass needs only its direct gradient
``dL/dh_t`` for every step (zero where L does not read h_t), for example ``G`` when
L = sum(G ⊙ h). It walks the sequence from the last step to the first, adding at each step the
gradient that flows back from the future through the recurrence:

    total dL/dh_t = direct dL/dh_t + (dL/dh_{t+1} through the step from h_t to h_{t+1})

and accumulates the weight gradients of every step, since W, U and b are shared across time.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnnlab.cells import RNN


def backward(rnn: RNN, run: dict[str, Any], dh: np.ndarray,
             dc_last: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Gradients of a scalar loss with respect to every weight, input and hidden state.

    Args:
        rnn: the layer (a simple RNN, LSTM or GRU of either variant).
        run: the record of ``rnn.forward(x, initial_state)``.
        dh: direct gradient dL/dh_t, shape (batch, timesteps, units), in computation order.
        dc_last: for an LSTM, the direct gradient dL/dc_T of the final cell state (default 0).

    Returns:
        A dict with ``"W"``, ``"U"``, ``"b"`` (shapes of the weights), ``"x"`` (shape of the
        input, in the input's original order), ``"h0"`` (and ``"c0"`` for an LSTM), and ``"h"``:
        the *total* dL/dh_t for every step, shape (batch, timesteps, units).
    """
    h = run["h"]
    if dh.shape != h.shape:
        raise ValueError(f"dh must have the shape of the states {h.shape}, got {dh.shape}")
    step = {"simple_rnn": _simple_rnn_step_back, "lstm": _lstm_step_back,
            "gru": _gru_step_back}[rnn.cell]
    grads = {name: np.zeros_like(getattr(rnn, name)) for name in ("W", "U", "b")}
    dx = np.zeros_like(run["x"])
    dh_total = np.zeros_like(h)
    carry = {"h": np.zeros_like(h[:, 0])}
    if rnn.cell == "lstm":
        carry["c"] = np.zeros_like(h[:, 0]) if dc_last is None else dc_last
    for t in reversed(range(h.shape[1])):
        carry["h"] = carry["h"] + dh[:, t]
        dh_total[:, t] = carry["h"]
        dx[:, t] = step(rnn, run, t, carry, grads)
    grads["x"] = dx[:, ::-1] if rnn.go_backwards else dx
    grads["h0"], grads["h"] = carry["h"], dh_total
    if rnn.cell == "lstm":
        grads["c0"] = carry["c"]
    return grads


def _previous(run: dict[str, Any], key: str, t: int) -> np.ndarray:
    return run[key][:, t - 1] if t > 0 else run[key + "0"]


def _simple_rnn_step_back(rnn: RNN, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    # h_t = tanh(a_t),  a_t = x_t W + h_{t-1} U + b
    x_t, h_prev, h_t = run["x"][:, t], _previous(run, "h", t), run["h"][:, t]
    da = carry["h"] * (1.0 - h_t**2)
    dx, carry["h"] = _accumulate(rnn, grads, x_t, h_prev, da, da)
    return dx


def _lstm_step_back(rnn: RNN, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    # c_t = f ⊙ c_{t-1} + i ⊙ c~,  h_t = o ⊙ tanh(c_t)
    g = {name: gate[:, t] for name, gate in run["gates"].items()}
    x_t, h_prev, c_prev = run["x"][:, t], _previous(run, "h", t), _previous(run, "c", t)
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
    dx, carry["h"] = _accumulate(rnn, grads, x_t, h_prev, da, da)
    return dx


def _gru_step_back(rnn: RNN, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    # h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~
    g = {name: gate[:, t] for name, gate in run["gates"].items()}
    x_t, h_prev, n = run["x"][:, t], _previous(run, "h", t), rnn.units
    z, r, h_tilde = g["z"], g["r"], g["h_tilde"]
    dh = carry["h"]
    da_h = dh * (1.0 - z) * (1.0 - h_tilde**2)   # candidate's pre-activation
    da_z = dh * (h_prev - h_tilde) * z * (1.0 - z)
    dh_prev = dh * z
    if rnn.reset_after:
        m_h = h_prev @ rnn.U[:, 2 * n:] + rnn.b[1, 2 * n:]   # r multiplies (h_{t-1} U_h + b'_h)
        da_r = da_h * m_h * r * (1.0 - r)
        dx, dh_via_U = _accumulate(rnn, grads, x_t, h_prev,
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


def _accumulate(rnn: RNN, grads: dict, x_t: np.ndarray, h_prev: np.ndarray, da_in: np.ndarray,
                da_rec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add the weight gradients of a = x_t W + h_{t-1} U + b; return dL/dx_t and dL/dh_{t-1} via U.

    ``da_in`` is dL/d(x_t W + b_in) and ``da_rec`` is dL/d(h_{t-1} U + b_rec); they differ only
    in the GRU with ``reset_after=True``, whose bias has one row for each.
    """
    grads["W"] += x_t.T @ da_in
    grads["U"] += h_prev.T @ da_rec
    if grads["b"].ndim == 2:  # GRU, reset_after=True
        grads["b"][0] += da_in.sum(axis=0)
        grads["b"][1] += da_rec.sum(axis=0)
    else:
        grads["b"] += da_in.sum(axis=0)
    return da_in @ rnn.W.T, da_rec @ rnn.U.T


def numerical_gradient(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function with respect to an array, in place.

    df/da_k ≈ (f(a + eps e_k) − f(a − eps e_k)) / (2 eps)

    Args:
        f: computes the scalar from the current contents of ``array`` (which it must read).
        array: a float64 array; each entry is perturbed and restored in turn.
        eps: the step.

    Returns:
        The gradient, shaped like ``array``.
    """
    grad = np.zeros_like(array, dtype=np.float64)
    flat, out = array.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + eps
        up = f()
        flat[k] = saved - eps
        down = f()
        flat[k] = saved
        out[k] = (up - down) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a − b| / max(|a|, |b|, 1e-12)`` over all entries: the gradient check's figure."""
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-12)
    return float(np.max(np.abs(a - b))) / scale
