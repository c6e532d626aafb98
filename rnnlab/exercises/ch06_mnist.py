"""Checkers for chapter 6 (SimpleRNN vs LSTM vs GRU on MNIST)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.exercises import WrongAnswer, as_number, call_answer, checker, diagnose, evaluate


@checker("lstm-step-flops")
def check_lstm_step_flops(lstm_flops: Any) -> str:
    """``lstm_flops(features, units)``: FLOPs of the matrix products of one LSTM step for one
    sequence, a multiply-add counting as 2: 2 · 4n · (d + n)."""
    cases = [(1, 1), (28, 64), (28, 128), (100, 10)]
    result = evaluate(lstm_flops, cases, "lstm_flops")
    d, n = np.array(cases, dtype=float).T
    diagnose(result, 8 * n * (d + n), {
        "a multiply-add is 2 floating-point operations: double your count.": 4 * n * (d + n),
        "that is one block; the LSTM computes four (i, f, c̃, o) in each product.": 2 * n * (d + n),
        "the recurrent product h_{t-1} U (n × 4n) is missing.": 8 * n * d,
        "the input product x_t W (d × 4n) is missing.": 8 * n * n,
        "that counts parameters, not operations: each weight is used once per step in a "
        "multiply-add (2 operations), and the bias adds are left out here.": 4 * n * (d + n + 1),
    }, atol=0.5)
    return "8n(d + n): two products with 4n columns, 2 operations per multiply-add."


@checker("article-params")
def check_article_params(article_params: Any) -> str:
    """``article_params()`` returns the number ``model.count_params()`` reports for the article's
    LSTM model: LSTM(64) on 28 features, BatchNormalization over 64 values, Dense(10)."""
    value = as_number(call_answer(article_params), "article_params()")
    lstm, bn, dense = 4 * 64 * (28 + 64 + 1), 4 * 64, 64 * 10 + 10
    mistakes = {
        "that is the LSTM layer alone; add BatchNormalization and the Dense head.": np.array([lstm]),
        "the BatchNormalization layer is missing (4 × 64: γ, β and the two moving statistics), "
        "or the LSTM's biases are.": np.array([lstm + dense]),
        "count_params() also counts BatchNormalization's moving mean and variance (not "
        "trainable): 4 × 64, not 2 × 64.": np.array([lstm + 2 * 64 + dense]),
        "the Dense head has 64 × 10 weights plus 10 biases.": np.array([lstm + bn + 640]),
        "that is the GRU model's count (3 blocks, two bias rows); the LSTM has 4 blocks.":
            np.array([3 * 64 * (28 + 64 + 2) + bn + dense]),
    }
    if abs(value - (lstm + bn + dense)) > 0.5:
        for hint, wrong in mistakes.items():
            if abs(value - float(wrong[0])) <= 0.5:
                raise WrongAnswer(hint)
        raise WrongAnswer(f"{value:,.0f} is not the count. Add up the layers: the LSTM's "
                          "4n(d + n + 1), BatchNormalization's 4 values per unit, and the "
                          "Dense layer's weights and biases.")
    return f"{lstm:,} (LSTM) + {bn} (BatchNormalization) + {dense} (Dense) = {lstm + bn + dense:,}."


LEAK_CHOICES = {
    "a": "The first 9,990 test images serve as validation data, so the test set guides training "
         "decisions; the last 10 images, the 'test', can only give accuracies in steps of 10%.",
    "b": "The validation set is a random 10% of the training images.",
    "c": "The model is trained on the test images.",
    "d": "Nothing: validating on the test set is standard practice.",
}


@checker("article-leak")
def check_article_leak(article_leak: Any) -> str:
    """``article_leak()`` returns the letter (a to d) of the statement that describes the flaw in
    the article's protocol."""
    choice = call_answer(article_leak)
    if not isinstance(choice, str) or choice.strip().lower() not in LEAK_CHOICES:
        raise WrongAnswer(f"answer with one letter, a, b, c or d (a string); got {choice!r}.")
    letter = choice.strip().lower()
    if letter == "b":
        raise WrongAnswer("look again at `x_validate, y_validate = x_test[:-10], y_test[:-10]`: "
                          "the validation images come from the test set, not the training set.")
    if letter == "c":
        raise WrongAnswer("`model.fit` receives x_train only; the test images are used for "
                          "validation, which is a subtler leak.")
    if letter == "d":
        raise WrongAnswer("validation guides choices (epochs, architecture, hyperparameters); a "
                          "test set consulted that way no longer estimates performance on unseen "
                          "data, and 10 test images measure accuracy only to ±10%.")
    return ("the test set became the validation set, and the remaining 10 images cannot measure "
            "accuracy finer than 10%.")


