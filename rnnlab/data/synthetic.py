"""Synthetic tasks: controlled experiments where the lesson needs a known answer.

They are synthetic by design and named as such wherever they are used.
"""
from __future__ import annotations

from dataclasses import dataclass

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


ADDITION_SYMBOLS = (" ", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "^", "$")
"""The symbols of the addition task by id: padding (id 0), the digits, plus, start and end."""
START, END = "^", "$"


@dataclass(frozen=True)
class AdditionData:
    """Sums written as strings, for an encoder–decoder (:func:`addition_strings`).

    Attributes:
        source: encoder input ids, (samples, 2 D + 1): ``"a+b"``, left-padded with spaces.
        decoder_input: decoder input ids, (samples, D + 2): the start symbol, then the target
            shifted right by one (teacher forcing: the true previous symbol is the next input).
        target: target ids, (samples, D + 2): the digits of a + b, the end symbol, then padding.
        a, b: the two numbers, (samples,).
        reversed: whether the characters of ``"a+b"`` were written in reverse order.
    """

    source: np.ndarray
    decoder_input: np.ndarray
    target: np.ndarray
    a: np.ndarray
    b: np.ndarray
    reversed: bool

    @property
    def input_length(self) -> np.ndarray:
        """Characters in ``"a+b"`` without padding, per example."""
        return np.array([len(f"{a}+{b}") for a, b in zip(self.a, self.b)])

    def __len__(self) -> int:
        return len(self.a)


def addition_strings(samples: int, max_digits: int, seed: int = 0, *,
                     reverse: bool = False) -> AdditionData:
    """The addition task of Zaremba & Sutskever (2014) and keras.io: read ``"a+b"``, write the
    digits of the sum (synthetic).

    Each number has a number of digits drawn uniformly from 1 to ``max_digits`` and then a value
    drawn uniformly among the numbers with that many digits (so one-digit numbers are as common
    as three-digit ones; the length of ``"a+b"``, a sum of two such counts, is not uniform). With ``reverse`` the characters of ``"a+b"`` are fed in reverse order (the input
    reversal of Sutskever, Vinyals & Le 2014), still left-padded, so the two orders differ in
    nothing else. Symbols: ``ADDITION_SYMBOLS``.

    Args:
        samples: number of examples.
        max_digits: D, the most digits of each number (1 to 9).
        seed: seed of the generator (independent of the global seed).
        reverse: feed the source characters in reverse order.

    Returns:
        An :class:`AdditionData`.
    """
    integer("samples", samples)
    max_digits = integer("max_digits", max_digits)
    if max_digits > 9:
        raise ValueError(f"max_digits must be at most 9, got {max_digits}")
    rng = np.random.default_rng(seed)

    def numbers() -> np.ndarray:
        digits = rng.integers(1, max_digits + 1, size=samples)
        low = np.where(digits == 1, 0, 10 ** (digits - 1))
        return rng.integers(low, 10 ** digits)

    a, b = numbers(), numbers()
    index = {symbol: i for i, symbol in enumerate(ADDITION_SYMBOLS)}
    width_in, width_out = 2 * max_digits + 1, max_digits + 2

    def ids(texts: list[str], width: int, left: bool) -> np.ndarray:
        padded = [t.rjust(width) if left else t.ljust(width) for t in texts]
        return np.array([[index[ch] for ch in t] for t in padded], dtype=np.int32)

    sources = [f"{x}+{y}" for x, y in zip(a, b)]
    if reverse:
        sources = [s[::-1] for s in sources]
    targets = [f"{x + y}{END}" for x, y in zip(a, b)]
    target = ids(targets, width_out, left=False)
    decoder_input = np.concatenate([np.full((samples, 1), index[START], np.int32),
                                    target[:, :-1]], axis=1)
    return AdditionData(source=ids(sources, width_in, left=True), decoder_input=decoder_input,
                        target=target, a=a, b=b, reversed=bool(reverse))


REVERSAL_SYMBOLS = (" ", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "^", "$")
"""The symbols of the reversal task by id: padding (id 0), the ten digits, start and end."""


@dataclass(frozen=True)
class ReversalData:
    """Digit strings and their reversals, for an encoder–decoder (:func:`reversal_strings`).

    Attributes:
        source: encoder input ids, (samples, L_max): the digits, left-padded with id 0.
        decoder_input: decoder input ids, (samples, L_max + 1): the start symbol, then the target
            shifted right by one (teacher forcing).
        target: target ids, (samples, L_max + 1): the digits in reverse order, the end symbol,
            then padding.
        length: the number of digits of each example, (samples,).
    """

    source: np.ndarray
    decoder_input: np.ndarray
    target: np.ndarray
    length: np.ndarray

    def __len__(self) -> int:
        return len(self.length)


def reversal_strings(samples: int, max_length: int, seed: int = 0, *,
                     min_length: int = 1) -> ReversalData:
    """Read a string of random digits, write it backwards (synthetic): ``"123"`` → ``"321$"``.

    The number of digits is drawn uniformly from ``min_length`` to ``max_length``, and each digit
    uniformly from 0 to 9, so an answer of L digits has 10^L equally likely values and cannot be
    guessed: every digit must be carried from the source to the output. The source is
    left-padded (its last digit is the encoder's last input) and the target right-padded after
    the end symbol. Symbols: ``REVERSAL_SYMBOLS``.

    Args:
        samples: number of examples.
        max_length: L_max, the most digits.
        seed: seed of the generator (independent of the global seed).
        min_length: the fewest digits.

    Returns:
        A :class:`ReversalData`.
    """
    integer("samples", samples)
    max_length = integer("max_length", max_length)
    min_length = integer("min_length", min_length)
    if min_length > max_length:
        raise ValueError(f"min_length must be at most max_length, got {min_length} > {max_length}")
    rng = np.random.default_rng(seed)
    length = rng.integers(min_length, max_length + 1, size=samples)
    digits = rng.integers(1, 11, size=(samples, max_length))          # ids of "0" .. "9"
    real = np.arange(max_length)[None, :] >= max_length - length[:, None]
    source = np.where(real, digits, 0).astype(np.int32)
    start, end = REVERSAL_SYMBOLS.index("^"), REVERSAL_SYMBOLS.index("$")
    target = np.zeros((samples, max_length + 1), np.int32)
    for row, (ids, n) in enumerate(zip(source, length)):
        target[row, :n] = ids[::-1][:n]
        target[row, n] = end
    decoder_input = np.concatenate([np.full((samples, 1), start, np.int32), target[:, :-1]],
                                   axis=1)
    return ReversalData(source=source, decoder_input=decoder_input, target=target,
                        length=length.astype(np.int32))
