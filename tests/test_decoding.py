"""Decoding (rnnlab.decoding): beam search against brute force, greedy, sampling and its filters."""
import itertools

import numpy as np
import pytest

from rnnlab import decoding
from rnnlab.decoding import (beam_search, beam_step, distinct_ngrams, greedy, length_normalised,
                             repeated_share, sample, sequence_log_prob, top_k_filter, top_p_filter)


def toy_model(vocab=3, units=4, seed=0):
    """A small random recurrent 'model': state h, next-symbol log-probabilities from h."""
    rng = np.random.default_rng(seed)
    E, U, W = (rng.normal(scale=1.5, size=s) for s in ((vocab, units), (units, units), (units, vocab)))

    def step(tokens, state):
        h = np.tanh(state[0] @ U + E[tokens])
        logits = h @ W
        return logits - np.log(np.exp(logits).sum(-1, keepdims=True)), [h]

    return step, [rng.normal(size=(1, units))]


def brute_force(step, state, start, end, vocab, max_steps, alpha):
    """Every sequence: those that end at their last symbol, and those of max_steps without end."""
    found = []
    for length in range(1, max_steps + 1):
        for body in itertools.product([s for s in range(vocab) if s != end], repeat=length - 1):
            for last in range(vocab):
                if last != end and length < max_steps:
                    continue
                tokens = np.array([[*body, last]])
                lp = float(sequence_log_prob(step, state, start, tokens)[0])
                found.append((float(length_normalised(lp, length, alpha)), (*body, last), lp))
    return sorted(found, reverse=True)


