"""Checkers for chapter 3 (the LSTM)."""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from rnnlab.cells.lstm import lstm_cache, lstm_step, lstm_step_backward
from rnnlab.exercises import (Close, WrongAnswer, as_array, as_arrays, as_number, call_answer,
                              checker, diagnose, evaluate)
from rnnlab.exercises.steps import Case, blocks, check_against_keras, check_each_case


COUNTER_BLOCKS = ("i", "f", "c̃", "o")
COUNTER_FEATURES = ("value", "write", "reset", "read")


def counter_sequences(seed: int = 2000) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The test sequences of exercise lstm-reset-counter: steps of (value, write, reset, read).

    Each of 12 sequences has 16 steps: writes of ±1, resets, reads at some other steps, and
    noise (standard deviation 0.5) on the value channel wherever there is no write. A step
    carries at most one flag.

    Returns:
        ``x`` (12, 16, 4), the count, i.e. the sum of the values written since the last reset
        (12, 16), and boolean masks (12, 16) of the write, reset and read steps by name.
    """
    rng = np.random.default_rng(seed)
    batch, steps = 12, 16
    x = np.zeros((batch, steps, 4))
    x[:, :, 0] = rng.normal(0.0, 0.5, size=(batch, steps))
    for row in range(batch):
        order = rng.permutation(steps)
        writes, resets, reads = order[:3 + row % 3], order[6:8], order[8:11]
        x[row, writes, 0] = rng.choice([-1.0, 1.0], size=len(writes))
        x[row, writes, 1] = 1.0
        x[row, resets, 0] = 0.0
        x[row, resets, 2] = 1.0
        x[row, reads, 0] = 0.0
        x[row, reads, 3] = 1.0
    count = np.zeros((batch, steps))
    for t in range(steps):
        before = count[:, t - 1] if t else 0.0
        kept = np.where(x[:, t, 2] == 1.0, 0.0, before)
        count[:, t] = kept + np.where(x[:, t, 1] == 1.0, x[:, t, 0], 0.0)
    flags = {name: x[:, :, k] == 1.0 for k, name in enumerate(COUNTER_FEATURES) if k}
    return x, count, flags


def counter_problem(W: np.ndarray, U: np.ndarray, b: np.ndarray) -> str | None:
    """What keeps one LSTM unit with weights ``(W, U, b)`` from being a counter with a reset, in
    words (None: it counts and resets). Gate by gate first, so that the message names the gate
    at fault, then the behaviour itself: c_t against the count (the values written since the
    last reset), h_t against 0 between reads and against tanh of the count at the reads."""
    from rnnlab.cells import RNN

    x, count, flag = counter_sequences()
    write, reset, read = flag["write"], flag["reset"], flag["read"]
    run = RNN("lstm", W, U, b).forward(x)
    g = {name: value[:, :, 0] for name, value in run["gates"].items()}
    c, h = run["c"][:, :, 0], run["h"][:, :, 0]
    rest = ~write & ~read & ~reset
    signed = g["c_tilde"][write] * x[:, :, 0][write]     # candidate times the written ±1
    if g["i"][write].min() < 0.9:
        return (f"at a write the input gate is only {g['i'][write].min():.2f}: the write flag must "
                "push i_t close to 1 (a large weight from the write flag into the i block).")
    if g["f"][reset].max() > 0.05:
        return (f"at a reset the forget gate is still {g['f'][reset].max():.2f}, so the cell keeps "
                "what it held: the reset flag must push f_t close to 0 (a large negative weight "
                "from the reset flag into the f block).")
    if g["f"][rest | read].min() < 0.98:
        return (f"without a reset the forget gate is {g['f'][rest | read].min():.3f}, so the cell "
                f"loses {100 * (1 - g['f'][rest | read].min()):.1f}% of its content at every step: "
                "keep f_t near 1 (a positive bias on the f block).")
    if g["f"][write].min() < 0.9:
        return (f"at a write the forget gate is {g['f'][write].min():.2f}, so each write erases what "
                "the cell held: that is the latch of the opening. To count, leave f_t near 1 when "
                "writing (no negative weight from the write flag into the f block).")
    if signed.min() < 0:
        return ("the candidate has the opposite sign of the written value: the value's weight on "
                "the candidate block must be positive.")
    if signed.min() < 0.9:
        return (f"a write of ±1 adds only {signed.min():.2f} to the cell: the candidate "
                "tanh(w · value) should be close to ±1, so give the value a larger weight on the "
                "candidate block (tanh(3) ≈ 0.995).")
    if g["i"][~write].max() > 0.05:
        return (f"without a write the input gate is up to {g['i'][~write].max():.2f}, so the noise "
                "leaks into the cell: keep i_t near 0 there (a negative bias on the i block).")
    if g["o"][~read].max() > 0.05:
        return (f"the output gate is up to {g['o'][~read].max():.2f} at steps without the read "
                "flag: h_t should stay near 0 until it is asked (a negative bias on the o block).")
    if g["o"][read].min() < 0.9:
        return (f"at a read the output gate is only {g['o'][read].min():.2f}: the read flag must "
                "push o_t close to 1.")
    off = np.abs(c - count) - (0.15 + 0.1 * np.abs(count))
    if off.max() > 0:
        row, t = np.unravel_index(int(np.argmax(off)), off.shape)
        return (f"at step {t + 1} of a test sequence the cell holds {c[row, t]:.2f}, but the "
                f"values written since the last reset add up to {count[row, t]:g}.")
    if np.abs(h[~read]).max() > 0.1 or np.abs(h[read] - np.tanh(count[read])).max() > 0.15:
        return ("h_t is not tanh of the count at the reads and near 0 elsewhere: "
                "h_t = o_t ⊙ tanh(c_t).")
    return None


@checker("lstm-reset-counter")
def check_lstm_reset_counter(counter_weights: Any) -> str:
    """``counter_weights()`` returns ``(W, U, b)`` of one LSTM unit reading (value, write, reset,
    read) that adds each written value to its cell, empties the cell at a reset, ignores the
    noise between writes and shows tanh of the count only when the read flag is set."""
    W, U, b = as_arrays(call_answer(counter_weights), [(4, 4), (1, 4), (4,)], ["W", "U", "b"])
    problem = counter_problem(W, U, b)
    if problem is None:
        return ("each write adds its value (f stays near 1), a reset empties the cell (f near 0), "
                "the noise stays out (i near 0) and only a read shows the count (o near 1).")
    for order in itertools.permutations(range(4)):
        reordered = (blocks(array, list(order)) for array in (W, U, b))
        if order != (0, 1, 2, 3) and counter_problem(*reordered) is None:
            yours = " | ".join(COUNTER_BLOCKS[k] for k in np.argsort(order))
            raise WrongAnswer(f"the blocks are in the wrong order: Keras reads the columns as "
                              f"[i | f | c̃ | o], and your weights work as [{yours}].")
    if counter_problem(W.T, U, b) is None:
        raise WrongAnswer("W is transposed: in this course vectors are rows, so W has one row per "
                          "input feature (value, write, reset, read) and one column per block "
                          "[i | f | c̃ | o], and the step computes x_t @ W.")
    for rows in itertools.permutations(range(4)):
        if rows != (0, 1, 2, 3) and counter_problem(W[list(rows)], U, b) is None:
            yours = ", ".join(COUNTER_FEATURES[k] for k in np.argsort(rows))
            raise WrongAnswer(f"the rows of W are in the wrong order: row k holds the weights of "
                              f"input feature k, in the order (value, write, reset, read); yours "
                              f"work as ({yours}).")
    raise WrongAnswer(problem)


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


@checker("lstm-step")
def check_lstm_step(lstm_step_answer: Any) -> str:
    """``lstm_step(x_t, h_prev, c_prev, W, U, b)`` returns ``(h_t, c_t)`` of Keras' LSTM, blocks
    of W, U and b in the order i, f, c̃, o; compared with rnnlab and ``keras.layers.LSTM``."""
    def make(case: Case) -> tuple[tuple, dict]:
        n, d, batch = case.units, case.features, case.batch
        x_t, h_prev, c_prev = case.normal(batch, d), case.uniform(batch, n), case.normal(batch, n)
        W, U, b = case.normal(d, 4 * n), case.normal(n, 4 * n, scale=0.5), case.normal(4 * n)
        h_t, c_t, g = lstm_step(x_t, h_prev, c_prev, W, U, b)
        i, f, c_tilde, o = g["i"], g["f"], g["c_tilde"], g["o"]

        def reordered(order: list[int]) -> tuple:
            return lstm_step(x_t, h_prev, c_prev, blocks(W, order), blocks(U, order),
                             blocks(b, order))[:2]

        swapped_if = f * c_tilde + i * c_prev
        no_bias = lstm_step(x_t, h_prev, c_prev, W, U, 0 * b)[:2]
        return (x_t, h_prev, c_prev, W, U, b), {
            "right": (h_t, c_t),
            "the gate blocks are in the wrong order: Keras stores them side by side as "
            "[i | f | c̃ | o] (you read [i | c̃ | f | o]).": reordered([0, 2, 1, 3]),
            "the gate blocks are in the wrong order: Keras stores them as [i | f | c̃ | o] "
            "(you read [i | f | o | c̃]).": reordered([0, 1, 3, 2]),
            "the input and forget gates are swapped: the forget gate scales c_{t-1}, the input "
            "gate the candidate.": (o * np.tanh(swapped_if), swapped_if),
            "c_{t-1} is used where the candidate c̃_t belongs: c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t.":
                (o * np.tanh(f * c_prev + i * c_prev), f * c_prev + i * c_prev),
            "the tanh on c_t is missing: h_t = o_t ⊙ tanh(c_t).": (o * c_t, c_t),
            "the bias b is missing from the pre-activations x_t W + h_{t-1} U + b.": no_bias,
            "the returned states are swapped: return (h_t, c_t).": (c_t, h_t),
        }

    check_each_case(lstm_step_answer, 1997, make, ["h_t", "c_t"])
    keras = check_against_keras(lstm_step_answer, "lstm", 1997, outputs=2)
    return ("all four gates from one product each for W and U, c_t = f ⊙ c_{t−1} + i ⊙ c̃, "
            "h_t = o ⊙ tanh(c_t)" + (": equal to keras.layers.LSTM." if keras else "."))


@checker("lstm-step-backward")
def check_lstm_step_backward(lstm_step_backward_answer: Any) -> str:
    """``lstm_step_backward(dh_t, dc_t, cache)`` returns ``(dx_t, dh_prev, dc_prev, dW, dU, db)``
    for one LSTM step, ``cache`` as made by ``rnnlab.cells.lstm.lstm_cache``; compared with
    rnnlab's ``lstm_step_backward`` (itself checked by finite differences)."""
    def make(case: Case) -> tuple[tuple, dict]:
        n, d, batch = case.units, case.features, case.batch
        cache = lstm_cache(case.normal(batch, d), case.uniform(batch, n), case.normal(batch, n),
                           case.normal(d, 4 * n), case.normal(n, 4 * n, scale=0.5),
                           case.normal(4 * n))
        dh_t, dc_t = case.normal(batch, n), case.normal(batch, n)
        right = lstm_step_backward(dh_t, dc_t, cache)
        i, f, c_tilde, o = (cache[k] for k in ("i", "f", "c_tilde", "o"))
        tanh_c = np.tanh(cache["c_t"])

        def through_gates(dc: np.ndarray, do: np.ndarray, order: tuple = (0, 1, 2, 3),
                          sig_prime: bool = True, tanh_prime: bool = True) -> tuple:
            s = (lambda g: g * (1 - g)) if sig_prime else (lambda g: 1.0)
            da = [dc * c_tilde * s(i), dc * cache["c_prev"] * s(f),
                  dc * i * ((1 - c_tilde**2) if tanh_prime else 1.0), do * s(o)]
            da = np.concatenate([da[k] for k in order], axis=-1)
            return (da @ cache["W"].T, da @ cache["U"].T, dc * f, cache["x_t"].T @ da,
                    cache["h_prev"].T @ da, da.sum(axis=0))

        dc_full = dc_t + dh_t * o * (1 - tanh_c**2)
        do = dh_t * tanh_c
        forgot_f = list(right)
        forgot_f[2] = dc_full
        return (dh_t, dc_t, cache), {
            "right": right,
            "dL/dc_t misses the path through h_t: add dh_t ⊙ o_t ⊙ (1 − tanh²(c_t)) to the "
            "incoming dc_t.": through_gates(dc_t, do),
            "the output gate's gradient is dh_t ⊙ tanh(c_t), not dh_t ⊙ c_t.":
                through_gates(dc_full, dh_t * cache["c_t"]),
            "dL/dc_{t-1} is dL/dc_t ⊙ f_t: the forget gate scales the additive path.":
                tuple(forgot_f),
            "the sigmoid derivative σ(1 − σ) is missing from the gates' pre-activations.":
                through_gates(dc_full, do, sig_prime=False),
            "the candidate's tanh derivative 1 − c̃² is missing.":
                through_gates(dc_full, do, tanh_prime=False),
            "the blocks of the pre-activation gradient are in the wrong order: stack them as "
            "[i | f | c̃ | o], as the weights are stored.": through_gates(dc_full, do, (1, 0, 2, 3)),
        }

    check_each_case(lstm_step_backward_answer, 1997, make,
                    ["dx_t", "dh_prev", "dc_prev", "dW", "dU", "db"])
    return ("every gradient of the step, through the cell path (⊙ f_t) and the four gates; the "
            "same as rnnlab's lstm_step_backward.")


