"""Gradient-flow tools: how the gradient depends on the lag, spectral radius, clipping.

By the chain rule, dh_T/dh_t = J_T J_{T-1} ... J_{t+1} with J_s = dh_s/dh_{s-1}: a product of
T − t Jacobians. For a simple RNN J_s = diag(1 − h_s²) Uᵀ, so its norm is at most ‖U‖ per step
and the product shrinks or grows geometrically with the lag T − t
(Bengio, Simard & Frasconi 1994; Pascanu, Mikolov & Bengio 2013).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rnnlab.bptt import backward
from rnnlab.cells import RNN, as_state_list, check_input


def spectral_radius(U: np.ndarray) -> float:
    """ρ(U) = ``max |λ|`` over the eigenvalues λ of a square matrix.

    Args:
        U: a square recurrent matrix, shape (units, units) (one gate's block for LSTM/GRU).

    Returns:
        The spectral radius.

    Raises:
        ValueError: if ``U`` is not a finite square matrix.
    """
    U = np.asarray(U, dtype=np.float64)
    if U.ndim != 2 or U.shape[0] != U.shape[1]:
        raise ValueError(f"U must be a square matrix (units, units), got shape {U.shape}; "
                         "for an LSTM or GRU pass one gate's block, e.g. U[:, :units]")
    if not np.all(np.isfinite(U)):
        raise ValueError("U contains NaN or infinite values")
    return float(np.max(np.abs(np.linalg.eigvals(U))))


def _one_sequence(x: Any, features: int) -> np.ndarray:
    x = check_input(x, features)
    if x.shape[0] != 1:
        raise ValueError(f"x must hold one sequence, shape (1, timesteps, features); got {x.shape}")
    return x


def jacobian_norms(rnn: RNN, x: np.ndarray, initial_state: Any = None) -> np.ndarray:
    """‖dh_T/dh_t‖₂ (spectral norm) for t = T, T−1, ..., 0, computed by hand-written BPTT.

    Each row of the Jacobian is one backward pass with dL/dh_T a unit vector; the ``units``
    passes run together as one batch.

    Args:
        rnn: a NumPy layer (any cell).
        x: one sequence, shape (1, timesteps, features).
        initial_state: as for :meth:`rnnlab.cells.RNN.forward` (batch 1).

    Returns:
        Array of length T + 1 whose entry k is the norm at lag k = T − t (entry 0 is 1).
    """
    x = _one_sequence(x, rnn.features)
    n, T = rnn.units, x.shape[1]
    if initial_state is not None:
        initial_state = [np.repeat(np.asarray(s), n, axis=0) for s in as_state_list(initial_state)]
    run = rnn.forward(np.repeat(x, n, axis=0), initial_state)
    dh = np.zeros_like(run["h"])
    dh[:, -1] = np.eye(n)  # row k: L = (h_T)_k
    grads = backward(rnn, run, dh)
    by_t = [grads["h0"]] + [grads["h"][:, t] for t in range(T)]  # dh_T/dh_t for t = 0..T
    return np.asarray([np.linalg.norm(J, 2) for J in by_t[::-1]])  # lag T - t = 0..T


def keras_jacobian_norms(layer: Any, x: np.ndarray) -> np.ndarray:
    """The same measurement on a Keras layer, with ``tf.GradientTape``.

    The layer's cell is stepped by hand on ``units`` copies of the sequence, and a zero
    perturbation δ_t is added to every h_t. With L = Σ_k (h_T of copy k)_k, the gradient dL/dδ_t
    has as row k the k-th row of dh_T/dh_t, so one backward pass gives every Jacobian (the same
    trick as :func:`jacobian_norms`, but differentiated by TensorFlow).

    Args:
        layer: a built ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``.
        x: one sequence, shape (1, timesteps, features).

    Returns:
        Array of length T + 1: ‖dh_T/dh_t‖₂ at lag T − t = 0, 1, ..., T.
    """
    import tensorflow as tf

    x = _one_sequence(x, layer.cell.kernel.shape[0])
    dtype = layer.cell.kernel.dtype
    units, T = layer.cell.units, x.shape[1]
    x = tf.constant(np.repeat(x, units, axis=0), dtype=dtype)
    count = 2 if type(layer).__name__ == "LSTM" else 1
    deltas = [tf.zeros((units, units), dtype) for _ in range(T + 1)]  # δ_0 .. δ_T
    with tf.GradientTape() as tape:
        tape.watch(deltas)
        states = [tf.zeros((units, units), dtype) for _ in range(count)]
        for t in range(T):
            states[0] = states[0] + deltas[t]
            _, states = layer.cell(x[:, t], states)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
        h_T = states[0] + deltas[T]
        loss = tf.linalg.trace(h_T)
    jacobians = tape.gradient(loss, deltas)  # entry t: dh_T/dh_t, rows = output unit
    return np.asarray([np.linalg.norm(J.numpy(), 2) for J in jacobians[::-1]])


def global_norm(grads: Mapping[str, np.ndarray] | Sequence[np.ndarray]) -> float:
    """‖g‖ = sqrt(Σ_k ‖g_k‖²) over all gradient arrays, as one vector."""
    arrays = list(grads.values()) if isinstance(grads, Mapping) else list(grads)
    return float(np.sqrt(sum(np.sum(np.square(a, dtype=np.float64)) for a in arrays)))


def clip_by_global_norm(grads: Mapping[str, np.ndarray] | Sequence[np.ndarray],
                        max_norm: float) -> tuple[Any, float]:
    """Gradient-norm clipping of Pascanu, Mikolov & Bengio (2013), Algorithm 1.

    if ‖g‖ > threshold:  g ← (threshold / ‖g‖) g

    Args:
        grads: gradient arrays, as a dict or a list.
        max_norm: the threshold, positive.

    Returns:
        ``(clipped, norm)``: new arrays in the same container type (rescaled when
        ‖g‖ > threshold, unchanged values otherwise) and ‖g‖ before clipping.
    """
    if not np.isfinite(max_norm) or max_norm <= 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise ValueError("the gradients contain NaN or infinite values; clipping cannot fix that")
    scale = max_norm / norm if norm > max_norm else 1.0
    if isinstance(grads, Mapping):
        return {k: v * scale for k, v in grads.items()}, norm
    return [g * scale for g in grads], norm
