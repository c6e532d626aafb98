"""Checkers for chapter 1 (history of recurrent networks)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells import simple_rnn_step
from rnnlab.exercises import as_array, call_answer, checker, diagnose


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


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
        "that is the logistic sigmoid; an Elman layer in Keras (SimpleRNN) uses tanh.": _sigmoid(pre),
        "you returned h_{t-1}; return the new state h_t.": h_prev,
    })
    return "h_t = tanh(x_t W + h_{t-1} U + b), vectorised over the batch."
