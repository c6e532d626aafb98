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


def elman_bptt(x: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
               dh: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass and backpropagation through time of an Elman layer, one loop each.

    Args:
        x: inputs, shape (batch, T, d).
        W, U, b: the weights, shapes (d, n), (n, n) and (n,).
        dh: the loss's direct gradient dL/dh_t at every step, shape (batch, T, n).

    Returns:
        The states h_1 .. h_T, shape (batch, T, n), and the gradients of W, U, b and h_0.
    """
    T = x.shape[1]                   # Python counts from 0: x[:, t] is x_{t+1}, h[t] is h_t
    h = [np.zeros((x.shape[0], U.shape[0]))]                 # h[0] = h_0 = 0
    for t in range(T):                                       # forward, first step first
        h.append(np.tanh(x[:, t] @ W + h[t] @ U + b))
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    delta = np.zeros_like(h[0])                              # nothing comes back from after T
    for t in reversed(range(T)):                             # backward, last step first
        delta = delta + dh[:, t]                             # δ: direct part + what came back
        da = delta * (1 - h[t + 1] ** 2)                     # through tanh: dL/da
        dW += x[:, t].T @ da                                 # shared weights: add each step's share
        dU += h[t].T @ da
        db += da.sum(axis=0)
        delta = da @ U.T                                     # back through U, to h[t]
    return np.stack(h[1:], axis=1), {"W": dW, "U": dU, "b": db, "h0": delta}


def backward(rnn: RNN, run: dict[str, Any], dh: np.ndarray,
             dc_last: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Gradients of a scalar loss with respect to every weight, input and hidden state.

    The loop is the same for every cell; each step backwards is the cell's own ``step_back``
    (in its module of :mod:`rnnlab.cells`, beside its forward step).

    Args:
        rnn: the layer (any registered cell: simple RNN, LSTM, GRU of either variant, ...).
        run: the record of ``rnn.forward(x, initial_state)``.
        dh: direct gradient dL/dh_t, shape (batch, timesteps, units), in computation order.
        dc_last: for an LSTM, the direct gradient dL/dc_T of the final cell state (default 0).

    Returns:
        A dict with ``"W"``, ``"U"``, ``"b"`` (shapes of the weights), ``"x"`` (shape of the
        input, in the input's original order), one ``s + "0"`` per state of the cell (``"h0"``,
        and ``"c0"`` for an LSTM), and ``"h"``: the *total* dL/dh_t for every step, shape
        (batch, timesteps, units).
    """
    h = run["h"]
    if dh.shape != h.shape:
        raise ValueError(f"dh must have the shape of the states {h.shape}, got {dh.shape}")
    grads = {name: np.zeros_like(getattr(rnn, name)) for name in ("W", "U", "b")}
    dx = np.zeros_like(run["x"])
    dh_total = np.zeros_like(h)
    carry = {name: np.zeros_like(h[:, 0]) for name in rnn.spec.states}
    if dc_last is not None:
        if "c" not in carry:
            raise ValueError(f"dc_last is for a cell with a cell state; {rnn.cell} has none")
        carry["c"] = dc_last
    for t in reversed(range(h.shape[1])):
        carry["h"] = carry["h"] + dh[:, t]
        dh_total[:, t] = carry["h"]
        dx[:, t] = rnn.spec.step_back(rnn, run, t, carry, grads)
    grads["x"] = dx[:, ::-1] if rnn.go_backwards else dx
    for name in rnn.spec.states:
        grads[name + "0"] = carry[name]
    grads["h"] = dh_total
    return grads


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
    """``max |a − b| / max(|a|, |b|, 1e-12)`` over all entries: the gradient check's figure.

    Two empty arrays of the same shape (the U of a cell without one) agree: 0.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"the gradients have different shapes: {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-12)
    return float(np.max(np.abs(a - b))) / scale
