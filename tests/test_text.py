"""Chapter 7's text code: the corpus, ids and windows, n-grams, temperature, the NumPy twin of a
Keras character model, generation, the addition task and the encoder–decoder."""
import math
import sys

import numpy as np
import pytest

from rnnlab.data import DataUnavailable
from rnnlab.data import text as textdata
from rnnlab.data.synthetic import ADDITION_SYMBOLS, addition_strings
from rnnlab.data.text import (CORPUS_SHA256, UNKNOWN, Vocabulary, lm_streams, lm_windows,
                              load_corpus, split_text)
from rnnlab.language_model import (CharLM, NGramModel, best_ngram, bits_per_char, generate, perplexity,
                         sample_next, temperature_probabilities)

CELLS = ("simple_rnn", "lstm", "gru")


# --- the corpus -----------------------------------------------------------------------------

def test_the_corpus_is_the_documentation_text_and_verified_where_its_release_is_known():
    corpus = load_corpus()
    assert 100_000 < len(corpus) < 5_000_000
    assert "assert" in corpus.text and "Python Software Foundation" in corpus.licence
    python = ".".join(map(str, sys.version_info[:3]))
    assert corpus.python == python
    assert corpus.verified == (python in CORPUS_SHA256)


def test_a_python_without_pydoc_data_gets_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydoc_data.topics", None)     # import raises ImportError
    with pytest.raises(DataUnavailable, match="pydoc_data.*full Python installation"):
        load_corpus()


def test_a_modified_text_of_a_known_release_is_refused(monkeypatch):
    import pydoc_data.topics as topics

    python = ".".join(map(str, sys.version_info[:3]))
    monkeypatch.setitem(CORPUS_SHA256, python, "0" * 64)
    with pytest.raises(DataUnavailable, match="was modified"):
        load_corpus()
    monkeypatch.setitem(topics.topics, "assert", "changed")
    monkeypatch.delitem(CORPUS_SHA256, python)
    assert not load_corpus().verified


def test_split_is_by_position_and_covers_the_text():
    text = "".join(chr(65 + i % 26) for i in range(1000))
    train, validation, test = split_text(text)
    assert (len(train), len(validation), len(test)) == (800, 100, 100)
    assert train + validation + test == text
    with pytest.raises(ValueError, match="three positive shares"):
        split_text(text, (0.5, 0.5))
    with pytest.raises(ValueError, match="non-empty string"):
        split_text("")
    with pytest.raises(ValueError, match="too short"):
        split_text("abc")


def test_vocabulary_round_trip_and_unknown_characters():
    vocab = Vocabulary.from_text("banana bread")
    assert vocab.symbols[0] == UNKNOWN and len(vocab) == 1 + len(set("banana bread"))
    ids = vocab.encode("bread")
    assert ids.dtype == np.int32 and vocab.decode(ids) == "bread"
    assert vocab.encode("x")[0] == 0 and vocab.decode([0]) == UNKNOWN
    with pytest.raises(ValueError, match=r"ids must lie in \[0, "):
        vocab.decode([len(vocab)])
    with pytest.raises(TypeError, match="string"):
        vocab.encode(["a"])


def test_load_text_uses_the_training_vocabulary():
    data = textdata.load_text()
    assert len(data.train) + len(data.validation) + len(data.test) == len(data.corpus)
    assert data.vocabulary == Vocabulary.from_text(data.corpus.text[:len(data.train)])
    assert data.train.min() > 0           # every training character is in the vocabulary


# --- windows ----------------------------------------------------------------------------------

def test_windows_predict_the_next_character_at_every_step():
    ids = np.arange(23)
    x, y = lm_windows(ids, 5)
    assert x.shape == y.shape == (4, 5)
    assert np.array_equal(y, x + 1) and np.array_equal(x.ravel(), ids[:20])
    with pytest.raises(ValueError, match="too few"):
        lm_windows(np.arange(5), 5)
    with pytest.raises(ValueError, match="1-D array of integers"):
        lm_windows(np.zeros((3, 4), int), 2)


