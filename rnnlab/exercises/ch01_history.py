"""Checkers for chapter 1 (history of recurrent networks)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.cells import sigmoid, simple_rnn_step
from rnnlab.exercises import (WrongAnswer, as_array, as_arrays, as_number, call_answer,
                              checker, diagnose, evaluate)
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


def _elman_states(x: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
                  h0: np.ndarray | None = None, transpose_U: bool = False,
                  activation: Any = np.tanh, carry: bool = True) -> np.ndarray:
    """The states h_1 .. h_T of an Elman layer (and of its usual mistakes), shape (batch, T, n)."""
    h = np.zeros((x.shape[0], U.shape[0]), dtype=x.dtype) if h0 is None else h0
    U = U.T if transpose_U else U
    states = []
    for t in range(x.shape[1]):
        h_prev = h if carry else np.zeros_like(h)
        h = activation(x[:, t] @ W + h_prev @ U + b)
        states.append(h)
    return np.stack(states, axis=1)


@checker("elman-layer")
def check_elman_layer(elman_layer: Any) -> str:
    """``elman_layer(x, W, U, b)`` runs an Elman layer over whole sequences: x of shape
    (batch, T, features), h_0 = 0, and returns every state h_1 .. h_T, shape (batch, T, units),
    as ``keras.layers.SimpleRNN(units, return_sequences=True)`` does.

    Called on batches of several shapes (T differs from the batch size, so an axis mix-up shows
    in the shape) in float64 and float32, then next to the Keras layer; the usual mistakes (the
    last state only, the states stacked on the wrong axis, h_0 included, the state not carried,
    the states one step late, U transposed, no tanh) each get their explanation.
    """
    from rnnlab.exercises.steps import TOLERANCE, cases

    for case in cases(1990):
        batch, n, d = case.batch, case.units, case.features
        T = 8                              # unlike every batch size, feature count and width
        x = case.normal(batch, T, d)
        W, U, b = case.normal(d, n), case.normal(n, n, scale=0.5), case.normal(n)
        right = _elman_states(x, W, U, b)
        value = call_answer(elman_layer, x, W, U, b)
        if value is None:
            raise WrongAnswer("elman_layer returned None. Did you forget `return`?")
        try:
            shape = np.shape(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            shape = None
        wanted, where = (batch, T, n), f"{case}, {T} steps"
        if shape == (batch, n):
            raise WrongAnswer(f"{where}: you returned one state of shape {shape}, the last one. "
                              f"Return every state h_1 … h_T, shape {wanted}: keep each h_t in a "
                              "list and stack them with np.stack(states, axis=1).")
        if shape == (T, batch, n):
            raise WrongAnswer(f"{where}: the states are stacked along the first axis, shape "
                              f"{shape}. The time axis comes second, as in x: "
                              "np.stack(states, axis=1).")
        if shape == (batch, T + 1, n):
            raise WrongAnswer(f"{where}: you returned {T + 1} states for {T} steps: h_0 = 0 is "
                              "the starting state, not an output. Return h_1 … h_T.")
        result = as_array(value, wanted, "elman_layer")
        late = np.concatenate([np.zeros_like(right[:, :1]), right[:, :-1]], axis=1)
        try:
            diagnose(result, right, {
                "the state is not carried from step to step: each step must read h_{t-1}, the "
                "state the step before produced (start from h_0 = 0, then h = step(x_t, h)).":
                    _elman_states(x, W, U, b, carry=False),
                "the states are one step late: the first state you return must be "
                "h_1 = tanh(x_1 W + b), not h_0 = 0. Compute h_t, then store it.": late,
                "you read the sequence from its end: step t reads x[:, t], t = 0, 1, …, T − 1.":
                    _elman_states(x[:, ::-1], W, U, b),
                "U is transposed: with row vectors the recurrent term is h_{t-1} U, not "
                "h_{t-1} Uᵀ.": _elman_states(x, W, U, b, transpose_U=True),
                "the activation is missing: h_t = tanh(x_t W + h_{t-1} U + b).":
                    _elman_states(x, W, U, b, activation=lambda a: a),
                "the bias b is missing: h_t = tanh(x_t W + h_{t-1} U + b).":
                    _elman_states(x, W, U, np.zeros_like(b)),
            }, atol=TOLERANCE[case.dtype])
        except WrongAnswer as wrong:
            raise WrongAnswer(f"{where}: {wrong}") from None
    keras = _against_keras_layer(elman_layer)
    return ("h_t = tanh(x_t W + h_{t-1} U + b) for t = 1 … T, from h_0 = 0: every state of the "
            "sequence" + (", as keras.layers.SimpleRNN(return_sequences=True) computes them."
                          if keras else "."))


def _against_keras_layer(elman_layer: Any) -> bool:
    """Run the answer next to ``keras.layers.SimpleRNN(return_sequences=True)`` once (float32);
    False when Keras is not installed."""
    try:
        import keras  # noqa: F401
    except ImportError:
        return False
    from rnnlab.cells import random_rnn, to_keras

    rnn = random_rnn("simple_rnn", 3, 4, scale=1.0, seed=1990, dtype="float32",
                     return_sequences=True)
    x = np.random.default_rng(1990).normal(size=(2, 6, 3)).astype(np.float32)
    keras_states = np.asarray(to_keras(rnn)(x))
    states = as_array(call_answer(elman_layer, x, rnn.W, rnn.U, rnn.b), keras_states.shape,
                      "elman_layer")
    if not np.allclose(states, keras_states, atol=1e-4):
        raise WrongAnswer("your layer agrees with the equations on some inputs but not with "
                          "keras.layers.SimpleRNN (largest difference "
                          f"{np.max(np.abs(states - keras_states)):.3g}).")
    return True


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
    """``jordan_step(x_t, y_prev, W, U, b, W_y, b_y)`` returns ``(h_t, y_t)`` of a simplified
    Jordan network: h_t = tanh(x_t W + y_{t-1} U + b), y_t = h_t W_y + b_y (the output, not the
    hidden state, is fed back)."""
    rng = np.random.default_rng(1986)  # Jordan's year
    x_t, y_prev = rng.normal(size=(3, 4)), rng.normal(size=(3, 2))
    W, U, b = rng.normal(size=(4, 5)), rng.normal(size=(2, 5)), rng.normal(size=5)
    W_y, b_y = rng.normal(size=(5, 2)), rng.normal(size=2)
    h_t, y_t = as_arrays(call_answer(jordan_step, x_t, y_prev, W, U, b, W_y, b_y),
                         [(3, 5), (3, 2)], ["h_t", "y_t"])
    h_right = np.tanh(x_t @ W + y_prev @ U + b)
    diagnose(h_t, h_right, {
        "h_t ignores the fed-back output: add y_{t-1} U.": np.tanh(x_t @ W + b),
        "h_t has no bias b.": np.tanh(x_t @ W + y_prev @ U),
        "apply tanh to h_t's pre-activation.": x_t @ W + y_prev @ U + b,
    })
    diagnose(y_t, h_right @ W_y + b_y, {
        "y_t is linear here: y_t = h_t W_y + b_y, with no tanh.": np.tanh(h_right @ W_y + b_y),
        "y_t has no bias b_y.": h_right @ W_y,
    })
    return "a Jordan network feeds back its output y_{t-1}; an Elman network its state h_{t-1}."


BACKGROUND = 0.2
"""The input of a step without a mark in the ``memory-unit`` exercise."""


def memory_states(w: float, u: float, b: float, inputs: Any) -> np.ndarray:
    """The states h_1 .. h_T of the one-unit network h_t = tanh(w x_t + u h_{t-1} + b), h_0 = 0.

    Args:
        w, u, b: the input weight, the recurrent weight and the bias.
        inputs: the inputs x_1 .. x_T (numbers).

    Returns:
        The states, one per step.
    """
    h, states = 0.0, []
    for x_t in np.asarray(inputs, dtype=np.float64):
        h = float(np.tanh(w * x_t + u * h + b))
        states.append(h)
    return np.asarray(states)


@checker("memory-unit")
def check_memory_unit(memory_weights: Any) -> str:
    """``memory_weights()`` returns ``(w, u, b)`` for a one-unit network
    h_t = tanh(w x_t + u h_{t-1} + b), h_0 = 0, that reads steps of background input 0.2 and
    marks of input 1, and ends above 0.5 exactly when the sequence held a mark.

    Run on 60-step sequences: none, one or several marks, early, late and random; the usual
    mistakes (the background switches the unit on; a mark does not; the memory fades) each get
    their explanation.
    """
    value = call_answer(memory_weights)
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise WrongAnswer("return three numbers, (w, u, b): the input weight, the recurrent "
                          "weight and the bias.")
    w, u, b = (as_number(v, name) for v, name in zip(value, ("w", "u", "b")))
    T = 60
    quiet = [BACKGROUND] * T

    def final(marks: list[int]) -> float:
        inputs = list(quiet)
        for step in marks:
            inputs[step] = 1.0
        return float(memory_states(w, u, b, inputs)[-1])

    h_none = final([])
    if h_none > 0.5:
        close = abs(BACKGROUND * w + b) < 0.05 and abs(u) > 1
        raise WrongAnswer(
            f"with background only, the state ends at {h_none:.2f}: the background alone switches "
            f"the unit on. Every step adds {BACKGROUND} w to the pre-activation; choose b so that "
            f"{BACKGROUND} w + b pulls the state down."
            + (" (A pre-activation of almost exactly 0 is not enough when |u| > 1: the smallest "
               "push away from 0 grows by u at every step.)" if close else ""))
    resting = float(memory_states(w, u, b, quiet[:-1])[-1])
    h_last = final([T - 1])
    if h_last <= 0.5:
        raise WrongAnswer(
            f"a mark at the last step leaves the state at {h_last:.2f}. Before it the state rests "
            f"at {resting:.2f}, so the mark's pre-activation is w + u ({resting:.2f}) + b = "
            f"{w + u * resting + b:.2f}; tanh of it must exceed 0.5 (above 0.55), so w must "
            "outweigh the resting state.")
    h_first = final([0])
    if h_first <= 0.5:
        raise WrongAnswer(
            f"after a mark at the first step the state ends at {h_first:.2f}: the memory fades. "
            f"Once on, the unit must keep itself on with background input only: u h + {BACKGROUND} "
            "w + b must stay clearly positive while h is near 1, so u must be large enough (a "
            "recurrent weight below 1 shrinks the state at every step).")
    rng = np.random.default_rng(1990)
    cases = [[T // 2], [5, 40], [0, T - 1], list(range(0, T, 7))]
    cases += [sorted(rng.choice(T, size=k, replace=False).tolist()) for k in (1, 1, 2, 3, 5)]
    for marks in cases:
        h_T = final(marks)
        if h_T <= 0.5:
            raise WrongAnswer(f"with marks at steps {[m + 1 for m in marks]} the state ends at "
                              f"{h_T:.2f}, not above 0.5: after a mark it must switch on and stay on.")
    return (f"background alone keeps the state at {h_none:.2f}; one mark switches it on, and the "
            "recurrent weight keeps it on: a bit of memory, set by hand.")


MILESTONE_EVENTS = {
    "the Elman network": "elman1990finding",
    "the analysis of vanishing gradients": "hochreiter1991untersuchungen",
    "the LSTM": "hochreiter1997long",
    "the forget gate": "gers2000learning",
    "the GRU": "cho2014learning",
    "attention": "bahdanau2015neural",
    "the Transformer": "vaswani2017attention",
    "minGRU and minLSTM": "feng2024were",
}
"""The events of the ``milestone-order`` exercise, by the bibliography key of their paper."""

_USUAL_MIX_UPS = {
    ("the forget gate", "the LSTM"): "the 1997 LSTM had no forget gate: Gers, Schmidhuber and "
                                     "Cummins added it in 2000.",
    ("the GRU", "the LSTM"): "the GRU (2014) is the younger cell: it simplified the LSTM (1997).",
    ("the Transformer", "attention"): "attention over a recurrent encoder's states came first "
                                      "(2015); the Transformer (2017) kept attention and dropped "
                                      "the recurrence.",
    ("the LSTM", "the analysis of vanishing gradients"): "the LSTM was designed around the "
                                                        "analysis of vanishing gradients, which "
                                                        "came first (1991).",
}


@checker("milestone-order")
def check_milestone_order(in_order: Any) -> str:
    """``in_order()`` returns the events of :data:`MILESTONE_EVENTS` from the earliest to the
    latest (each published in a different year)."""
    from rnnlab.milestones import MILESTONES

    year = {m.key: m.year for m in MILESTONES}
    when = {event: year[key] for event, key in MILESTONE_EVENTS.items()}
    answer = call_answer(in_order)
    if not isinstance(answer, (list, tuple)) or not all(isinstance(e, str) for e in answer):
        raise WrongAnswer("return a list of the events' names (strings), earliest first.")
    unknown = [e for e in answer if e not in when]
    if unknown:
        raise WrongAnswer(f"{unknown[0]!r} is not one of the events; use the names as given: "
                          f"{', '.join(repr(e) for e in MILESTONE_EVENTS)}.")
    missing = [e for e in when if e not in answer]
    if missing or len(answer) != len(when):
        raise WrongAnswer(f"list each event once; missing: {', '.join(missing) or 'none'}, "
                          f"{len(answer)} names for {len(when)} events.")
    for k, later in enumerate(answer):
        for earlier in answer[k + 1:]:
            if when[earlier] < when[later]:
                mix_up = _USUAL_MIX_UPS.get((later, earlier))
                raise WrongAnswer(mix_up or f"{later} ({when[later]}) came after {earlier} "
                                            f"({when[earlier]}).")
    return "from the Elman network (1990) to minGRU and minLSTM (2024), in order."
