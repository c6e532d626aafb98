"""The command line (rnnlab/__main__.py): `python -m rnnlab compare` on tiny budgets; errors are
one line and exit with status 2."""
import json
import subprocess
import sys

import pytest

from rnnlab.__main__ import main

TINY = ["--units", "8", "--epochs", "1", "--train-samples", "256", "--validation-samples", "500",
        "--quiet"]


def test_compare_without_keras_is_one_line_saying_what_to_install(tmp_path):
    fake = tmp_path / "keras"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'keras'\", name='keras')\n")
    done = subprocess.run([sys.executable, "-m", "rnnlab", "compare", "--epochs", "1"],
                          capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin",
                               "KERAS_BACKEND": "tensorflow"})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "keras is not installed" in lines[0] and "rnnlab[keras]" in lines[0]


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_cli_tune_writes_the_tuning_and_the_chosen_runs(tmp_path):
    out = tmp_path / "tuned"
    assert main(["compare", "--cells", "gru", *TINY, "--tune", "--no-batch-norm",
                 "--out", str(out)]) == 0               # default seeds: 1, not the tuning seed
    results = json.loads((out / "results.json").read_text())
    assert len(results["tuning"]["labels"]) == 4 and results["tuning"]["seed"] == 0
    assert [r["seed"] for r in results["runs"]] == [1] and results["summary"]["gru"]["seeds"] == 1
    best = results["tuning"]["best"]["gru"]
    assert results["chosen"]["gru"] == results["tuning"]["grid"][best]
