"""Checkers for chapter 5 (Keras examples on real data)."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from rnnlab.exercises import (WrongAnswer, as_array, as_arrays, as_number, call_answer, checker,
                              diagnose)


@checker("add-feature-axis")
def check_add_feature_axis(add_feature_axis: Any) -> str:
    """``add_feature_axis(x)`` turns windows of shape (batch, time) into the (batch, time, 1)
    that a Keras recurrent layer expects, without changing any value."""
    rng = np.random.default_rng(5)
    for shape in ((4, 100), (1, 7), (3, 1)):
        x = rng.normal(size=shape)
        expected = x[:, :, None]
        value = call_answer(add_feature_axis, x)
        given = np.shape(value) if value is not None else None
        if given == (shape[0], 1, shape[1]) and shape[1] != 1:
            raise WrongAnswer(f"you returned shape {given}: the new axis went in the middle. Keras "
                              "reads (batch, time steps, features): the feature axis is the last.")
        if given == (1, *shape):
            raise WrongAnswer(f"you returned shape {given}: that adds a batch axis. The batch is "
                              "already there; add the feature axis at the end.")
        if given == shape:
            raise WrongAnswer(f"the shape is still {shape}: a recurrent layer needs a third axis "
                              "for the features of each step (here one value per step).")
        if given == shape[::-1] + (1,):
            raise WrongAnswer("batch and time are swapped: do not transpose, only add an axis.")
        result = as_array(value, expected.shape, "add_feature_axis(x)")
        dtype = getattr(value, "dtype", None)
        if (not np.array_equal(result, expected) and dtype is not None and dtype != x.dtype
                and np.allclose(result, expected, rtol=1e-2, atol=1e-2)):
            raise WrongAnswer(f"the shape is right, but the values came back as {dtype}, rounded "
                              f"from the {x.dtype} they were: add only the axis (x[..., None]), "
                              "without changing the type; Keras converts to float32 itself.")
        if not np.array_equal(result, expected):
            raise WrongAnswer("the shape is right but the values moved: add an axis with "
                              "x[..., None] or x.reshape(*x.shape, 1), without reordering.")
    return "(batch, time) → (batch, time, 1): one feature per time step."


HEAD_TASKS = {
    "forecast": (1, "linear", "mse"),
    "digits_onehot": (10, "softmax", "categorical_crossentropy"),
    "digits_integer": (10, "softmax", "sparse_categorical_crossentropy"),
    "gun_or_point": (1, "sigmoid", "binary_crossentropy"),
}
"""The chapter's (units, activation, loss) of the output layer for each task of the exercise."""

REGRESSION_LOSSES = ("mse", "mae", "huber", "log_cosh")
"""Keras' losses for a real value of any size and sign: squared, absolute, Huber's (squared
near zero, absolute beyond) and log-cosh (much the same)."""

HEAD_ALTERNATIVES = {
    "forecast": tuple((1, "linear", loss) for loss in REGRESSION_LOSSES[1:]),
    "gun_or_point": ((2, "softmax", "sparse_categorical_crossentropy"),),
}
"""Other right answers: each of :data:`REGRESSION_LOSSES` on a linear output, and, for two
classes labelled 0 and 1, one softmax unit per class with the integer-label loss."""

_RATIO_LOSSES = {"mape", "mean_absolute_percentage_error", "msle",
                 "mean_squared_logarithmic_error"}

_ALIASES = {None: "linear", "none": "linear", "identity": "linear",
            "mean_squared_error": "mse", "meansquarederror": "mse",
            "mean_absolute_error": "mae", "meanabsoluteerror": "mae",
            "categoricalcrossentropy": "categorical_crossentropy",
            "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
            "binarycrossentropy": "binary_crossentropy"}

_TWO_SOFTMAX = ("two softmax units with 'sparse_categorical_crossentropy' (the labels are the "
                "integers 0 and 1, not one-hot vectors)")


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().lower()
    return _ALIASES.get(value, value)


