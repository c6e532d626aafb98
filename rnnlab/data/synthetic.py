"""Synthetic tasks: controlled experiments where the lesson needs a known answer.

They are synthetic by design and named as such wherever they are used.
"""
from __future__ import annotations

import numpy as np

from rnnlab.checks import integer


def _check_task_sizes(samples: int, timesteps: int, min_timesteps: int) -> None:
    for name, value, low in (("samples", samples, 1), ("timesteps", timesteps, min_timesteps)):
        integer(name, value, minimum=low, state_minimum=True)


def adding_problem(samples: int, timesteps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem in the variant of Le, Jaitly & Hinton (2015) (synthetic).

    Each sequence has two channels: channel 0 holds values drawn uniformly from [0, 1]; channel 1
    is 0 except for two markers set to 1, one in the first half of the sequence and one in the
    second. The target is the plain sum of the two marked values, in [0, 2]. (Hochreiter &
    Schmidhuber's original, 1997, experiment 4: values in [-1, 1], the first marker among the
    first ten steps and the second among the first T/2 - 1, lengths between T and T + T/10,
    target 0.5 + (X1 + X2)/4 in [0, 1]; both markers lie at least about T/2 steps before the end,
    where here the second lies on average T/4 before it.) Predicting the constant 1 gives a
    mean squared error of 1/6, so a network must beat that to show it remembers anything; the
    first marker sits on average 3T/4 steps before the end.

    Args:
        samples: number of sequences.
        timesteps: sequence length T (at least 2).
        seed: seed of the generator (independent of the global seed).

    Returns:
        ``x`` of shape (samples, T, 2) and ``y`` of shape (samples, 1), both float32.
    """
    _check_task_sizes(samples, timesteps, 2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(samples, timesteps))
    half = timesteps // 2
    first = rng.integers(0, half, size=samples)
    second = rng.integers(half, timesteps, size=samples)
    markers = np.zeros((samples, timesteps))
    rows = np.arange(samples)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)
    return x, y


def marker_task(samples: int, timesteps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Remember a sign seen at the first step through ``timesteps - 1`` steps of noise (synthetic).

    Channel 0 carries the label's sign (+1 or -1) at step 1 and Gaussian noise (std 0.5, half
    the signal's amplitude) afterwards; channel 1 is a flag that is 1 at step 1 only, so the
    network can tell the signal from the noise. The label is 1 for a plus, 0 for a minus, half
    and half. Only a network that carries one bit over the whole sequence scores above 50%.

    Args:
        samples: number of sequences.
        timesteps: sequence length T (at least 1).
        seed: seed of the generator (independent of the global seed).

    Returns:
        ``x`` of shape (samples, T, 2) float32 and ``y`` of shape (samples,) int32 in {0, 1}.
    """
    _check_task_sizes(samples, timesteps, 1)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(samples) % 2).astype(np.int32)
    x = np.zeros((samples, timesteps, 2), dtype=np.float32)
    x[:, 1:, 0] = rng.normal(0.0, 0.5, size=(samples, timesteps - 1))
    x[:, 0, 0] = 2.0 * y - 1.0
    x[:, 0, 1] = 1.0
    return x, y


def parity_problem(samples: int, timesteps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Running parity: after each bit, say whether the number of ones so far is odd (synthetic).

    The input is a sequence of random bits, one per step; the target at step t is
    (x_1 + … + x_t) mod 2, for every t, so a model reads a per-step target (``return_sequences``)
    and the loss teaches every prefix length from 1 to T at once. A two-state automaton solves it
    exactly (flip the state on a one), and a network must *act on its state*: whether a one turns
    the answer to "odd" depends on what the state already holds. It is the standard test of
    state tracking for linear recurrences (Grazzi et al. 2025).

    Args:
        samples: number of sequences.
        timesteps: sequence length T (at least 1).
        seed: seed of the generator (independent of the global seed).

    Returns:
        ``x`` of shape (samples, T, 1) and ``y`` of shape (samples, T, 1), float32 in {0, 1}.
    """
    _check_task_sizes(samples, timesteps, 1)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=(samples, timesteps, 1))
    return x.astype(np.float32), (np.cumsum(x, axis=1) % 2).astype(np.float32)
