"""Checkers for chapter 2 (vanishing and exploding gradients)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells.simple_rnn import simple_rnn_step, simple_rnn_step_backward
from rnnlab.exercises import (WrongAnswer, as_array, as_number, call_answer, checker, diagnose,
                              evaluate)
from rnnlab.exercises.steps import Case, check_each_case
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


def lag_norms_reference(U: np.ndarray, h: np.ndarray, *, order: str = "steps",
                        slope_at: str = "h_t", slope: str = "1 - h^2", norm: int | str = 2
                        ) -> np.ndarray:
    """‖∂h_T/∂h_{T−k}‖ for k = 0 .. T from the states h_1 .. h_T (rows of ``h``), by multiplying
    the Jacobians J_t = U diag(1 − h_t²) in the order of the steps: the answer to exercise
    lag-norms, or (with one argument changed) one of its usual mistakes.

    Args:
        U: the recurrent matrix (n, n).
        h: the states h_1 .. h_T of one sequence, shape (T, n).
        order: ``"steps"`` (J_{T−k+1} ⋯ J_T, right) or ``"reversed"`` (J_T ⋯ J_{T−k+1}).
        slope_at: ``"h_t"`` (right) or ``"h_prev"`` (the slope of tanh at h_{t−1}, h_0 = 0).
        slope: ``"1 - h^2"`` (right), ``"1 - h"`` or ``"none"`` (no tanh derivative).
        norm: 2 (the spectral norm, right) or ``"fro"``.

    Returns:
        The T + 1 norms, entry k for the lag k (entry 0 is 1).
    """
    n = U.shape[0]
    states = np.vstack([np.zeros((1, n)), h])            # h_0 = 0, h_1, ..., h_T
    product, norms = np.eye(n), [1.0]
    for t in range(len(h), 0, -1):                        # t = T, T - 1, ..., 1
        at = states[t] if slope_at == "h_t" else states[t - 1]
        s = {"1 - h^2": 1 - at**2, "1 - h": 1 - at, "none": np.ones(n)}[slope]
        J = U * s                                         # U diag(s)
        product = J @ product if order == "steps" else product @ J
        norms.append(float(np.linalg.norm(product, norm)))
    return np.asarray(norms)


@checker("lag-norms")
def check_lag_norms(lag_norms: Any) -> str:
    """``lag_norms(U, h)``: from the states h_1 .. h_T of one sequence (rows of ``h``) and the
    recurrent matrix U of an Elman layer, the spectral norms ‖∂h_T/∂h_{T−k}‖₂ for k = 0 .. T,
    the product of the Jacobians J_t = U diag(1 − h_t²) in the order of the steps; compared with
    :func:`rnnlab.gradients.jacobian_norms` (BPTT)."""
    from rnnlab.cells import RNN
    from rnnlab.gradients import jacobian_norms

    rng = np.random.default_rng(1994)     # Bengio, Simard and Frasconi
    for units, steps, scale in ((4, 6, 1.2), (6, 9, 0.8)):
        W = rng.normal(size=(2, units))
        U = scale * rng.normal(size=(units, units)) / np.sqrt(units)
        b = rng.normal(scale=0.3, size=units)
        x = rng.normal(size=(1, steps, 2))
        rnn = RNN("simple_rnn", W, U, b)
        h = rnn.forward(x)["h"][0]
        result = call_answer(lag_norms, U.copy(), h.copy())
        if result is not None and np.ndim(result) == 1 and len(result) == steps:
            raise WrongAnswer(f"got {steps} norms for T = {steps} steps; return T + 1 of them, "
                              "for the lags k = 0 .. T (the norm at lag 0 is that of the "
                              "identity, 1).")
        result = as_array(result, (steps + 1,), "lag_norms")
        expected = jacobian_norms(rnn, x)
        mistakes = {
            "the product is in the wrong order: ∂h_T/∂h_{T-k} = J_{T-k+1} ⋯ J_T, in the order "
            "of the steps; put each earlier step's Jacobian on the left (P ← J_t P).":
                lag_norms_reference(U, h, order="reversed"),
            "the slope of tanh is taken one step early: J_t = U diag(1 − h_t²) uses the state "
            "the step produced, h_t, not h_{t-1}.": lag_norms_reference(U, h, slope_at="h_prev"),
            "the tanh derivative is missing: J_t = U diag(1 − h_t²), not U alone (that is the "
            "linear regime, ρ^k for U = ρQ).": lag_norms_reference(U, h, slope="none"),
            "tanh'(a) = 1 − h_t², not 1 − h_t.": lag_norms_reference(U, h, slope="1 - h"),
            "that is the Frobenius norm; the chapter measures the spectral norm, "
            "np.linalg.norm(P, 2).": lag_norms_reference(U, h, norm="fro"),
        }
        diagnose(result, expected, mistakes, atol=1e-8)
    return ("J_t = U diag(1 − h_t²), multiplied in the order of the steps: the norms BPTT "
            "measures, lag by lag.")


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


@checker("rnn-step-backward")
def check_rnn_step_backward(rnn_step_backward: Any) -> str:
    """``rnn_step_backward(dh_t, x_t, h_prev, h_t, W, U)`` returns ``(dx_t, dh_prev, dW, dU, db)``
    for h_t = tanh(x_t W + h_{t-1} U + b); compared with ``rnnlab.cells.simple_rnn_step_backward``
    (itself checked by finite differences)."""
    def make(case: Case) -> tuple[tuple, dict]:
        n, d, batch = case.units, case.features, case.batch
        x_t, h_prev = case.normal(batch, d), case.uniform(batch, n)
        W, U, b = case.normal(d, n), case.normal(n, n, scale=0.5), case.normal(n)
        h_t = simple_rnn_step(x_t, h_prev, W, U, b)
        dh_t = case.normal(batch, n)

        def through(da: np.ndarray, via_U: np.ndarray = U, state: np.ndarray = h_prev) -> tuple:
            return da @ W.T, da @ via_U.T, x_t.T @ da, state.T @ da, da.sum(axis=0)

        da = dh_t * (1 - h_t**2)
        return (dh_t, x_t, h_prev, h_t, W, U), {
            "right": simple_rnn_step_backward(dh_t, x_t, h_prev, h_t, W, U),
            "the tanh derivative is missing: dL/da_t = dL/dh_t ⊙ (1 − h_t²).": through(dh_t),
            "the tanh derivative uses h_{t-1}; it is 1 − h_t² at the step's own output.":
                through(dh_t * (1 - h_prev**2)),
            "tanh'(a) is 1 − tanh²(a) = 1 − h_t², not 1 − h_t.": through(dh_t * (1 - h_t)),
            "dL/dh_{t-1} is dL/da_t Uᵀ: with row vectors the gradient goes back through the "
            "transpose.": through(da, via_U=U.T),
            "dL/dU pairs dL/da_t with the state that entered the step, h_{t-1}, not h_t.":
                through(da, state=h_t),
        }

    check_each_case(rnn_step_backward, 1990, make, ["dx_t", "dh_prev", "dW", "dU", "db"])
    return ("dL/da = dL/dh ⊙ (1 − h_t²), then through the products: every gradient of the step, "
            "summed over the batch for the weights.")


@checker("momentum-step")
def check_momentum_step(momentum_step_answer: Any) -> str:
    """``momentum_step(params, grads, velocity, learning_rate, momentum)`` returns
    ``(new_params, new_velocity)`` as Keras' SGD does: v ← μ v − η g, p ← p + v, leaving the
    caller's three dicts unchanged."""
    from rnnlab.experiments.scratch import momentum_step

    rng = np.random.default_rng(1951)  # Robbins & Monro's stochastic approximation
    shapes = {"W": (2, 3), "U": (3, 3), "b": (3,)}
    originals = {which: {k: rng.normal(size=s) for k, s in shapes.items()}
                 for which in ("params", "grads", "velocity")}
    given = {which: {k: v.copy() for k, v in d.items()} for which, d in originals.items()}
    value = call_answer(momentum_step_answer, given["params"], given["grads"], given["velocity"],
                        0.1, 0.9)
    params, grads, velocity = (originals[w] for w in ("params", "grads", "velocity"))
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(
            isinstance(v, dict) and set(v) == set(shapes) for v in value):
        raise WrongAnswer("return a pair of dicts (new_params, new_velocity) with the same keys "
                          f"as params ({', '.join(shapes)}).")
    for which, d in given.items():
        if set(d) != set(shapes) or any(not np.array_equal(d[k], originals[which][k])
                                        for k in shapes):
            raise WrongAnswer(f"{which} was changed in place; build new arrays (v = μ v − η g, "
                              "p = p + v) instead, so that the caller's dicts stay as they were.")
    names = sorted(shapes)
    result = np.concatenate([as_array(value[j][k], shapes[k], f"{('params', 'velocity')[j]}[{k}]").ravel()
                             for j in (0, 1) for k in names])

    def flat(p: dict, v: dict) -> np.ndarray:
        return np.concatenate([np.asarray(d[k], float).ravel() for d in (p, v) for k in names])

    right_p, right_v = momentum_step(params, grads, velocity, 0.1, 0.9)
    v_plus = {k: 0.9 * velocity[k] + 0.1 * grads[k] for k in names}
    v_no_mom = {k: -0.1 * grads[k] for k in names}
    diagnose(result, flat(right_p, right_v), {
        "the step goes uphill: the velocity subtracts the gradient, v ← μ v − η g.":
            flat({k: params[k] + v_plus[k] for k in names}, v_plus),
        "the momentum term μ v is missing: that is plain SGD.":
            flat({k: params[k] + v_no_mom[k] for k in names}, v_no_mom),
        "the parameters move by the old velocity; update v first, then p ← p + v (new v).":
            flat({k: params[k] + velocity[k] for k in names}, right_v),
    })
    return "v ← μ v − η g, then p ← p + v: Keras' SGD with momentum, one step."