def _binary_head_mistake(units: int, activation: Any, loss: Any) -> str | None:
    """What is wrong with a two-class head that is none of the right ones, if it is a usual
    mistake."""
    if activation == "softmax" and units == 1:
        return ("a softmax over one unit always outputs 1.0, whatever the input: for two "
                f"classes use one sigmoid unit with 'binary_crossentropy', or {_TWO_SOFTMAX}.")
    if units == 2 and activation == "softmax" and loss == "categorical_crossentropy":
        return ("'categorical_crossentropy' expects one-hot labels such as (0, 1), but these "
                "labels are the integers 0 and 1: with two softmax units use "
                "'sparse_categorical_crossentropy'.")
    if units == 2 and activation == "softmax":
        return f"two softmax outputs give one probability per class: train them with {_TWO_SOFTMAX}."
    if units == 2:
        return ("the output layer needs 1 unit with a sigmoid (the probability of class 1), or "
                f"{_TWO_SOFTMAX}; two sigmoid units would be two separate yes/no answers.")
    return None


@checker("head-and-loss")
def check_head_and_loss(head_and_loss: Any) -> str:
    """``head_and_loss(task)`` returns ``(units, activation, loss)`` of the output layer for
    ``"forecast"``, ``"digits_onehot"``, ``"digits_integer"`` and ``"gun_or_point"``.

    Accepted: the chapter's heads (:data:`HEAD_TASKS`) and :data:`HEAD_ALTERNATIVES`: for the
    forecast, a linear unit with any of :data:`REGRESSION_LOSSES`."""
    for task, (units, activation, loss) in HEAD_TASKS.items():
        answer = call_answer(head_and_loss, task)
        if not isinstance(answer, (tuple, list)) or len(answer) != 3:
            raise WrongAnswer(f"head_and_loss({task!r}) should return a tuple "
                              f"(units, activation, loss), got {answer!r}.")
        given_units, given_activation, given_loss = answer
        given_activation, given_loss = _normal(given_activation), _normal(given_loss)
        if isinstance(given_units, (bool, np.bool_)) or not isinstance(given_units, (int, np.integer)):
            raise WrongAnswer(f"for {task!r}, units should be an integer, got {given_units!r}.")
        if (given_units, given_activation, given_loss) in (
                (units, activation, loss), *HEAD_ALTERNATIVES.get(task, ())):
            continue
        if task == "gun_or_point":
            mistake = _binary_head_mistake(given_units, given_activation, given_loss)
            if mistake:
                raise WrongAnswer(mistake)
        if given_units != units:
            raise WrongAnswer(f"for {task!r} the output layer needs {units} unit(s), one per "
                              f"{'value predicted' if units == 1 else 'class'}; you gave "
                              f"{given_units}.")
        if given_activation != activation:
            hints = {
                "forecast": "a forecast can be any real number: leave the output linear "
                            "(activation None); a sigmoid or tanh would cap it.",
                "digits_onehot": "ten mutually exclusive classes: softmax turns the ten outputs "
                                 "into probabilities that sum to 1.",
                "digits_integer": "the label format changes the loss, not the output layer: "
                                  "still softmax over ten units.",
                "gun_or_point": "one output for two classes: sigmoid gives the probability of "
                                "class 1.",
            }
            raise WrongAnswer(f"activation for {task!r}: {hints[task]}")
        if task == "forecast" and given_loss in _RATIO_LOSSES:
            raise WrongAnswer(f"{given_loss!r} measures relative errors: the percentage error "
                              "divides by the target, which can be 0, and the logarithmic one "
                              "needs values above -1. For a value of any size and sign use "
                              "'mse' (or 'mae', 'huber', 'log_cosh').")
        hints = {
            "forecast": "a real-valued target needs a regression loss: mean squared error, "
                        "'mse' (or 'mae', 'huber', 'log_cosh').",
            "digits_onehot": "labels are one-hot vectors: 'categorical_crossentropy'.",
            "digits_integer": "labels are integers 0-9, not one-hot vectors: "
                              "'sparse_categorical_crossentropy'.",
            "gun_or_point": "a probability of one class against 0/1 labels: "
                            "'binary_crossentropy'.",
        }
        raise WrongAnswer(f"loss for {task!r}: {hints[task]}")
    return ("linear + MSE for values, softmax + (sparse) categorical cross-entropy for classes, "
            "sigmoid + binary cross-entropy for yes/no (or two softmax units, one per class).")