def test_streams_continue_row_by_row_from_batch_to_batch():
    ids = np.arange(1000)
    x, y = lm_streams(ids, 10, 4)
    batches = x.reshape(-1, 4, 10)
    for k in range(len(batches) - 1):
        assert np.array_equal(batches[k + 1][:, 0], batches[k][:, -1] + 1)
    assert np.array_equal(y, x + 1)
    # the four streams are contiguous quarters of the text
    assert [int(batches[0][b, 0]) for b in range(4)] == [0, 249, 498, 747]


# --- bits, n-grams, temperature ---------------------------------------------------------------

def test_bits_and_perplexity():
    assert bits_per_char(math.log(4)) == pytest.approx(2.0)
    assert perplexity(2.0) == 4.0
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="cross-entropy"):
            bits_per_char(bad)


def brute_force_bits(train, test, order, V, alpha):
    """The add-α n-gram by dictionaries, context padded with id 0."""
    from collections import Counter

    def contexts(ids):
        padded = [0] * (order - 1) + list(ids)
        return [(tuple(padded[t:t + order - 1]), ids[t]) for t in range(1, len(ids))]

    pairs = Counter(contexts(train))
    totals = Counter(c for c, _ in contexts(train))
    return -np.mean([math.log2((pairs[(c, s)] + alpha) / (totals[c] + alpha * V))
                     for c, s in contexts(test)])


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_ngram_model_matches_counting_by_hand(order):
    rng = np.random.default_rng(order)
    train, test = rng.integers(0, 6, 400), rng.integers(0, 6, 120)
    train[::4] = 1
    model = NGramModel(order, 6, 0.3).fit(train)
    assert model.bits(test) == pytest.approx(brute_force_bits(train, test, order, 6, 0.3), rel=1e-12)


def test_ngram_probabilities_sum_to_one_over_the_vocabulary():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 5, 300)
    model = NGramModel(3, 5, 0.1).fit(train)
    for context in ([1, 2], [4, 4], [0, 3]):
        total = sum(2.0 ** model.log2_probs(np.array(context + [s]))[-1] for s in range(5))
        assert total == pytest.approx(1.0)


def test_best_ngram_chooses_alpha_on_validation_and_rejects_bad_settings():
    rng = np.random.default_rng(1)
    train, validation = rng.integers(0, 4, 200), rng.integers(0, 4, 100)
    best = best_ngram(2, train, validation, 4, values=(0.01, 1.0, 50.0))
    assert best.bits(validation) == min(NGramModel(2, 4, a).fit(train).bits(validation)
                                        for a in (0.01, 1.0, 50.0))
    with pytest.raises(ValueError, match="alpha"):
        NGramModel(2, 4, 0.0)
    with pytest.raises(ValueError, match="too large"):
        NGramModel(9, 4)
    with pytest.raises(RuntimeError, match="fit"):
        NGramModel(2, 4).bits(validation)
    with pytest.raises(ValueError, match=r"lie in \[0, 4\)"):
        NGramModel(2, 4).fit(np.array([0, 1, 7]))


def test_temperature_reshapes_the_distribution():
    logits = np.array([2.0, 1.0, 0.5, -1.0])
    p1 = temperature_probabilities(logits, 1.0)
    assert np.allclose(p1, np.exp(logits) / np.exp(logits).sum())
    entropies = [-(p * np.log(p)).sum() for p in
                 (temperature_probabilities(logits, t) for t in (0.25, 0.5, 1.0, 2.0, 8.0))]
    assert all(a < b for a, b in zip(entropies, entropies[1:]))
    assert np.array_equal(temperature_probabilities(logits, 0), [1, 0, 0, 0])
    huge = temperature_probabilities(np.array([[1000.0, 999.0], [-5.0, 5.0]]), 0.5)
    assert np.all(np.isfinite(huge)) and np.allclose(huge.sum(axis=1), 1)
    with pytest.raises(ValueError, match="temperature"):
        temperature_probabilities(logits, -1)
    with pytest.raises(ValueError, match="finite"):
        temperature_probabilities(np.array([np.nan, 1.0]), 1)


