"""Gradient-flow tools: how the gradient depends on the lag, spectral radius, clipping.

Vectors are rows (``book/notation.md``): a small change dh_{s-1} of the state moves h_s by
dh_{s-1} J_s, with the Jacobian J_s = ∂h_s/∂h_{s-1}, whose entry (i, j) is ∂h_{s,j}/∂h_{s-1,i}.
By the chain rule, ∂h_T/∂h_t = J_{t+1} J_{t+2} ⋯ J_T: a product of T − t Jacobians. For a simple
RNN J_s = U diag(1 − h_s²) (:func:`step_jacobian`), so its norm is at most ‖U‖₂ per step and the
product can shrink or grow geometrically with the lag T − t (Bengio, Simard & Frasconi 1994;
Pascanu, Mikolov & Bengio 2013: a largest singular value of U below 1 is sufficient for the
gradient to vanish, above 1 necessary, not sufficient, for it to explode).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rnnlab.bptt import backward
from rnnlab.cells import RNN, as_state_list, by_keras_class, check_input, sigmoid
from rnnlab.cells.layer import weights_holder
from rnnlab.checks import integer
from rnnlab.config import SEED


def orthogonal_rnn(rho: float, *, units: int = 32, features: int = 2, timesteps: int = 60,
                   seed: int = SEED) -> tuple[RNN, np.ndarray]:
    """A SimpleRNN with U = ρ Q (Q a random orthogonal matrix) and one sequence of random inputs.

    So ‖U‖₂ = ρ(U) = ρ exactly. W has standard deviation 0.5/√features, b = 0, and the inputs
    (a batch of one sequence) are standard normal, so of size about 1 (seeded; the same call
    gives the same network and sequence).

    Returns:
        ``(rnn, x)`` with ``x`` of shape (1, timesteps, features).
    """
    integer("units", units)
    integer("features", features)
    integer("timesteps", timesteps)
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(units, units)))
    W = rng.normal(scale=0.5 / np.sqrt(features), size=(features, units))
    x = rng.normal(size=(1, timesteps, features))
    return RNN("simple_rnn", W, rho * Q, np.zeros(units)), x


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


def step_jacobian(U: np.ndarray, h_t: np.ndarray) -> np.ndarray:
    """The Jacobian of one simple-RNN step, J_t = ∂h_t/∂h_{t-1} = U diag(1 − h_t²).

    For h_t = tanh(x_t W + h_{t-1} U + b) with row vectors, (J_t)_{ij} = ∂h_{t,j}/∂h_{t-1,i}
    = U_{ij} (1 − h_{t,j}²), so a change dh_{t-1} moves h_t by dh_{t-1} J_t.

    Args:
        U: the recurrent kernel, shape (units, units).
        h_t: the state the step produced, shape (units,).

    Returns:
        J_t, shape (units, units).
    """
    U, h_t = np.asarray(U, dtype=np.float64), np.asarray(h_t, dtype=np.float64)
    if U.ndim != 2 or U.shape[0] != U.shape[1] or h_t.shape != (U.shape[0],):
        raise ValueError(f"expected U of shape (units, units) and h_t of shape (units,), got "
                         f"{U.shape} and {h_t.shape}")
    return U * (1.0 - h_t ** 2)


def lstm_rest_jacobian(rnn: RNN) -> np.ndarray:
    """The Jacobian of an LSTM's cell state from step to step at rest (zero input, zero state).

    At x_t = 0, h = c = 0 the gates are constants, f = σ(b_f), i = σ(b_i), o = σ(b_o), and the
    candidate and tanh(c_t) are in their linear range. A small change of the cell state then
    propagates, through c_t = f ⊙ c_{t-1} + i ⊙ tanh(h_{t-1} U_c) and h_{t-1} = o ⊙ tanh(c_{t-1}),
    as dc_t = dc_{t-1} M with

        M = diag(f) + diag(o) U_c diag(i),

    so the gradient grows or shrinks at the rate ρ(M) per step: the cell path diag(f) plus the
    path through h_{t-1} and U_c, which nothing bounds.

    Args:
        rnn: a NumPy LSTM whose candidate bias b_c is 0 (so that zero is a fixed point).

    Returns:
        M, shape (units, units).
    """
    if rnn.cell != "lstm":
        raise ValueError(f"lstm_rest_jacobian needs an LSTM, got a {rnn.cell!r} layer")
    b_i, b_f, b_c, b_o = np.split(np.asarray(rnn.b, dtype=np.float64), 4)
    if not np.allclose(b_c, 0.0):
        raise ValueError("the candidate bias b_c must be 0, or the zero state is not at rest")
    n = rnn.units
    U_c = np.asarray(rnn.U, dtype=np.float64)[:, 2 * n:3 * n]
    return np.diag(sigmoid(b_f)) + (sigmoid(b_o)[:, None] * U_c) * sigmoid(b_i)[None, :]


def gru_rest_jacobian(rnn: RNN) -> np.ndarray:
    """The Jacobian of a GRU's state from step to step at rest (zero input, zero state).

    One GRU step (Keras' convention, row vectors) has the Jacobian

        J_t = diag(z_t) + U_z diag(z_t(1 − z_t) ⊙ (h_{t−1} − h̃_t))
              + [U_h diag(r_t) + U_r diag(r_t(1 − r_t) ⊙ (h_{t−1} U_h + b'_h))] diag((1 − z_t) ⊙ (1 − h̃_t²))

    with ``reset_after=True`` (with ``reset_after=False`` the candidate's term reads
    diag(r_t) U_h + U_r diag(r_t(1 − r_t) ⊙ (h_{t−1} U_h)) instead): the direct path diag(z_t),
    then the paths through the update gate, the candidate and the reset gate. At x_t = 0,
    h = 0 and zero candidate biases, h̃ = 0 and the gate paths vanish, leaving

        J = diag(z) + U_h diag(r ⊙ (1 − z))        (reset_after=True)
        J = diag(z) + diag(r) U_h diag(1 − z)      (reset_after=False)

    with z = σ(b_z) and r = σ(b_r) (both bias rows added): the GRU's counterpart of
    :func:`lstm_rest_jacobian`. With Keras' zero biases, J = ½ I + ¼ U_h, so the gradient grows at
    rest once ρ(U_h) exceeds 2.

    Args:
        rnn: a NumPy GRU whose candidate biases are 0 (so that zero is a fixed point).

    Returns:
        J, shape (units, units).
    """
    if rnn.cell != "gru":
        raise ValueError(f"gru_rest_jacobian needs a GRU, got a {rnn.cell!r} layer")
    n = rnn.units
    b = np.asarray(rnn.b, dtype=np.float64)
    reset_after = b.ndim == 2
    total = b.sum(axis=0) if reset_after else b
    if not np.allclose(b[..., 2 * n:], 0.0):
        raise ValueError("the candidate biases must be 0, or the zero state is not at rest")
    z, r = sigmoid(total[:n]), sigmoid(total[n:2 * n])
    U_h = np.asarray(rnn.U, dtype=np.float64)[:, 2 * n:]
    through_candidate = U_h * (r * (1 - z))[None, :] if reset_after else \
        (r[:, None] * U_h) * (1 - z)[None, :]
    return np.diag(z) + through_candidate


def log_slope(norms: Sequence[float] | np.ndarray, lags: int | None = None) -> float:
    """Slope of ln ‖∂h_T/∂h_{T-k}‖ against the lag k, by least squares over lags 0 .. lags − 1.

    A geometric norm a·q^k has slope ln q: negative when the gradient vanishes, positive when it
    explodes, ln ρ for a linear recurrence h_t = h_{t-1} U with U = ρ × an orthogonal matrix.

    Args:
        norms: norms at lags 0, 1, 2, ... (as from :func:`jacobian_norms`), positive.
        lags: how many lags to fit (at least 2; default: all).

    Returns:
        The fitted slope per step.
    """
    norms = np.asarray(norms, dtype=np.float64)
    lags = len(norms) if lags is None else lags
    integer("lags", lags, minimum=2)  # a line needs two points
    if norms.ndim != 1 or lags > len(norms):
        raise ValueError(f"need a 1-D array of at least {lags} norms, got shape {norms.shape}")
    if not np.all(np.isfinite(norms[:lags]) & (norms[:lags] > 0)):
        raise ValueError("norms must be positive and finite to take their logarithm")
    return float(np.polyfit(np.arange(lags), np.log(norms[:lags]), 1)[0])


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
    """The same measurement on a Keras layer, with ``tf.GradientTape`` (TensorFlow backend only).

    The layer's cell is stepped by hand on ``units`` copies of the sequence, and a zero
    perturbation δ_t is added to every h_t. With L = Σ_k (h_T of copy k)_k, the gradient dL/dδ_t
    has as row k the k-th row of dh_T/dh_t, so one backward pass gives every Jacobian (the same
    trick as :func:`jacobian_norms`, but differentiated by TensorFlow).

    Args:
        layer: a built ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``, or a minimal layer of
            :mod:`rnnlab.cells.minimal_layers`.
        x: one sequence, shape (1, timesteps, features).

    Returns:
        Array of length T + 1: ‖dh_T/dh_t‖₂ at lag T − t = 0, 1, ..., T.

    Raises:
        RuntimeError: on a Keras backend other than TensorFlow (Keras 3 has no
            backend-independent gradient; :func:`jacobian_norms` works everywhere).
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("keras_jacobian_norms differentiates with tf.GradientTape and needs "
                           "KERAS_BACKEND=tensorflow; this process runs Keras on "
                           f"{keras.backend.backend()!r}")
    import tensorflow as tf

    # Keras' layers step their cell; the course's minimal layers step themselves
    holder = weights_holder(layer)
    step = layer.cell if hasattr(layer, "cell") else layer.step
    x = _one_sequence(x, holder.kernel.shape[0])
    dtype = holder.kernel.dtype
    units, T = holder.units, x.shape[1]
    x = tf.constant(np.repeat(x, units, axis=0), dtype=dtype)
    cell_spec = by_keras_class(type(layer).__name__)
    if cell_spec is None:
        raise TypeError(f"expected a Keras recurrent layer of a registered cell, got {type(layer).__name__}")
    count = len(cell_spec.states)  # h, and c for an LSTM
    deltas = [tf.zeros((units, units), dtype) for _ in range(T + 1)]  # δ_0 .. δ_T
    with tf.GradientTape() as tape:
        tape.watch(deltas)
        states = [tf.zeros((units, units), dtype) for _ in range(count)]
        for t in range(T):
            states[0] = states[0] + deltas[t]
            _, states = step(x[:, t], states)
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
