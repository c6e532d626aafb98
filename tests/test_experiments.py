import numpy as np
import pytest

from rnnlab.experiments import adding_accuracy, clipping_run, length_sweep


def test_adding_accuracy_counts_predictions_within_the_tolerance():
    assert adding_accuracy([1.0, 1.0, 1.0, 1.0], [1.0, 1.039, 1.05, 0.9]) == 0.5
    with pytest.raises(ValueError, match="same size"):
        adding_accuracy([1.0], [1.0, 2.0])


def test_length_sweep_is_deterministic_and_reports_every_cell_and_length():
    kwargs = dict(samples=64, test_samples=32, epochs=1, units=4, batch_size=32)
    first = length_sweep(["simple_rnn", "gru"], [4, 6], **kwargs)
    again = length_sweep(["simple_rnn", "gru"], [4, 6], **kwargs)
    assert [(r["cell"], r["timesteps"]) for r in first] == [
        ("simple_rnn", 4), ("gru", 4), ("simple_rnn", 6), ("gru", 6)]
    assert [r["test_mse"] for r in first] == [r["test_mse"] for r in again]
    assert first[0]["params"] == 4 * (2 + 4 + 1) + 5
    assert all(0.0 <= r["test_accuracy"] <= 1.0 and r["seconds_per_epoch"] > 0 for r in first)


def test_clipping_keeps_a_run_finite_that_diverges_without_it():
    # the chapter's experiment, shortened: one epoch is enough to see the blow-up
    plain = clipping_run(None, samples=512, epochs=1)
    clipped = clipping_run(1.0, samples=512, epochs=1)
    assert plain["initial_gradient_norm"] == clipped["initial_gradient_norm"] > 10
    assert not plain["loss"][-1] < 1e3  # NaN or astronomically large
    assert clipped["loss"][-1] < 10  # finite and of the order of the target's scale


def test_clipping_batches_records_each_batch_from_the_keras_runs_initial_weights():
    from rnnlab.experiments import clipping_batches

    plain = clipping_batches(None, batches=30, samples=960)
    clipped = clipping_batches(1.0, batches=30, samples=960)
    assert len(plain.gradient_norm) == len(clipped.gradient_norm) == 30
    # the same starting weights and first batch: the first loss and gradient are equal
    assert plain.loss[0] == clipped.loss[0] and plain.gradient_norm[0] == clipped.gradient_norm[0] > 10
    assert max(plain.loss) > 1e6 * plain.loss[0]            # explodes within 30 batches
    assert max(clipped.loss[-5:]) < clipped.loss[0]          # clipped: falls
    with pytest.raises(ValueError, match="training set has"):
        clipping_batches(None, batches=100, samples=960)


def _marker_splits():
    from rnnlab.data import marker_task

    x, y = marker_task(96, 6, seed=1)
    return {"train": (x[:64], y[:64]), "validation": (x[64:80], y[64:80]),
            "test": (x[80:], y[80:])}


def test_fit_evaluate_keeps_the_best_validation_epoch_and_tests_it_once():
    from rnnlab.config import seed_everything
    from rnnlab.experiments import fit_evaluate
    from rnnlab.models import build_model

    seed_everything()
    model = build_model("gru", 6, 2, 4, head="binary")
    splits = _marker_splits()
    record = fit_evaluate(model, splits, loss="binary_crossentropy", metrics=["accuracy"],
                          epochs=6, patience=2, batch_size=16, optimizer="sgd")
    losses = record["history"]["val_loss"]
    assert record["epochs_run"] == len(losses) <= 6
    assert record["best_epoch"] == int(np.argmin(losses)) + 1
    # the weights of the best epoch were restored: the model scores that epoch's validation loss
    kept = model.evaluate(*splits["validation"], verbose=0, return_dict=True)["loss"]
    assert np.isclose(kept, min(losses), rtol=1e-4)
    test = model.evaluate(*splits["test"], verbose=0, return_dict=True)
    assert np.isclose(record["test"]["accuracy"], test["accuracy"])


def test_fit_evaluate_needs_all_three_splits_and_a_positive_patience():
    from rnnlab.experiments import fit_evaluate
    from rnnlab.models import build_model

    model = build_model("gru", 6, 2, 4, head="binary")
    splits = _marker_splits()
    with pytest.raises(ValueError, match="missing \\['test'\\]"):
        fit_evaluate(model, {k: splits[k] for k in ("train", "validation")},
                     loss="binary_crossentropy", epochs=1, patience=1)
    with pytest.raises(ValueError, match="patience"):
        fit_evaluate(model, splits, loss="binary_crossentropy", epochs=1, patience=0)


