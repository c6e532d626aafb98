"""The implement-it exercises' shared machinery: random cases, the reference, the usual mistakes.

A learner's step function is called on random inputs of several shapes, in float64 and float32,
and compared with rnnlab's reference (itself tested against Keras and finite differences); the
forward steps are also compared with the Keras layer once. A result that matches one of the
usual mistakes gets that mistake's explanation, prefixed by the case that showed it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlab.exercises import WrongAnswer, as_arrays, call_answer, diagnose

SHAPES = ((3, 4, 5), (1, 2, 3), (6, 1, 7))
"""(batch, features, units) of the cases every step exercise runs."""
TOLERANCE = {np.float64: 1e-7, np.float32: 1e-4}
"""Absolute tolerance of the comparison, by the dtype of the inputs."""


@dataclass
class Case:
    """One random test case: the sizes, the dtype, and a generator for the arrays."""

    batch: int
    features: int
    units: int
    dtype: type
    rng: np.random.Generator

    def normal(self, *shape: int, scale: float = 1.0) -> np.ndarray:
        return (scale * self.rng.normal(size=shape)).astype(self.dtype)

    def uniform(self, *shape: int, low: float = -1.0, high: float = 1.0) -> np.ndarray:
        return self.rng.uniform(low, high, size=shape).astype(self.dtype)

    def __str__(self) -> str:
        return (f"with batch {self.batch}, {self.features} feature(s), {self.units} units "
                f"({np.dtype(self.dtype).name})")


def cases(seed: int) -> Iterator[Case]:
    """The cases: every shape of :data:`SHAPES`, first in float64, then in float32."""
    rng = np.random.default_rng(seed)
    for dtype in (np.float64, np.float32):
        for batch, features, units in SHAPES:
            yield Case(batch, features, units, dtype, rng)


def check_each_case(answer: Any, seed: int, make: Callable[[Case], tuple[tuple, dict]],
                    names: list[str]) -> None:
    """Call ``answer`` on every case and compare its outputs with the reference and mistakes.

    Args:
        answer: the learner's function.
        seed: seeds the random cases.
        make: ``make(case) -> (args, expected)`` where ``expected`` maps ``"right"`` to the
            tuple of reference outputs and each mistake's explanation to the outputs that
            mistake would give.
        names: the names of the outputs, for the messages.
    """
    for case in cases(seed):
        args, expected = make(case)
        right = expected.pop("right")
        shapes = [np.shape(r) for r in right]
        value = call_answer(answer, *args)
        if len(names) == 1:
            value = (value,)
        result = np.concatenate([a.ravel() for a in as_arrays(value, shapes, names)])
        flat = {hint: np.concatenate([np.asarray(w, float).ravel() for w in wrong])
                for hint, wrong in expected.items()}
        try:
            diagnose(result, np.concatenate([np.asarray(r, float).ravel() for r in right]), flat,
                     atol=TOLERANCE[case.dtype])
        except WrongAnswer as wrong:
            raise WrongAnswer(f"{case}: {wrong}") from None


def check_against_keras(answer: Any, cell: str, seed: int, outputs: int = 1,
                        **options: Any) -> bool:
    """Run a forward-step answer on one float32 case next to the Keras layer itself.

    The Keras layer (built by :func:`rnnlab.to_keras` from random weights) reads a sequence of
    one step from the initial state; the learner's step must give the same new state.

    Args:
        answer: the learner's step.
        cell: the registered cell.
        seed: seeds the case.
        outputs: how many arrays the step returns (the new state h_t comes first).
        **options: the cell's options (e.g. ``reset_after``).

    Returns:
        True when the comparison ran, False when Keras is not installed.
    """
    try:
        import keras  # noqa: F401
    except ImportError:  # without Keras the comparison with rnnlab's reference has to do
        return False
    from rnnlab.cells import random_rnn, to_keras

    rng = np.random.default_rng(seed)
    batch, features, units = SHAPES[0]
    rnn = random_rnn(cell, features, units, scale=1.0, seed=seed, dtype="float32", **options)
    layer = to_keras(rnn)
    x_t = rng.normal(size=(batch, features)).astype(np.float32)
    states = [rng.uniform(-1, 1, size=(batch, units)).astype(np.float32)
              for _ in rnn.spec.states]
    keras_h = np.asarray(layer(x_t[:, None], initial_state=states if len(states) > 1 else states[0]))
    value = call_answer(answer, x_t, *states, rnn.W, rnn.U, rnn.b)
    if outputs == 1:
        value = (value,)
    h_t = as_arrays(value, [(batch, units)] * outputs, ["h_t"] * outputs)[0]
    if not np.allclose(h_t, keras_h, atol=1e-4):
        raise WrongAnswer("your step agrees with the equations on some inputs but not with "
                          f"keras.layers.{rnn.spec.keras_class} (largest difference "
                          f"{np.max(np.abs(h_t - keras_h)):.3g}): check the gate order and the "
                          "bias rows against Keras' layout.")
    return True


def blocks(array: np.ndarray, order: Mapping[int, int] | list[int]) -> np.ndarray:
    """``array`` with its blocks of units columns (last axis) put in the given order."""
    parts = np.split(array, len(order), axis=-1)
    return np.concatenate([parts[k] for k in order], axis=-1)