def test_sampling_follows_the_tempered_distribution():
    logits = np.array([1.0, 0.0, -1.0])
    rng = np.random.default_rng(0)
    draws = np.bincount([sample_next(logits, 0.7, rng) for _ in range(20_000)], minlength=3)
    expected = temperature_probabilities(logits, 0.7)
    assert np.allclose(draws / draws.sum(), expected, atol=0.015)
    assert sample_next(np.array([0.1, 3.0, 0.2]), 0, rng) == 1


# --- the NumPy twin of a Keras character model --------------------------------------------------

@pytest.fixture(scope="module")
def models():
    from rnnlab.models import language_model

    built = {}
    for cell in CELLS:
        model = language_model(cell, 11, 6, embedding_dim=4, seed=3)
        rng = np.random.default_rng(4)       # larger weights than the initialiser's
        model.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32")
                           for w in model.get_weights()])
        built[cell] = model
    return built


@pytest.mark.parametrize("cell", CELLS)
def test_char_lm_reproduces_the_keras_model(models, cell):
    ids = np.random.default_rng(5).integers(0, 11, size=(3, 17))
    lm = CharLM.from_keras(models[cell])
    keras_logits = np.asarray(models[cell](ids))
    logits, _ = lm.run(ids)
    assert np.max(np.abs(logits - keras_logits)) < 1e-5


@pytest.mark.parametrize("cell", CELLS)
def test_carrying_the_state_equals_reading_in_one_go(models, cell):
    lm = CharLM.from_keras(models[cell])
    ids = np.random.default_rng(6).integers(0, 11, size=(2, 30))
    whole, _ = lm.run(ids)
    first, states = lm.run(ids[:, :12])
    second, _ = lm.run(ids[:, 12:], states)
    assert np.allclose(np.concatenate([first, second], axis=1), whole, atol=1e-12)


def test_bits_in_windows_equal_keras_cross_entropy_on_the_same_windows(models):
    import keras

    model = models["gru"]
    lm = CharLM.from_keras(model)
    ids = np.random.default_rng(7).integers(0, 11, size=8 * 10 + 1)
    x, y = lm_windows(ids, 10)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, model(x))
    assert lm.bits(ids, window=10) == pytest.approx(float(loss) / math.log(2), rel=1e-5)
    # read as one sequence, only the first window starts from zero: a different number
    assert lm.bits(ids) != pytest.approx(lm.bits(ids, window=10), rel=1e-6)
    # pieces read side by side are the pieces read one at a time
    pieces = [lm.log2_probs(ids[k * 27:(k + 1) * 27 + 1]) for k in range(3)]
    assert np.allclose(lm.log2_probs(ids, streams=3), np.concatenate(pieces)[:80], atol=1e-12)
    with pytest.raises(ValueError, match="not both"):
        lm.bits(ids, window=10, streams=2)


def test_a_stateful_keras_model_over_streams_is_the_twin_with_the_state_carried(models):
    from rnnlab.models import language_model

    source = models["lstm"]
    stateful = language_model("lstm", 11, 6, embedding_dim=4, batch_size=2, stateful=True)
    stateful.set_weights(source.get_weights())
    ids = np.random.default_rng(8).integers(0, 11, size=2 * 3 * 5 + 1)
    x, _ = lm_streams(ids, 5, 2)
    keras_logits = np.concatenate([np.asarray(stateful(x[k:k + 2])) for k in range(0, len(x), 2)],
                                  axis=0).reshape(3, 2, 5, 11).transpose(1, 0, 2, 3).reshape(2, 15, 11)
    streams = ids[:30].reshape(2, 15)
    logits, _ = CharLM.from_keras(source).run(streams)
    assert np.max(np.abs(keras_logits - logits)) < 1e-5


