"""Checkers for chapter 5 (Keras examples on real data)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.exercises import WrongAnswer, as_array, call_answer, checker


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
"""The right (units, activation, loss) of the output layer for each task of the exercise."""

_ALIASES = {None: "linear", "none": "linear", "identity": "linear",
            "mean_squared_error": "mse", "meansquarederror": "mse",
            "categoricalcrossentropy": "categorical_crossentropy",
            "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
            "binarycrossentropy": "binary_crossentropy"}


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().lower()
    return _ALIASES.get(value, value)


@checker("head-and-loss")
def check_head_and_loss(head_and_loss: Any) -> str:
    """``head_and_loss(task)`` returns ``(units, activation, loss)`` of the output layer for
    ``"forecast"``, ``"digits_onehot"``, ``"digits_integer"`` and ``"gun_or_point"``."""
    for task, (units, activation, loss) in HEAD_TASKS.items():
        answer = call_answer(head_and_loss, task)
        if not isinstance(answer, (tuple, list)) or len(answer) != 3:
            raise WrongAnswer(f"head_and_loss({task!r}) should return a tuple "
                              f"(units, activation, loss), got {answer!r}.")
        given_units, given_activation, given_loss = answer
        given_activation, given_loss = _normal(given_activation), _normal(given_loss)
        if isinstance(given_units, (bool, np.bool_)) or not isinstance(given_units, (int, np.integer)):
            raise WrongAnswer(f"for {task!r}, units should be an integer, got {given_units!r}.")
        if task == "gun_or_point" and given_activation == "softmax" and given_units == 1:
            raise WrongAnswer("a softmax over one unit always outputs 1.0, whatever the input: "
                              "for two classes use one sigmoid unit (or two softmax units with "
                              "a categorical loss).")
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
        if given_loss != loss:
            hints = {
                "forecast": "a real-valued target: mean squared error, 'mse'.",
                "digits_onehot": "labels are one-hot vectors: 'categorical_crossentropy'.",
                "digits_integer": "labels are integers 0-9, not one-hot vectors: "
                                  "'sparse_categorical_crossentropy'.",
                "gun_or_point": "a probability of one class against 0/1 labels: "
                                "'binary_crossentropy'.",
            }
            raise WrongAnswer(f"loss for {task!r}: {hints[task]}")
    return ("linear + MSE for values, softmax + (sparse) categorical cross-entropy for classes, "
            "sigmoid + binary cross-entropy for yes/no.")


@checker("stacked-gru")
def check_stacked_gru(build_stacked_gru: Any) -> str:
    """``build_stacked_gru()`` returns the article's model 9 as a ``keras.Model``: input of 100
    steps × 1 feature, ``GRU(100)`` returning sequences, ``GRU(100)``, ``Dense(1)`` sigmoid."""
    import keras

    model = call_answer(build_stacked_gru, hints={
        "ndim": "Keras could not connect the layers: the second GRU received one vector per "
                "sequence instead of a sequence. Give the first GRU return_sequences=True."})
    if not isinstance(model, keras.Model):
        raise WrongAnswer(f"return the keras.Model you built, got {type(model).__name__}.")
    if tuple(model.input_shape) != (None, 100, 1):
        raise WrongAnswer(f"the input shape is {tuple(model.input_shape)}, expected (None, 100, 1): "
                          "keras.Input(shape=(100, 1)), 100 time steps of 1 feature.")
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)
                 or type(layer).__name__ in ("GRU", "LSTM", "SimpleRNN")]
    kinds = [type(layer).__name__ for layer in recurrent]
    if kinds != ["GRU", "GRU"]:
        raise WrongAnswer(f"the recurrent layers are {kinds or 'none'}; model 9 stacks two GRU "
                          "layers.")
    if [layer.units for layer in recurrent] != [100, 100]:
        raise WrongAnswer(f"the GRU layers have {[layer.units for layer in recurrent]} units; "
                          "both should have 100.")
    if not recurrent[0].return_sequences or recurrent[1].return_sequences:
        raise WrongAnswer("only the first GRU returns its whole sequence (return_sequences=True); "
                          "the second returns its last state for the Dense head.")
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) != 1 or dense[0].units != 1:
        raise WrongAnswer("the head is one Dense layer with 1 unit.")
    if dense[0].activation is not keras.activations.sigmoid:
        raise WrongAnswer("the head's activation should be 'sigmoid': a probability for a binary "
                          "label.")
    expected = 3 * 100 * (1 + 100 + 2) + 3 * 100 * (100 + 100 + 2) + 101
    if model.count_params() != expected:
        raise WrongAnswer(f"the model has {model.count_params():,} parameters, expected "
                          f"{expected:,}; check for extra layers or reset_after=False.")
    return (f"{expected:,} parameters: GRU(100) on 1 feature {3 * 100 * 103:,}, GRU(100) on 100 "
            f"features {3 * 100 * 202:,}, Dense 101.")
