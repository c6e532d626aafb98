"""Checkers for chapter 6 (SimpleRNN vs LSTM vs GRU on MNIST)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.exercises import WrongAnswer, as_number, call_answer, checker, diagnose, evaluate

_SE_10 = 100 * (0.97 * 0.03 / 10) ** 0.5     # points: the standard error of 10 images at 97 %

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
    "a": "The first 9,990 test images serve as validation data, so the test set could guide "
         "training decisions, even if none was made; the last 10 images, set aside as the 'test', "
         "could measure accuracy only in steps of 10%.",
    "b": "The validation set is a random 10% of the training images.",
    "c": "The model is trained on the test images.",
    "d": "Nothing: validating on the test set is standard practice.",
}


@checker("article-leak")
def check_article_leak(article_leak: Any) -> str:
    """``article_leak()`` returns the letter (a to d) of the statement that describes the risk
    the article's protocol creates by validating on test images."""
    choice = call_answer(article_leak)
    if not isinstance(choice, str) or choice.strip().lower() not in LEAK_CHOICES:
        raise WrongAnswer(f"answer with one letter, a, b, c or d (a string); got {choice!r}.")
    letter = choice.strip().lower()
    if letter == "b":
        raise WrongAnswer("look again at `x_validate, y_validate = x_test[:-10], y_test[:-10]`: "
                          "the validation images come from the test set, not the training set.")
    if letter == "c":
        raise WrongAnswer("`model.fit` receives x_train only; the test images are used for "
                          "validation, which is a subtler risk.")
    if letter == "d":
        raise WrongAnswer("validation guides choices (epochs, architecture, hyperparameters); a "
                          "test set consulted that way no longer estimates performance on new "
                          "data. And 10 test images measure little: at 97 % their standard error "
                          f"is about {_SE_10:.1f} points, and even 10 right out of 10 is "
                          "compatible with a "
                          "true accuracy as low as 69 % (95 % Clopper-Pearson).")
    return ("the test images served as validation data, so any choice made on them would fit "
            "the test set (the article shows none: a risk, not a measured harm); and 10 images "
            "measure accuracy only in steps of 10 points, with a standard error of about "
            f"{_SE_10:.1f} points.")


SETTINGS = ("Adam 0.001", "Adam 0.003", "SGD+momentum 0.01", "SGD+momentum 0.05")
"""The tuning grid of exercise choose-setting, as the labels its log uses."""


def _tuning_logs() -> list[list[dict[str, Any]]]:
    """Exercise choose-setting's logs: every (cell, setting) run with its training, validation
    and test accuracy. The first is made so that each usual mistake picks another setting than
    validation does; the second is drawn at random and shuffled."""
    made = {  # cell: per setting (train, validation, test)
        "simple_rnn": [(0.962, 0.967, 0.950), (0.889, 0.889, 0.960), (0.421, 0.414, 0.400),
                       (0.100, 0.099, 0.100)],
        "lstm": [(0.990, 0.988, 0.985), (0.995, 0.987, 0.986), (0.980, 0.982, 0.980),
                 (0.992, 0.989, 0.984)],
        "gru": [(0.993, 0.984, 0.983), (0.990, 0.986, 0.981), (0.980, 0.983, 0.984),
                (0.992, 0.988, 0.982)],
    }
    first = [{"cell": cell, "setting": setting, "train_accuracy": tr, "val_accuracy": va,
              "test_accuracy": te}
             for cell, rows in made.items() for setting, (tr, va, te) in zip(SETTINGS, rows)]
    rng = np.random.default_rng(6)
    second = [{"cell": cell, "setting": setting,
               **dict(zip(("train_accuracy", "val_accuracy", "test_accuracy"),
                          np.round(rng.uniform(0.90, 0.99, size=3), 4).tolist()))}
              for cell in ("simple_rnn", "lstm", "gru") for setting in SETTINGS]
    order = rng.permutation(len(second))
    return [first, [second[i] for i in order]]


def _chosen(log: list[dict[str, Any]], key: str, lowest: bool = False) -> dict[str, str]:
    """Per cell, the setting with the highest (or lowest) ``key``."""
    best: dict[str, dict[str, Any]] = {}
    for run in log:
        held = best.get(run["cell"])
        if held is None or (run[key] < held[key] if lowest else run[key] > held[key]):
            best[run["cell"]] = run
    return {cell: run["setting"] for cell, run in best.items()}


