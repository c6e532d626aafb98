"""The MNIST comparison harness (rnnlab/experiments/comparison.py), on tiny budgets (its command
line, `python -m rnnlab compare`, is tested in test_main.py)."""
import numpy as np
import pytest

from rnnlab.experiments import (ARTICLE_VALIDATION, CompareConfig, compare, mnist_splits,
                                summarize, write_results)


def test_honest_splits_keep_validation_out_of_training_and_test_whole():
    data = mnist_splits(CompareConfig(validation_samples=5000))
    x_train, _ = data["train"]
    x_val, _ = data["validation"]
    assert len(x_train) == 55_000 and len(x_val) == 5_000 and len(data["test"][0]) == 10_000
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0
    # no validation image is among the training images
    train_keys = {row.tobytes() for row in x_train.reshape(len(x_train), -1)}
    assert not any(row.tobytes() in train_keys for row in x_val.reshape(len(x_val), -1)[:500])


def test_article_protocol_validates_on_the_test_set_and_tests_on_ten_images():
    data = mnist_splits(CompareConfig(protocol="article", train_samples=100))
    assert len(data["validation"][0]) == ARTICLE_VALIDATION and len(data["test"][0]) == 10
    assert len(data["train"][0]) == 100


def test_column_order_transposes_each_image():
    rows = mnist_splits(CompareConfig(train_samples=3))["train"][0]
    columns = mnist_splits(CompareConfig(train_samples=3, order="columns"))["train"][0]
    np.testing.assert_array_equal(columns, rows.transpose(0, 2, 1))


@pytest.mark.parametrize("kwargs, message", [
    ({"cells": ("lstm", "rnn")}, "unknown cell 'rnn'"),
    ({"cells": ()}, "at least one"),
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"optimizer": "rmsprop"}, "optimizer must be one of sgd, adam"),
    ({"order": "diagonal"}, "order must be one of rows, columns"),
    ({"seeds": (-1,)}, "seeds must be non-negative"),
    ({"validation_samples": 60_000}, "validation_samples must be below 60000"),
    ({"batch_norm": "no"}, "batch_norm must be True or False"),
    ({"learning_rate": -0.1}, "learning_rate must be a positive number"),
    ({"learning_rate": float("nan")}, "learning_rate must be a positive number"),
    ({"optimizer": "adam", "momentum": 0.9}, "momentum is SGD's"),
    ({"momentum": 1.0}, "momentum must be in"),
])
def test_bad_configurations_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CompareConfig(**kwargs)


def test_summary_gives_mean_and_sample_standard_deviation_over_seeds():
    runs = [{"cell": "lstm", "params": 10, "train_accuracy": a, "validation_accuracy": a,
             "test_accuracy": a, "epoch_seconds": [9.0, 2.0, 4.0]} for a in (0.90, 0.94)]
    row = summarize(runs)["lstm"]
    assert row["test_accuracy_mean"] == pytest.approx(0.92)
    assert row["test_accuracy_std"] == pytest.approx(np.std([0.90, 0.94], ddof=1))
    assert row["seconds_per_epoch"] == pytest.approx(3.0)  # median of the epochs after the first


@pytest.mark.slow
def test_compare_is_deterministic_for_a_seed():
    config = CompareConfig(cells=("gru",), units=4, epochs=1, train_samples=128,
                           validation_samples=200)
    first, second = compare(config), compare(config)
    assert first["runs"][0]["history"] == second["runs"][0]["history"]
    assert first["runs"][0]["test_accuracy"] == second["runs"][0]["test_accuracy"]


def test_an_interrupted_write_leaves_no_half_written_json(tmp_path, monkeypatch):
    import os

    results = {"runs": [{"cell": "lstm", "history": {"val_accuracy": [0.5], "loss": [1.0]}}]}

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_results(results, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_without_batch_norm_the_model_starts_from_the_same_weights():
    from rnnlab.config import seed_everything
    from rnnlab.experiments import mnist_model

    seed_everything(3)
    with_norm = mnist_model("gru", 8, "sgd")
    seed_everything(3)
    without = mnist_model("gru", 8, "sgd", batch_norm=False)
    assert "BatchNormalization" not in [type(layer).__name__ for layer in without.layers]
    assert len(with_norm.weights) == len(without.weights) + 4       # gamma, beta, two averages
    same = [w for w in with_norm.weights if "batch_norm" not in w.path]
    for a, b in zip(same, without.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.slow
def test_batch_norm_check_recalibrates_and_restores_the_moving_statistics():
    import keras

    from rnnlab.config import seed_everything
    from rnnlab.experiments import batch_norm_check, mnist_model

    config = CompareConfig(cells=("simple_rnn",), units=8, epochs=1, train_samples=512,
                           validation_samples=300)
    data = mnist_splits(config)
    seed_everything(0)
    model = mnist_model("simple_rnn", 8, "sgd")
    model.fit(*data.train, epochs=1, batch_size=64, verbose=0)
    norm = next(layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization))
    moving = np.array(norm.moving_variance)
    check = batch_norm_check(model, data)
    np.testing.assert_array_equal(np.array(norm.moving_variance), moving)   # restored
    assert check.train_accuracy == pytest.approx(model.evaluate(*data.train, verbose=0)[1])
    # 8 updates at momentum 0.99 leave the moving variance near its start, 1: far from the truth
    features = keras.Model(model.inputs, norm.input).predict(data.train[0], verbose=0)
    truth = features.var(axis=0)
    assert check.variance_ratio == pytest.approx(np.max(np.maximum(
        (moving + 1e-3) / (truth + 1e-3), (truth + 1e-3) / (moving + 1e-3))), rel=1e-4)
    assert check.variance_ratio > 2
    closed = batch_norm_check(model, data, test=False)   # the test images are not opened
    assert np.isnan(closed.test_accuracy) and np.isnan(closed.recalibrated_test_accuracy)
    assert closed.recalibrated_validation_accuracy == pytest.approx(check.recalibrated_validation_accuracy)
    with pytest.raises(ValueError, match="one BatchNormalization layer"):
        batch_norm_check(mnist_model("gru", 4, "sgd", batch_norm=False), data)


def test_optimizer_settings_reach_the_compiled_model():
    from rnnlab.experiments import mnist_model

    sgd = mnist_model("gru", 4, "sgd", learning_rate=0.05, momentum=0.9).optimizer
    assert float(sgd.learning_rate) == pytest.approx(0.05) and sgd.momentum == pytest.approx(0.9)
    adam = mnist_model("gru", 4, "adam", learning_rate=3e-3).optimizer
    assert float(adam.learning_rate) == pytest.approx(3e-3)
    # the article's settings compile exactly as before (the store's keys of chapter 6 depend on it)
    import keras

    def settings(optimizer):
        return {k: v for k, v in optimizer.get_config().items() if k != "name"}

    assert settings(mnist_model("gru", 4, "sgd").optimizer) == settings(keras.optimizers.SGD())
    assert settings(mnist_model("gru", 4, "adam").optimizer) == settings(keras.optimizers.Adam())
