"""Checkers for chapter 4 (the GRU)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells import gru_step
from rnnlab.exercises import as_array, as_arrays, call_answer, checker, diagnose, evaluate
from rnnlab.exercises.steps import Case, blocks, check_against_keras, check_each_case


@checker("gru-break-step")
def check_gru_break_step(break_step: Any) -> str:
    """``break_step(h_prev, r)`` returns the state after the break token of chapter 4's hand-set
    unit: mood 0, z_t = 0 exactly, candidate weights 1 (mood) and U_h = 1, no bias, so
    h_t = tanh(r ⊙ h_{t−1})."""
    rng = np.random.default_rng(2014)
    h_prev = rng.uniform(-1, 1, size=(3, 4))
    r = np.concatenate([np.zeros((1, 4)), np.ones((1, 4)), rng.uniform(0.05, 0.95, size=(1, 4))])
    result = as_array(call_answer(break_step, h_prev, r), (3, 4), "break_step")
    diagnose(result, np.tanh(r * h_prev), {
        "with z_t = 0 the new state is the candidate, and the candidate still reads r_t ⊙ h_{t-1}: "
        "only r_t = 0 makes the unit start afresh. h̃_t = tanh(mood + r_t ⊙ h_{t-1} U_h).":
            np.zeros_like(h_prev),
        "that keeps the old state: z_t = 0 means take the candidate, not keep h_{t-1}.": h_prev,
        "the reset gate is ignored: it scales h_{t-1} before the candidate reads it.":
            np.tanh(h_prev),
        "the reset gate acts inside the candidate's tanh, on h_{t-1}: tanh(r_t ⊙ h_{t-1}), not "
        "r_t ⊙ tanh(h_{t-1}).": r * np.tanh(h_prev),
        "r_t = 1 lets the old state in and r_t = 0 shuts it out: you used 1 − r_t.":
            np.tanh((1 - r) * h_prev),
        "the candidate has a tanh: h̃_t = tanh(mood + r_t ⊙ h_{t-1}).": r * h_prev,
    })
    return ("h_t = h̃_t = tanh(r_t ⊙ h_{t−1}) at the break: r_t = 0 starts afresh, r_t = 1 carries "
            "the old state through, even though z_t = 0.")


def chung_gru_step(x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray,
                   b: np.ndarray) -> np.ndarray:
    """One GRU step in the convention of Chung et al. (2014) and Olah's diagrams,
    h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t, with Keras' layout of the weights (blocks z, r, h̃;
    ``reset_after=True``, so b has an input row and a recurrent row)."""
    _, gates = gru_step(x_t, h_prev, W, U, b, reset_after=True)
    return (1 - gates["z"]) * h_prev + gates["z"] * gates["h_tilde"]


@checker("gru-convention")
def check_gru_convention(to_keras_convention: Any) -> str:
    """``to_keras_convention(W, U, b)`` takes a GRU's weights in the convention of Chung et al.
    (:func:`chung_gru_step`) and returns ``(W, U, b)`` for which Keras' GRU computes the same
    h_t: the z block negated in W, U and both bias rows, since 1 − σ(a) = σ(−a)."""
    rng = np.random.default_rng(2014)
    d, n, batch = 3, 4, 6
    W, U, b = rng.normal(size=(d, 3 * n)), rng.normal(scale=0.5, size=(n, 3 * n)), \
        rng.normal(size=(2, 3 * n))
    x_t, h_prev = rng.normal(size=(batch, d)), rng.uniform(-1, 1, size=(batch, n))
    answer = as_arrays(call_answer(to_keras_convention, W.copy(), U.copy(), b.copy()),
                       [(d, 3 * n), (n, 3 * n), (2, 3 * n)], ["W", "U", "b"])

    def keras_h(W_k: np.ndarray, U_k: np.ndarray, b_k: np.ndarray) -> np.ndarray:
        return gru_step(x_t, h_prev, W_k, U_k, b_k, reset_after=True)[0]

    def flipped(columns: slice, rows: tuple[int, ...] = (0, 1), arrays: str = "WUb") -> np.ndarray:
        sign = np.ones(3 * n)
        sign[columns] = -1.0
        bias_sign = np.ones((2, 3 * n))
        for row in rows:
            bias_sign[row] = sign
        return keras_h(W * (sign if "W" in arrays else 1), U * (sign if "U" in arrays else 1),
                       b * (bias_sign if "b" in arrays else 1))

    z = slice(0, n)
    diagnose(keras_h(*answer), chung_gru_step(x_t, h_prev, W, U, b), {
        "these are the weights unchanged: Keras would read z_t as the weight of the old state, "
        "while they were trained with z_t as the weight of the candidate. Make Keras' z_t equal "
        "the other convention's 1 − z_t (hint: 1 − σ(a) = σ(−a)).": keras_h(W, U, b),
        "the z block's bias is left as it was: 1 − σ(a) = σ(−a) needs the whole pre-activation "
        "negated, x_t W_z + h_{t−1} U_z + b_z, so negate the bias too.":
            flipped(z, arrays="WU"),
        "only the input bias row b[0] of z is negated; with reset_after=True the recurrent row "
        "b[1] adds to the same pre-activation, so negate both.": flipped(z, rows=(0,)),
        "only the recurrent bias row b[1] of z is negated; the input row b[0] adds to the same "
        "pre-activation, so negate both.": flipped(z, rows=(1,)),
        "that changes the reset gate (the second block); the conventions differ in the update "
        "gate z, the first block of [z | r | h̃].": flipped(slice(n, 2 * n)),
        "only the update gate differs between the conventions; the reset gate and the candidate "
        "keep their weights.": flipped(slice(0, 3 * n)),
    })
    return ("negating the z block (W_z, U_z and both bias rows) turns z_t into σ(−a) = 1 − z_t: "
            "the same GRU in Keras' convention, h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t.")


@checker("gru-params")
def check_gru_params(gru_params: Any) -> str:
    """``gru_params(features, units, reset_after)`` counts a Keras GRU layer's parameters."""
    cases = [(1, 1, True), (1, 1, False), (28, 64, True), (28, 64, False), (3, 7, True),
             (3, 7, False)]
    result = evaluate(gru_params, cases, "gru_params")
    d = np.array([c[0] for c in cases])
    n = np.array([c[1] for c in cases])
    after = np.array([c[2] for c in cases])
    right = 3 * n * (d + n + 1) + after * 3 * n
    diagnose(result, right, {
        "with reset_after=True Keras keeps two bias vectors (input and recurrent), so add 3n.":
            3 * n * (d + n + 1),
        "with reset_after=False there is a single bias vector of 3n.": 3 * n * (d + n + 2),
        "that is the LSTM's count; the GRU has three blocks (z, r, h̃), not four.":
            4 * n * (d + n + 1),
        "the biases are missing.": 3 * n * (d + n),
    }, atol=0.5)
    return "3n(d + n + 1), plus 3n more with reset_after=True for the second bias vector."


