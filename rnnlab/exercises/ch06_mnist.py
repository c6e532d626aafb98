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
