"""Checkers for chapter 7 (character language models)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from rnnlab.exercises import WrongAnswer, as_array, call_answer, checker, diagnose, evaluate
from rnnlab.language_model import NGramModel, temperature_probabilities


@checker("bits-per-char")
def check_bits_per_char(bits_per_char: Any) -> str:
    """``bits_per_char(loss)`` turns a mean cross-entropy in nats (what Keras reports) into bits
    per character: loss / ln 2."""
    losses = [0.25, 0.5, 1.0, math.log(2), 1.386, 2.3, 4.6]
    result = evaluate(bits_per_char, [(loss,) for loss in losses], "bits_per_char")
    x = np.array(losses)
    diagnose(result, x / math.log(2), {
        "that is log₂ of the loss; the unit changes by a constant factor: "
        "log₂ p = ln p / ln 2.": np.log2(x),
        "multiply by ln 2 goes the wrong way: one bit is ln 2 ≈ 0.693 nats, so a loss in nats "
        "holds loss / ln 2 bits.": x * math.log(2),
        "that is the perplexity, e^loss (= 2^bpc), not the bits.": np.exp(x),
        "that divides by ln 10 (digits, not bits).": x / math.log(10),
    }, atol=1e-9)
    return "bpc = loss / ln 2: a loss of 1.386 nats is 2.0 bits, a perplexity of 4 characters."


@checker("temperature-probs")
def check_temperature_probs(temperature_probs: Any) -> str:
    """``temperature_probs(logits, tau)`` returns softmax(logits / τ) along the last axis for
    τ > 0, and must not overflow for large logits."""
    rng = np.random.default_rng(7)
    logits = rng.normal(scale=2.0, size=(3, 6))
    for tau in (1.0, 0.5, 2.0):
        result = as_array(call_answer(temperature_probs, logits.copy(), tau), logits.shape,
                          f"temperature_probs(logits, {tau})")
        right = temperature_probabilities(logits, tau)
        if np.allclose(result, right, atol=1e-8):
            continue
        z = logits / tau
        for e in (np.exp(z), np.exp(z - z.max(axis=-1, keepdims=True))):  # shifted or not
            if np.allclose(result, e, atol=1e-8):
                raise WrongAnswer("the rows do not sum to 1: divide the exponentials by their "
                                  "sum over the last axis.")
            if np.allclose(result, e / e.sum(axis=0, keepdims=True), atol=1e-8):
                raise WrongAnswer("normalised over the wrong axis: each row (one step's logits "
                                  "over the vocabulary) must sum to 1.")
        diagnose(result, right, {
            "that multiplies by τ; the temperature divides the logits, so τ < 1 sharpens.":
                temperature_probabilities(logits * tau, 1.0),
            "τ is ignored: that is the model's own distribution (τ = 1).":
                temperature_probabilities(logits, 1.0),
        }, atol=1e-8)
    big = logits * 400
    big[1] -= 3000                     # rows far apart: one maximum for the whole array fails
    result = call_answer(temperature_probs, big.copy(), 0.5)
    if result is None:
        raise WrongAnswer("temperature_probs returned nothing for large logits: return the "
                          "probabilities.")
    try:
        values = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer(f"temperature_probs returned a {type(result).__name__} for large "
                          "logits, expected an array of probabilities.") from None
    if values.shape != big.shape or not np.all(np.isfinite(values)):
        raise WrongAnswer("right for small logits, but logits of a few hundred give inf or NaN: "
                          "exp() overflows, or, if you subtracted one maximum for the whole "
                          "array, the other rows underflow to 0/0. Subtract each row's own "
                          "largest logit (keepdims=True) before exponentiating; it cancels in "
                          "the ratio.")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
        shifted = np.exp((big - big.max()) / 0.5)
        global_max = np.nan_to_num(shifted / shifted.sum(axis=-1, keepdims=True))
    diagnose(values, temperature_probabilities(big, 0.5), {
        "each row must be shifted by its own maximum, not the whole array's: rows far below "
        "the global maximum lose all their precision.": global_max,
    }, atol=1e-8)
    return ("softmax(logits / τ), stable for large logits: τ → 0 approaches greedy decoding, "
            "τ → ∞ the uniform distribution.")


@checker("bigram-cross-entropy")
def check_bigram_cross_entropy(bigram_bits: Any) -> str:
    """``bigram_bits(train, test, V, alpha)`` returns the add-α bigram model's cross-entropy on
    ``test`` in bits per character: the mean over t = 1 … len(test) − 1 of
    −log₂ (C(test[t−1], test[t]) + α) / (C(test[t−1]) + α V), with C(a, b) the number of pairs
    (a, b) of consecutive ids in ``train`` and C(a) = Σ_b C(a, b)."""
    rng = np.random.default_rng(1990)
    V = 5
    train = rng.integers(0, V, size=300)
    train[::3] = 0                    # a skewed text, so the contexts matter
    test = rng.integers(0, V, size=80)
    test[::3] = 0
    cases = [(train, test, V, 1.0), (train, test, V, 0.1), (train[:40], test, V, 0.5)]
    result = evaluate(bigram_bits, [tuple(np.copy(a) if isinstance(a, np.ndarray) else a
                                          for a in case) for case in cases], "bigram_bits")

    def variant(nats: bool = False, counted: str = "train", denominator: str = "pairs",
                alpha_v: bool = True, unigram: bool = False) -> np.ndarray:
        out = []
        for tr, te, v, alpha in cases:
            source = tr if counted == "train" else te
            if unigram:                 # no context: counts of single characters
                counts = np.bincount(source, minlength=v).astype(float)
                p = (counts[te[1:]] + alpha) / (counts.sum() + alpha * v)
            else:
                pairs = np.zeros((v, v))
                np.add.at(pairs, (source[:-1], source[1:]), 1)
                totals = (pairs.sum(axis=1) if denominator == "pairs"
                          else np.bincount(source, minlength=v).astype(float))
                p = ((pairs[te[:-1], te[1:]] + alpha)
                     / (totals[te[:-1]] + (alpha * v if alpha_v else alpha)))
            bits = float(-np.mean(np.log2(p)))
            out.append(bits * math.log(2) if nats else bits)
        return np.array(out)

    expected = variant()
    assert np.allclose(expected, [NGramModel(2, v, alpha).fit(tr).bits(te)
                                  for tr, te, v, alpha in cases])
    diagnose(result, expected, {
        "that is in nats (natural log); bits use log₂.": variant(nats=True),
        "that ignores the previous character: a unigram model.": variant(unigram=True),
        "counted on the test text: the counts must come from the training text only.":
            variant(counted="test"),
        "the denominator needs + α V: α is added to every one of the V counts.":
            variant(alpha_v=False),
        "C(c) counts c as a context, i.e. among train[:-1] (the pairs it starts): "
        "np.bincount(train) also counts the last character, which starts no pair.":
            variant(denominator="bincount"),
    }, atol=1e-6)
    return "the bigram's cross-entropy, every unseen pair smoothed by α rather than infinite."


def _kn_bigram(train: np.ndarray, V: int, D: float, mistake: str | None = None) -> np.ndarray:
    """The (V, V) matrix p(b | a) of interpolated Kneser–Ney with one discount D, or the matrix
    a usual mistake gives."""
    C = np.zeros((V, V))
    np.add.at(C, (train[:-1], train[1:]), 1)
    seen = C > 0
    cont = seen.sum(axis=1 if mistake == "successors" else 0).astype(float)
    if mistake == "plain counts":            # the unigram level of absolute discounting
        cont = C.sum(axis=0)
    if mistake == "no lower discount":
        p1 = cont / cont.sum()
    else:
        p1 = np.maximum(cont - D, 0) / cont.sum() + D * np.sum(cont > 0) / cont.sum() / V
    total = C.sum(axis=1, keepdims=True)
    safe = np.maximum(total, 1)
    types = seen.sum(axis=1, keepdims=True)
    weight = D / safe if mistake == "no T" else D * types / safe
    P = np.maximum(C - D, 0) / safe + weight * p1
    if mistake == "no fallback":
        return np.where(total > 0, P, 1.0 / V)
    return np.where(total > 0, P, p1)


@checker("kneser-ney-bigram")
def check_kneser_ney_bigram(kn_bigram: Any) -> str:
    """``kn_bigram(train, V, D)`` returns the (V, V) matrix P with P[a, b] = p(b | a) of
    interpolated Kneser–Ney with one discount D, as the chapter works it by hand: the bigram
    level discounts the counts C(a, b) and hands D T(a) / C(a) to p_1(b), which discounts the
    continuation counts (distinct characters before b) and hands the rest to 1/V; a context never
    seen uses p_1 alone."""
    from rnnlab.language_model import KneserNeyNGram

    rng = np.random.default_rng(1995)
    cases = []
    for V, size, D in ((6, 200, 0.5), (7, 60, 0.75), (5, 400, 0.3)):
        train = rng.integers(1, V - 1, size=size)    # id 0 and id V − 1 never occur
        train[::4] = 1                               # a skewed text, so contexts matter
        train[-1] = V - 1                            # V − 1 ends the text: never a context
        cases.append((train, V, D))
    for train, V, D in cases:
        result = call_answer(kn_bigram, train.copy(), V, D)
        if result is not None and np.shape(result) == (V, V):
            values = np.asarray(result, dtype=float)
            if not np.all(np.isfinite(values)):
                raise WrongAnswer("NaN or infinite values: a context never seen in training has "
                                  "C(a) = 0, so the division fails. Such a row falls back to "
                                  "p_1(b) entirely.")
        values = as_array(result, (V, V), f"kn_bigram(train, {V}, {D})")
        model = KneserNeyNGram(2, V, discount=D).fit(train)
        right = np.array([[2.0 ** model.log2_probs(np.array([a, b]))[-1] for b in range(V)]
                          for a in range(V)])
        assert np.allclose(right, _kn_bigram(train, V, D))
        if np.allclose(values, right.T, atol=1e-9) and not np.allclose(right, right.T):
            raise WrongAnswer("transposed: row a must hold p(b | a), the next character b after "
                              "a, and sum to 1 over b.")
        diagnose(values, right, {
            "the lower order counts continuations, not occurrences: p_1(b) uses the number of "
            "different characters seen before b, not how often b occurs (that is absolute "
            "discounting).": _kn_bigram(train, V, D, "plain counts"),
            "that counts the different characters seen after each character; the continuation "
            "count of b is the number of different characters seen before b.":
                _kn_bigram(train, V, D, "successors"),
            "the rows do not sum to 1: the weight of p_1 is D T(a) / C(a), where T(a) is the "
            "number of different characters seen after a (D is taken once from each of them).":
                _kn_bigram(train, V, D, "no T"),
            "p_1 itself is smoothed the same way: max(N(b) − D, 0) / ΣN + D T / ΣN · 1/V, with "
            "N(b) the continuation counts and T the number of characters with one; otherwise a "
            "character never seen after another gets probability 0.":
                _kn_bigram(train, V, D, "no lower discount"),
            "a context never seen in training falls back to p_1(b), not to the uniform 1/V.":
                _kn_bigram(train, V, D, "no fallback"),
        }, atol=1e-9)
    return ("interpolated Kneser–Ney: discounted counts, and the freed mass handed to how many "
            "different contexts each character completes.")


@checker("char-lm-keras")
def check_char_lm_keras(build_char_lm: Any) -> str:
    """``build_char_lm(V)`` returns a smaller version of the chapter's character language model
    in Keras, compiled: it reads ids (batch, T), any T, and returns the logits of the next
    character at every step, (batch, T, V), through a causal recurrent layer with
    ``return_sequences=True``; the loss is ``SparseCategoricalCrossentropy(from_logits=True)``."""
    import keras

    rng = np.random.default_rng(7)
    for V in (13, 29):
        model = call_answer(build_char_lm, V, hints={
            "ndim": "Keras could not connect the layers: a layer that needs a sequence received "
                    "one vector per window. Give the recurrent layer return_sequences=True."})
        if not isinstance(model, keras.Model):
            raise WrongAnswer(f"return the keras.Model you built, got {type(model).__name__}.")
        shape = tuple(model.input_shape)
        if len(shape) == 3:
            raise WrongAnswer(f"the model reads vectors, input shape {shape}: it must read the ids "
                              "themselves, (batch, T), and turn them into vectors with an Embedding: "
                              "keras.Input(shape=(None,), dtype=\"int32\").")
        embeddings = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
        if embeddings and embeddings[0].input_dim != V:
            raise WrongAnswer(f"build_char_lm({V}) built Embedding({embeddings[0].input_dim}, …): "
                              f"the table needs one row per id, Embedding(V, …) with V = {V}.")
        outputs = {}
        for T in (7, 11):
            ids = rng.integers(0, V, size=(3, T)).astype("int32")
            try:
                outputs[T] = np.asarray(model(ids), dtype=np.float64)
            except Exception as error:
                raise WrongAnswer(f"the model failed on ids of shape (3, {T}) with V = {V}: "
                                  f"{type(error).__name__}. It must take windows of any length: "
                                  "keras.Input(shape=(None,), dtype=\"int32\").") from None
            out = outputs[T]
            if out.shape == (3, V):
                raise WrongAnswer("one prediction per window, shape (batch, V): the recurrent layer "
                                  "returns only its last state. A language model predicts at every "
                                  "step: give it return_sequences=True.")
            if out.ndim == 3 and out.shape[:2] == (3, T) and out.shape[2] != V:
                raise WrongAnswer(f"build_char_lm({V}) gives {out.shape[2]} outputs per step: the "
                                  f"Dense layer needs one logit per character of the vocabulary, "
                                  f"Dense(V) with V = {V}.")
            if out.shape != (3, T, V):
                raise WrongAnswer(f"ids of shape (3, {T}) gave an output of shape {out.shape}, "
                                  f"expected (3, {T}, {V}): one row of V logits per step.")
            if np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1.0, atol=1e-4):
                raise WrongAnswer("the outputs are probabilities: the Dense layer has a softmax. With "
                                  "from_logits=True the loss applies the softmax itself, so the model "
                                  "must return logits: Dense(V) with no activation.")
            changed = ids.copy()
            changed[:, -1] = (changed[:, -1] + 1) % V
            if not np.allclose(np.asarray(model(changed), dtype=np.float64)[:, :-1], out[:, :-1],
                               atol=1e-6):
                raise WrongAnswer("the prediction at a step changes when a later character changes: "
                                  "the model reads the future (a Bidirectional layer?). A language "
                                  "model may only read the characters up to the step it predicts from.")
        if not any(isinstance(layer, keras.layers.RNN) for layer in model.layers):
            raise WrongAnswer("the model has no recurrent layer: put a GRU (or LSTM or SimpleRNN) "
                              "with return_sequences=True between the Embedding and the Dense layer.")
        loss = getattr(model, "loss", None)
        if loss is None:
            raise WrongAnswer("the model is not compiled: model.compile(optimizer=keras.optimizers"
                              ".Adam(...), loss=keras.losses.SparseCategoricalCrossentropy("
                              "from_logits=True)).")
        if isinstance(loss, str) or not getattr(loss, "from_logits", False):
            raise WrongAnswer(f"the loss {loss!r} expects probabilities (from_logits=False), but the "
                              "model returns logits: loss=keras.losses.SparseCategoricalCrossentropy("
                              "from_logits=True).")
    return ("(batch, T) ids in, (batch, T, V) logits out, a loss at every step: a smaller "
            "version of the chapter's model, ready for rnnlab.fit or model.fit.")
