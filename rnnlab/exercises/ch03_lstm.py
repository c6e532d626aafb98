"""Checkers for chapter 3 (the LSTM)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.exercises import as_array, as_arrays, call_answer, checker, diagnose, evaluate


@checker("lstm-cell-state")
def check_cell_state(cell_state: Any) -> str:
    """``cell_state(f_t, i_t, c_tilde, c_prev)`` returns c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t."""
    rng = np.random.default_rng(1997)
    f_t, i_t = rng.uniform(0.05, 0.95, size=(2, 3, 4))
    c_tilde, c_prev = rng.uniform(-1, 1, size=(3, 4)), rng.normal(size=(3, 4))
    result = as_array(call_answer(cell_state, f_t, i_t, c_tilde, c_prev), (3, 4), "cell_state")
    diagnose(result, f_t * c_prev + i_t * c_tilde, {
        "the gates are swapped: the forget gate scales the old cell state c_{t-1}, the input "
        "gate scales the candidate c̃_t.": i_t * c_prev + f_t * c_tilde,
        "that is the 1997 LSTM, which had no forget gate (c_t = c_{t-1} + i_t ⊙ c̃_t); Keras' "
        "LSTM multiplies c_{t-1} by f_t.": c_prev + i_t * c_tilde,
        "the input gate is missing: the candidate enters as i_t ⊙ c̃_t.": f_t * c_prev + c_tilde,
        "that couples the gates as (1 - f_t) for the input, as a GRU does; the LSTM has its "
        "own input gate i_t.": f_t * c_prev + (1 - f_t) * c_tilde,
        "c_t has no tanh; tanh is applied to c_t only to make h_t = o_t ⊙ tanh(c_t).":
            np.tanh(f_t * c_prev + i_t * c_tilde),
    })
    return "c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t: keep part of the old memory, write part of the new."


@checker("lstm-params")
def check_lstm_params(lstm_params: Any) -> str:
    """``lstm_params(features, units)`` counts an LSTM layer's parameters: 4n(d + n + 1)."""
    cases = [(1, 1), (1, 50), (28, 64), (10, 2), (2, 10)]
    result = evaluate(lstm_params, cases, "lstm_params")
    d, n = np.array(cases).T
    diagnose(result, 4 * n * (d + n + 1), {
        "the biases are missing: each of the four blocks has n of them.": 4 * n * (d + n),
        "that is one block (a SimpleRNN); the LSTM has four: i, f, c̃ and o.": n * (d + n + 1),
        "that is three blocks (a GRU without its second bias); the LSTM has four: i, f, c̃, o.":
            3 * n * (d + n + 1),
        "every one of the four blocks has its own bias: 4n biases, not n.": 4 * n * (d + n) + n,
    }, atol=0.5)
    return "four blocks (i, f, c̃, o), each with W (d×n), U (n×n) and b (n): 4n(d + n + 1)."


@checker("forget-slice")
def check_forget_slice(forget_weights: Any) -> str:
    """``forget_weights(kernel, recurrent_kernel, bias)`` returns the forget gate's (W_f, U_f,
    b_f) from Keras' LSTM weights, whose columns are ordered i, f, c̃, o."""
    rng = np.random.default_rng(2000)
    d, n = 2, 3
    kernel, recurrent, bias = rng.normal(size=(d, 4 * n)), rng.normal(size=(n, 4 * n)), \
        rng.normal(size=4 * n)
    result = as_arrays(call_answer(forget_weights, kernel, recurrent, bias),
                       [(d, n), (n, n), (n,)], ["W_f", "U_f", "b_f"])
    for got, full, name in zip(result, (kernel, recurrent, bias), ("W_f", "U_f", "b_f")):
        blocks = np.split(full, 4, axis=-1)
        diagnose(got, blocks[1], {
            f"{name}: that is the input gate's block; Keras orders the blocks i, f, c̃, o, so f "
            "is the second (columns n to 2n).": blocks[0],
            f"{name}: that is the candidate's block (third); f is the second.": blocks[2],
            f"{name}: that is the output gate's block (fourth); f is the second.": blocks[3],
        })
    return "Keras stores [i | f | c̃ | o] side by side: the forget gate is columns n:2n."