def _ends_in_sigmoid(model: Any, dense: Any) -> bool:
    """Whether the Dense head's activation, followed by any ``Activation`` layers after it,
    computes the logistic sigmoid (however it was named: ``"sigmoid"``,
    ``keras.activations.sigmoid``, ``keras.ops.sigmoid``, ...), tried on a few values."""
    import keras

    after = model.layers[model.layers.index(dense) + 1:]
    functions = [dense.activation] + [layer.activation for layer in after
                                      if isinstance(layer, keras.layers.Activation)]
    a = np.array([[-3.0], [-0.5], [0.0], [2.0]], dtype="float32")
    value = keras.ops.convert_to_tensor(a)
    try:
        with warnings.catch_warnings():     # a softmax over one unit warns; the answer says why
            warnings.simplefilter("ignore")
            for function in functions:
                value = function(value)
        value = np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)
    except Exception:  # an activation that does not take a tensor: not the sigmoid
        return False
    return value.shape == a.shape and np.allclose(value, 1 / (1 + np.exp(-a)), atol=1e-5)


@checker("stacked-gru")
def check_stacked_gru(build_stacked_gru: Any) -> str:
    """``build_stacked_gru()`` returns the article's model 9 as the chapter trains it on GunPoint,
    a ``keras.Model``: input of 150 steps × 1 feature (or any number of steps, ``None``),
    ``GRU(100)`` returning sequences, ``GRU(100)``, ``Dense(1)`` sigmoid. ``RNN(GRUCell(100))``
    counts as ``GRU(100)``, and the sigmoid may be a separate ``Activation`` layer."""
    import keras

    model = call_answer(build_stacked_gru, hints={
        "ndim": "Keras could not connect the layers: the second GRU received one vector per "
                "sequence instead of a sequence. Give the first GRU return_sequences=True."})
    if not isinstance(model, keras.Model):
        raise WrongAnswer(f"return the keras.Model you built, got {type(model).__name__}.")
    shape = tuple(model.input_shape)
    if shape == (None, 100, 1):
        raise WrongAnswer("the input reads 100 steps, the length the article wrote its models for; "
                          "a GunPoint series has 150 positions: keras.Input(shape=(150, 1)).")
    if shape not in ((None, 150, 1), (None, None, 1)):
        raise WrongAnswer(f"the input shape is {shape}, expected (None, 150, 1): "
                          "keras.Input(shape=(150, 1)), 150 time steps of 1 feature.")
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)
                 or type(layer).__name__ in ("GRU", "LSTM", "SimpleRNN")]
    # keras.layers.GRU(100) and keras.layers.RNN(keras.layers.GRUCell(100)) are the same layer
    kinds = [type(getattr(layer, "cell", layer)).__name__.removesuffix("Cell") for layer in recurrent]
    if kinds != ["GRU", "GRU"]:
        raise WrongAnswer(f"the recurrent layers are {kinds or 'none'}; model 9 stacks two GRU "
                          "layers.")
    units = [getattr(getattr(layer, "cell", layer), "units", None) for layer in recurrent]
    if units != [100, 100]:
        raise WrongAnswer(f"the GRU layers have {units} units; both should have 100.")
    if not recurrent[0].return_sequences or recurrent[1].return_sequences:
        raise WrongAnswer("only the first GRU returns its whole sequence (return_sequences=True); "
                          "the second returns its last state for the Dense head.")
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) != 1 or dense[0].units != 1:
        raise WrongAnswer("the head is one Dense layer with 1 unit.")
    if not _ends_in_sigmoid(model, dense[0]):
        raise WrongAnswer("the output should go through a sigmoid, a probability for a binary "
                          "label: Dense(1, activation='sigmoid'), or Dense(1) followed by "
                          "Activation('sigmoid').")
    expected = 3 * 100 * (1 + 100 + 2) + 3 * 100 * (100 + 100 + 2) + 101
    if model.count_params() != expected:
        raise WrongAnswer(f"the model has {model.count_params():,} parameters, expected "
                          f"{expected:,}; check for extra layers or reset_after=False.")
    return (f"{expected:,} parameters: GRU(100) on 1 feature {3 * 100 * 103:,}, GRU(100) on 100 "
            f"features {3 * 100 * 202:,}, Dense 101.")


