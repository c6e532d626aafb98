"""Checkers for chapter 10 (minimal gated cells and parallel scans)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from rnnlab.cells.min_gru import min_gru_step
from rnnlab.cells.registry import sigmoid
from rnnlab.exercises import WrongAnswer, as_array, as_arrays, call_answer, checker, diagnose, evaluate


def _pair(result: Any) -> Any:
    """A pair returned as one stacked array (2, ...) is a pair too."""
    if isinstance(result, np.ndarray) and result.ndim >= 1 and result.shape[0] == 2:
        return (result[0], result[1])
    return result


@checker("scan-compose")
def check_scan_compose(compose: Any) -> str:
    """``compose(earlier, later)`` takes two steps (a₁, b₁) and (a₂, b₂) of h ↦ a ⊙ h + b and
    returns the pair (a, b) of the step that applies ``earlier`` first, then ``later``."""
    rng = np.random.default_rng(2018)
    a1, a2 = rng.uniform(0.1, 0.9, size=(2, 3, 4))
    b1, b2 = rng.normal(size=(2, 3, 4))
    result = _pair(call_answer(compose, (a1, b1), (a2, b2)))
    a, b = as_arrays(result, [(3, 4), (3, 4)], ["a", "b"])
    diagnose(a, a2 * a1, {"a is the product of the two gates, a₂ ⊙ a₁.": a1 + a2})
    diagnose(b, a2 * b1 + b2, {
        "that applies `later` first: a₂ ⊙ (a₁ ⊙ h + b₁) + b₂ has b = a₂ ⊙ b₁ + b₂.": a1 * b2 + b1,
        "b₂ is missing: the second step adds its own b₂.": a2 * b1,
        "the first step's b₁ passes through the second step's gate: a₂ ⊙ b₁.": b1 + b2,
    })
    # associativity, the property the scan needs, holds for the learner's function too
    a3, b3 = rng.uniform(0.1, 0.9, size=(3, 4)), rng.normal(size=(3, 4))
    def composed(earlier: tuple, later: tuple) -> tuple:
        return tuple(as_arrays(_pair(call_answer(compose, earlier, later)), [(3, 4)] * 2,
                               ["a", "b"]))

    left = composed(composed((a1, b1), (a2, b2)), (a3, b3))
    right = composed((a1, b1), composed((a2, b2), (a3, b3)))
    if not all(np.allclose(l, r, atol=1e-10) for l, r in zip(left, right)):
        raise WrongAnswer("compose gives the right pair here but is not associative elsewhere: "
                          "does it depend on anything besides its two arguments?")
    return ("(a₂ ⊙ a₁, a₂ ⊙ b₁ + b₂), and (p∘q)∘r = p∘(q∘r) held to round-off: the order of the "
            "rounds does not matter, which is what lets a scan regroup them.")


@checker("scan-rounds")
def check_scan_rounds(scan_rounds: Any) -> str:
    """``scan_rounds(T)`` returns how many rounds the doubling scan needs for T steps: the
    number of shifts 1, 2, 4, … smaller than T, i.e. ⌈log₂ T⌉ (0 for T = 1)."""
    lengths = [1, 2, 3, 4, 5, 8, 9, 28, 64, 100, 784, 1024, 4096, 4097]
    result = evaluate(scan_rounds, [(T,) for T in lengths], "scan_rounds")
    fractional = [T for T, value in zip(lengths, result) if abs(value - round(value)) > 1e-9]
    if fractional:
        raise WrongAnswer(f"scan_rounds({fractional[0]}) returned "
                          f"{result[lengths.index(fractional[0])]:g}: a number of rounds is a "
                          "whole number (math.ceil rounds up).")
    right = np.array([math.ceil(math.log2(T)) for T in lengths], float)
    diagnose(result, right, {
        "that is the loop's depth, T − 1 dependent steps after the first; the scan doubles its "
        "reach every round.": np.array([T - 1 for T in lengths], float),
        "round down and a length that is not a power of two is not covered: 5 steps need shifts "
        "1, 2 and 4, three rounds.": np.array([math.floor(math.log2(T)) for T in lengths], float),
        "one round too many: after r rounds the first 2^r states are final, so 2^r ≥ T is "
        "enough.": np.array([math.floor(math.log2(T)) + 1 for T in lengths], float),
    }, atol=0.5)
    return "⌈log₂ T⌉: 12 rounds for 4,096 steps, where the loop takes 4,096 dependent steps."


@checker("min-gru-step")
def check_min_gru_step(answer: Any) -> str:
    """``min_gru_step(x_t, h_prev, W, b)`` returns h_t of the minimal GRU in the book's
    convention: z_t = σ(x_t W_z + b_z), h̃_t = x_t W_h + b_h, h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h̃_t,
    with x_t (batch, features), h_prev (batch, units), W (features, 2 units) and b (2 units,) in
    the block order [z | h̃]."""
    rng = np.random.default_rng(2024)
    batch, d, n = 3, 4, 5
    x_t, h_prev = rng.normal(size=(batch, d)), rng.uniform(-1, 1, size=(batch, n))
    W, b = rng.normal(size=(d, 2 * n)), rng.normal(size=2 * n)
    right, gates = min_gru_step(x_t, h_prev, W, b)
    z, h_tilde = gates["z"], gates["h_tilde"]
    returned = call_answer(answer, x_t, h_prev, W, b,
                                  hints={"matmul": "x_t has shape (batch, features) and W "
                                         "(features, 2 units): compute x_t @ W, then split "
                                         "the 2 units columns into z and h̃.",
                                         "broadcast": "x_t has shape (batch, d), one row per "
                                         "sequence, not (d,): x_t @ W + b has shape (batch, 2n), "
                                         "so split its columns, pre[:, :n] and pre[:, n:]; "
                                         "pre[:n] splits rows (pre[..., :n] works for both)."})
    if isinstance(returned, tuple):
        raise WrongAnswer("min_gru_step returned a tuple; return h_t alone (rnnlab's version "
                          "also returns the gates, the exercise asks only for the new state).")
    result = as_array(returned, (batch, n), "min_gru_step")
    swapped = sigmoid(x_t @ W[:, n:] + b[n:])
    diagnose(result, right, {
        "z and 1 − z are swapped: that is Feng et al.'s convention (z weights the candidate); "
        "the book keeps Keras' (z keeps the past), h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃.":
            (1 - z) * h_prev + z * h_tilde,
        "the candidate has no tanh in the minimal GRU: h̃_t = x_t W_h + b_h.":
            z * h_prev + (1 - z) * np.tanh(h_tilde),
        "the blocks are in the order [z | h̃]: the first `units` columns are the gate.":
            swapped * h_prev + (1 - swapped) * (x_t @ W[:, :n] + b[:n]),
        "the bias is missing.": (lambda zz, hh: zz * h_prev + (1 - zz) * hh)(
            sigmoid(x_t @ W[:, :n]), x_t @ W[:, n:]),
        "you returned h̃_t; the new state mixes it with h_{t-1}.": h_tilde,
    })
    return ("z_t and h̃_t read x_t only, so every step's (a_t, b_t) = (z_t, (1 − z_t) ⊙ h̃_t) "
            "can be computed at once and the states by a scan.")


def _scan_reference(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(A_t, B_t), the composition of the first t pairs: A_t = a_t ⋯ a_1, B_t = h_t from h_0 = 0."""
    from rnnlab.cells.scan import linear_recurrence

    return np.cumprod(a, axis=1), linear_recurrence(a, b, method="sequential")