@checker("vanishing-lag")
def check_vanishing_lag(predicted: Any) -> str:
    """A prediction, then the experiment: the lag k at which ‖∂h_T/∂h_{T−k}‖ of a SimpleRNN with
    32 units, U = 0.9 Q (Q orthogonal), standard normal inputs and T = 60 first falls below 10⁻³
    (``rnnlab.gradients.orthogonal_rnn(0.9)``). Within a factor 1.5 of the measurement counts."""
    from rnnlab.gradients import jacobian_norms, orthogonal_rnn

    guess = as_number(call_answer(predicted) if callable(predicted) else predicted,
                      "your predicted lag")
    if guess != int(guess):
        raise WrongAnswer(f"a lag is a whole number of steps, got {guess:g}: the first lag at "
                          "which the norm is below 10⁻³ (round your estimate up).")
    rnn, x = orthogonal_rnn(0.9, timesteps=60)
    norms = jacobian_norms(rnn, x)
    below = np.flatnonzero(norms < 1e-3)
    measured = int(below[0]) if len(below) else len(norms)
    linear = np.log(1e-3) / np.log(0.9)
    if guess <= 0:
        raise WrongAnswer("a lag is a positive number of steps.")
    if not measured / 1.5 <= guess <= measured * 1.5:
        hint = (f" The bound ρ^k alone would say {linear:.0f} steps; the tanh derivatives, below "
                "1 wherever the state is not 0, make the decay faster than that."
                if guess > measured else " The norm decays no faster than the tanh derivatives "
                "and ρ = 0.9 together allow: look at the slope chapter 2 measured for ρ = 0.9.")
        raise WrongAnswer(f"you predicted {guess:.0f} steps; the experiment measures {measured}.{hint}")
    later = (" The first lags fall more slowly than the fitted slope says (the fitted line has "
             "an intercept above 1), so the norm gets there a little later than the slope alone "
             "predicts." if guess < measured else "")
    # the message names neither lag: the page shows it run on the worked answer, and the
    # learner should predict before seeing the measurement
    return ("your lag is within a factor 1.5 of the measured one. ρ^k alone would take "
            f"{linear:.0f} steps; tanh makes it faster.{later} Now measure it: norms = "
            "rnnlab.gradients.jacobian_norms(*rnnlab.gradients.orthogonal_rnn(0.9, timesteps=60)); "
            "np.argmax(norms < 1e-3) is the first lag below 10⁻³.")