def _shared(log: list[dict[str, Any]]) -> dict[str, str]:
    """One setting for every cell: the best mean validation accuracy over the cells."""
    cells = sorted({run["cell"] for run in log})
    means = {s: np.mean([r["val_accuracy"] for r in log if r["setting"] == s]) for s in SETTINGS}
    setting = max(SETTINGS, key=means.get)
    return {cell: setting for cell in cells}


@checker("choose-setting")
def check_choose_setting(choose: Any) -> str:
    """``choose(log)`` takes a tuning log (a list of dicts with ``cell``, ``setting``,
    ``train_accuracy``, ``val_accuracy``, ``test_accuracy``) and returns ``{cell: setting}``:
    each cell's own setting with the highest validation accuracy."""
    for log in _tuning_logs():
        got = call_answer(choose, [dict(run) for run in log])
        right = _chosen(log, "val_accuracy")
        if not isinstance(got, dict):
            raise WrongAnswer(f"return a dict {{cell: setting}}, e.g. {{'gru': 'Adam 0.001', ...}}; "
                              f"got {type(got).__name__}.")
        if set(got) != set(right):
            raise WrongAnswer(f"return one setting for each cell of the log, {sorted(right)}; "
                              f"got the keys {sorted(map(str, got))}.")
        if any(value not in SETTINGS for value in got.values()):
            raise WrongAnswer("each value should be a setting from the log (its 'setting' entry), "
                              f"such as {SETTINGS[0]!r}; got {list(got.values())!r}.")
        if got == right:
            continue
        mistakes = [
            (_chosen(log, "test_accuracy"),
             "you chose on the test accuracy. The test set must not make any choice: a setting "
             "picked for its test score is fitted to the test images, and its test accuracy no "
             "longer estimates accuracy on new data. Choose on validation; test the chosen "
             "setting once, with fresh seeds."),
            (_chosen(log, "train_accuracy"),
             "you chose on Keras' training accuracy. It is averaged over the epoch while the "
             "weights change, measured in training mode, and rewards memorising the training "
             "images. Choose on the validation accuracy."),
            (_shared(log),
             "you gave every cell the same setting (the best on average). A fair comparison "
             "gives each cell the same budget, not the same setting: each keeps its own best."),
            (_chosen(log, "val_accuracy", lowest=True),
             "you kept the lowest validation accuracy; keep the highest."),
        ]
        for wrong, hint in mistakes:
            if got == wrong:
                raise WrongAnswer(hint)
        raise WrongAnswer(f"for this log the settings are {right}; you returned {got}. Keep, "
                          "for each cell, its setting with the highest val_accuracy.")
    return ("each cell keeps its own setting with the best validation accuracy; the test set "
            "chooses nothing.")


def _t(level: float, df: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(level, df))


def _interval(a: np.ndarray, b: np.ndarray, mistake: str | None = None) -> np.ndarray:
    """Exercise paired-interval's answer for ``(a, b)``, or one usual mistake's."""
    n = len(a)
    d = a - b
    q = {"normal": 1.959963984540054, "1.96": 1.96, "one-sided": _t(0.95, n - 1),
         "n df": _t(0.975, n)}.get(mistake, _t(0.975, n - 1))
    ddof = 0 if mistake == "ddof 0" else 1
    root = 1.0 if mistake == "no sqrt n" else np.sqrt(n)
    diff = a.mean() - b.mean()
    va, vb = a.var(ddof=1), b.var(ddof=1)
    if mistake == "unpaired":       # differences of means, seeds ignored, t with n − 1
        half = _t(0.975, n - 1) * np.sqrt(va / n + vb / n)
    elif mistake == "pooled":       # scipy.stats.ttest_ind: pooled variance, 2n − 2 df
        pooled = ((n - 1) * va + (n - 1) * vb) / (2 * n - 2)
        half = _t(0.975, 2 * n - 2) * np.sqrt(pooled * 2 / n)
    elif mistake == "welch":        # ttest_ind(equal_var=False): Welch's df
        se2 = va / n + vb / n
        df = se2 ** 2 / ((va / n) ** 2 / (n - 1) + (vb / n) ** 2 / (n - 1))
        half = _t(0.975, df) * np.sqrt(se2)
    else:
        half = q * d.std(ddof=ddof) / root
    if mistake == "mean and half":
        return np.array([d.mean(), half])
    return np.array([diff - half, diff + half])


