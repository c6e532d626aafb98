"""Chapter 7's experiments, character language models on the Python documentation, and chapter
8's, an encoder–decoder that learns to add.

:func:`language_run` trains one character model (any cell, window length, stateful or not) and
scores it on the test text in bits per character, twice: read in windows from a zero state as it
was trained, and read with the state carried through long pieces. :func:`seq2seq_run` trains an
encoder–decoder on :func:`rnnlab.data.addition_strings` with teacher forcing and
scores greedy decoding by exact match.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlab.checks import integer
from rnnlab.config import SEED
from rnnlab.experiments.records import NOT_SAVED, Record
from rnnlab.experiments.training import steady_seconds, train


__all__ = ["LanguageRun", "language_run", "untrained_language_model", "Seq2SeqRun",
    "multi_errors", "mean_by_length", "greedy_decode", "seq2seq_run"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""

CARRIED_STREAMS = 16
"""Pieces the test text is cut into when it is scored with the state carried (read side by side
for speed; each piece from a zero state)."""
CLIP = 1.0
"""Global gradient-norm clipping of every text model (``global_clipnorm``)."""


@dataclass
class LanguageRun(Record):
    """One character language model, trained and scored (:func:`language_run`).

    Attributes:
        cell, units, embedding_dim, window, stateful, batch_size, learning_rate, epochs, seed,
            train_chars: the setting (``window``: the length of the training sequences, the
            steps back-propagation runs through).
        params: the model's parameter count.
        history: Keras' per-epoch ``loss`` (and ``val_loss``, not for a stateful model) in nats
            per character.
        epoch_seconds: wall time of each epoch, on the machine that trained it (see
            ``provenance``).
        test_bits: bits per character on the test text read in windows of ``window``
            characters, each from a zero state, as the model was trained.
        test_bits_carried: the same text read with the state carried, as
            ``CARRIED_STREAMS`` contiguous pieces side by side (so only that many characters
            start from a zero state).
        validation_bits: the validation text, read in windows (Keras' ``val_loss`` in bits
            after the last epoch, or after the kept epoch with ``patience``; computed in NumPy for
            a stateful model).
        patience: early stopping's patience (None: no early stopping, all ``epochs`` run).
        best_epoch: the epoch (1-based) whose weights the model keeps: the last one, or with
            ``patience`` the one with the lowest validation loss.
        train_windows: how many training windows an epoch reads.
        test_chars: how many characters of the test text were scored.
        served, provenance: whether the run came from the results store, and where and when it
            was trained.
        lm: the trained model's NumPy twin (:class:`rnnlab.language_model.CharLM`; not written to JSON).
    """

    cell: str
    units: int
    embedding_dim: int
    window: int
    stateful: bool
    batch_size: int
    learning_rate: float
    epochs: int
    seed: int
    train_chars: int
    params: int
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    test_bits: float
    test_bits_carried: float
    validation_bits: float
    train_windows: int = 0
    test_chars: int = 0
    patience: int | None = None
    best_epoch: int = 0
    served: bool = False
    provenance: dict[str, Any] = field(default_factory=dict)
    lm: Any = field(default=None, repr=False, compare=False, metadata=NOT_SAVED)

    @property
    def updates_per_epoch(self) -> int:
        """Batches, and so weight updates, per epoch."""
        return -(-self.train_windows // self.batch_size)

    @property
    def seconds_per_epoch(self) -> float:
        """Median wall time of an epoch after the first (which also traces the graph)."""
        return steady_seconds(self.epoch_seconds)


def _reset_states() -> Any:
    """A callback that zeroes a stateful model's states before every epoch (each epoch reads
    the streams from their beginning)."""
    import keras

    class ResetStates(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            for layer in self.model.layers:
                if getattr(layer, "stateful", False):
                    layer.reset_state()

    return ResetStates()


def language_run(cell: str, *, units: int = 128, embedding_dim: int = 32, window: int = 64,
                 epochs: int, batch_size: int = 64, stateful: bool = False,
                 learning_rate: float = 3e-3, train_chars: int | None = None,
                 test_chars: int | None = None, patience: int | None = None,
                 seed: int = SEED) -> LanguageRun:
    """Train a character model on the corpus of :func:`rnnlab.data.load_text` and score it.

    The training text is cut into windows of ``window`` characters, each target the next
    character (:func:`~rnnlab.data.lm_windows`; teacher forcing, a loss at every step), and
    the mean cross-entropy over all steps is minimised with Adam, the gradient's global norm
    clipped at ``CLIP``. A ``stateful`` model reads the text as ``batch_size`` streams in
    order (:func:`~rnnlab.data.lm_streams`) and carries its state from batch to batch,
    zeroed at the start of each epoch; it has no per-epoch validation loss (validating would move
    its state). Gradients flow back at most ``window`` steps either way: truncated BPTT.

    Args:
        cell: a registered cell's name.
        units, embedding_dim: n and e of :func:`rnnlab.models.language_model`.
        window: training sequence length T.
        epochs: passes over the training text (at most, with ``patience``).
        batch_size: windows per batch (streams, for a stateful model).
        stateful: carry the state across batches.
        learning_rate: Adam's step size.
        train_chars: train on the first ``train_chars`` characters only (None: all).
        test_chars: score the first ``test_chars`` characters of the test text only (None: all
            of it; a smaller number makes a quick check quicker, since the NumPy twin scores
            the text step by step).
        patience: stop when the validation loss has not improved for this many epochs, and
            keep the weights of the epoch with the lowest validation loss
            (``keras.callbacks.EarlyStopping``; None: train all ``epochs``). Not for a stateful
            model, which has no per-epoch validation loss.
        seed: the initial weights' and the shuffling's seed.

    Returns:
        A :class:`LanguageRun`.

    Raises:
        ValueError: ``patience`` for a stateful model.
    """
    import keras

    from rnnlab.data.text import lm_streams, lm_windows, load_text
    from rnnlab.models import language_model
    from rnnlab.language_model import CharLM

    data = load_text()
    window = integer("window", window, minimum=2)
    batch_size = integer("batch_size", batch_size)
    integer("train_chars", train_chars, allow_none=True)
    integer("test_chars", test_chars, minimum=2, allow_none=True)
    integer("patience", patience, allow_none=True)
    if stateful and patience is not None:
        raise ValueError("patience needs a validation loss per epoch; a stateful model has none: "
                         "expected patience=None with stateful=True")
    test = data.test if test_chars is None else data.test[:test_chars]
    ids = data.train if train_chars is None else data.train[:train_chars]
    if stateful:
        x, y = lm_streams(ids, window, batch_size)
    else:
        x, y = lm_windows(ids, window)
    validation = None if stateful else lm_windows(data.validation, window)
    model = language_model(cell, len(data.vocabulary), units, embedding_dim=embedding_dim,
                           batch_size=batch_size if stateful else None, stateful=stateful,
                           seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=CLIP),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    callbacks = ([_reset_states()] if stateful else [] if patience is None else
                 [keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)])
    record = train(model, x, y, epochs=epochs, batch_size=batch_size, validation_data=validation,
                   callbacks=callbacks, shuffle=not stateful, seed=seed)
    lm = CharLM.from_keras(model)
    # Keras scored the validation windows after every epoch; a stateful model has no such pass
    if "val_loss" in record.history:
        losses = record.history["val_loss"]
        best = len(losses) - 1 if patience is None else int(np.argmin(losses))
        validation_bits = losses[best] / np.log(2)
    else:
        best = len(record.history["loss"]) - 1
        validation_bits = lm.bits(data.validation, window)
    return LanguageRun(
        cell=cell, units=units, embedding_dim=embedding_dim, window=window, stateful=stateful,
        batch_size=batch_size, learning_rate=learning_rate, epochs=epochs, seed=seed,
        train_chars=len(ids), params=record.params, history=record.history,
        epoch_seconds=record.epoch_seconds, test_bits=lm.bits(test, window),
        test_bits_carried=lm.bits(test, streams=CARRIED_STREAMS),
        validation_bits=validation_bits, train_windows=len(x), test_chars=len(test),
        patience=patience, best_epoch=best + 1, served=record.served, provenance=record.provenance, lm=lm)


def untrained_language_model(cell: str, *, units: int = 128, embedding_dim: int = 32,
                             seed: int = SEED) -> Any:
    """The NumPy twin (:class:`rnnlab.language_model.CharLM`) of :func:`language_run`'s model before
    training: the same initial weights for the same seed."""
    from rnnlab.data.text import load_text
    from rnnlab.models import language_model
    from rnnlab.language_model import CharLM

    model = language_model(cell, len(load_text().vocabulary), units,
                           embedding_dim=embedding_dim, seed=seed)
    return CharLM.from_keras(model)


@dataclass
class Seq2SeqRun(Record):
    """An encoder–decoder trained on the addition task and decoded greedily (:func:`seq2seq_run`).

    Attributes:
        cell, units, reverse, max_digits, samples, test_samples, epochs, batch_size,
            learning_rate, seed: the setting (``reverse``: the source fed backwards).
        params: parameter count.
        history: Keras' per-epoch ``loss`` (nats per target symbol, teacher forced).
        epoch_seconds: wall time of each epoch.
        exact_match: share of test sums decoded exactly right, greedily.
        exact_by_length: that share by the length of ``"a+b"`` (characters).
        count_by_length: test examples of each length.
        symbol_accuracy: share of answer symbols (the digits and the end symbol, not the
            padding after it) predicted right with the true previous symbols fed in (teacher
            forcing, as in training).
        examples: a few test cases, ``[source as fed (reversed if reverse), true sum,
            decoded answer]``.
        teacher_forced_exact: share of test sums whose every answer symbol is predicted right
            with teacher forcing. The decoder is causal and greedy decoding feeds back its most
            likely symbol, so a sum is decoded exactly right if and only if this holds for it:
            the number equals ``exact_match``.
        independent_exact: the exact match that independent errors would give, each answer
            symbol right with probability ``symbol_accuracy``: the mean over the test sums of
            symbol_accuracy ** L, L the sum's answer symbols (digits and end symbol).
        symbol_accuracy_by_length: ``symbol_accuracy`` by the length of ``"a+b"``.
        independent_by_length: by the length of ``"a+b"``, the exact match that independent
            errors at that length's per-symbol accuracy would give.
        multi_error_share: among the test sums with at least one answer symbol predicted wrong
            (teacher forced), the share with two or more wrong.
        multi_error_independent: that share as independent errors would give it, each symbol of
            a sum of length n wrong with probability 1 − ``symbol_accuracy_by_length[n]``:
            Σ P(two or more wrong) / Σ P(at least one wrong) over the test sums (binomial).
        served, provenance: as in :class:`LanguageRun`.
    """

    cell: str
    units: int
    reverse: bool
    max_digits: int
    samples: int
    test_samples: int
    epochs: int
    batch_size: int
    learning_rate: float
    seed: int
    params: int
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    exact_match: float
    exact_by_length: dict[int, float]
    count_by_length: dict[int, int]
    symbol_accuracy: float
    examples: list[list[str]]
    teacher_forced_exact: float = float("nan")
    independent_exact: float = float("nan")
    symbol_accuracy_by_length: dict[int, float] = field(default_factory=dict)
    independent_by_length: dict[int, float] = field(default_factory=dict)
    multi_error_share: float = float("nan")
    multi_error_independent: float = float("nan")
    served: bool = False
    provenance: dict[str, Any] = field(default_factory=dict)


def multi_errors(wrong: np.ndarray, size: np.ndarray, accuracy: np.ndarray
                 ) -> tuple[float, float]:
    """Do the wrong symbols of an answer come together? Among the answers with at least one wrong
    symbol, the share with two or more: measured, and as independent errors would give it.

    With each of an answer's L symbols right with probability a, independently,
    P(at least one wrong) = 1 − a^L and P(two or more) = 1 − a^L − L (1 − a) a^(L−1)
    (binomial); the expected share is Σ P(two or more) / Σ P(at least one) over the answers.

    Args:
        wrong: (answers,) number of wrong symbols of each answer.
        size: (answers,) its number of symbols L.
        accuracy: (answers,) the probability a that each of its symbols is right.

    Returns:
        ``(measured, independent)``; NaN where no answer (measured) or no probability
        (independent) has a wrong symbol.
    """
    wrong, size, a = (np.asarray(v) for v in (wrong, size, accuracy))
    if not wrong.shape == size.shape == a.shape or np.any(wrong > size):
        raise ValueError(f"wrong, size and accuracy must be aligned, with wrong <= size; got "
                         f"shapes {wrong.shape}, {size.shape}, {a.shape}")
    any_wrong = 1 - a ** size
    two_or_more = any_wrong - size * (1 - a) * a ** (size - 1.0)
    measured = float(np.mean(wrong[wrong > 0] >= 2)) if np.any(wrong > 0) else float("nan")
    total = float(any_wrong.sum())
    return measured, float(two_or_more.sum()) / total if total > 0 else float("nan")


def mean_by_length(runs: Sequence[Seq2SeqRun], attribute: str) -> dict[int, float]:
    """The mean over runs of one of :class:`Seq2SeqRun`'s by-length results, length by length.

    Args:
        runs: runs scored on the same test sums (the same lengths).
        attribute: ``"exact_by_length"``, ``"symbol_accuracy_by_length"`` or
            ``"independent_by_length"``.

    Returns:
        ``{length of "a+b": mean over the runs}``, lengths in increasing order.
    """
    if not runs:
        raise ValueError("mean_by_length needs at least one run")
    tables = [getattr(run, attribute) for run in runs]
    if not all(isinstance(t, dict) for t in tables):
        raise ValueError(f"{attribute!r} is not a by-length result of Seq2SeqRun")
    lengths = sorted(tables[0])
    if any(sorted(t) != lengths for t in tables):
        raise ValueError("the runs were scored on different lengths: "
                         f"{[sorted(t) for t in tables]}")
    return {n: float(np.mean([t[n] for t in tables])) for n in lengths}


ADDITION_TRAIN_SEED, ADDITION_TEST_SEED = 101, 202
"""Seeds of the addition task's training and test examples (the model's seed is separate)."""


def greedy_decode(model: Any, source: np.ndarray, steps: int, start: int) -> np.ndarray:
    """Greedy decoding: feed the start symbol, take the most likely symbol, feed it back.

    The decoder is causal, so the logits at position t depend on decoder inputs up to t only;
    running the whole model on the inputs decoded so far and reading position t is step t.

    Args:
        model: a trained :func:`rnnlab.models.seq2seq_model`.
        source: (batch, T_in) source ids.
        steps: output length T_out.
        start: the start symbol's id.

    Returns:
        (batch, T_out) decoded ids.
    """
    decoder_input = np.zeros((len(source), steps), np.int32)
    decoder_input[:, 0] = start
    out = np.zeros((len(source), steps), np.int32)
    for t in range(steps):
        logits = np.asarray(model([source, decoder_input], training=False))
        out[:, t] = logits[:, t].argmax(axis=-1)
        if t + 1 < steps:
            decoder_input[:, t + 1] = out[:, t]
    return out


def seq2seq_run(cell: str = "lstm", *, reverse: bool = False, max_digits: int = 3,
                samples: int = 20000, test_samples: int = 2000, units: int = 128,
                epochs: int, batch_size: int = 64, learning_rate: float = 3e-3,
                seed: int = SEED) -> Seq2SeqRun:
    """Train an encoder–decoder to add two numbers written as strings, then decode greedily.

    Training uses teacher forcing: the decoder reads the true previous symbol at every step and
    the loss is the cross-entropy of every target symbol. At test time the decoder reads its own
    previous output (:func:`greedy_decode`) and an answer counts only if every digit and the end
    symbol come out right. Test sums whose pair also occurs in training, as ``(a, b)`` or
    ``(b, a)``, are dropped.

    Args:
        cell: a registered cell's name.
        reverse: feed the source characters in reverse order (Sutskever et al. 2014).
        max_digits: the most digits of each number.
        samples, test_samples: training and (before dropping repeats) test examples.
        units: n of encoder and decoder.
        epochs, batch_size, learning_rate: Adam's training budget.
        seed: the initial weights' and the shuffling's seed.

    Returns:
        A :class:`Seq2SeqRun`.
    """
    import keras

    from rnnlab.data.synthetic import ADDITION_SYMBOLS, END, START, addition_strings
    from rnnlab.models import seq2seq_model

    data = addition_strings(samples, max_digits, ADDITION_TRAIN_SEED, reverse=reverse)
    test = addition_strings(test_samples, max_digits, ADDITION_TEST_SEED, reverse=reverse)
    seen = set(zip(data.a.tolist(), data.b.tolist()))
    keep = np.array([(a, b) not in seen and (b, a) not in seen
                     for a, b in zip(test.a.tolist(), test.b.tolist())])
    model = seq2seq_model(cell, len(ADDITION_SYMBOLS), units, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=CLIP),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    record = train(model, [data.source, data.decoder_input], data.target, epochs=epochs,
                   batch_size=batch_size, seed=seed)
    source, target = test.source[keep], test.target[keep]
    logits = np.asarray(model([source, test.decoder_input[keep]], training=False))
    end = ADDITION_SYMBOLS.index(END)
    answer = np.cumsum(target == end, axis=1) - (target == end) == 0   # up to the end symbol
    forced_right = logits.argmax(axis=-1) == target
    symbol_accuracy = float(np.mean(forced_right[answer]))
    teacher_forced_exact = float(np.mean(np.all(forced_right | ~answer, axis=1)))
    independent = symbol_accuracy ** answer.sum(axis=1)      # each symbol right independently
    decoded = greedy_decode(model, source, target.shape[1], ADDITION_SYMBOLS.index(START))

    def text(ids: np.ndarray) -> str:
        chars = "".join(ADDITION_SYMBOLS[i] for i in ids)
        return chars.split(END)[0] if END in chars else chars + "…"

    answers = [text(row) for row in decoded]
    truths = [str(a + b) for a, b in zip(test.a[keep], test.b[keep])]
    right = np.array([answer == truth for answer, truth in zip(answers, truths)])
    lengths = test.input_length[keep]
    by_length = {int(n): float(right[lengths == n].mean()) for n in np.unique(lengths)}
    counts = {int(n): int((lengths == n).sum()) for n in np.unique(lengths)}
    symbols_by_length = {int(n): float(np.mean(forced_right[lengths == n][answer[lengths == n]]))
                         for n in np.unique(lengths)}
    independent_by_length = {
        int(n): float(np.mean(symbols_by_length[int(n)] ** answer[lengths == n].sum(axis=1)))
        for n in np.unique(lengths)}
    multi_share, multi_independent = multi_errors(
        np.sum(~forced_right & answer, axis=1), answer.sum(axis=1),
        np.array([symbols_by_length[int(n)] for n in lengths]))
    sources = ["".join(ADDITION_SYMBOLS[i] for i in row).strip() for row in source[:6]]
    examples = [[s, t, a] for s, t, a in zip(sources, truths[:6], answers[:6])]
    return Seq2SeqRun(
        cell=cell, units=units, reverse=bool(reverse), max_digits=max_digits, samples=samples,
        test_samples=int(keep.sum()), epochs=epochs, batch_size=batch_size,
        learning_rate=learning_rate, seed=seed, params=record.params, history=record.history,
        epoch_seconds=record.epoch_seconds, exact_match=float(right.mean()),
        exact_by_length=by_length, count_by_length=counts, symbol_accuracy=symbol_accuracy,
        examples=examples, teacher_forced_exact=teacher_forced_exact,
        independent_exact=float(independent.mean()), symbol_accuracy_by_length=symbols_by_length,
        independent_by_length=independent_by_length, multi_error_share=multi_share,
        multi_error_independent=multi_independent,
        served=record.served, provenance=record.provenance)
