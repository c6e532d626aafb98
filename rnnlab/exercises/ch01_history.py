"""Checkers for chapter 1 (history of recurrent networks)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells import sigmoid, simple_rnn_step
from rnnlab.exercises import as_array, as_arrays, call_answer, checker, diagnose, evaluate



@checker("elman-step")
def check_elman_step(elman_step: Any) -> str:
    """The learner's ``elman_step(x_t, h_prev, W, U, b)`` must compute tanh(x_t W + h_prev U + b).

    Called on a batch of 3 with 4 input features and 5 units, so that a transposed or swapped
    weight matrix fails on its shape rather than by luck.
    """
    rng = np.random.default_rng(1990)  # Elman's year; independent of the global seed
    x_t, h_prev = rng.normal(size=(3, 4)), rng.uniform(-1, 1, size=(3, 5))
    W, U, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 5)) * 0.5, rng.normal(size=5)
    result = as_array(call_answer(elman_step, x_t, h_prev, W, U, b), (3, 5))
    pre = x_t @ W + h_prev @ U + b
    diagnose(result, simple_rnn_step(x_t, h_prev, W, U, b), {
        "the bias b is missing: h_t = tanh(x_t W + h_{t-1} U + b).": np.tanh(x_t @ W + h_prev @ U),
        "the recurrent term h_{t-1} U is missing, so the network has no memory.":
            np.tanh(x_t @ W + b),
        "the activation is missing: apply tanh to x_t W + h_{t-1} U + b.": pre,
        "that is the logistic sigmoid; an Elman layer in Keras (SimpleRNN) uses tanh.": sigmoid(pre),
        "you returned h_{t-1}; return the new state h_t.": h_prev,
    })
    return "h_t = tanh(x_t W + h_{t-1} U + b), vectorised over the batch."


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
