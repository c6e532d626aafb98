"""Interpolated modified Kneser–Ney (rnnlab.language_model.KneserNeyNGram) against an independent
implementation: Chen & Goodman's equations written with dictionaries, one probability at a time."""
import math
from collections import Counter, defaultdict

import numpy as np
import pytest

from rnnlab.language_model import SMOOTHING, KneserNeyNGram, best_ngram, kneser_ney


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
