"""Decoding (chapter 9): turning a model's next-symbol distributions into output sequences.

Everything here works on a **step function**, the one thing a decoder needs from a model::

    log_probs, state = step(tokens, state)

``tokens`` are the previous symbols of a batch of sequences, (B,) ids; ``state`` is a list of
arrays whose first axis is the batch (recurrent states, an encoder's memory, ...); ``log_probs``
are the natural-log probabilities of the next symbol, (B, V). Rows of the state are reordered
by indexing, so beam search can copy and drop hypotheses. Two models provide it:
:meth:`rnnlab.attention.Seq2SeqTwin.step` (encoder–decoders, its :meth:`~rnnlab.attention.Seq2SeqTwin.start`
gives the state) and :func:`lm_step` (chapter 7's character models, :func:`prompt_state` gives
the state after a prompt).

- :func:`greedy`: the most likely symbol at every step.
- :func:`beam_search`: keep the ``width`` best partial sequences (:func:`beam_step`: the best
  ``width`` of the width · V extensions), rank finished ones by the length-normalised score
  log p / len(y)^α (:func:`length_normalised`).
- :func:`sample`: draw each symbol from the distribution, reshaped by a temperature τ and cut by
  top-k (:func:`top_k_filter`) or nucleus / top-p (:func:`top_p_filter`, Holtzman et al. 2020).
- :func:`sequence_log_prob`: the model's log-probability of given sequences (teacher forcing).
- :func:`distinct_ngrams`, :func:`repeated_share`: how varied and how repetitive texts are.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlab.checks import integer

Step = Callable[[np.ndarray, list[np.ndarray]], tuple[np.ndarray, list[np.ndarray]]]
"""``step(tokens (B,), state) -> (log_probs (B, V), state)``."""


def _take(state: Sequence[np.ndarray], rows: np.ndarray) -> list[np.ndarray]:
    return [np.asarray(s)[rows] for s in state]


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _call(step: Step, tokens: np.ndarray, state: list[np.ndarray]
          ) -> tuple[np.ndarray, list[np.ndarray]]:
    log_probs, new_state = step(tokens, state)
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 2 or len(log_probs) != len(tokens):
        raise ValueError(f"the step function must return log-probabilities of shape (batch, V) "
                         f"= ({len(tokens)}, V), got {log_probs.shape}")
    return log_probs, list(new_state)


# --- greedy decoding and scoring ------------------------------------------------------------

@dataclass
class Decoded:
    """Sequences decoded for a batch.

    Attributes:
        tokens: (B, steps) ids; after an end symbol, whatever the decoder went on to produce.
        log_prob: (B,) the model's log-probability of each sequence, up to and including its
            first end symbol (all ``steps`` symbols when it has none).
        length: (B,) symbols up to and including the first end symbol.
    """

    tokens: np.ndarray
    log_prob: np.ndarray
    length: np.ndarray


def _ended(tokens: np.ndarray, end: int | None) -> np.ndarray:
    """(B, T) booleans: True for the symbols after the first end symbol."""
    if end is None:
        return np.zeros(tokens.shape, bool)
    is_end = tokens == end
    return (np.cumsum(is_end, axis=1) - is_end) > 0


def greedy(step: Step, state: Sequence[np.ndarray], start: int, steps: int,
           end: int | None = None) -> Decoded:
    """Greedy decoding: y_t = argmax_s p(s | y_<t, x), each fed back as the next input.

    Args:
        step: the model's step function.
        state: the initial state, batch B.
        start: the first input symbol (start symbol, or a prompt's last character).
        steps: how many symbols to produce.
        end: the end symbol, if sequences have one (it stops the log-probability's sum).

    Returns:
        A :class:`Decoded`.
    """
    steps = integer("steps", steps)
    state = list(state)
    batch = len(state[0])
    tokens = np.full(batch, start)
    out = np.zeros((batch, steps), np.int64)
    scores = np.zeros((batch, steps))
    for t in range(steps):
        log_probs, state = _call(step, tokens, state)
        tokens = log_probs.argmax(axis=-1)
        out[:, t], scores[:, t] = tokens, log_probs[np.arange(batch), tokens]
    after = _ended(out, end)
    return Decoded(out, np.where(after, 0.0, scores).sum(axis=1), (~after).sum(axis=1))


def sequence_log_prob(step: Step, state: Sequence[np.ndarray], start: int,
                      tokens: np.ndarray, end: int | None = None) -> np.ndarray:
    """The model's log-probability of given sequences, log p(y | x) = Σ_t log p(y_t | y_<t, x),
    with the true previous symbols fed in (teacher forcing).

    Args:
        step, state, start: as for :func:`greedy`.
        tokens: (B, T) the sequences.
        end: the end symbol: symbols after the first one are not counted.

    Returns:
        (B,) log-probabilities (natural log).
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 2 or len(tokens) != len(state[0]):
        raise ValueError(f"tokens must be (batch, T) with the state's batch {len(state[0])}, "
                         f"got {tokens.shape}")
    state = list(state)
    previous = np.full(len(tokens), start)
    total = np.zeros((len(tokens), tokens.shape[1]))
    for t in range(tokens.shape[1]):
        log_probs, state = _call(step, previous, state)
        total[:, t] = log_probs[np.arange(len(tokens)), tokens[:, t]]
        previous = tokens[:, t]
    return np.where(_ended(tokens, end), 0.0, total).sum(axis=1)


# --- beam search ---------------------------------------------------------------------------

def length_normalised(log_prob: Any, length: Any, alpha: float) -> np.ndarray:
    """The score beam search ranks finished sequences by: log p(y | x) / len(y)^α.

    α = 0 ranks by probability alone, which favours short sequences (every symbol multiplies in
    a probability below 1); α = 1 ranks by the mean log-probability per symbol. (Wu et al. 2016
    divide by ((5 + len(y)) / 6)^α instead; the idea is the same.)

    Args:
        log_prob: log p(y | x), any shape.
        length: len(y), symbols including the end symbol, positive, broadcastable to ``log_prob``.
        alpha: α >= 0.

    Returns:
        The scores, as an array.
    """
    length = np.asarray(length, dtype=float)
    if np.any(length <= 0):
        raise ValueError("lengths must be positive")
    if not math.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    return np.asarray(log_prob, dtype=float) / length ** alpha


def beam_step(scores: np.ndarray, log_probs: np.ndarray, width: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of beam search: the best ``width`` of the k · V one-symbol extensions of k
    partial sequences.

    Extension (i, s) scores scores_i + log p(s | hypothesis i); all k · V are ranked together
    (not the best few of each hypothesis), so one strong hypothesis may keep several children and
    a weak one none.

    Args:
        scores: (k,) log-probabilities of the k partial sequences.
        log_probs: (k, V) log-probabilities of the next symbol after each.
        width: how many extensions to keep (at most k · V are kept).

    Returns:
        ``(parents, tokens, new_scores)``, each (min(width, k V),), best first: the hypothesis
        each extension extends, its new symbol, its log-probability.
    """
    scores = np.asarray(scores, dtype=float)
    log_probs = np.asarray(log_probs, dtype=float)
    if scores.ndim != 1 or log_probs.ndim != 2 or len(scores) != len(log_probs):
        raise ValueError(f"scores must be (k,) and log_probs (k, V), got {scores.shape} and "
                         f"{log_probs.shape}")
    width = integer("width", width)
    total = (scores[:, None] + log_probs).ravel()
    keep = min(width, total.size)
    best = np.argsort(-total, kind="stable")[:keep]
    vocab = log_probs.shape[1]
    return best // vocab, best % vocab, total[best]


@dataclass
class Hypothesis:
    """A sequence found by :func:`beam_search`.

    Attributes:
        tokens: the symbols, the end symbol included when ``finished``.
        log_prob: log p(tokens | x).
        finished: whether it ended with the end symbol (else it reached ``max_steps``).
        score: :func:`length_normalised` ``(log_prob, len(tokens), alpha)``.
    """

    tokens: tuple[int, ...]
    log_prob: float
    finished: bool
    score: float


def beam_search(step: Step, state: Sequence[np.ndarray], start: int, end: int, width: int,
                max_steps: int, alpha: float = 0.0) -> list[Hypothesis]:
    """Beam search for one input (Sutskever et al. 2014): keep the ``width`` best partial
    sequences; a sequence that emits the end symbol leaves the beam as a finished hypothesis.

    At each step every partial sequence is extended by every symbol and the best ``width``
    extensions are kept (:func:`beam_step`); those that end move to the finished list, and the
    next step refills the beam to ``width`` from the extensions of the others. After ``max_steps`` steps (or when nothing is left), the finished hypotheses and
    those still open are ranked by :func:`length_normalised` score. ``width = 1`` is greedy
    decoding; a width of at least V^max_steps is exhaustive search.

    Args:
        step: the model's step function.
        state: the initial state for ONE input (batch 1).
        start: the first input symbol.
        end: the end symbol.
        width: the beam width.
        max_steps: the longest sequence.
        alpha: the length-normalisation exponent α.

    Returns:
        Every hypothesis found, best score first.
    """
    width, max_steps = integer("width", width), integer("max_steps", max_steps)
    state = list(state)
    if len(state[0]) != 1:
        raise ValueError(f"beam_search decodes one input: the state's batch must be 1, got "
                         f"{len(state[0])}")
    alive = np.zeros((1, 0), np.int64)
    scores = np.zeros(1)
    last = np.array([start])
    found: list[Hypothesis] = []

    def keep(tokens: np.ndarray, log_prob: float, finished: bool) -> None:
        found.append(Hypothesis(tuple(int(s) for s in tokens), float(log_prob), finished,
                                float(length_normalised(log_prob, len(tokens), alpha))))

    for _ in range(max_steps):
        log_probs, state = _call(step, last, state)
        parents, tokens, scores = beam_step(scores, log_probs, width)
        alive = np.concatenate([alive[parents], tokens[:, None]], axis=1)
        ended = tokens == end
        for row in np.flatnonzero(ended):
            keep(alive[row], scores[row], True)
        going = ~ended
        if not going.any():
            break
        alive, scores, last = alive[going], scores[going], tokens[going]
        state = _take(state, parents[going])
    else:
        for row in range(len(alive)):
            keep(alive[row], scores[row], False)
    return sorted(found, key=lambda h: -h.score)


# --- sampling ---------------------------------------------------------------------------------

def top_k_filter(logits: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest logits of each row, set the others to −∞ (ties at the k-th value
    kept), so a softmax afterwards samples among the k most likely symbols only.

    Args:
        logits: (..., V).
        k: 1 <= k; k >= V keeps everything.

    Returns:
        The filtered logits, same shape.
    """
    logits = np.asarray(logits, dtype=float)
    k = integer("k", k)
    if k >= logits.shape[-1]:
        return logits.copy()
    kth = np.sort(logits, axis=-1)[..., -k][..., None]
    return np.where(logits >= kth, logits, -np.inf)


def top_p_filter(logits: np.ndarray, p: float) -> np.ndarray:
    """Nucleus filtering (Holtzman et al. 2020): keep the smallest set of most likely symbols
    whose probabilities add up to at least p, set the other logits to −∞.

    Sort the probabilities in decreasing order and keep a symbol when the probability of the
    symbols before it is still below p: the most likely symbol is always kept, and the symbol
    that carries the total past p is kept too.

    Args:
        logits: (..., V).
        p: 0 < p <= 1; p = 1 keeps everything.

    Returns:
        The filtered logits, same shape.
    """
    logits = np.asarray(logits, dtype=float)
    if not 0 < p <= 1:
        raise ValueError(f"p must be in (0, 1], got {p!r}")
    probs = np.exp(_log_softmax(logits))
    order = np.argsort(-probs, axis=-1, kind="stable")
    sorted_probs = np.take_along_axis(probs, order, axis=-1)
    before = np.cumsum(sorted_probs, axis=-1) - sorted_probs        # mass of the likelier ones
    keep_sorted = before < p
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    return np.where(keep, logits, -np.inf)


@dataclass
class Sampled:
    """Sequences sampled for a batch (:func:`sample`).

    Attributes:
        tokens: (B, steps) ids.
        log_prob: (B, steps) log p(y_t | y_<t) under the model itself (τ = 1, nothing filtered):
            how likely the model finds what was drawn.
    """

    tokens: np.ndarray
    log_prob: np.ndarray


def sample(step: Step, state: Sequence[np.ndarray], start: int, steps: int, *,
           temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
           seed: int = 0) -> Sampled:
    """Draw sequences one symbol at a time: y_t ~ softmax(filter(ℓ_t / τ)), fed back.

    The model's log-probabilities ℓ_t are divided by the temperature τ, then cut by top-k and/or
    top-p (in that order), renormalised, and sampled. τ = 0 is greedy decoding.

    Args:
        step, state, start: as for :func:`greedy` (the batch of ``state`` is the number of
            sequences drawn side by side).
        steps: symbols per sequence.
        temperature: τ >= 0.
        top_k: keep the k most likely symbols (None: all).
        top_p: keep the nucleus of mass p (None: all).
        seed: seed of the sampling generator.

    Returns:
        A :class:`Sampled`.
    """
    steps = integer("steps", steps)
    if not math.isfinite(temperature) or temperature < 0:
        raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}")
    rng = np.random.default_rng(seed)
    state = list(state)
    batch = len(state[0])
    tokens = np.full(batch, start)
    out = np.zeros((batch, steps), np.int64)
    model = np.zeros((batch, steps))
    rows = np.arange(batch)
    for t in range(steps):
        log_probs, state = _call(step, tokens, state)
        if temperature == 0:
            tokens = log_probs.argmax(axis=-1)
        else:
            logits = log_probs / temperature
            if top_k is not None:
                logits = top_k_filter(logits, top_k)
            if top_p is not None:
                logits = top_p_filter(logits, top_p)
            probs = np.exp(_log_softmax(logits))
            cumulative = np.cumsum(probs, axis=-1)
            draws = rng.random(batch)[:, None] * cumulative[:, -1:]
            # the first symbol whose cumulative probability passes the draw (never one of
            # probability 0, whose cumulative equals its predecessor's)
            tokens = np.minimum((cumulative <= draws).sum(axis=-1), probs.shape[-1] - 1)
        out[:, t], model[:, t] = tokens, log_probs[rows, tokens]
    return Sampled(out, model)


# --- chapter 7's character models -------------------------------------------------------------

def lm_step(lm: Any) -> Step:
    """The step function of a character model's NumPy twin (:class:`rnnlab.language_model.CharLM`):
    read one character per sequence, return the log-probabilities of the next."""

    def step(tokens: np.ndarray, state: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        logits, states = lm.run(np.asarray(tokens, np.int64)[:, None], state)
        return _log_softmax(logits[:, 0]), states

    return step


def prompt_state(lm: Any, prompt: Sequence[int], batch: int = 1) -> tuple[list[np.ndarray], int]:
    """The state of a character model after all but the last character of a prompt, for
    ``batch`` copies, and that last character (the first input of :func:`sample` or
    :func:`greedy`).

    Args:
        lm: a :class:`rnnlab.language_model.CharLM`.
        prompt: the prompt's ids, at least one.
        batch: copies side by side.

    Returns:
        ``(state, start)``.
    """
    prompt = np.asarray(prompt, np.int64)
    if prompt.ndim != 1 or len(prompt) == 0:
        raise ValueError(f"prompt must be a non-empty 1-D array of ids, got shape {prompt.shape}")
    batch = integer("batch", batch)
    if len(prompt) == 1:
        state = [np.zeros((batch, lm.rnn.units)) for _ in lm.rnn.spec.states]
    else:
        _, state = lm.run(np.repeat(prompt[None, :-1], batch, axis=0))
    return list(state), int(prompt[-1])


# --- what texts look like -----------------------------------------------------------------------

def distinct_ngrams(texts: Sequence[Sequence[Any]], n: int) -> float:
    """Distinct-n (Li et al. 2016): the number of different n-grams over all ``texts`` divided by
    the number of n-grams. 1 when nothing repeats, near 0 when the texts say the same thing
    again and again.

    Args:
        texts: strings or sequences of ids.
        n: the n-gram length.

    Returns:
        A share in [0, 1].
    """
    n = integer("n", n)
    grams = [tuple(text[i:i + n]) for text in texts for i in range(len(text) - n + 1)]
    if not grams:
        raise ValueError(f"the texts hold no {n}-gram")
    return len(set(grams)) / len(grams)


def repeated_share(text: Sequence[Any], k: int = 12) -> float:
    """The share of a text's k-grams that already occurred earlier in the same text (a text
    caught in a loop scores near 1).

    Args:
        text: a string or a sequence of ids.
        k: the piece length.

    Returns:
        A share in [0, 1].
    """
    k = integer("k", k)
    pieces = [tuple(text[i:i + k]) for i in range(len(text) - k + 1)]
    if not pieces:
        raise ValueError(f"the text is shorter than {k}")
    seen: set[tuple[Any, ...]] = set()
    repeats = 0
    for piece in pieces:
        repeats += piece in seen
        seen.add(piece)
    return repeats / len(pieces)