def test_one_hot_model_twin_and_errors(models):
    from rnnlab.models import language_model

    model = language_model("simple_rnn", 7, 5, embedding_dim=None, seed=0)
    lm = CharLM.from_keras(model)
    assert lm.embedding is None
    ids = np.random.default_rng(9).integers(0, 7, size=(2, 6))
    assert np.max(np.abs(np.asarray(model(np.eye(7, dtype="float32")[ids])) - lm.run(ids)[0])) < 1e-5
    with pytest.raises(ValueError, match=r"lie in \[0, 7\)"):
        lm.run(np.array([[7]]))
    with pytest.raises(ValueError, match="stateful model needs a fixed batch_size"):
        language_model("gru", 7, 5, stateful=True)


def test_generate_is_deterministic_when_greedy_and_checks_its_input(models):
    vocab = Vocabulary(tuple("\ufffdabcdefghij"))
    model = models["gru"]
    greedy = [generate(model, vocab, "abc", 30, temperature=0, seed=s) for s in (0, 1)]
    assert greedy[0] == greedy[1] and len(greedy[0]) == 30
    sampled = [generate(model, vocab, "abc", 30, temperature=1.0, seed=s) for s in (0, 1)]
    assert sampled[0] != sampled[1]
    assert generate(model, vocab, "abc", 30, temperature=1.0, seed=0) == sampled[0]
    with pytest.raises(ValueError, match="non-empty string"):
        generate(model, vocab, "", 5)
    with pytest.raises(ValueError, match="vocabulary has 4 symbols"):
        generate(model, Vocabulary(tuple("\ufffdabc")), "a", 5)


def test_a_batch_of_prompts_is_each_prompt_continued_alone(models):
    lm = CharLM.from_keras(models["lstm"])
    prompts = np.random.default_rng(14).integers(0, 11, size=(5, 4))
    greedy = lm.generate(prompts, 12, temperature=0)
    assert greedy.shape == (5, 12)
    for row, prompt in zip(greedy, prompts):        # greedy: the same as one prompt at a time
        assert np.array_equal(row, lm.generate(prompt, 12, temperature=0))
    # sampled: every row draws from its own tempered distribution given its own past
    many = np.repeat(prompts[:1], 4000, axis=0)
    first = lm.generate(many, 1, temperature=0.8, seed=3)[:, 0]
    logits, _ = lm.run(prompts[:1])
    expected = temperature_probabilities(logits[0, -1], 0.8)
    assert np.allclose(np.bincount(first, minlength=11) / len(first), expected, atol=0.025)
    assert not np.array_equal(lm.generate(many[:8], 20, 1.0, seed=0),
                              lm.generate(many[:8], 20, 1.0, seed=1))
    with pytest.raises(ValueError, match=r"\(P,\) or \(B, P\)"):
        lm.generate(np.zeros((2, 0), int), 3)


# --- the addition task and the encoder–decoder ------------------------------------------------

def test_addition_strings_are_sums_left_padded_and_reversible():
    data = addition_strings(500, 3, seed=1)
    flipped = addition_strings(500, 3, seed=1, reverse=True)
    show = lambda row: "".join(ADDITION_SYMBOLS[i] for i in row)
    for k in range(500):
        source, target = show(data.source[k]), show(data.target[k])
        a, b = (int(v) for v in source.strip().split("+"))
        assert (a, b) == (data.a[k], data.b[k]) and source == f"{a}+{b}".rjust(7)
        assert target.split("$")[0] == str(a + b)
        assert show(flipped.source[k]) == f"{a}+{b}"[::-1].rjust(7)
    assert np.array_equal(data.decoder_input[:, 1:], data.target[:, :-1])
    assert (data.decoder_input[:, 0] == ADDITION_SYMBOLS.index("^")).all()
    digits = np.char.str_len(data.a.astype(str))
    assert set(digits) == {1, 2, 3} and abs(np.mean(digits == 1) - 1 / 3) < 0.08
    with pytest.raises(ValueError, match="at most 9"):
        addition_strings(10, 10)


