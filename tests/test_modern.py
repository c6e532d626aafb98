"""Chapter 10's experiments (rnnlab/experiments/modern.py): parity over every prefix, sunspot
forecasts beside persistence, and the scan's timings (measured, and read from the benchmark)."""
import numpy as np
import pytest


@pytest.mark.slow
def test_parity_sweep_scores_every_prefix_and_a_gru_learns_it(monkeypatch):
    from rnnlab.experiments import parity_sweep

    runs = parity_sweep(["gru", "min_gru"], 4, samples=512, epochs=12, units=16, test_samples=200)
    assert [r.cell for r in runs] == ["gru", "min_gru"]
    for run in runs:
        assert len(run.accuracy_by_step) == 4 and run.final_accuracy == run.accuracy_by_step[-1]
        assert run.accuracy_by_step[0] > 0.95  # the first answer is the first bit: both learn it
    assert runs[0].final_accuracy > 0.95


def test_a_parity_model_stacks_layers_that_each_return_every_state():
    from rnnlab.cells.minimal_layers import MinGRU
    from rnnlab.experiments.modern import parity_model

    one, three = (parity_model("min_gru", 6, 8, 1e-2, layers=k) for k in (1, 3))
    stacked = [layer for layer in three.layers if isinstance(layer, MinGRU)]
    assert len(stacked) == 3 and all(layer.return_sequences for layer in stacked)
    assert three.output_shape == one.output_shape == (None, 6, 1)
    # layer 1 reads 1 feature, layers 2 and 3 read 8: 2n(d + 1) each, and Dense(1)
    assert three.count_params() == 2 * 8 * 2 + 2 * (2 * 8 * 9) + 9
    assert one.name == "min_gru_parity"          # one layer: the model the chapter recorded


@pytest.mark.slow
def test_sunspot_forecasts_report_the_error_in_sunspot_numbers_next_to_persistence():
    from rnnlab.experiments import ForecastRun, sunspot_forecasts

    (run,) = sunspot_forecasts(["min_gru"], window=12, units=4, epochs=2)
    assert isinstance(run, ForecastRun) and run.cell == "min_gru" and run.window == 12
    assert run.params == 2 * 4 * (1 + 1) + 4 + 1            # the layer and Dense(1)
    assert 1 <= run.best_epoch <= run.epochs_run <= 2
    # persistence on the test months of chapter 5's split: about 20 sunspots
    assert 10 < run.persistence_rmse < 40 and np.isfinite(run.test_rmse) and run.test_rmse > 0
    assert np.isfinite(run.validation_rmse) and run.validation_rmse > 0
    # every test month's forecast, in sunspot numbers: what Diebold and Mariano's test compares
    from rnnlab import baselines
    from rnnlab.data import forecasting_splits, load_sunspots

    test_targets = forecasting_splits(load_sunspots()[1], 12).test[1]
    assert len(run.test_forecast) == len(test_targets)
    assert abs(baselines.rmse(np.array(run.test_forecast), test_targets) - run.test_rmse) < 1e-9
    assert ForecastRun.from_json(run.to_json()) == run


def test_scan_timings_reads_what_the_benchmark_writes(tmp_path):
    from rnnlab.experiments import scan_timings

    with pytest.raises(FileNotFoundError, match="benchmarks/scan_speed.py"):
        scan_timings(tmp_path)
    env = {"cpu": "Some CPU", "cpu_count": 2, "gpus": [], "versions": {"keras": "3"}}
    (tmp_path / "scan_speed-x.json").write_text(
        '{"rows": [{"backend": "jax", "environment": %s, "seconds_per_step": '
        '{"gru": {"64": 0.5}}}]}' % __import__("json").dumps(env))
    (row,) = scan_timings(tmp_path)
    assert row["seconds"] == {"gru": {64: 0.5}} and row["machine"] == "Some CPU, 2 logical cores, no GPU"
    assert row["gpu"] is False and row["backend"] == "jax" and row["cores"] == 2
    assert row["settings"] == {}
    (real,) = [r for r in scan_timings() if r["backend"] == "tensorflow" and r["file"] == "scan_speed-vm.json"]
    assert real["settings"]["units"] == 64 and set(real["seconds"]) == {"min_gru_scan", "min_gru_loop", "gru"}


@pytest.mark.slow
def test_pass_seconds_times_the_forward_and_the_backward_pass_at_each_length():
    import keras

    from rnnlab.experiments import pass_seconds

    if keras.backend.backend() != "tensorflow":
        with pytest.raises(ValueError, match="TensorFlow"):
            pass_seconds((8,))
        return
    for parallel in (False, True):
        timings = pass_seconds((8, 16), parallel=parallel, batch=2, features=3, units=4,
                               repeats=1)
        assert list(timings) == [8, 16]
        assert all(0 < forward and 0 < both for forward, both in timings.values())
    with pytest.raises(ValueError, match="repeats must be a positive integer"):
        pass_seconds((8,), repeats=0)
    with pytest.raises(ValueError, match="T must be a positive integer"):
        pass_seconds((0,))


def test_pass_timings_reads_what_the_pass_benchmark_writes(tmp_path):
    import json

    from rnnlab.experiments import pass_timings
    from rnnlab.experiments.modern import TIMINGS

    path = tmp_path / "pass_speed-x.json"
    path.write_text(json.dumps({
        "date": "2026-12-07T02:00:00Z",
        "environment": {"cpu": "Some CPU", "cpu_count": 4, "versions": {"tensorflow": "2.21.0"}},
        "settings": {"parallel": False, "repeats": 5},
        "seconds": {"2048": [0.08, 1.2], "512": [0.02, 0.09]}}))
    read = pass_timings(path)
    assert read["machine"] == "Some CPU, 4 logical cores" and read["date"].startswith("2026-12-07")
    assert list(read["seconds"]) == [512, 2048] and read["seconds"][2048] == (0.08, 1.2)
    with pytest.raises(FileNotFoundError, match="benchmarks/pass_speed.py"):
        pass_timings(tmp_path / "missing.json")
    shipped = pass_timings()                       # the file the benchmark ships
    assert (TIMINGS / "pass_speed-vm.json").exists() and len(shipped["seconds"]) >= 2
    assert all(0 < f < b for f, b in shipped["seconds"].values())


def test_the_timings_chapter_9_reads_ship_with_the_package():
    import tomllib
    from pathlib import Path

    from rnnlab.experiments.modern import TIMINGS

    root = Path(__file__).resolve().parent.parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["rnnlab"]
    shipped = {p for pattern in patterns for p in (root / "rnnlab").glob(pattern)}
    assert TIMINGS.is_relative_to(root / "rnnlab") and (TIMINGS / "scan_speed-vm.json") in shipped
    assert (TIMINGS / "pass_speed-vm.json") in shipped