def _ar_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of 12 values of a noisy autoregression around 40, and the value after each."""
    from rnnlab.data import windows

    rng = np.random.default_rng(seed)
    series = np.full(400, 40.0)
    for t in range(2, len(series)):
        series[t] = 8.0 + 0.7 * series[t - 1] + 0.1 * series[t - 2] + rng.normal(scale=3.0)
    x, y = windows(series, 12)
    return x.astype(np.float64), y.astype(np.float64)


@checker("ar-least-squares")
def check_ar_least_squares(fit_ar: Any) -> str:
    """``fit_ar(x, y, p)`` fits ŷ = b + a_1 x_T + ... + a_p x_{T+1-p} by least squares on windows
    ``x`` (n, T, 1) and targets ``y`` (n,), and returns ``(a, b)``: ``a`` of shape (p,), a_1
    multiplying the last value of each window."""
    from rnnlab.baselines import fit_autoregression

    for seed, order in ((0, 3), (1, 5)):
        x, y = _ar_data(seed)
        right = fit_autoregression(x, y, order)
        answer = call_answer(fit_ar, x.copy(), y.copy(), order)
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            raise WrongAnswer(f"fit_ar should return a pair (a, b): the {order} weights and the "
                              f"bias; got {type(answer).__name__}"
                              + (f" of length {len(answer)}" if isinstance(answer, (tuple, list))
                                 else "") + ".")
        weights = as_array(answer[0], (order,), "fit_ar's weights a")
        bias = as_number(answer[1], "fit_ar's bias b")
        last = x[:, ::-1, 0][:, :order]
        no_bias = np.linalg.lstsq(last, y, rcond=None)[0]
        first = np.linalg.lstsq(np.hstack([x[:, :order, 0], np.ones((len(x), 1))]), y,
                                rcond=None)[0][:-1]
        first_message = ("you fitted on the first p values of each window; the forecast reads "
                         "the last p, the ones just before the target.")
        tolerance = 1e-6 * (1.0 + np.abs(right.weights).max())
        diagnose(weights, right.weights, {
            "the weights are in time order: a_1 should multiply the last value x_T, so reverse "
            "the columns (x[:, ::-1, 0][:, :p]) or the weights.": right.weights[::-1],
            "there is no bias: add a column of ones to the design matrix so that b is fitted "
            "with the weights (the series does not average to zero).": no_bias,
            first_message: first,
            first_message + " ": first[::-1],
        }, atol=tolerance)
        if not np.isclose(bias, right.bias, rtol=1e-6, atol=1e-6):
            raise WrongAnswer(f"the weights are right but the bias is {bias:.4g}, expected "
                              f"{right.bias:.4g}: return b, the coefficient of the column of ones.")
    return ("one least-squares solve gives the autoregression: np.linalg.lstsq on the last p "
            "values and a column of ones.")



def _three_periods() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A series that rises and swings wider over time, cut in time into 200, 50 and 50 values:
    each period's mean and standard deviation differ clearly from the others'."""
    rng = np.random.default_rng(11)
    t = np.arange(300.0)
    series = 40.0 + 0.3 * t + (5.0 + 0.1 * t) * np.sin(2 * np.pi * t / 11) + rng.normal(scale=3.0,
                                                                                        size=300)
    return series[:200], series[200:250], series[250:]