@checker("paired-interval")
def check_paired_interval(paired_interval: Any) -> str:
    """``paired_interval(a, b)`` returns ``(low, high)``: the 95 % Student-t confidence interval
    of the mean of a − b, where ``a[i]`` and ``b[i]`` were measured with the same seed i:
    mean(d) ± t_{0.975, n−1} · s_d / √n with d = a − b and s_d its sample standard deviation."""
    from scipy import stats

    cases = [
        (np.array([0.97, 0.96, 0.98, 0.97, 0.95]), np.array([0.95, 0.95, 0.96, 0.94, 0.95])),
        (np.array([0.90, 0.95, 0.80, 0.85]), np.array([0.95, 0.80, 0.90, 0.86])),
        (np.array([0.5, 0.7, 0.6]), np.array([0.4, 0.4, 0.5])),
    ]

    def interval(a: np.ndarray, b: np.ndarray, *, t: bool = True, ddof: int = 1,
                 paired: bool = True, root: bool = True) -> np.ndarray:
        n = len(a)
        q = stats.t.ppf(0.975, n - 1) if t else 1.959963984540054
        if paired:
            d = a - b
            half = q * d.std(ddof=ddof) / (np.sqrt(n) if root else 1.0)
            return np.array([d.mean() - half, d.mean() + half])
        half = q * np.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n)
        return np.array([a.mean() - b.mean() - half, a.mean() - b.mean() + half])

    for a, b in cases:
        got = call_answer(paired_interval, a.copy(), b.copy())
        try:
            got = np.asarray(got, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise WrongAnswer(f"return two numbers, (low, high); got {got!r}.") from None
        if got.shape != (2,):
            raise WrongAnswer(f"return two numbers, (low, high); got {got.size} value(s).")
        if np.allclose(got, interval(a, b), atol=1e-9):
            continue
        mistakes = {
            "the interval is of a − b, not b − a: swap the sign.": -interval(a, b)[::-1],
            "with a handful of seeds use Student's t quantile with n − 1 degrees of freedom "
            "(scipy.stats.t.ppf(0.975, n - 1)), not the normal 1.96.": interval(a, b, t=False),
            "use the sample standard deviation of the differences (ddof=1).": interval(a, b, ddof=0),
            "the standard error of a mean divides the standard deviation by √n.": interval(a, b, root=False),
            "pair the values: take the differences a[i] − b[i] seed by seed first; this is the "
            "unpaired interval, which ignores what the two runs of a seed share.":
                interval(a, b, paired=False),
        }
        for hint, wrong in mistakes.items():
            if np.allclose(got, wrong, atol=1e-9):
                raise WrongAnswer(hint)
        raise WrongAnswer(f"for a = {a.tolist()} and b = {b.tolist()} the interval is "
                          f"({interval(a, b)[0]:.4f}, {interval(a, b)[1]:.4f}), you returned "
                          f"({got[0]:.4f}, {got[1]:.4f}).")
    return ("mean(d) ± t · s_d / √n on the differences d = a − b: pairing by seed removes what "
            "the two runs of a seed share.")
