"""Chapters 7 and 8's experiments (rnnlab/experiments/language.py): the character language models,
and the encoder–decoder that adds with greedy decoding and its error counts."""
import numpy as np
import pytest

from rnnlab.data import text as textdata
from rnnlab.data.synthetic import ADDITION_SYMBOLS, addition_strings


@pytest.mark.slow
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


@pytest.mark.slow
def test_language_run_with_patience_keeps_the_epoch_with_the_lowest_validation_loss():
    from rnnlab.experiments import language_run

    # a learning rate far too large: the validation loss rises after a few epochs
    run = language_run("simple_rnn", units=8, embedding_dim=4, window=16, epochs=8,
                       train_chars=3000, learning_rate=0.3, patience=1)
    losses = run.history["val_loss"]
    best = int(np.argmin(losses))
    assert run.best_epoch == best + 1 and run.patience == 1
    # it stopped one epoch after the best (patience 1), or ran out of epochs
    assert len(losses) in (best + 2, 8)
    assert run.validation_bits == pytest.approx(losses[best] / np.log(2))
    # the weights kept are the best epoch's, not the last one's
    data = textdata.load_text()
    assert run.lm.bits(data.validation, 16) == pytest.approx(run.validation_bits, rel=1e-4)
    with pytest.raises(ValueError, match="stateful"):
        language_run("gru", units=4, embedding_dim=2, window=8, epochs=1, train_chars=500,
                     stateful=True, batch_size=4, patience=2)


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


@pytest.mark.slow
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
