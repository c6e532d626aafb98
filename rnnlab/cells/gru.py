"""The GRU cell in both Keras variants (``reset_after``): forward step beside backward step."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, previous, register, sigmoid


__all__ = ["gru_step", "gru_cache", "gru_step_backward"]
"""What :mod:`rnnlab.cells` exports of this cell (the API page lists it there)."""

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


def gru_cache(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
              reset_after: bool = True) -> dict[str, Any]:
    """Run :func:`gru_step` and keep what its backward pass needs (the *cache*).

    Returns:
        A dict with the step's inputs ``x_t``, ``h_prev``, weights ``W``, ``U``, ``b``, the
        variant ``reset_after``, its gates ``z``, ``r``, ``h_tilde`` and its new state ``h_t``.
    """
    h_t, gates = gru_step(x_t, h_prev, W, U, b, reset_after)
    return {"x_t": x_t, "h_prev": h_prev, "W": W, "U": U, "b": b, "reset_after": reset_after,
            **gates, "h_t": h_t}


def gru_step_backward(dh_t: np.ndarray, cache: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Backward through one step of :func:`gru_step`, either variant, for a batch.

    From h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃: the direct path dL/dh_{t-1} ∋ dL/dh_t ⊙ z, the
    candidate's pre-activation dL/dh_t ⊙ (1 − z) ⊙ (1 − h̃²), the update gate's
    dL/dh_t ⊙ (h_{t-1} − h̃) ⊙ z(1 − z); the reset gate's through the product it scales,
    (h_{t-1} U_h + b'_h) with ``reset_after=True`` or (r ⊙ h_{t-1}) U_h without; then through
    x_t W + h_{t-1} U + b.

    Args:
        dh_t: dL/dh_t, shape (batch, units).
        cache: the step's :func:`gru_cache`.

    Returns:
        ``(dx_t, dh_prev, dW, dU, db)``, shaped like x_t, h_{t-1}, W, U and b.
    """
    x_t, h_prev, W, U, b = (cache[k] for k in ("x_t", "h_prev", "W", "U", "b"))
    z, r, h_tilde = cache["z"], cache["r"], cache["h_tilde"]
    n = h_prev.shape[-1]
    da_h = dh_t * (1.0 - z) * (1.0 - h_tilde**2)   # candidate's pre-activation
    da_z = dh_t * (h_prev - h_tilde) * z * (1.0 - z)
    dh_prev = dh_t * z
    if cache["reset_after"]:
        m_h = h_prev @ U[:, 2 * n:] + b[1, 2 * n:]     # r multiplies (h_{t-1} U_h + b'_h)
        da_r = da_h * m_h * r * (1.0 - r)
        da_in = np.concatenate([da_z, da_r, da_h], axis=-1)        # of x_t W + b[0]
        da_rec = np.concatenate([da_z, da_r, da_h * r], axis=-1)   # of h_{t-1} U + b[1]
        db = np.stack([da_in.sum(axis=0), da_rec.sum(axis=0)])
        return (da_in @ W.T, dh_prev + da_rec @ U.T, x_t.T @ da_in, h_prev.T @ da_rec, db)
    U_zr, U_h = U[:, : 2 * n], U[:, 2 * n:]
    dq = da_h @ U_h.T                                   # q = r ⊙ h_{t-1}, candidate reads q U_h
    da_r = dq * h_prev * r * (1.0 - r)
    da_zr = np.concatenate([da_z, da_r], axis=-1)
    da_in = np.concatenate([da_z, da_r, da_h], axis=-1)
    dU = np.concatenate([h_prev.T @ da_zr, (r * h_prev).T @ da_h], axis=-1)
    return (da_in @ W.T, dh_prev + dq * r + da_zr @ U_zr.T, x_t.T @ da_in, dU,
            da_in.sum(axis=0))


def step_back(rnn: Any, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    """The registry's backward step: :func:`gru_step_backward` at step t of a record.

    Returns dL/dx_t; ``carry["h"]`` becomes dL/dh_{t-1}, ``grads`` gains this step's dL/dW,
    dL/dU and dL/db.
    """
    cache = {name: gate[:, t] for name, gate in run["gates"].items()}
    cache.update(x_t=run["x"][:, t], h_prev=previous(run, "h", t), W=rnn.W, U=rnn.U, b=rnn.b,
                 reset_after=rnn.options["reset_after"])
    dx, carry["h"], dW, dU, db = gru_step_backward(carry["h"], cache)
    grads["W"] += dW
    grads["U"] += dU
    grads["b"] += db
    return dx


def bias_shape(units: int, reset_after: bool = True) -> tuple[int, ...]:
    """(2, 3 units) with ``reset_after=True`` (an input and a recurrent row), else (3 units,)."""
    return (2, 3 * units) if reset_after else (3 * units,)


SPEC = register(CellSpec(
    name="gru", keras_class="GRU", label="GRU", color="#d62728", order=2,
    blocks=("z", "r", "h_tilde"), states=("h",), step=step, step_back=step_back,
    options=("reset_after",), variants=({"reset_after": True}, {"reset_after": False}),
    bias_shape=bias_shape))