def _doubling(a: np.ndarray, b: np.ndarray, order: str = "right", rounds_less: int = 0,
              direction: str = "earlier", stale: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The doubling scan, or one of its usual mistakes (what the checker recognises)."""
    A, B = a.copy(), b.copy()
    T, shift, rounds = a.shape[1], 1, 0
    total = math.ceil(math.log2(T)) if T > 1 else 0
    while shift < T and rounds < total - rounds_less:
        if direction == "earlier":
            (a1, b1), (a2, b2) = (A[:, :-shift], B[:, :-shift]), (A[:, shift:], B[:, shift:])
        else:                                                 # the one `shift` later
            (a1, b1), (a2, b2) = (A[:, shift:], B[:, shift:]), (A[:, :-shift], B[:, :-shift])
        if order == "swapped":
            (a1, b1), (a2, b2) = (a2, b2), (a1, b1)
        new_a = a2 * a1
        new_b = (new_a if stale else a2) * b1 + b2
        part = slice(shift, None) if direction == "earlier" else slice(None, -shift)
        A[:, part], B[:, part] = new_a, new_b
        shift, rounds = 2 * shift, rounds + 1
    return A, B


@checker("scan-doubling")
def check_scan_doubling(answer: Any) -> str:
    """``doubling_scan(a, b)`` takes every step's pair, a and b of shape (batch, T, units), and
    returns (A, B) of the same shapes: (A_t, B_t) is the composition of the first t pairs, by
    the doubling scan (each round combines entry t with the entry ``shift`` earlier, shift = 1,
    2, 4, … < T). Checked against rnnlab.cells.linear_recurrence on several shapes."""
    rng = np.random.default_rng(1990)
    for shape in [(1, 1, 1), (2, 2, 3), (1, 5, 2), (3, 8, 4), (2, 13, 1)]:
        a, b = rng.uniform(0.2, 0.95, size=shape), rng.normal(size=shape)
        returned = _pair(call_answer(answer, a.copy(), b.copy()))
        A, B = as_arrays(returned, [shape, shape], ["A", "B"])
        right_A, right_B = _scan_reference(a, b)
        mistakes = {
            "the pairs are composed in the wrong order: the entry `shift` earlier is the earlier "
            "step, so entry t becomes (A_t ⊙ A_{t−s}, A_t ⊙ B_{t−s} + B_t), compose(earlier, "
            "later).": _doubling(a, b, order="swapped"),
            "one round short: keep going while shift < T (5 steps need shifts 1, 2 and 4).":
                _doubling(a, b, rounds_less=1),
            "each entry is combined with a later one: the scan runs forward, entry t takes in "
            "the entry t − shift.": _doubling(a, b, direction="later"),
            "B was computed with the A of this round: compute the new (A, B) from the old pair "
            "before overwriting either (a₂ ⊙ b₁ uses the old a₂).": _doubling(a, b, stale=True),
        }
        expected = np.concatenate([right_A, right_B])
        diagnose(np.concatenate([A, B]), expected,
                 {hint: np.concatenate(wrong) for hint, wrong in mistakes.items()}, atol=1e-9)
    return ("(A_t, B_t) for every t in ⌈log₂ T⌉ rounds: B_t is h_t from h_0 = 0, and A_t ⊙ h_0 + "
            "B_t from any h_0.")
