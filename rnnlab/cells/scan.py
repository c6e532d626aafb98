"""Linear recurrences h_t = a_t ⊙ h_{t−1} + b_t, step by step or by a parallel scan."""
from __future__ import annotations

from typing import Any

import numpy as np


def compose(earlier: tuple[Any, Any], later: tuple[Any, Any]) -> tuple[Any, Any]:
    """Compose two steps of h ↦ a ⊙ h + b: first ``earlier`` = (a₁, b₁), then ``later`` = (a₂, b₂).

    a₂ ⊙ (a₁ ⊙ h + b₁) + b₂ = (a₂ ⊙ a₁) ⊙ h + (a₂ ⊙ b₁ + b₂), so the result is
    (a₂ ⊙ a₁, a₂ ⊙ b₁ + b₂). This operation is associative, which is all a parallel scan needs.
    It uses only ``*`` and ``+``, so it composes NumPy arrays and Keras tensors alike.
    """
    a1, b1 = earlier
    a2, b2 = later
    return a2 * a1, a2 * b1 + b2


def linear_recurrence(a: np.ndarray, b: np.ndarray, h0: np.ndarray | None = None, *,
                      method: str = "scan") -> np.ndarray:
    """All states of h_t = a_t ⊙ h_{t−1} + b_t, step by step or by a parallel scan.

    This is the recurrence of the minimal GRU and LSTM of Feng et al. (2024), where the gate a_t
    and the input b_t depend on x_t only, not on h_{t−1}. Because the pairs (a, b) compose
    associatively — applying (a₁, b₁) then (a₂, b₂) is (a₂a₁, a₂b₁ + b₂) — the T states can be
    computed in ⌈log₂ T⌉ rounds of element-wise work over the whole sequence (Hillis–Steele
    scan), instead of T dependent steps (Martin & Cundy 2018).

    Args:
        a, b: arrays of shape (batch, timesteps, units).
        h0: initial state (batch, units); zeros if None.
        method: ``"scan"`` (log-depth rounds) or ``"sequential"`` (one step at a time).

    Returns:
        h of shape (batch, timesteps, units): h_1, ..., h_T.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 3 or a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (batch, timesteps, units), got "
                         f"{a.shape} and {b.shape}")
    h0 = np.zeros((a.shape[0], a.shape[2])) if h0 is None else np.asarray(h0, dtype=float)
    if h0.shape != (a.shape[0], a.shape[2]):
        raise ValueError(f"h0 must have shape {(a.shape[0], a.shape[2])}, got {h0.shape}")
    if method == "sequential":
        h, states = h0, []
        for t in range(a.shape[1]):
            h = a[:, t] * h + b[:, t]
            states.append(h)
        return np.stack(states, axis=1)
    if method != "scan":
        raise ValueError(f"method must be 'scan' or 'sequential', got {method!r}")
    A, B = a.copy(), b.copy()  # after the rounds, (A_t, B_t) maps h_0 to h_t
    shift = 1
    while shift < a.shape[1]:
        A_new, B_new = A.copy(), B.copy()
        A_new[:, shift:], B_new[:, shift:] = compose((A[:, :-shift], B[:, :-shift]),
                                                     (A[:, shift:], B[:, shift:]))
        A, B, shift = A_new, B_new, 2 * shift
    return A * h0[:, None] + B
