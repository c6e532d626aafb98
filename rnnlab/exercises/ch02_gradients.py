"""Checkers for chapter 2 (vanishing and exploding gradients)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.exercises import WrongAnswer, as_array, call_answer, checker, diagnose, evaluate
from rnnlab.gradients import clip_by_global_norm


@checker("bptt-step")
def check_bptt_step(bptt_step: Any) -> str:
    """``bptt_step(dh_t, h_t, U)`` carries dL/dh_t one step back through an Elman layer:
    dL/dh_{t-1} = (dL/dh_t ⊙ (1 − h_t²)) Uᵀ (row vectors, the contribution through h_t only)."""
    rng = np.random.default_rng(1991)
    dh_t, h_t = rng.normal(size=(3, 4)), np.tanh(rng.normal(size=(3, 4)))
    U = rng.normal(size=(4, 4))  # square, so U and U.T have the same shape: only values tell
    result = as_array(call_answer(bptt_step, dh_t, h_t, U), (3, 4), "bptt_step")
    local = dh_t * (1 - h_t ** 2)
    diagnose(result, local @ U.T, {
        "multiply by U transposed: h_t = tanh(... + h_{t-1} U), so the gradient goes back "
        "through U.T.": local @ U,
        "the tanh derivative is missing: multiply dL/dh_t by (1 - h_t**2) first.": dh_t @ U.T,
        "after the tanh derivative, go back through the recurrent weights: @ U.T.": local,
        "tanh'(a) = 1 - tanh(a)**2 = 1 - h_t**2; h_t * (1 - h_t) is the sigmoid's derivative.":
            (dh_t * h_t * (1 - h_t)) @ U.T,
        "tanh'(a) = 1 - h_t**2, not 1 - h_t.": (dh_t * (1 - h_t)) @ U.T,
    })
    return "one BPTT step: scale by tanh' = 1 - h_t², then multiply by Uᵀ."


@checker("log-norm-slope")
def check_log_norm_slope(slope: Any) -> str:
    """``slope(rho)``: the change of ln‖∂h_T/∂h_{T−k}‖ per step of lag k for the linear
    recurrence h_t = h_{t−1} U with U = ρQ, Q orthogonal. The answer is ln ρ."""
    rhos = [0.5, 0.9, 1.0, 1.1, 2.0, 3.0]
    result = evaluate(slope, [(r,) for r in rhos], "slope")
    rho = np.array(rhos)
    diagnose(result, np.log(rho), {
        "that is log base 10; the question asks for the natural logarithm ln.": np.log10(rho),
        "ρ − 1 is only the first-order approximation of ln ρ near ρ = 1.": rho - 1,
        "ρ is the factor per step; the slope of the logarithm is ln ρ.": rho,
        "the sign is flipped: norms grow (positive slope) when ρ > 1.": -np.log(rho),
        "ρ is already the spectral norm of U, so no square: ln ρ.": 2 * np.log(rho),
    })
    return "‖∂h_T/∂h_{T−k}‖ = ρ^k exactly here, so its logarithm falls or rises by ln ρ per step."


@checker("clip-global-norm")
def check_clip(clip: Any) -> str:
    """``clip(grads, max_norm)`` takes a list of arrays and returns the list rescaled by
    max_norm / ‖g‖ when the global norm ‖g‖ exceeds max_norm, unchanged otherwise."""
    rng = np.random.default_rng(2013)
    big = [rng.normal(size=(4, 3)) * 5, rng.normal(size=3), rng.normal(size=(3, 3)) * 0.1]
    small = [g * 1e-3 for g in big]
    shapes = [g.shape for g in big]
    for grads, max_norm, label in ((big, 1.0, "a large gradient"), (small, 1.0, "a small one")):
        copies = [g.copy() for g in grads]
        result = call_answer(clip, copies, max_norm)
        if not isinstance(result, (list, tuple)) or len(result) != len(grads):
            raise WrongAnswer(f"for {label}, expected a list of {len(grads)} arrays, got "
                              f"{type(result).__name__}. (rnnlab's version also returns the norm; "
                              "yours should return only the list.)")
        arrays = [as_array(r, s, f"clip (array {i})") for i, (r, s) in enumerate(zip(result, shapes))]
        expected, norm = clip_by_global_norm(grads, max_norm)
        flat, want = np.concatenate([a.ravel() for a in arrays]), np.concatenate(
            [e.ravel() for e in expected])
        per_array = np.concatenate([(g * min(1.0, max_norm / np.linalg.norm(g))).ravel()
                                    for g in grads])
        always = np.concatenate([(g * max_norm / norm).ravel() for g in grads])
        diagnose(flat, want, {
            f"for {label}: each array was clipped by its own norm; clip by the global norm "
            "sqrt(sum of all squared entries) so the direction of the whole gradient is kept.":
                per_array,
            f"for {label}: a gradient shorter than max_norm must be left as it is, "
            "not stretched to max_norm.": always,
            f"for {label}: rescale when the global norm exceeds max_norm.":
                np.concatenate([g.ravel() for g in grads]),
        }, atol=1e-9)
    return "clipping rescales the whole gradient, keeping its direction, only when it is too long."