CHAPTER2_LSTM = {"units": 32, "features": 2, "timesteps": 100}
"""The LSTM of chapter 2's gradient figure: its size and the length of the input sequence."""


def memory_bias(threshold: float = 0.01, lag: int = 50) -> tuple[int, list[float]]:
    """The experiment of exercise forget-bias-memory, on the LSTM of chapter 2's gradient figure.

    The layer is chapter 2's: ``rnnlab.models.fresh_layer("lstm", 32, 2, dtype="float64")``
    (Keras' default initialisers: Glorot-uniform W, orthogonal U, zero biases but the forget
    block; like every rnnlab builder it seeds the generators first), read into NumPy, with its
    forget bias set to 0, 1, ..., 6. The input is chapter 2's too: the 100-step sequence of
    :func:`rnnlab.gradients.orthogonal_rnn` (standard normal, so of size about 1). For each bias
    the norm of ∂h_T/∂h_{T−lag} (with c_{T−lag} held fixed: what backpropagation calls δ_{T−lag}
    for a loss on h_T) is measured with hand-written BPTT, :func:`rnnlab.gradients.jacobian_norms`;
    bias 1 gives chapter 2's number.

    Returns:
        The smallest bias whose norm exceeds ``threshold`` (7 if none), and the seven norms.
    """
    from rnnlab.cells import from_keras
    from rnnlab.gradients import jacobian_norms, orthogonal_rnn
    from rnnlab.models import fresh_layer, set_gate_bias

    units, features = CHAPTER2_LSTM["units"], CHAPTER2_LSTM["features"]
    _, x = orthogonal_rnn(1.0, units=units, features=features,
                          timesteps=CHAPTER2_LSTM["timesteps"])
    layer = fresh_layer("lstm", units, features, dtype="float64")
    norms = []
    for bias in range(7):
        set_gate_bias(layer, "f", float(bias))
        norms.append(float(jacobian_norms(from_keras(layer), x)[lag]))
    above = [b for b, n in enumerate(norms) if n > threshold]
    return (above[0] if above else 7), norms


