"""Typed result records: JSON out and back in, dict-style reading, unknown keys refused."""
import json

import numpy as np
import pytest

from rnnlab.experiments import (AddingRun, CellSummary, CompareConfig, CompareRun, Comparison,
                                FitRecord, Spread, summarize)


def _run(cell, seed, accuracy):
    return CompareRun(cell=cell, seed=seed, params=100, history={"val_accuracy": [accuracy]},
                      epoch_seconds=[2.0, 1.0], train_accuracy=np.float64(accuracy),
                      validation_accuracy=accuracy, test_accuracy=accuracy, test_samples=10,
                      wall_seconds=3.0)


def test_a_comparison_survives_a_round_trip_through_json_text():
    runs = [_run("lstm", 0, 0.9), _run("lstm", 1, 0.94), _run("gru", 0, 0.8)]
    result = Comparison(config=CompareConfig(cells=("lstm", "gru"), seeds=(0, 1)),
                        environment={"python": "3"}, sizes={"train": 5, "validation": 2, "test": 10},
                        runs=runs, summary=summarize(runs), wall_seconds=9.0)
    text = json.dumps(result.to_json())            # plain JSON: NumPy scalars became floats
    again = Comparison.from_json(json.loads(text))
    assert again == result
    assert isinstance(again.summary["lstm"], CellSummary) and isinstance(again.runs[0], CompareRun)
    assert again.summary["lstm"].test_accuracy_mean == pytest.approx(0.92)
    assert again.config.seeds == (0, 1)


def test_records_read_like_dicts_and_refuse_unknown_or_missing_keys():
    run = AddingRun(cell="gru", units=3, timesteps=5, seed=0, params=9, test_mse=0.1,
                    test_accuracy=0.5, seconds_per_epoch=1.0, history={"loss": [1.0]})
    assert run["test_accuracy"] == run.test_accuracy == 0.5
    assert "test_accuracy" in run and "best_epoch" not in run
    with pytest.raises(KeyError, match="no field 'accuracy'"):
        run["accuracy"]
    data = run.to_json()
    with pytest.raises(ValueError, match=r"unknown keys \['extra'\]"):
        AddingRun.from_json({**data, "extra": 1})
    del data["seed"]
    with pytest.raises(ValueError, match=r"missing keys \['seed'\]"):
        AddingRun.from_json(data)


def test_fit_records_and_spreads_are_plain_json():
    record = FitRecord(history={"loss": [1.0, 0.5]}, epoch_seconds=[0.1, 0.1], params=3,
                       best_epoch=2, epochs_run=2, test={"loss": 0.4})
    assert FitRecord.from_json(json.loads(json.dumps(record.to_json()))) == record
    spread = Spread(mean=1.0, std=0.0, min=1.0, max=1.0, n=1, values=[1.0])
    assert Spread.from_json(spread.to_json()) == spread


def test_defaults_may_be_missing_and_unknown_config_keys_are_refused():
    record = FitRecord.from_json({"history": {}, "epoch_seconds": [], "params": 1})
    assert record.best_epoch == 0 and record.test == {}
    runs = [_run("lstm", 0, 0.9)]
    data = Comparison(config=CompareConfig(cells=("lstm",)), environment={}, sizes={}, runs=runs,
                      summary=summarize(runs), wall_seconds=1.0).to_json()
    data["config"]["dropout"] = 0.5
    with pytest.raises(ValueError, match=r"unknown config keys \['dropout'\]"):
        Comparison.from_json(data)