@checker("scale-without-leaking")
def check_scale_without_leaking(standardise: Any) -> str:
    """``standardise(train, validation, test)`` returns the three periods of a series scaled with
    the mean and standard deviation of the training period only: (part - mean) / std."""
    parts = _three_periods()
    train, validation, test = parts
    answer = call_answer(standardise, *(part.copy() for part in parts))
    if isinstance(answer, np.ndarray) and answer.shape == (sum(len(p) for p in parts),):
        raise WrongAnswer("you returned one array: return the three periods as a tuple "
                          "(train, validation, test), each scaled.")
    given = as_arrays(answer, [p.shape for p in parts], ["train", "validation", "test"])

    def scale(mean: float, std: float) -> list[np.ndarray]:
        return [(part - mean) / std for part in parts]

    def same(candidate: list[np.ndarray]) -> bool:
        return all(np.allclose(g, c, rtol=0, atol=1e-6) for g, c in zip(given, candidate))

    for ddof in (0, 1):                 # np.std's default, or the sample standard deviation
        if same(scale(train.mean(), train.std(ddof=ddof))):
            return ("the training period's mean and standard deviation, applied to all three: "
                    "nothing from the validation or test period reaches training.")
    whole = np.concatenate(parts)
    before_test = np.concatenate([train, validation])
    leak = ("Only the training period may set the scaling; a forecaster at the end of training "
            "has not seen the later months.")
    mistakes = {
        "you used the mean and standard deviation of the whole series: they carry the validation "
        "and test periods into training. " + leak: scale(whole.mean(), whole.std()),
        "each period was scaled with its own mean and standard deviation (a scaler fitted again "
        "on each part): the validation and test values then leak their own statistics, and a "
        "value means something different in each part. Compute the mean and std once, on "
        "train.": [(p - p.mean()) / p.std() for p in parts],
        "you used the training and validation periods together: validation is for choosing, "
        "so it must not shape the training data either. " + leak:
            scale(before_test.mean(), before_test.std()),
        "you used the validation period's statistics. " + leak:
            scale(validation.mean(), validation.std()),
        "you used the test period's statistics. " + leak: scale(test.mean(), test.std()),
        "you subtracted the training mean but did not divide by the standard deviation.":
            [p - train.mean() for p in parts],
        "you divided by the variance; divide by the standard deviation, its square root.":
            [(p - train.mean()) / train.var() for p in parts],
        "you divided by the standard deviation but did not subtract the mean first.":
            [p / train.std() for p in parts],
        "that is min-max scaling to [0, 1]; this exercise asks for (x - mean) / std with the "
        "training period's mean and standard deviation.":
            [(p - train.min()) / (train.max() - train.min()) for p in parts],
        "only the training period was scaled: scale the validation and test periods too, with "
        "the same training mean and std, or the model reads them in other units.":
            [(train - train.mean()) / train.std(), validation, test],
    }
    for hint, candidate in mistakes.items():
        if same(candidate):
            raise WrongAnswer(hint)
    right = scale(train.mean(), train.std())
    if np.allclose(given[0], right[0], rtol=0, atol=1e-6):
        raise WrongAnswer("the training period is right, but the validation or test period is "
                          "not: scale them with the training mean and std, (part - mean) / std.")
    raise WrongAnswer("the values are off: compute mean = train.mean() and std = train.std(), "
                      "then return ((train - mean) / std, (validation - mean) / std, "
                      "(test - mean) / std).")