PAIRED_CASES = [
    # the seeds move both cells together (a good seed is good for both): pairing matters a lot
    (np.array([0.962, 0.975, 0.951, 0.981, 0.968]), np.array([0.951, 0.962, 0.942, 0.968, 0.960])),
    (np.array([0.90, 0.95, 0.80, 0.85]), np.array([0.95, 0.80, 0.90, 0.86])),
    (np.array([0.5, 0.7, 0.6]), np.array([0.4, 0.5, 0.45])),
]
"""Exercise paired-interval's cases ``(a, b)``: the first is one where the paired interval
excludes zero and every unpaired one includes it."""


@checker("paired-interval")
def check_paired_interval(paired_interval: Any) -> str:
    """``paired_interval(a, b)`` returns ``(low, high)``: the 95 % Student-t confidence interval
    of the mean of a − b, where ``a[i]`` and ``b[i]`` were measured with the same seed i:
    mean(d) ± t_{0.975, n−1} · s_d / √n with d = a − b and s_d its sample standard deviation."""
    normal = ("with a handful of seeds use Student's t quantile with n − 1 degrees of freedom "
              "(scipy.stats.t.ppf(0.975, n - 1)), not the normal 1.96.")
    mistakes = {
        "swap": "the interval is of a − b, not b − a: swap the sign.",
        "pooled": "you compared the means as if the seeds were unrelated (a two-sample "
                  "interval, as scipy.stats.ttest_ind computes it with pooled variances). Pair "
                  "the values: take the differences d = a[i] − b[i] seed by seed first, then the "
                  "interval of their mean. The seeds move both cells together, and pairing "
                  "removes that.",
        "welch": "you compared the means as if the seeds were unrelated (Welch's two-sample "
                 "interval, scipy.stats.ttest_ind(equal_var=False)). Pair the values: take the "
                 "differences d = a[i] − b[i] seed by seed first, then the interval of their mean.",
        "unpaired": "pair the values: take the differences a[i] − b[i] seed by seed first; this "
                    "is the unpaired interval, which ignores what the two runs of a seed share.",
        "normal": normal,
        "1.96": normal,
        "one-sided": "a two-sided 95 % interval leaves 2.5 % on each side: the quantile is "
                     "t.ppf(0.975, n - 1), not t.ppf(0.95, n - 1).",
        "n df": "the differences have n − 1 degrees of freedom (one is spent on their mean): "
                "t.ppf(0.975, n - 1), not t.ppf(0.975, n).",
        "ddof 0": "use the sample standard deviation of the differences (ddof=1).",
        "no sqrt n": "the standard error of a mean divides the standard deviation by √n.",
        "mean and half": "return the interval's two ends, (mean − half, mean + half), not the "
                         "mean and the half-width.",
    }
    for a, b in PAIRED_CASES:
        got = call_answer(paired_interval, a.copy(), b.copy())
        try:
            got = np.asarray(got, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise WrongAnswer(f"return two numbers, (low, high); got {got!r}.") from None
        if got.shape != (2,):
            raise WrongAnswer(f"return two numbers, (low, high); got {got.size} value(s).")
        right = _interval(a, b)
        if np.allclose(got, right, rtol=0, atol=1e-9):
            continue
        for mistake, hint in mistakes.items():
            wrong = -right[::-1] if mistake == "swap" else _interval(a, b, mistake)
            if np.allclose(got, wrong, rtol=0, atol=1e-9):
                raise WrongAnswer(hint)
        raise WrongAnswer(f"for a = {a.tolist()} and b = {b.tolist()} the interval is "
                          f"({right[0]:.4f}, {right[1]:.4f}), you returned "
                          f"({got[0]:.4f}, {got[1]:.4f}).")
    return ("mean(d) ± t · s_d / √n on the differences d = a − b: pairing by seed removes what "
            "the two runs of a seed share.")