def test_the_decoder_is_causal_so_greedy_decoding_can_rerun_the_model():
    from rnnlab.experiments.language import greedy_decode
    from rnnlab.models import seq2seq_model

    model = seq2seq_model("gru", len(ADDITION_SYMBOLS), 8, seed=0)
    data = addition_strings(4, 2, seed=0)
    base = np.asarray(model([data.source, data.decoder_input]))
    changed = data.decoder_input.copy()
    changed[:, 2:] = 5
    after = np.asarray(model([data.source, changed]))
    assert np.allclose(base[:, :2], after[:, :2]) and not np.allclose(base[:, 2:], after[:, 2:])
    decoded = greedy_decode(model, data.source, 4, ADDITION_SYMBOLS.index("^"))
    # step by step: feed each output back by hand
    dec = np.zeros((4, 4), np.int32)
    dec[:, 0] = ADDITION_SYMBOLS.index("^")
    for t in range(3):
        dec[:, t + 1] = np.asarray(model([data.source, dec]))[:, t].argmax(-1)
    assert np.array_equal(decoded[:, :3], dec[:, 1:])


def test_seq2seq_run_scores_and_records(monkeypatch):
    from rnnlab.experiments import seq2seq_run

    run = seq2seq_run("gru", samples=300, test_samples=200, units=8, epochs=1, max_digits=2)
    assert 0 <= run.exact_match <= 1 and 0 <= run.symbol_accuracy <= 1
    assert sum(run.count_by_length.values()) == run.test_samples
    assert set(run.count_by_length) <= set(range(3, 6))
    assert run.to_json()["reverse"] is False and len(run.examples) == 6
    # causal decoder, greedy decoding: exactly right free-running iff every teacher-forced
    # prediction is right
    assert run.teacher_forced_exact == run.exact_match
    assert 0 <= run.independent_exact <= 1
    assert set(run.independent_by_length) == set(run.count_by_length)
    assert 0 <= run.multi_error_independent <= 1
    assert np.isnan(run.multi_error_share) or 0 <= run.multi_error_share <= 1


def test_multi_errors_follow_the_binomial_when_errors_are_independent():
    from rnnlab.experiments.language import multi_errors

    rng = np.random.default_rng(3)
    size = rng.integers(2, 6, 200_000)
    a = np.where(size > 3, 0.9, 0.97)
    wrong = (rng.random((len(size), 5)) > a[:, None])[:, :5]
    wrong = np.sum(wrong & (np.arange(5) < size[:, None]), axis=1)
    measured, independent = multi_errors(wrong, size, a)
    assert measured == pytest.approx(independent, abs=0.005)
    # by hand: one answer of 3 symbols at a = 0.9: P(>= 1) = 0.271, P(>= 2) = 0.028
    assert multi_errors(np.array([1]), np.array([3]), np.array([0.9]))[1] == pytest.approx(
        0.028 / 0.271)
    # errors that always come in pairs: every wrong answer has two
    assert multi_errors(np.array([0, 2, 2]), np.array([4, 4, 4]), np.full(3, 0.9))[0] == 1.0
    assert np.isnan(multi_errors(np.zeros(3, int), np.full(3, 4), np.full(3, 0.9))[0])
    with pytest.raises(ValueError, match="aligned"):
        multi_errors(np.array([5]), np.array([4]), np.array([0.9]))


def test_mean_by_length_averages_runs_length_by_length():
    from types import SimpleNamespace

    from rnnlab.experiments import mean_by_length

    runs = [SimpleNamespace(exact_by_length={5: 0.9, 4: 1.0}),
            SimpleNamespace(exact_by_length={4: 0.5, 5: 0.7})]
    means = mean_by_length(runs, "exact_by_length")
    assert list(means) == [4, 5] and means == pytest.approx({4: 0.75, 5: 0.8})
    with pytest.raises(ValueError, match="different lengths"):
        mean_by_length([runs[0], SimpleNamespace(exact_by_length={4: 1.0})], "exact_by_length")
    with pytest.raises(ValueError, match="at least one run"):
        mean_by_length([], "exact_by_length")


