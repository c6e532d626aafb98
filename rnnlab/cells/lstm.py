"""The LSTM cell with a forget gate, Keras' ``LSTM``: forward step beside backward step."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.registry import CellSpec, previous, register, sigmoid


__all__ = ["lstm_step", "lstm_cache", "lstm_step_backward"]
"""What :mod:`rnnlab.cells` exports of this cell (the API page lists it there)."""

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


def lstm_cache(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, W: np.ndarray,
               U: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Run :func:`lstm_step` and keep what its backward pass needs (the *cache*).

    Returns:
        A dict with the step's inputs ``x_t``, ``h_prev``, ``c_prev``, weights ``W``, ``U``,
        ``b``, its gates ``i``, ``f``, ``c_tilde``, ``o`` and its new states ``c_t``, ``h_t``
        (each gate and state of shape (batch, units)).
    """
    h_t, c_t, gates = lstm_step(x_t, h_prev, c_prev, W, U, b)
    return {"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev, "W": W, "U": U, "b": b, **gates,
            "c_t": c_t, "h_t": h_t}


def lstm_step_backward(dh_t: np.ndarray, dc_t: np.ndarray, cache: dict[str, np.ndarray]
                       ) -> tuple[np.ndarray, ...]:
    """Backward through one step of :func:`lstm_step`, for a batch.

    ``dh_t`` is dL/dh_t and ``dc_t`` the gradient reaching c_t from the next step (the cell
    path). Walking the forward equations backwards:

    dL/do_t = dL/dh_t ⊙ tanh(c_t)
    dL/dc_t (total) = dc_t + dL/dh_t ⊙ o_t ⊙ (1 − tanh²(c_t))
    dL/dc_{t-1} = dL/dc_t (total) ⊙ f_t                          the additive path
    dL/di_t = dL/dc_t ⊙ c̃_t,  dL/df_t = dL/dc_t ⊙ c_{t-1},  dL/dc̃_t = dL/dc_t ⊙ i_t
    pre-activations: σ' = σ(1 − σ) for i, f, o; tanh' = 1 − c̃² for c̃, stacked as [i | f | c̃ | o]
    then through a_t = x_t W + h_{t-1} U + b: dx_t = da Wᵀ, dh_{t-1} = da Uᵀ, dW = x_tᵀ da,
    dU = h_{t-1}ᵀ da, db = Σ_batch da.

    Args:
        dh_t, dc_t: gradients with respect to h_t and c_t, shape (batch, units).
        cache: the step's :func:`lstm_cache`.

    Returns:
        ``(dx_t, dh_prev, dc_prev, dW, dU, db)``, shaped like x_t, h_{t-1}, c_{t-1}, W, U, b.
    """
    i, f, c_tilde, o = (cache[name] for name in ("i", "f", "c_tilde", "o"))
    tanh_c = np.tanh(cache["c_t"])
    do = dh_t * tanh_c
    dc = dc_t + dh_t * o * (1.0 - tanh_c**2)
    da = np.concatenate([
        dc * c_tilde * i * (1.0 - i),            # input gate
        dc * cache["c_prev"] * f * (1.0 - f),    # forget gate
        dc * i * (1.0 - c_tilde**2),             # candidate
        do * o * (1.0 - o),                      # output gate
    ], axis=-1)
    x_t, h_prev = cache["x_t"], cache["h_prev"]
    return (da @ cache["W"].T, da @ cache["U"].T, dc * f, x_t.T @ da, h_prev.T @ da,
            da.sum(axis=0))


def step_back(rnn: Any, run: dict, t: int, carry: dict, grads: dict) -> np.ndarray:
    """The registry's backward step: :func:`lstm_step_backward` at step t of a record, both
    states (the cell path dL/dc_{t-1} = dL/dc_t ⊙ f_t). Returns dL/dx_t."""
    cache = {name: gate[:, t] for name, gate in run["gates"].items()}
    cache.update(x_t=run["x"][:, t], h_prev=previous(run, "h", t), c_prev=previous(run, "c", t),
                 c_t=run["c"][:, t], W=rnn.W, U=rnn.U)
    dx, carry["h"], carry["c"], dW, dU, db = lstm_step_backward(carry["h"], carry["c"], cache)
    grads["W"] += dW
    grads["U"] += dU
    grads["b"] += db
    return dx


SPEC = register(CellSpec(
    name="lstm", keras_class="LSTM", label="LSTM", color="#1f77b4", order=1,
    blocks=("i", "f", "c_tilde", "o"), states=("h", "c"), step=step, step_back=step_back))
