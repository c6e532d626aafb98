"""The language-modelling maths (rnnlab/language_model.py): bits and perplexity, the n-gram models
(add-α, absolute discounting, Kneser–Ney) against counting by hand, temperature and sampling, and
the NumPy twin of a Keras character model (CharLM) with generation."""
import math
from collections import Counter, defaultdict

import numpy as np
import pytest

from rnnlab.data.text import Vocabulary, lm_streams, lm_windows
from rnnlab.language_model import (SMOOTHING, CharLM, DiscountedNGram, KneserNeyNGram, NGramModel,
                                   best_ngram, bits_per_char, generate, kneser_ney, perplexity,
                                   sample_next, temperature_probabilities)

CELLS = ("simple_rnn", "lstm", "gru")


# --- bits, add-α and discounted n-grams --------------------------------------------------------

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


def test_the_longest_order_is_the_longest_whose_codes_fit_in_62_bits():
    # chapter 7's vocabulary: 104 ** 9 < 2 ** 62 <= 104 ** 10, so 9-grams are counted exactly
    V = 104
    rng = np.random.default_rng(9)
    train, test = rng.integers(V - 4, V, 300), rng.integers(V - 4, V, 80)   # codes near 2 ** 60
    train[::5] = V - 1
    assert NGramModel(9, V, 0.3).fit(train).bits(test) == pytest.approx(
        brute_force_bits(train, test, 9, V, 0.3), rel=1e-12)
    kn = KneserNeyNGram(9, V).fit(train)
    prob = brute_force_kneser_ney(train, 9, V)
    padded = [0] * 8 + [int(i) for i in test]
    assert np.allclose(kn.log2_probs(test), [math.log2(prob(padded[t:t + 8], int(test[t])))
                                             for t in range(1, len(test))], rtol=0, atol=1e-12)
    for kind in (NGramModel, DiscountedNGram, KneserNeyNGram):
        assert kind(9, V).order == 9
        with pytest.raises(ValueError, match="too large"):
            kind(10, V)
    assert NGramModel(30, 4).order == 30    # 4 ** 30 = 2 ** 60


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
        NGramModel(31, 4)                   # 4 ** 31 = 2 ** 62: the codes no longer fit
    with pytest.raises(RuntimeError, match="fit"):
        NGramModel(2, 4).bits(validation)
    with pytest.raises(ValueError, match=r"lie in \[0, 4\)"):
        NGramModel(2, 4).fit(np.array([0, 1, 7]))


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


# --- interpolated modified Kneser–Ney (KneserNeyNGram) against an independent implementation:
# Chen & Goodman's equations written with dictionaries, one probability at a time ---------------


def brute_force_kneser_ney(train, order, V, scale=1.0, fixed=None):
    """p(s | context) of interpolated modified Kneser–Ney (Chen & Goodman 1998, eqs. 17–19 with
    the discounts of their section 3.5), by dictionaries; contexts padded with id 0 before the
    text, as the course's n-gram models do."""
    train = [int(i) for i in train]

    def grams(k):
        """The (context of k characters, next character) pairs of positions 1 … N−1."""
        padded = [0] * k + train
        return [(tuple(padded[t:t + k]), train[t]) for t in range(1, len(train))]

    raw = [Counter(grams(k)) for k in range(order)]
    levels = []
    for k in range(order):
        if k == order - 1:
            counts = dict(raw[k])
        else:                      # continuation counts: distinct characters before "c s"
            before = defaultdict(set)
            for (context, s) in raw[k + 1]:
                before[(context[1:], s)].add(context[0])
            counts = {gram: len(xs) for gram, xs in before.items()}
        n = {j: sum(1 for c in counts.values() if c == j) for j in (1, 2, 3, 4)}
        d = []
        for j in (1, 2, 3):        # D_j = j − (j + 1) Y n_{j+1} / n_j, Y = n_1 / (n_1 + 2 n_2)
            if n[j] == 0 or n[1] + 2 * n[2] == 0:   # undefined: the one before (0.5 for D_1)
                d.append(d[-1] if d else 0.5)
            else:
                d.append(j - (j + 1) * n[1] / (n[1] + 2 * n[2]) * n[j + 1] / n[j])
        d = [min(max(scale * v, 0.0), j) for v, j in zip(d, (1, 2, 3))]
        if fixed is not None:       # one discount for every count
            d = [fixed] * 3
        levels.append((counts, d))

    def prob(context, s):
        p = 1.0 / V
        for k, (counts, d) in enumerate(levels):
            c = tuple(context[len(context) - k:]) if k else ()
            after = {t: counts[(c, t)] for t in range(V) if (c, t) in counts}
            total = sum(after.values())
            if total == 0:
                continue
            discount = lambda count: 0.0 if count == 0 else d[min(count, 3) - 1]
            gamma = sum(discount(count) for count in after.values()) / total
            count = after.get(s, 0)
            p = max(count - discount(count), 0.0) / total + gamma * p
        return p

    return prob


