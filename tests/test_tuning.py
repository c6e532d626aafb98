"""Chapter 6's tuning (rnnlab/experiments/tuning.py): a setting chosen on validation and trained
with other seeds, parameter-matched widths, and the epoch timings read from the benchmark file."""
import numpy as np
import pytest

from rnnlab.experiments import CompareConfig


@pytest.mark.slow
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


def test_epoch_seconds_reads_the_benchmark_file_shipped_with_the_package(tmp_path, monkeypatch):
    import json

    from rnnlab.experiments import epoch_seconds
    from rnnlab.experiments import modern

    timing = epoch_seconds("tensorflow", False)
    written = json.loads((modern.TIMINGS / "epoch_times-vm.json").read_text())
    (row,) = [r for r in written["rows"] if r["backend"] == "tensorflow" and not r["deterministic"]]
    assert timing["seconds"] == row["seconds_per_epoch"] and timing["per"] == 55_000
    assert "2 logical cores" in timing["machine"]
    assert epoch_seconds("tensorflow", True)["seconds"] != timing["seconds"]
    with pytest.raises(KeyError, match="no row for backend 'mlx'"):
        epoch_seconds("mlx")
    monkeypatch.setattr(modern, "TIMINGS", tmp_path)
    with pytest.raises(FileNotFoundError, match="benchmarks/epoch_times.py"):
        epoch_seconds()


def test_epoch_timings_lists_every_backend_row_of_the_benchmark_file():
    from rnnlab.experiments import epoch_seconds, epoch_timings

    rows = epoch_timings()
    assert {(r["backend"], r["deterministic"]) for r in rows} >= {("tensorflow", False),
                                                                    ("tensorflow", True),
                                                                    ("jax", False)}
    for row in rows:
        one = epoch_seconds(row["backend"], row["deterministic"])
        assert row["seconds"] == one["seconds"] and row["machine"] == one["machine"]
        assert row["per"] == 55_000 and "logical cores" in row["machine"]
        assert "keras" in row["versions"]


def test_the_timing_files_say_which_models_they_timed(tmp_path, monkeypatch):
    import json

    from rnnlab.experiments import epoch_seconds, epoch_timings
    from rnnlab.experiments import modern

    tuned = epoch_seconds("tensorflow", False)
    assert tuned["model"] == "tuned"
    assert tuned["optimizers"] == {"simple_rnn": ("adam", 0.001, 0.0), "lstm": ("sgd", 0.05, 0.9),
                                   "gru": ("sgd", 0.05, 0.9)}
    batchnorm = epoch_timings("epoch_times_batchnorm-vm.json")
    assert {r["model"] for r in batchnorm} == {"batchnorm"}
    assert all(set(r["optimizers"].values()) == {("sgd", 0.01, 0.0)} for r in batchnorm)
    # a file written before the benchmark had --model timed the BatchNormalization model
    old = json.loads((modern.TIMINGS / "epoch_times-vm.json").read_text())
    old["settings"].pop("model")
    for row in old["rows"]:
        row.pop("optimizers")
        row.pop("seconds_each_epoch")
        row.pop("seconds_per_process", None)
    (tmp_path / "old.json").write_text(json.dumps(old))
    monkeypatch.setattr(modern, "TIMINGS", tmp_path)
    assert epoch_seconds("tensorflow", False, "old.json")["model"] == "batchnorm"
    assert epoch_seconds("tensorflow", False, "old.json")["optimizers"]["gru"] == ("sgd", 0.01, 0.0)
    assert epoch_seconds("tensorflow", False, "old.json")["each"]["gru"] == [tuned["seconds"]["gru"]]
    assert epoch_seconds("tensorflow", False, "old.json")["per_process"]["gru"] == [tuned["seconds"]["gru"]]


def test_the_timing_files_keep_every_timed_epoch_and_report_their_median():
    import numpy as np

    from rnnlab.experiments import epoch_timings

    for row in epoch_timings():
        for cell, each in row["each"].items():
            assert len(each) >= 3
            assert row["seconds"][cell] == float(np.median(each))
            assert min(each) <= min(row["per_process"][cell]) <= max(row["per_process"][cell]) <= max(each)
