"""Chapter 9's experiment: the encoder–decoder's bottleneck, measured on reversing digit strings,
with and without attention.

:func:`reversal_run` trains one encoder–decoder (plain, or with one of the attention scores) on
:func:`rnnlab.data.reversal_strings` with teacher forcing, then scores it on new strings of every
length: exact match of greedy decoding, and per-symbol accuracy with the true previous symbols fed
in (teacher forcing). :func:`attention_sweep` runs it for several models and seeds.

Then what the trained models do: :func:`mirrored_weight` (does attention look where reversal
says it should?), :func:`beam_study` (beam width against exact match, search errors and model
errors), :func:`injected_error` (exposure to its own mistakes) and :func:`sampling_study`
(temperature, top-k and top-p on a character model: likelihood, variety, repetition).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlab.checks import integer
from rnnlab.config import SEED
from rnnlab.experiments.records import NOT_SAVED, Record
from rnnlab.experiments.training import steady_seconds, train


__all__ = ["ReversalRun", "reversal_model", "reversal_splits", "reversal_run", "attention_sweep",
    "score_by_length", "mirrored_weight", "BeamResult", "beam_study", "injected_error",
    "SamplingResult", "sampling_study", "longest_handled"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""
# not mean_by_length: rnnlab.experiments.mean_by_length is chapter 8's (language.py); this one is
# reached as rnnlab.experiments.attention.mean_by_length

REVERSAL_TRAIN_SEED, REVERSAL_VALIDATION_SEED, REVERSAL_TEST_SEED = 303, 404, 505
"""Seeds of the reversal task's training, validation and test strings (the model's seed is
separate)."""
CLIP = 1.0
"""Global gradient-norm clipping (``global_clipnorm``), as for chapter 7's text models."""
CHUNK = 500
"""Test strings scored at once (the additive score's tanh holds batch × T × S × n numbers)."""
MODELS = ("none", "additive", "dot", "general")
"""``attention`` values of :func:`reversal_run`: no attention (chapter 8's encoder–decoder) or a
score of :func:`rnnlab.models.attention_seq2seq_model`."""


@dataclass
class ReversalRun(Record):
    """One encoder–decoder trained to reverse digit strings and scored by length
    (:func:`reversal_run`).

    Attributes:
        attention: ``"none"`` or the score (``"additive"``, ``"dot"``, ``"general"``).
        cell, units, max_length, samples, epochs, batch_size, learning_rate, seed: the setting.
        params: the model's parameter count.
        history: Keras' per-epoch ``loss`` and ``val_loss`` (nats per target symbol, teacher
            forced, padding included).
        epoch_seconds: wall time of each epoch, on the machine that trained it.
        lengths: the input lengths tested, 1 … ``max_length``.
        count_by_length: test strings of each length (strings also seen in training dropped).
        exact_by_length: share of test strings decoded exactly right, greedily (free-running).
        symbol_by_length: share of answer symbols (digits and end symbol) predicted right with
            the true previous symbols fed in (teacher forcing).
        position_by_length: ``{L: [accuracy of output position 1, …, L]}``, teacher forced.
        all_forced_by_length: share of test strings whose every teacher-forced prediction is
            right; for a causal decoder decoded greedily this equals ``exact_by_length``.
        sampling: the final scheduled-sampling rate (0: pure teacher forcing).
        served, provenance: whether the run came from the results store, and where and when it
            was trained.
        twin: the trained model's NumPy twin (:class:`rnnlab.attention.Seq2SeqTwin`; not written
            to JSON).
        model: the trained Keras model (not written to JSON).
    """

    attention: str
    cell: str
    units: int
    max_length: int
    samples: int
    epochs: int
    batch_size: int
    learning_rate: float
    seed: int
    params: int
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    lengths: list[int]
    count_by_length: dict[int, int]
    exact_by_length: dict[int, float]
    symbol_by_length: dict[int, float]
    position_by_length: dict[int, list[float]]
    all_forced_by_length: dict[int, float]
    sampling: float = 0.0
    served: bool = False
    provenance: dict[str, Any] = field(default_factory=dict)
    twin: Any = field(default=None, repr=False, compare=False, metadata=NOT_SAVED)
    model: Any = field(default=None, repr=False, compare=False, metadata=NOT_SAVED)

    @property
    def seconds_per_epoch(self) -> float:
        """Median wall time of an epoch after the first (which also traces the graph)."""
        return steady_seconds(self.epoch_seconds)