def text(seed, size, V=5):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, size)
    ids[::3] = 1                    # a skewed text, so that contexts matter
    ids[1::7] = 3
    return ids


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("scale, V, size", [(1.0, 5, 600), (0.7, 5, 600), (1.0, 12, 300),
                                            (1.3, 12, 300)])
def test_kneser_ney_matches_the_equations_written_with_dictionaries(order, scale, V, size):
    train, test = text(order, size, V), text(order + 50, 150, V)
    model = KneserNeyNGram(order, V, scale).fit(train)
    prob = brute_force_kneser_ney(train, order, V, scale)
    padded = [0] * (order - 1) + [int(i) for i in test]
    expected = [math.log2(prob(padded[t:t + order - 1], int(test[t])))
                for t in range(1, len(test))]
    assert np.allclose(model.log2_probs(test), expected, rtol=0, atol=1e-12)


def test_kneser_ney_probabilities_sum_to_one_even_after_unseen_contexts():
    V = 6
    train = text(7, 400, V)
    train[train == 5] = 4                       # id 5 never occurs in training
    model = KneserNeyNGram(4, V).fit(train)
    for context in ([1, 2, 3], [5, 5, 5], [0, 3, 1], [1, 3, 1]):
        total = sum(2.0 ** model.log2_probs(np.array(context + [s]))[-1] for s in range(V))
        assert total == pytest.approx(1.0, abs=1e-12)


def test_lower_orders_count_continuations_not_occurrences():
    # "a b" occurs often but "b" follows only "a"; "c" follows three different characters
    V = 5
    train = np.array([0, 1] * 30 + [2, 3, 0, 3, 4, 3, 1, 4])
    model = KneserNeyNGram(2, V).fit(train)
    codes, counts = model._levels[0][:2]        # the unigram level
    continuation = dict(zip(codes.tolist(), counts.tolist()))
    assert continuation[1] == 2                 # after 0 (many times) and after 3: two contexts
    assert continuation[3] == 3                 # after 2, 0 and 4


def test_discounts_follow_chen_and_goodman_and_the_scale_is_chosen_on_validation():
    V = 5
    train, validation = text(1, 800, V), text(2, 200, V)
    model = KneserNeyNGram(3, V).fit(train)
    counts = model._levels[-1][1]
    n1, n2, n3, n4 = (int(np.sum(counts == j)) for j in (1, 2, 3, 4))
    y = n1 / (n1 + 2 * n2)
    assert model.discounts[-1] == pytest.approx([1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2,
                                                 3 - 4 * y * n4 / n3])
    best = best_ngram(3, train, validation, V, smoothing="kneser-ney")
    _, values = SMOOTHING["kneser-ney"]
    assert best.bits(validation) == min(KneserNeyNGram(3, V, v).fit(train).bits(validation)
                                        for v in values)
    assert best.with_parameter(1.0).bits(validation) == model.bits(validation)
    with pytest.raises(ValueError, match="scale"):
        KneserNeyNGram(3, V, 0.0)
    with pytest.raises(RuntimeError, match="fit"):
        KneserNeyNGram(3, V).bits(validation)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("D", [0.3, 0.75])
def test_one_fixed_discount_is_interpolated_kneser_ney(order, D):
    V = 7
    train, test = text(order + 10, 400, V), text(order + 60, 120, V)
    model = KneserNeyNGram(order, V, discount=D).fit(train)
    prob = brute_force_kneser_ney(train, order, V, fixed=D)
    padded = [0] * (order - 1) + [int(i) for i in test]
    expected = [math.log2(prob(padded[t:t + order - 1], int(test[t])))
                for t in range(1, len(test))]
    assert np.allclose(model.log2_probs(test), expected, rtol=0, atol=1e-12)
    assert np.all(model.discounts == D)
    assert model.with_parameter(1.0).bits(test) == model.bits(test)
    with pytest.raises(ValueError, match="not both"):
        KneserNeyNGram(order, V, 0.8, discount=D)
    with pytest.raises(ValueError, match="discount"):
        KneserNeyNGram(order, V, discount=1.5)


def test_the_toy_text_of_chapter_7_by_hand():
    # "the cat sat on the mat", ids 1 … 10 in sorted order
    tiny = "the cat sat on the mat"
    symbols = sorted(set(tiny))
    ids = np.array([symbols.index(ch) + 1 for ch in tiny])
    V = len(symbols) + 1
    model = kneser_ney(ids, 2, V, discount=0.5)
    assert np.all(model.discounts == 0.5) and model.order == 2
    # 15 distinct pairs of neighbours, ending in all 10 characters; "h" follows only "t"
    p1 = (1 - 0.5) / 15 + 0.5 * 10 / 15 / V
    # after a space: c, s, o, t, m once each, never h
    p2 = 0.5 * 5 / 5 * p1
    space, h = symbols.index(" ") + 1, symbols.index("h") + 1
    assert 2.0 ** model.log2_probs(np.array([space, h]))[-1] == pytest.approx(p2, rel=1e-12)


# --- temperature and sampling ------------------------------------------------------------------

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


# --- the NumPy twin of a Keras character model -------------------------------------------------

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
