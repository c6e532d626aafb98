"""Checkers for chapter 9 (minimal gated cells and parallel scans)."""
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
    with W (features, 2 units) and b (2 units,) in the block order [z | h̃]."""
    rng = np.random.default_rng(2024)
    batch, d, n = 3, 4, 5
    x_t, h_prev = rng.normal(size=(batch, d)), rng.uniform(-1, 1, size=(batch, n))
    W, b = rng.normal(size=(d, 2 * n)), rng.normal(size=2 * n)
    right, gates = min_gru_step(x_t, h_prev, W, b)
    z, h_tilde = gates["z"], gates["h_tilde"]
    returned = call_answer(answer, x_t, h_prev, W, b,
                                  hints={"matmul": "x_t has shape (batch, features) and W "
                                         "(features, 2 units): compute x_t @ W, then split "
                                         "the 2 units columns into z and h̃."})
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


def _ar_series(n: int = 420, seed: int = 1927) -> np.ndarray:
    """A stationary AR(3) series around 50 (Yule's sunspot model was an AR(2), 1927)."""
    rng = np.random.default_rng(seed)
    y = np.full(n + 60, 50.0)
    for t in range(3, len(y)):
        y[t] = 50 + 0.9 * (y[t - 1] - 50) + 0.3 * (y[t - 2] - 50) - 0.4 * (y[t - 3] - 50) \
            + rng.normal(scale=5.0)
    return y[60:]


@checker("ar-forecast")
def check_ar_forecast(answer: Any) -> str:
    """``autoregression_forecast(x_train, y_train, x_new, order)`` fits
    ŷ = c + w_1 y_{t-p+1} + … + w_p y_t (the last ``order`` values of each window and an
    intercept) by least squares on the training windows, and returns the forecasts for
    ``x_new``, shape (n_new,)."""
    from rnnlab.baselines import fit_autoregression
    from rnnlab.data.series import windows

    x, y = windows(_ar_series(), 10)
    x, y = x.astype(np.float64), y.astype(np.float64)
    x_train, y_train, x_new = x[:300], y[:300], x[300:360]
    order = 3
    right = fit_autoregression(x_train, y_train, order).predict(x_new)
    returned = call_answer(answer, x_train, y_train, x_new, order, hints={
        "matmul": "x has shape (windows, length, 1): take x[:, -order:, 0], a (windows, order) "
                  "matrix, and add a column of ones for the intercept."})
    result = as_array(returned, (len(x_new),), "autoregression_forecast")

    def least_squares(columns: Any, intercept: bool = True) -> np.ndarray:
        """Forecasts of a least-squares fit on the columns a mistaken answer reads."""
        design = columns(x_train)
        new = columns(x_new)
        if intercept:
            design = np.c_[design, np.ones(len(design))]
            new = np.c_[new, np.ones(len(new))]
        weights, *_ = np.linalg.lstsq(design, y_train, rcond=None)
        return new @ weights

    diagnose(result, right, {
        "the intercept is missing: add a column of ones, so the line need not pass through 0 "
        "(the series' mean is far from 0).":
            least_squares(lambda v: v[:, -order:, 0], intercept=False),
        "that reads the first `order` values of each window, the oldest; the forecast needs the "
        "most recent ones, x[:, -order:].": least_squares(lambda v: v[:, :order, 0]),
        "that fits all the values of the window; an autoregression of order p reads only the "
        "last p.": least_squares(lambda v: v[:, :, 0]),
        "that is persistence, the last value of each window: fit the weights by least "
        "squares.": x_new[:, -1, 0],
        "that is the mean of the last `order` values: let least squares choose the weights "
        "and the intercept.": x_new[:, -order:, 0].mean(axis=1),
    }, atol=1e-3)
    return ("least squares on the last p values and a 1: the linear baseline every forecasting "
            "network should be compared with.")