def test_language_run_trains_scores_and_keeps_its_model_out_of_json():
    from rnnlab.experiments import LanguageRun, language_run

    run = language_run("gru", units=8, embedding_dim=4, window=16, epochs=1, train_chars=3000)
    data = textdata.load_text()
    assert run.test_bits == pytest.approx(run.lm.bits(data.test, 16))
    assert run.test_bits_carried == pytest.approx(run.lm.bits(data.test, streams=16))
    assert run.validation_bits == pytest.approx(run.lm.bits(data.validation, 16), rel=1e-4)
    saved = run.to_json()
    assert "lm" not in saved and LanguageRun.from_json(saved).test_bits == run.test_bits
    stateful = language_run("gru", units=8, embedding_dim=4, window=16, epochs=1,
                            train_chars=3000, stateful=True, batch_size=8, test_chars=1000)
    assert "val_loss" not in stateful.history and stateful.stateful
    assert run.test_chars == len(data.test) and stateful.test_chars == 1000
    assert stateful.test_bits == pytest.approx(stateful.lm.bits(data.test[:1000], 16))


def test_numpy_character_model_trains_like_keras():
    from rnnlab.experiments import char_scratch_vs_keras

    data = textdata.load_text()
    run = char_scratch_vs_keras(data.train[:1500], len(data.vocabulary), units=8, window=16,
                                epochs=2)
    assert np.max(np.abs(np.array(run.numpy_loss) - run.keras_loss)) < 1e-4
    assert run.numpy_loss[1] < run.numpy_loss[0]
    assert "lm" not in run.to_json()


def test_char_numpy_epoch_gradient_matches_finite_differences():
    """One SGD step with lr ε along -g changes the loss by about -ε |g|²: check the gradient the
    epoch applies against central differences of the loss."""
    from rnnlab.experiments.scratch import char_numpy_epoch

    rng = np.random.default_rng(10)
    V, n = 5, 3
    params = {"W": rng.normal(size=(V, n)), "U": rng.normal(size=(n, n)) * 0.5,
              "b": rng.normal(size=(n,)), "W_y": rng.normal(size=(n, V)), "b_y": rng.normal(size=(V,))}
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    ids = rng.integers(0, V, size=(2, 7))
    x, y = ids[:, :6], ids[:, 1:]

    def loss(p):
        return char_numpy_epoch("simple_rnn", p, zero, x, y, batch_size=2, learning_rate=0.0,
                                momentum=0.0, clip=1e9)[2]

    stepped, _, _ = char_numpy_epoch("simple_rnn", params, zero, x, y, batch_size=2,
                                     learning_rate=1.0, momentum=0.0, clip=1e9)
    for name in params:
        grad = params[name] - stepped[name]          # lr 1: the step is -gradient
        numeric = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += 1e-6
            down[name][index] -= 1e-6
            numeric[index] = (loss(up) - loss(down)) / 2e-6
        assert np.allclose(grad, numeric, atol=1e-7), name


def test_train_keys_every_input_of_a_model_with_several(monkeypatch, tmp_path):
    import keras

    from rnnlab.experiments.recipe import recipe
    from rnnlab.experiments.training import _named
    from rnnlab.models import seq2seq_model

    assert _named("x", np.zeros(3)).keys() == {"x"}
    assert _named("x", [np.zeros(3), np.ones((3, 2))]).keys() == {"x0", "x1"}
    model = seq2seq_model("gru", 6, 4, seed=0)
    model.compile(optimizer="adam", loss="mse")
    material = recipe(model, {**_named("x", [np.zeros((2, 3)), np.ones((2, 2))])}, {})
    assert set(material["data"]) == {"x0", "x1"}


def brute_force_discounted(train, test, order, V, D):
    """Interpolated absolute discounting by dictionaries, context padded with id 0."""
    from collections import Counter, defaultdict

    def pairs(ids, k):
        padded = [0] * k + list(ids)
        return [(tuple(padded[t:t + k]), ids[t]) for t in range(1, len(ids))]

    tables = []
    for k in range(order):
        counts = Counter(pairs(train, k))
        totals, successors = Counter(), defaultdict(set)
        for (c, s), n in counts.items():
            totals[c] += n
            successors[c].add(s)
        tables.append((counts, totals, successors))
    bits = []
    for t in range(1, len(test)):
        p = 1.0 / V
        for k, (counts, totals, successors) in enumerate(tables):
            c = tuple(([0] * k + list(test))[t:t + k])
            if totals[c]:
                p = (max(counts[(c, test[t])] - D, 0) + D * len(successors[c]) * p) / totals[c]
        bits.append(-math.log2(p))
    return float(np.mean(bits))


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_discounted_ngram_matches_the_recursion_by_hand(order):
    from rnnlab.language_model import DiscountedNGram

    rng = np.random.default_rng(order + 10)
    train, test = rng.integers(0, 6, 500), rng.integers(0, 6, 150)
    train[::3] = 2
    model = DiscountedNGram(order, 6, 0.8).fit(train)
    assert model.bits(test) == pytest.approx(brute_force_discounted(train, test, order, 6, 0.8),
                                             rel=1e-12)