@checker("gru-merge-bias")
def check_merge_bias(merged_gate_bias: Any) -> str:
    """``merged_gate_bias(bias)`` takes the (2, 3n) bias of a ``reset_after=True`` GRU and
    returns the (2n,) bias of its z and r gates in an equivalent ``reset_after=False`` layer."""
    rng = np.random.default_rng(1406)
    n = 4
    bias = rng.normal(size=(2, 3 * n))
    result = as_array(call_answer(merged_gate_bias, bias), (2 * n,), "merged_gate_bias")
    diagnose(result, bias[0, :2 * n] + bias[1, :2 * n], {
        "only the input bias: both rows enter the z and r pre-activations, so add them.":
            bias[0, :2 * n],
        "only the recurrent bias: both rows enter the z and r pre-activations, so add them.":
            bias[1, :2 * n],
        "the first 2n columns are z and r; you took the last 2n (r and h̃).":
            bias[0, n:] + bias[1, n:],
    })
    return ("for z and r the two biases simply add; the candidate's recurrent bias sits inside "
            "r ⊙ (…) and cannot be merged.")


@checker("gru-step")
def check_gru_step(gru_step_answer: Any) -> str:
    """``gru_step(x_t, h_prev, W, U, b)`` returns h_t of Keras' default GRU (``reset_after=True``,
    ``b`` of shape (2, 3 units): row 0 added to x_t W, row 1 to h_{t-1} U; blocks z, r, h̃);
    compared with rnnlab and ``keras.layers.GRU``."""
    def make(case: Case) -> tuple[tuple, dict]:
        n, d, batch = case.units, case.features, case.batch
        x_t, h_prev = case.normal(batch, d), case.uniform(batch, n)
        W, U, b = case.normal(d, 3 * n), case.normal(n, 3 * n, scale=0.5), case.normal(2, 3 * n)
        h_t, g = gru_step(x_t, h_prev, W, U, b, reset_after=True)
        z, h_tilde = g["z"], g["h_tilde"]
        merged = np.concatenate([b[0, :2 * n] + b[1, :2 * n], b[0, 2 * n:] + b[1, 2 * n:]])
        before = gru_step(x_t, h_prev, W, U, merged, reset_after=False)[0]
        swapped_zr = gru_step(x_t, h_prev, blocks(W, [1, 0, 2]), blocks(U, [1, 0, 2]),
                              blocks(b, [1, 0, 2]), reset_after=True)[0]
        no_recurrent_bias = gru_step(x_t, h_prev, W, U, b * np.array([[1.0], [0.0]]),
                                     reset_after=True)[0]
        no_tanh_candidate = z * h_prev + (1 - z) * np.arctanh(np.clip(h_tilde, -0.999999, 0.999999))
        return (x_t, h_prev, W, U, b), {
            "right": (h_t,),
            "z and 1 − z are swapped: in Keras' convention h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h̃_t "
            "(Chung et al. and Olah write the opposite).": ((1 - z) * h_prev + z * h_tilde,),
            "the reset gate is applied before the product, (r_t ⊙ h_{t-1}) U_h: that is "
            "reset_after=False; Keras' default multiplies after, r_t ⊙ (h_{t-1} U_h + b'_h).":
                (before,),
            "the update and reset blocks are swapped: Keras stores [z | r | h̃].": (swapped_zr,),
            "the recurrent bias row b[1] is missing: with reset_after=True the bias has an input "
            "row b[0] and a recurrent row b[1].": (no_recurrent_bias,),
            "the candidate's tanh is missing: h̃_t = tanh(...).": (no_tanh_candidate,),
            "you returned h_{t-1}; return the new state h_t.": (h_prev,),
        }

    check_each_case(gru_step_answer, 2014, make, ["h_t"])
    keras = check_against_keras(gru_step_answer, "gru", 2014, reset_after=True)
    return ("z, r and h̃ with the reset gate after the product (reset_after=True), "
            "h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃" + (": equal to keras.layers.GRU." if keras else "."))
