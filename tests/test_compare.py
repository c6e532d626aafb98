"""The MNIST comparison harness and `python -m rnnlab compare`, on tiny budgets."""
import json

import numpy as np
import pytest

from rnnlab.__main__ import main
from rnnlab.cells import step_flops
from rnnlab.experiments import (ARTICLE_VALIDATION, CompareConfig, compare, mnist_splits,
                                summarize, write_results)

TINY = ["--units", "8", "--epochs", "1", "--train-samples", "256", "--validation-samples", "500",
        "--quiet"]


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


def test_compare_is_deterministic_for_a_seed():
    config = CompareConfig(cells=("gru",), units=4, epochs=1, train_samples=128,
                           validation_samples=200)
    first, second = compare(config), compare(config)
    assert first["runs"][0]["history"] == second["runs"][0]["history"]
    assert first["runs"][0]["test_accuracy"] == second["runs"][0]["test_accuracy"]


def test_cli_writes_results_json_and_plots(tmp_path, capsys):
    out = tmp_path / "results"
    code = main(["compare", "--cells", "simple_rnn", "gru", "--seeds", "0", "1", *TINY,
                 "--out", str(out)])
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    assert {r["cell"] for r in results["runs"]} == {"simple_rnn", "gru"}
    assert len(results["runs"]) == 4 and results["config"]["seeds"] == [0, 1]
    env = results["environment"]
    assert env["python"] and env["keras"] and env["cpu"] and env[env["backend"]]
    assert "gpus" in env and results["wall_seconds"] > 0
    for run in results["runs"]:
        assert len(run["history"]["val_accuracy"]) == 1 and 0.0 <= run["test_accuracy"] <= 1.0
        assert run["test_samples"] == 10_000
    assert results["summary"]["gru"]["seeds"] == 2
    for png in ("validation_accuracy.png", "training_loss.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "results.json", "training_loss.png", "validation_accuracy.png"]
    assert "test accuracy" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--cells", "lstm", "transformer"], "unknown cell 'transformer'"),
    (["--epochs", "0"], "argument --epochs: expected a positive integer, got 0"),
    (["--epochs", "-3"], "argument --epochs: expected a positive integer, got -3"),
    (["--epochs", "ten"], "expected a positive integer, got 'ten'"),
    (["--optimizer", "rmsprop"], "optimizer must be one of sgd, adam"),
    (["--seeds", "-1"], "expected a non-negative integer"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["--no-batch-norm", "yes"], "unrecognized arguments: yes"),
    (["--learning-rate", "0"], "expected a positive number, got 0"),
    (["--learning-rate", "fast"], "expected a positive number, got 'fast'"),
    (["--optimizer", "adam", "--momentum", "0.9"], "momentum is SGD's; optimizer 'adam'"),
    (["--optimizer", "sgd", "--momentum", "1.5"], "momentum must be in [0, 1)"),
    (["--tune", "--seeds", "0"], "must not include the tuning seed 0"),
    (["--tune", "--optimizer", "adam"], "--tune chooses the optimizer"),
    (["--tune", "--protocol", "article"], "use --protocol honest"),
])
def test_cli_bad_arguments_get_one_line_and_exit_2(args, message, tmp_path, capsys):
    code = main(["compare", *args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("python -m rnnlab compare: error:")
    assert message in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_cli_unwritable_output_is_refused_before_training(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = main(["compare", *TINY, "--out", str(blocker / "results")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot write to output folder" in err


def test_an_interrupted_write_leaves_no_half_written_json(tmp_path, monkeypatch):
    import os

    results = {"runs": [{"cell": "lstm", "history": {"val_accuracy": [0.5], "loss": [1.0]}}]}

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_results(results, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("cell, k", [("simple_rnn", 1), ("lstm", 4), ("gru", 3)])
def test_step_flops_counts_the_two_matrix_products(cell, k):
    d, n = 28, 64
    x_W = 2 * d * (k * n)      # (1 x d) @ (d x kn): d multiply-adds per output, 2 flops each
    h_U = 2 * n * (k * n)
    assert step_flops(cell, d, n) == x_W + h_U


def test_cli_serves_recorded_runs_and_trains_only_what_is_missing(tmp_path, monkeypatch):
    from rnnlab.experiments.provenance import SESSION

    monkeypatch.setenv("RNNLAB_RESULTS", str(tmp_path / "store"))
    monkeypatch.setenv("RNNLAB_STORE", "fill")
    assert main(["compare", "--cells", "gru", *TINY, "--out", str(tmp_path / "a")]) == 0
    SESSION.clear()
    monkeypatch.setenv("RNNLAB_STORE", "read")
    assert main(["compare", "--cells", "gru", "simple_rnn", *TINY, "--out", str(tmp_path / "b")]) == 0
    assert [served for _, served in SESSION] == [True, False]   # the GRU came from the store
    first, second = (json.loads((tmp_path / d / "results.json").read_text()) for d in "ab")
    assert second["runs"][0]["history"] == first["runs"][0]["history"]


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


def test_cli_diagnose_writes_inference_mode_training_accuracy(tmp_path):
    out = tmp_path / "results"
    assert main(["compare", "--cells", "gru", *TINY, "--diagnose", "--out", str(out)]) == 0
    run = json.loads((out / "results.json").read_text())["runs"][0]
    assert 0.0 <= run["train_inference_accuracy"] <= 1.0
    assert run["norm_check"]["train_accuracy"] == run["train_inference_accuracy"]
    assert set(run["norm_check"]) >= {"recalibrated_validation_accuracy", "mean_shift"}
    out2 = tmp_path / "plain"
    assert main(["compare", "--cells", "gru", *TINY, "--no-batch-norm", "--diagnose",
                 "--out", str(out2)]) == 0
    run = json.loads((out2 / "results.json").read_text())["runs"][0]
    assert run["norm_check"] is None and 0.0 <= run["train_inference_accuracy"] <= 1.0
    config = json.loads((out2 / "results.json").read_text())["config"]
    assert config["batch_norm"] is False


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


def test_tuning_chooses_on_validation_and_trains_the_choice_with_other_seeds():
    from rnnlab.experiments import Setting, tune, tuned_runs

    base = CompareConfig(cells=("simple_rnn", "gru"), units=4, epochs=1, train_samples=256,
                         validation_samples=300, batch_norm=False)
    grid = (Setting("adam", 1e-3), Setting("sgd", 0.05, 0.9))
    tuning = tune(base, grid, seed=0)
    assert tuning.labels == ["Adam, learning rate 0.001", "SGD + momentum 0.9, learning rate 0.05"]
    for cell in base.cells:
        values = tuning.validation[cell]
        assert len(values) == 2 and values[tuning.best[cell]] == max(values)
    # choosing opens no test image
    assert all(np.isnan(r.test_accuracy) and r.test_samples == 0 for r in tuning.runs)
    runs = tuned_runs(base, tuning, (1, 2), units={"gru": 5})
    assert [(r.cell, r.seed) for r in runs] == [("simple_rnn", 1), ("simple_rnn", 2), ("gru", 1), ("gru", 2)]
    assert runs[-1].params == model_params("gru", 5)
    with pytest.raises(ValueError, match="at least one setting"):
        tune(base, ())
    with pytest.raises(ValueError, match="protocol='honest'"):
        tune(CompareConfig(protocol="article"), grid)


def model_params(cell, units):
    from rnnlab.experiments import model_params as formula

    return formula(cell, units)


def test_parameter_matched_widths_come_closest_to_the_target():
    from rnnlab.experiments import matched_units, mnist_model
    from rnnlab.experiments import model_params as formula

    for cell in ("simple_rnn", "lstm", "gru"):
        for units in (8, 64):
            assert formula(cell, units) == mnist_model(cell, units, "sgd", batch_norm=False).count_params()
        assert formula(cell, 8, batch_norm=True) == mnist_model(cell, 8, "sgd").count_params()
    target = formula("gru", 64)
    for cell in ("simple_rnn", "lstm", "gru"):
        n = matched_units(cell, target)
        gap = abs(formula(cell, n) - target)
        assert gap <= abs(formula(cell, n - 1) - target) and gap <= abs(formula(cell, n + 1) - target)
    assert matched_units("gru", target) == 64


def test_cli_tune_writes_the_tuning_and_the_chosen_runs(tmp_path):
    out = tmp_path / "tuned"
    assert main(["compare", "--cells", "gru", *TINY, "--tune", "--no-batch-norm",
                 "--out", str(out)]) == 0               # default seeds: 1, not the tuning seed
    results = json.loads((out / "results.json").read_text())
    assert len(results["tuning"]["labels"]) == 4 and results["tuning"]["seed"] == 0
    assert [r["seed"] for r in results["runs"]] == [1] and results["summary"]["gru"]["seeds"] == 1
    best = results["tuning"]["best"]["gru"]
    assert results["chosen"]["gru"] == results["tuning"]["grid"][best]