@pytest.mark.parametrize("alpha", [0.0, 0.7, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_wide_enough_beam_finds_what_brute_force_enumeration_finds(alpha, seed):
    vocab, end, max_steps = 3, 2, 5
    step, state = toy_model(vocab, seed=seed)
    exhaustive = brute_force(step, state, 0, end, vocab, max_steps, alpha)
    beams = beam_search(step, state, 0, end, width=vocab ** max_steps, max_steps=max_steps,
                        alpha=alpha)
    assert len(beams) == len(exhaustive)
    for beam, (score, tokens, lp) in zip(beams, exhaustive):
        assert beam.score == pytest.approx(score, abs=1e-12)
    assert beams[0].tokens == exhaustive[0][1]
    assert beams[0].log_prob == pytest.approx(exhaustive[0][2])


def test_beam_search_can_only_improve_on_greedy_and_width_one_is_greedy():
    vocab, end, max_steps = 4, 3, 6
    for seed in range(8):
        step, state = toy_model(vocab, seed=seed)
        g = greedy(step, state, 0, max_steps, end=end)
        one = beam_search(step, state, 0, end, width=1, max_steps=max_steps)[0]
        n = int(g.length[0])
        assert one.tokens == tuple(g.tokens[0, :n])
        assert one.log_prob == pytest.approx(g.log_prob[0])
        wide = beam_search(step, state, 0, end, width=4 ** 6, max_steps=max_steps)[0]
        assert wide.log_prob >= one.log_prob - 1e-12


def test_beam_step_keeps_the_best_of_all_k_times_v_extensions():
    scores = np.array([-0.1, -3.0])
    log_probs = np.log(np.array([[0.5, 0.3, 0.2], [0.9, 0.05, 0.05]]))
    parents, tokens, new = beam_step(scores, log_probs, 3)
    assert parents.tolist() == [0, 0, 0] and tokens.tolist() == [0, 1, 2]
    np.testing.assert_allclose(new, scores[0] + log_probs[0])
    parents, tokens, _ = beam_step(np.array([-0.1, -0.2]), log_probs, 2)
    assert list(zip(parents, tokens)) == [(1, 0), (0, 0)]
    assert len(beam_step(scores, log_probs, 100)[0]) == 6


def test_length_normalisation_divides_by_the_length_to_the_alpha():
    assert length_normalised(-6.0, 3, 1.0) == pytest.approx(-2.0)
    assert length_normalised(-6.0, 4, 0.0) == pytest.approx(-6.0)
    assert length_normalised(-8.0, 4, 0.5) == pytest.approx(-4.0)
    with pytest.raises(ValueError, match="positive"):
        length_normalised(-1.0, 0, 1.0)


def test_top_k_keeps_the_k_largest():
    logits = np.array([[1.0, 3.0, 2.0, 0.0], [0.0, 0.0, 5.0, 1.0]])
    kept = np.isfinite(top_k_filter(logits, 2))
    assert kept.tolist() == [[False, True, True, False], [False, False, True, True]]
    assert np.isfinite(top_k_filter(logits, 9)).all()


def test_top_p_keeps_the_smallest_nucleus_that_reaches_p():
    logits = np.log(np.array([0.05, 0.5, 0.15, 0.3]))
    assert np.isfinite(top_p_filter(logits, 0.75)).tolist() == [False, True, False, True]
    assert np.isfinite(top_p_filter(logits, 0.85)).tolist() == [False, True, True, True]
    assert np.isfinite(top_p_filter(logits, 0.01)).tolist() == [False, True, False, False]
    assert np.isfinite(top_p_filter(logits, 1.0)).all()
    batch = top_p_filter(np.stack([logits, logits[::-1]]), 0.75)
    assert np.isfinite(batch[1]).tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        top_p_filter(logits, 0.0)


def test_sampling_follows_the_distribution_and_its_filters():
    probs = np.array([0.1, 0.6, 0.3])

    def step(tokens, state):
        return np.log(np.tile(probs, (len(tokens), 1))), state

    state = [np.zeros((4000, 1))]
    drawn = sample(step, state, 0, 1, seed=0).tokens[:, 0]
    np.testing.assert_allclose(np.bincount(drawn, minlength=3) / 4000, probs, atol=0.03)
    assert set(sample(step, state, 0, 2, top_k=2, seed=1).tokens.ravel()) == {1, 2}
    assert set(sample(step, state, 0, 2, top_p=0.5, seed=1).tokens.ravel()) == {1}
    cold = sample(step, state, 0, 1, temperature=0.2, seed=2).tokens[:, 0]
    assert np.mean(cold == 1) > 0.9
    assert (sample(step, state, 0, 3, temperature=0).tokens == 1).all()


def test_sampled_log_probs_are_the_models_own():
    step, state = toy_model(5, seed=4)
    state = [np.repeat(state[0], 6, axis=0)]
    drawn = sample(step, state, 0, 7, temperature=1.5, seed=3)
    np.testing.assert_allclose(drawn.log_prob.sum(axis=1),
                               sequence_log_prob(step, state, 0, drawn.tokens))


def test_the_character_model_decodes_greedily_as_chapter_7_generates():
    from rnnlab.cells import random_rnn
    from rnnlab.language_model import CharLM

    rng = np.random.default_rng(0)
    rnn = random_rnn("gru", 4, 8, seed=1, return_sequences=True)
    lm = CharLM(rng.normal(size=(6, 4)), rnn, rng.normal(size=(8, 6)), rng.normal(size=6))
    prompt = np.array([1, 4, 2])
    state, start = decoding.prompt_state(lm, prompt)
    tokens = greedy(decoding.lm_step(lm), state, start, 20).tokens[0]
    np.testing.assert_array_equal(tokens, lm.generate(prompt, 20, temperature=0))
    state, start = decoding.prompt_state(lm, prompt[:1], batch=3)
    assert len(state[0]) == 3 and start == 1


def test_distinct_ngrams_and_repeats():
    assert distinct_ngrams(["abcd"], 2) == 1.0
    assert distinct_ngrams(["abab", "abab"], 2) == pytest.approx(2 / 6)
    assert repeated_share("abcabcabc", 3) == pytest.approx(4 / 7)
    assert repeated_share("abcdefg", 3) == 0.0
    with pytest.raises(ValueError):
        distinct_ngrams(["a"], 2)