def reversal_model(attention: str, units: int, *, cell: str = "lstm", learning_rate: float = 3e-3,
                   sampling: float = 0.0, seed: int = SEED) -> Any:
    """The compiled encoder–decoder of :func:`reversal_run`: Adam with the gradient's global norm
    clipped at ``CLIP``, sparse categorical cross-entropy on logits.

    Args:
        attention: ``"none"`` (:func:`rnnlab.models.seq2seq_model`) or a score of
            :func:`rnnlab.models.attention_seq2seq_model`.
        units: n of encoder and decoder.
        cell: a registered cell's name.
        learning_rate: Adam's step size.
        sampling: if positive (plain model only), train with scheduled sampling
            (:func:`rnnlab.scheduled_sampling.scheduled_seq2seq_model`) up to this rate.
        seed: the initial weights' seed.

    Returns:
        A compiled ``keras.Model``.
    """
    import keras

    from rnnlab.data.synthetic import REVERSAL_SYMBOLS
    from rnnlab.models import attention_seq2seq_model, seq2seq_model

    if attention not in MODELS:
        raise ValueError(f"attention must be one of {MODELS}, got {attention!r}")
    vocab = len(REVERSAL_SYMBOLS)
    if sampling and attention != "none":
        raise ValueError("scheduled sampling is built for the plain model (attention='none')")
    if sampling:
        from rnnlab.scheduled_sampling import scheduled_seq2seq_model

        model = scheduled_seq2seq_model(cell, vocab, units, seed=seed)
    elif attention == "none":
        model = seq2seq_model(cell, vocab, units, seed=seed)
    else:
        model = attention_seq2seq_model(cell, vocab, units, score=attention, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=CLIP),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def reversal_splits(max_length: int, samples: int, test_samples: int = 3000) -> dict[str, Any]:
    """The training, validation and test strings of :func:`reversal_run` (fixed seeds
    ``REVERSAL_*_SEED``); validation has a tenth as many strings as training. Test strings that
    also occur in training are dropped, so the test is about new strings.

    Returns:
        ``{"train": ReversalData, "validation": ReversalData, "test": ReversalData}``.
    """
    from rnnlab.data.synthetic import ReversalData, reversal_strings

    train_data = reversal_strings(samples, max_length, REVERSAL_TRAIN_SEED)
    validation = reversal_strings(max(samples // 10, 1), max_length, REVERSAL_VALIDATION_SEED)
    test = reversal_strings(test_samples, max_length, REVERSAL_TEST_SEED)
    seen = {row.tobytes() for row in train_data.source}
    keep = np.array([row.tobytes() not in seen for row in test.source])
    test = ReversalData(source=test.source[keep], decoder_input=test.decoder_input[keep],
                        target=test.target[keep], length=test.length[keep])
    return {"train": train_data, "validation": validation, "test": test}


def _chunks(count: int) -> list[np.ndarray]:
    """The row indices 0 … count − 1 in pieces of about ``CHUNK``: the twin's passes over a
    test set go piece by piece, to keep their float64 arrays small."""
    return np.array_split(np.arange(count), max(1, count // CHUNK))


def greedy_outputs(twin: Any, source: np.ndarray, steps: int, start: int) -> np.ndarray:
    """Greedy decoding with a :class:`rnnlab.attention.Seq2SeqTwin`, a batch at once: feed the
    start symbol, take the most likely symbol, feed it back, ``steps`` times
    (:func:`rnnlab.decoding.greedy` on the twin's step).

    Returns:
        (batch, steps) ids.
    """
    from rnnlab.decoding import greedy

    return greedy(twin.step, twin.start(source), start, steps).tokens


def score_by_length(twin: Any, data: Any) -> dict[str, dict[int, Any]]:
    """Exact match (greedy), teacher-forced symbol accuracy, accuracy by output position, and
    the share of strings with every teacher-forced prediction right, for each input length.

    Args:
        twin: a :class:`rnnlab.attention.Seq2SeqTwin`.
        data: a :class:`rnnlab.data.ReversalData`.

    Returns:
        ``{"count": …, "exact": …, "symbol": …, "position": …, "all_forced": …}``, each a dict
        by length.
    """
    from rnnlab.data.synthetic import REVERSAL_SYMBOLS

    forced_right = np.zeros(data.target.shape, bool)
    decoded = np.zeros(data.target.shape, np.int64)
    for rows in _chunks(len(data)):
        logits, _ = twin.teacher_forced(data.source[rows], data.decoder_input[rows])
        forced_right[rows] = logits.argmax(axis=-1) == data.target[rows]
        decoded[rows] = greedy_outputs(twin, data.source[rows], data.target.shape[1],
                                       REVERSAL_SYMBOLS.index("^"))
    out: dict[str, dict[int, Any]] = {k: {} for k in ("count", "exact", "symbol", "position",
                                                     "all_forced")}
    for n in np.unique(data.length):
        rows = data.length == n
        answer = slice(0, n + 1)                       # the n digits and the end symbol
        exact = np.all(decoded[rows, answer] == data.target[rows, answer], axis=1)
        right = forced_right[rows, answer]
        key = int(n)
        out["count"][key] = int(rows.sum())
        out["exact"][key] = float(exact.mean())
        out["symbol"][key] = float(right.mean())
        out["position"][key] = [float(a) for a in right[:, :n].mean(axis=0)]
        out["all_forced"][key] = float(np.all(right, axis=1).mean())
    return out


def reversal_run(attention: str = "none", *, max_length: int, samples: int, epochs: int,
                 units: int = 64, cell: str = "lstm", batch_size: int = 64,
                 learning_rate: float = 3e-3, test_samples: int = 3000,
                 sampling: float = 0.0, seed: int = SEED) -> ReversalRun:
    """Train an encoder–decoder to reverse digit strings of 1 to ``max_length`` digits, then
    score it on new strings, length by length.

    Training uses teacher forcing (the decoder reads the true previous symbol) and the mean
    cross-entropy of every target position, padding included; the validation strings are scored
    after each epoch. At test time greedy decoding reads its own previous outputs.

    Args:
        attention: ``"none"`` for the plain encoder–decoder, or ``"additive"``, ``"dot"``,
            ``"general"``.
        max_length: the most digits of a string.
        samples: training strings (lengths uniform from 1 to ``max_length``).
        epochs: passes over them.
        units: n of encoder and decoder.
        cell: a registered cell's name.
        batch_size, learning_rate: of Adam.
        test_samples: test strings before repeats of training strings are dropped.
        sampling: the final rate of scheduled sampling (Bengio et al. 2015), raised linearly
            from 0 over the epochs (:class:`rnnlab.scheduled_sampling.SamplingSchedule`); 0
            trains with teacher forcing only.
        seed: the initial weights' and the shuffling's seed.

    Returns:
        A :class:`ReversalRun`.
    """
    from rnnlab.attention import Seq2SeqTwin

    max_length = integer("max_length", max_length)
    splits = reversal_splits(max_length, samples, test_samples)
    data, validation = splits["train"], splits["validation"]
    model = reversal_model(attention, units, cell=cell, learning_rate=learning_rate,
                           sampling=sampling, seed=seed)
    callbacks = []
    if sampling:
        from rnnlab.scheduled_sampling import SamplingSchedule

        callbacks.append(SamplingSchedule(sampling, epochs))
    record = train(model, [data.source, data.decoder_input], data.target, epochs=epochs,
                   batch_size=batch_size,
                   validation_data=([validation.source, validation.decoder_input],
                                    validation.target), callbacks=callbacks, seed=seed)
    twin = Seq2SeqTwin.from_keras(model)
    scores = score_by_length(twin, splits["test"])
    return ReversalRun(
        attention=attention, cell=cell, units=units, max_length=max_length, samples=samples,
        epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, seed=seed,
        params=record.params, history=record.history, epoch_seconds=record.epoch_seconds,
        lengths=sorted(scores["count"]), count_by_length=scores["count"],
        exact_by_length=scores["exact"], symbol_by_length=scores["symbol"],
        position_by_length=scores["position"], all_forced_by_length=scores["all_forced"],
        sampling=float(sampling), served=record.served, provenance=record.provenance, twin=twin, model=model)


def attention_sweep(attentions: Sequence[str], seeds: Sequence[int], **setting: Any
                    ) -> list[ReversalRun]:
    """:func:`reversal_run` for every model and seed (in that order), the rest of the setting
    shared.

    Args:
        attentions: e.g. ``("none", "additive")``.
        seeds: e.g. ``(0, 1, 2)``.
        **setting: ``max_length``, ``samples``, ``epochs`` and the other arguments of
            :func:`reversal_run`.

    Returns:
        One :class:`ReversalRun` per (model, seed).
    """
    return [reversal_run(attention, seed=seed, **setting) for attention in attentions
            for seed in seeds]


def mean_by_length(runs: Sequence[ReversalRun], field_name: str) -> tuple[list[int], np.ndarray]:
    """The lengths and, per length, the mean over ``runs`` of one by-length score
    (``"exact_by_length"``, ``"symbol_by_length"`` or ``"all_forced_by_length"``)."""
    if not runs:
        raise ValueError("no runs given")
    lengths = runs[0].lengths
    values = np.array([[getattr(r, field_name)[n] for n in lengths] for r in runs])
    return list(lengths), values.mean(axis=0)


# --- what the trained models do: alignment, decoding, exposure to their own errors -------------

def mirrored_weight(twin: Any, data: Any) -> np.ndarray:
    """For reversal, output step t (t = 1 … L) must read source digit L + 1 − t, which sits in
    column ``L_max − t`` of the left-padded source. The attention weight α_tj on that column, for
    every digit of every test string.

    Args:
        twin: a :class:`rnnlab.attention.Seq2SeqTwin` with attention.
        data: a :class:`rnnlab.data.ReversalData`.

    Returns:
        A 1-D array, one weight per output digit of every string.
    """
    if twin.attention is None:
        raise ValueError("the model has no attention")
    width = data.source.shape[1]
    weights = []
    for rows in _chunks(len(data)):
        _, alpha = twin.teacher_forced(data.source[rows], data.decoder_input[rows])
        for a, n in zip(alpha, data.length[rows]):
            steps = np.arange(n)
            weights.append(a[steps, width - 1 - steps])
    return np.concatenate(weights)


@dataclass
class BeamResult(Record):
    """Beam search of one width and one α over test strings (:func:`beam_study`).

    Attributes:
        width, alpha: the beam width B and the length-normalisation exponent α.
        exact_match: share of strings decoded exactly right.
        found_log_prob: mean log p(found answer | source) under the model (nats).
        true_log_prob: mean log p(true answer | source) (nats), the same for every width.
        below_best_known: share of strings where the answer returned scores lower under the model
            than the best answer known for that string: the true answer, or what any setting of
            the study returned. A better search would have returned a higher-scoring answer. A
            lower bound: the best answer known is only what these beams found.
        model_errors: share of strings where the answer returned is wrong and the model scores
            it at least as high as the true answer: this setting's failures that are model
            errors. A wider beam uncovers more of them; a narrow one may return a different
            wrong answer that scores below the truth. A string can count in both.
        known_model_errors: share of strings where ANY setting of the study returned a wrong
            answer scoring at least as high as the true answer: the model errors known, once per
            string, the same for every setting. A lower bound (a better search may find more).
    """

    width: int
    alpha: float
    exact_match: float
    found_log_prob: float
    true_log_prob: float
    below_best_known: float
    model_errors: float
    known_model_errors: float


def beam_study(twin: Any, data: Any, widths: Sequence[int | tuple[int, float]],
               alpha: float = 0.0) -> list[BeamResult]:
    """Decode every string with beam search of each width, and count search errors and model
    errors (Stahlberg & Byrne 2019).

    Search error: the answer returned scores lower under the model than the best answer known
    for the string (the true answer or the answer of any setting in ``widths``), so the share is
    a lower bound. A setting's model errors: the answer returned is wrong and scores at least as
    high as the true answer. Known model errors, once per string for all settings: some setting
    returned a wrong answer scoring at least as high as the true answer (a lower bound too).

    Args:
        twin: a :class:`rnnlab.attention.Seq2SeqTwin`.
        data: a :class:`rnnlab.data.ReversalData` (each string decoded on its own).
        widths: beam widths B, e.g. ``(1, 2, 4, 8)``; a pair ``(B, α)`` sets its own α.
        alpha: length-normalisation exponent of :func:`rnnlab.decoding.beam_search` for the
            widths given alone.

    Returns:
        One :class:`BeamResult` per entry of ``widths``.
    """
    from rnnlab.data.synthetic import REVERSAL_SYMBOLS
    from rnnlab.decoding import beam_search, sequence_log_prob

    start, end = REVERSAL_SYMBOLS.index("^"), REVERSAL_SYMBOLS.index("$")
    steps = data.target.shape[1]
    true_lp = sequence_log_prob(twin.step, twin.start(data.source), start, data.target, end)
    settings = [(integer("width", w[0]), float(w[1])) if isinstance(w, tuple)
                else (integer("width", w), float(alpha)) for w in widths]
    right = np.zeros((len(settings), len(data)), bool)
    found = np.zeros((len(settings), len(data)))
    for k, (width, a) in enumerate(settings):
        for i in range(len(data)):
            best = beam_search(twin.step, twin.start(data.source[i:i + 1]), start, end, width,
                               steps, a)[0]
            n = int(data.length[i]) + 1
            right[k, i] = best.tokens == tuple(int(s) for s in data.target[i, :n])
            found[k, i] = best.log_prob
    best_known = np.maximum(true_lp, found.max(axis=0))
    model_error = ~right & (found >= true_lp - 1e-9)                  # (settings, strings)
    known = float(np.mean(model_error.any(axis=0)))
    return [BeamResult(width=width, alpha=a, exact_match=float(right[k].mean()),
                       found_log_prob=float(found[k].mean()),
                       true_log_prob=float(np.mean(true_lp)),
                       below_best_known=float(np.mean(found[k] < best_known - 1e-9)),
                       model_errors=float(model_error[k].mean()), known_model_errors=known)
            for k, (width, a) in enumerate(settings)]


def injected_error(twin: Any, data: Any, seed: int = SEED) -> dict[str, float]:
    """Exposure to its own mistakes: the decoder reads the true previous symbols (teacher
    forcing), except that its first input after the start symbol, the first output digit, is
    replaced by a wrong digit. Reversal's later outputs do not depend on the earlier ones, so a
    model that reads the source would lose nothing; a model derailed by an input it never saw in
    training loses accuracy on the digits after the error.

    Args:
        twin: a :class:`rnnlab.attention.Seq2SeqTwin`.
        data: a :class:`rnnlab.data.ReversalData`; strings of at least 2 digits are used.
        seed: seed of the wrong digits.

    Returns:
        ``{"clean": …, "injected": …, "strings": …}``: the accuracy of the answer symbols after
        the first (digits 2 … L and the end symbol) without and with the wrong input.
    """
    rng = np.random.default_rng(seed)
    keep = data.length >= 2
    source, decoder_input, target = (a[keep] for a in (data.source, data.decoder_input, data.target))
    corrupted = decoder_input.copy()
    shift = rng.integers(1, 10, size=len(corrupted))            # another digit, never the same
    corrupted[:, 1] = (corrupted[:, 1] - 1 + shift) % 10 + 1
    lengths = data.length[keep]
    mask = (np.arange(target.shape[1])[None, :] >= 1) & (np.arange(target.shape[1])[None, :]
                                                         <= lengths[:, None])
    scores = {}
    for name, given in (("clean", decoder_input), ("injected", corrupted)):
        right = np.zeros(target.shape, bool)
        for rows in _chunks(len(target)):
            logits, _ = twin.teacher_forced(source[rows], given[rows])
            right[rows] = logits.argmax(axis=-1) == target[rows]
        scores[name] = float(right[mask].mean())
    scores["strings"] = int(keep.sum())
    return scores


def free_running_by_position(twin: Any, data: Any, length: int) -> dict[str, Any]:
    """Teacher-forced against free-running accuracy, output position by output position, on
    the test strings of ``length`` digits.

    Teacher forced: the decoder reads the true previous symbols. Free-running: it reads its own
    greedy outputs, mistakes included. The two differ only after the first free-running mistake;
    ``after_error_*`` compare them on exactly those positions.

    Args:
        twin: a :class:`rnnlab.attention.Seq2SeqTwin`.
        data: a :class:`rnnlab.data.ReversalData` holding strings of ``length`` digits.
        length: the number of digits L.

    Returns:
        ``{"teacher_forced": (L + 1,), "free_running": (L + 1,)`` accuracies of output positions
        1 … L + 1 (the last is the end symbol), ``"after_error_forced"``,
        ``"after_error_free"``: accuracy on the positions after each string's first
        free-running mistake, ``"strings"``, ``"positions_after_error"``: how many``}``.
    """
    from rnnlab.data.synthetic import REVERSAL_SYMBOLS

    length = integer("length", length)
    rows = np.flatnonzero(data.length == length)
    if not len(rows):
        raise ValueError(f"no test string has {length} digits")
    answer = slice(0, length + 1)
    target = data.target[rows, answer]
    logits, _ = twin.teacher_forced(data.source[rows], data.decoder_input[rows])
    forced = logits.argmax(axis=-1)[:, answer] == target
    free = greedy_outputs(twin, data.source[rows], length + 1,
                          REVERSAL_SYMBOLS.index("^")) == target
    wrong = ~free
    first = np.where(wrong.any(axis=1), wrong.argmax(axis=1), length + 1)
    after = np.arange(length + 1)[None, :] > first[:, None]
    return {"teacher_forced": forced.mean(axis=0), "free_running": free.mean(axis=0),
            "after_error_forced": float(forced[after].mean()) if after.any() else float("nan"),
            "after_error_free": float(free[after].mean()) if after.any() else float("nan"),
            "strings": int(len(rows)), "positions_after_error": int(after.sum())}


@dataclass
class SamplingResult(Record):
    """Many texts drawn from a character model with one decoding setting (:func:`sampling_study`).

    Attributes:
        name: the setting, e.g. ``"τ = 0.8"``.
        temperature, top_k, top_p: the setting's values (None: not used).
        bits: mean −log₂ p(character) under the model itself (τ = 1, unfiltered), per drawn
            character: low for safe, typical text, high for surprising text.
        distinct: distinct 4-grams over all texts (:func:`rnnlab.decoding.distinct_ngrams`).
        repeated: mean share of each text's 12-grams that repeat an earlier one in it.
        texts: the drawn texts.
    """

    name: str
    temperature: float
    top_k: int | None
    top_p: float | None
    bits: float
    distinct: float
    repeated: float
    texts: list[str]


def sampling_study(lm: Any, vocabulary: Any, prompt: str, settings: Sequence[Mapping[str, Any]],
                   *, samples: int, length: int, seed: int = SEED) -> list[SamplingResult]:
    """Draw ``samples`` texts of ``length`` characters after ``prompt`` with each decoding setting,
    and measure how likely, how varied and how repetitive they are.

    Args:
        lm: a :class:`rnnlab.language_model.CharLM`.
        vocabulary: its :class:`rnnlab.data.Vocabulary`.
        prompt: the text to continue.
        settings: each ``{"name": ..., "temperature": τ, "top_k": k, "top_p": p}`` (τ = 0:
            greedy; missing keys: τ = 1, no filter).
        samples: texts per setting (drawn side by side).
        length: characters per text.
        seed: seed of the sampling.

    Returns:
        One :class:`SamplingResult` per setting.
    """
    from rnnlab.decoding import distinct_ngrams, lm_step, prompt_state, repeated_share, sample

    samples, length = integer("samples", samples), integer("length", length)
    results = []
    for setting in settings:
        tau = float(setting.get("temperature", 1.0))
        top_k, top_p = setting.get("top_k"), setting.get("top_p")
        state, start = prompt_state(lm, vocabulary.encode(prompt), samples)
        drawn = sample(lm_step(lm), state, start, length, temperature=tau, top_k=top_k,
                       top_p=top_p, seed=seed)
        texts = [vocabulary.decode(row) for row in drawn.tokens]
        results.append(SamplingResult(
            name=str(setting.get("name", f"τ = {tau:g}")), temperature=tau, top_k=top_k,
            top_p=top_p, bits=float(-drawn.log_prob.mean() / np.log(2)),
            distinct=distinct_ngrams(texts, 4),
            repeated=float(np.mean([repeated_share(t, 12) for t in texts])), texts=texts))
    return results


def longest_handled(lengths: Sequence[int], exact: Sequence[float], level: float = 0.9) -> int:
    """The most digits up to which an exact-match curve never drops below ``level``.

    Args:
        lengths: the lengths, increasing.
        exact: the exact-match share at each length.
        level: the share that counts as handled.

    Returns:
        The last length of the run of lengths, from the first, at or above ``level``; 0 when
        the first is already below.
    """
    below = np.asarray(exact, float) < level
    first_below = int(np.argmax(below)) if below.any() else len(below)
    return int(lengths[first_below - 1]) if first_below else 0