def cell_path_bias(threshold: float = 0.01, lag: int = 50) -> int:
    """The smallest whole forget bias b, 0 to 6, whose cell path alone keeps σ(b)^lag above
    ``threshold`` (7 if none): the estimate from the cell path, before the other paths."""
    kept = [1 / (1 + np.exp(-bias)) ** lag for bias in range(7)]
    above = [bias for bias, value in enumerate(kept) if value > threshold]
    return above[0] if above else 7


def sigma_power(bias: float, lag: int = 50) -> float:
    """σ(bias)^lag: what the cell path alone keeps of the gradient over ``lag`` steps when every
    forget gate sits at σ(bias)."""
    return float(1 / (1 + np.exp(-bias)) ** lag)


@checker("forget-bias-memory")
def check_forget_bias_memory(predicted: Any) -> str:
    """A prediction, then the experiment (:func:`memory_bias`): the smallest whole forget-gate
    bias, 0 to 6, at which chapter 2's freshly initialised 32-unit LSTM has
    ‖∂h_T/∂h_{T−50}‖ above 0.01.

    The prompt gives chapter 2's measurement at bias 1, far above σ(1)^50, so the paths through
    h_{t−1} add to the cell path: the measured bias is the answer. The cell-path estimate
    alone (:func:`cell_path_bias`), when it differs, is "close": it gets a :class:`Close`
    message that says what the other paths add, not "Correct!"."""
    guess = as_number(call_answer(predicted) if callable(predicted) else predicted,
                      "your predicted bias")
    if guess != int(guess) or not 0 <= guess <= 6:
        raise WrongAnswer(f"answer with a whole number from 0 to 6, got {guess:g}.")
    guess = int(guess)
    measured, norms = memory_bias()
    estimate = cell_path_bias()
    table = ", ".join(f"{b}: {n:.1e}" for b, n in enumerate(norms))
    gain = norms[measured] / sigma_power(measured)
    side = "add to" if gain > 1 else "take from"
    gain_words = (f"the norm is {norms[measured]:.2g}, {gain:.0f} times σ({measured})^50 = "
                  f"{sigma_power(measured):.2g}, because at initialisation the paths through "
                  f"h_(t-1) {side} the cell path")
    if guess == measured:
        return (f"measured: bias {measured}, as you said. At bias {measured} {gain_words}. Norms at "
                f"lag 50 per bias: {table}.")
    if guess == estimate:
        return Close(
            f"not the smallest bias, though. σ({estimate})^50 = {sigma_power(estimate):.2g} is what "
            f"the cell path alone keeps, and the experiment measures bias {measured}: there "
            f"{gain_words}. Norms at lag 50 per bias: {table}.")
    if guess < measured:
        raise WrongAnswer(
            f"you predicted {guess}; the experiment measures {measured}. With bias {guess} the "
            f"forget gate starts near σ({guess}) = {1 / (1 + np.exp(-guess)):.2f}: the cell path "
            f"keeps σ({guess})^50 = {sigma_power(guess):.1g} and the measured norm at lag 50 is "
            f"{norms[guess]:.1e}, below 0.01 (norms per bias: {table}).")
    smaller = guess - 1
    raise WrongAnswer(
        f"you predicted {guess}, but it is not the smallest: with bias {smaller} the measured norm "
        f"at lag 50 is already {norms[smaller]:.1e}, above 0.01, since at initialisation the paths "
        f"through h_(t-1) {side} the cell path's σ({smaller})^50 = {sigma_power(smaller):.2g} "
        f"(norms per bias: {table}).")
