"""Checkers for chapter 1 (history of recurrent networks)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells import sigmoid, simple_rnn_step
from rnnlab.exercises import as_arrays, call_answer, checker, diagnose, evaluate
from rnnlab.exercises.steps import Case, check_against_keras, check_each_case



@checker("elman-step")
@checker("rnn-step")
def check_rnn_step(rnn_step: Any) -> str:
    """``rnn_step(x_t, h_prev, W, U, b)`` must compute h_t = tanh(x_t W + h_{t-1} U + b).

    Called on batches of several shapes in float64 and float32 (a transposed or swapped weight
    fails on its shape rather than by luck), compared with ``rnnlab.cells.simple_rnn_step`` and
    once with ``keras.layers.SimpleRNN``. ``"elman-step"`` is the same exercise under chapter 1's
    first name.
    """
    def make(case: Case) -> tuple[tuple, dict]:
        n = case.units
        x_t, h_prev = case.normal(case.batch, case.features), case.uniform(case.batch, n)
        W, U, b = case.normal(case.features, n), case.normal(n, n, scale=0.5), case.normal(n)
        pre = x_t @ W + h_prev @ U + b
        return (x_t, h_prev, W, U, b), {
            "right": (simple_rnn_step(x_t, h_prev, W, U, b),),
            "the bias b is missing: h_t = tanh(x_t W + h_{t-1} U + b).": (np.tanh(pre - b),),
            "the recurrent term h_{t-1} U is missing, so the network has no memory.":
                (np.tanh(x_t @ W + b),),
            "the activation is missing: apply tanh to x_t W + h_{t-1} U + b.": (pre,),
            "that is the logistic sigmoid; an Elman layer in Keras (SimpleRNN) uses tanh.":
                (sigmoid(pre),),
            "you returned h_{t-1}; return the new state h_t.": (h_prev,),
            "U is transposed: with row vectors the recurrent term is h_{t-1} U, not h_{t-1} Uᵀ.":
                (np.tanh(x_t @ W + h_prev @ U.T + b),),
        }

    check_each_case(rnn_step, 1990, make, ["h_t"])   # Elman's year; independent of the global seed
    keras = check_against_keras(rnn_step, "simple_rnn", 1990)
    return ("h_t = tanh(x_t W + h_{t-1} U + b), vectorised over the batch, in float32 and "
            "float64" + (", equal to keras.layers.SimpleRNN." if keras else "."))


@checker("elman-params")
def check_elman_params(elman_params: Any) -> str:
    """``elman_params(features, units)`` must count the weights of an Elman layer: n(d + n + 1)."""
    cases = [(1, 1), (3, 5), (28, 64), (10, 2), (2, 10)]
    result = evaluate(elman_params, cases, "elman_params")
    d, n = np.array(cases).T
    diagnose(result, n * (d + n + 1), {
        "the biases are missing: each of the n units has one bias, so add n.": n * (d + n),
        "the recurrent weights U are missing: they are n x n.": n * (d + 1),
        "the input weights W are d x n, not d + n: count n(d + n + 1).": d + n * (n + 1),
        "W has shape (d, n) and U has shape (n, n): you swapped d and n somewhere.": d * (d + n + 1),
    }, atol=0.5)
    return "an Elman layer has W (d x n), U (n x n) and b (n): n(d + n + 1) parameters."


@checker("jordan-step")
def check_jordan_step(jordan_step: Any) -> str:
    """``jordan_step(x_t, y_prev, W, U, b, V, c)`` returns ``(h_t, y_t)`` of a simplified Jordan
    network: h_t = tanh(x_t W + y_{t-1} U + b), y_t = h_t V + c (the output, not the hidden
    state, is fed back)."""
    rng = np.random.default_rng(1986)  # Jordan's year
    x_t, y_prev = rng.normal(size=(3, 4)), rng.normal(size=(3, 2))
    W, U, b = rng.normal(size=(4, 5)), rng.normal(size=(2, 5)), rng.normal(size=5)
    V, c = rng.normal(size=(5, 2)), rng.normal(size=2)
    h_t, y_t = as_arrays(call_answer(jordan_step, x_t, y_prev, W, U, b, V, c),
                         [(3, 5), (3, 2)], ["h_t", "y_t"])
    h_right = np.tanh(x_t @ W + y_prev @ U + b)
    diagnose(h_t, h_right, {
        "h_t ignores the fed-back output: add y_{t-1} U.": np.tanh(x_t @ W + b),
        "h_t has no bias b.": np.tanh(x_t @ W + y_prev @ U),
        "apply tanh to h_t's pre-activation.": x_t @ W + y_prev @ U + b,
    })
    diagnose(y_t, h_right @ V + c, {
        "y_t is linear here: y_t = h_t V + c, with no tanh.": np.tanh(h_right @ V + c),
        "y_t has no bias c.": h_right @ V,
    })
    return "a Jordan network feeds back its output y_{t-1}; an Elman network its state h_{t-1}."