def test_discounted_probabilities_sum_to_one_even_after_unseen_contexts():
    from rnnlab.language_model import DiscountedNGram

    rng = np.random.default_rng(3)
    train = rng.integers(0, 5, 200)
    train[train == 4] = 3                   # id 4 never occurs in training
    model = DiscountedNGram(4, 5, 0.7).fit(train)
    for context in ([1, 2, 3], [4, 4, 4], [0, 3, 1]):
        total = sum(2.0 ** model.log2_probs(np.array(context + [s]))[-1] for s in range(5))
        assert total == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"discount must be a number in \(0, 1\)"):
        DiscountedNGram(2, 5, 1.0)
    with pytest.raises(ValueError, match="smoothing must be one of"):
        best_ngram(2, train, train, 5, smoothing="kneser")


def test_scoring_with_limited_context_gives_each_prediction_k_to_2k_characters(models):
    lm = CharLM.from_keras(models["gru"])
    ids = np.random.default_rng(11).integers(0, 11, size=58)
    got = lm.log2_probs(ids, context=8)
    expected = np.empty(57)
    for t in range(57):               # predicting ids[t + 1] from the input at position t
        start = 0 if t < 16 else (t // 8 - 1) * 8
        expected[t] = lm.log2_probs(ids[start:t + 2])[-1]
    assert np.allclose(got, expected, atol=1e-12)
    with pytest.raises(ValueError, match="context scores alone"):
        lm.bits(ids, window=8, context=8)


def test_dedupe_keeps_one_copy_of_each_text():
    from rnnlab.data.text import dedupe_topics

    rng = np.random.default_rng(12)
    letters = np.array(list("abcdefghij klmnop"))
    big = "".join(rng.choice(letters, 600))
    other = "".join(rng.choice(letters, 300))
    topics = {"compound": big, "while": big[100:250], "mixed": big[:80] + other[:200],
              "other": other[200:], "same": other[200:]}
    kept = dedupe_topics(topics)
    assert kept == sorted(kept)
    assert "compound" in kept and "while" not in kept      # a section of a longer topic
    assert "mixed" in kept                                  # mostly new text
    assert ("other" in kept) != ("same" in kept)            # identical topics: one copy
    assert dedupe_topics({"a": "xy", "b": "xy"}) == ["a"]   # texts shorter than a piece


def test_the_corpus_leaves_out_the_documentation_copies():
    corpus = load_corpus()
    assert {"while", "with", "if"} <= set(corpus.dropped) or sys.version_info[:2] != (3, 11)
    assert not set(corpus.topics) & set(corpus.dropped)
    assert corpus.text.startswith(__import__("pydoc_data.topics").topics.topics[corpus.topics[0]][:100])


@pytest.mark.parametrize("smoothing", ["add-alpha", "discount"])
def test_a_new_setting_on_the_same_counts_is_a_fresh_fit(smoothing):
    from rnnlab.language_model import SMOOTHING

    kind, values = SMOOTHING[smoothing]
    rng = np.random.default_rng(13)
    train, test = rng.integers(0, 7, 400), rng.integers(0, 7, 100)
    fitted = kind(3, 7, values[0]).fit(train)
    for value in values[1:]:
        assert fitted.with_parameter(value).bits(test) == kind(3, 7, value).fit(train).bits(test)
        assert fitted.with_parameter(value).parameter == value