def test_seed_spread_groups_rows_that_differ_only_in_the_seed():
    from rnnlab.experiments import seed_spread

    rows = [{"cell": "lstm", "units": 8, "timesteps": 5, "seed": s, "acc": a}
            for s, a in [(1, 0.5), (0, 0.7), (2, 0.9)]]
    rows.append({"cell": "gru", "units": 8, "timesteps": 5, "seed": 0, "acc": 0.4})
    spread = seed_spread(rows, "acc")
    lstm = spread[("lstm", 8, 5)]
    assert lstm["values"] == [0.7, 0.5, 0.9] and lstm["n"] == 3
    assert lstm["mean"] == pytest.approx(0.7) and lstm["std"] == pytest.approx(0.2)
    assert (lstm["min"], lstm["max"]) == (0.5, 0.9)
    assert spread[("gru", 8, 5)]["std"] == 0.0
    with pytest.raises(ValueError, match="repeated seeds"):
        seed_spread(rows + [dict(rows[0])], "acc")


def test_gap_verdict_needs_two_seeds_and_a_gap_beyond_twice_the_spread():
    from rnnlab.experiments import gap_verdict

    assert "1 seed, too few" in gap_verdict(0.9, 0.0, 0.5, 0.0, 1)
    assert "2 seeds, too few" in gap_verdict(0.9, 0.01, 0.5, 0.01, 2)
    assert "larger than the seed-to-seed spread" in gap_verdict(0.9, 0.01, 0.8, 0.02, 3)
    assert "not a difference" in gap_verdict(0.9, 0.06, 0.8, 0.02, 3)
    with pytest.raises(ValueError, match="finite"):
        gap_verdict(float("nan"), 0.01, 0.8, 0.02, 3)
    with pytest.raises(ValueError, match=">= 0"):
        gap_verdict(0.9, -0.01, 0.8, 0.02, 3)
    with pytest.raises(ValueError, match="seeds must be a positive integer"):
        gap_verdict(0.9, 0.01, 0.8, 0.02, 0)


def test_length_sweep_rows_carry_their_seed_and_units():
    rows = length_sweep(["gru"], [4], samples=32, test_samples=16, epochs=1, units=3, seed=7)
    assert rows[0]["seed"] == 7 and rows[0]["units"] == 3


def test_compare_spreads_names_the_leader_the_gap_the_verdict_and_paired_wins():
    from rnnlab.experiments import Spread, compare_spreads, ranking

    def spread(values):
        v = np.array(values)
        return Spread(mean=v.mean(), std=v.std(ddof=1), min=v.min(), max=v.max(), n=len(v),
                      values=list(values))

    lstm, gru = spread([0.97, 0.93, 0.97]), spread([0.99, 0.99, 0.985])
    report = compare_spreads({"the LSTM": lstm, "the GRU": gru})
    assert (report.leader, report.runner_up) == ("the GRU", "the LSTM")
    assert report.gap == pytest.approx(gru.mean - lstm.mean)
    assert report.wins == {"the LSTM": 0, "the GRU": 3} and report.seeds == 3
    assert "not a difference" in report.verdict      # 2 x 0.023 > 0.031
    assert ranking({"a": lstm, "b": gru, "c": spread([0.5, 0.6, 0.7])}) == ["b", "a", "c"]
    with pytest.raises(ValueError, match="same seeds"):
        compare_spreads({"a": lstm, "b": spread([0.9, 0.9])})
    other_seeds = Spread(**{**gru.__dict__, "seeds": [5, 6, 7]})
    with pytest.raises(ValueError, match="paired seed by seed"):
        compare_spreads({"a": Spread(**{**lstm.__dict__, "seeds": [0, 1, 2]}), "b": other_seeds})
    with pytest.raises(ValueError, match="compares two results"):
        compare_spreads({"a": lstm})



def test_predict_gives_the_values_of_model_predict():
    """rnnlab.experiments.training.predict calls the model batch by batch (a last, shorter batch
    included) and returns what model.predict returns."""
    from rnnlab.experiments.adding import adding_model
    from rnnlab.experiments.training import predict

    x = np.random.default_rng(0).uniform(size=(300, 5, 2)).astype("float32")
    for cell in ("simple_rnn", "lstm", "gru"):
        model = adding_model(cell, 5, 3, 1e-3)
        got = predict(model, x, batch_size=128)
        assert isinstance(got, np.ndarray) and got.shape == (300, 1)
        np.testing.assert_allclose(got, model.predict(x, batch_size=128, verbose=0),
                                   rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="batch_size"):
        predict(model, x, batch_size=0)


def test_scoring_fresh_models_in_a_loop_prints_no_retracing_warning():
    """model.predict traces a function for every new model, and TensorFlow warns of 'retracing'
    after five of them (the noise issue 29 found on chapter 4's page); predict traces nothing."""
    import logging

    import keras

    from rnnlab.experiments.adding import adding_model
    from rnnlab.experiments.training import predict

    if keras.backend.backend() != "tensorflow":
        pytest.skip("the retracing warning is TensorFlow's")
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    try:
        x = np.zeros((300, 4, 2), "float32")
        for _ in range(7):
            predict(adding_model("gru", 4, 2, 1e-3), x, batch_size=128)
    finally:
        logger.removeHandler(handler)
    assert not [m for m in messages if "retracing" in m]
