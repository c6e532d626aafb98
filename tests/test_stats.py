"""Confidence intervals and paired comparisons over seeds (chapter 6's verdicts)."""
import numpy as np
import pytest


def test_t_interval_matches_the_formula_and_covers_as_it_says():
    from scipy import stats

    from rnnlab.experiments import t_interval

    mean, low, high = t_interval([0.90, 0.92, 0.97])
    half = stats.t.ppf(0.975, 2) * np.std([0.90, 0.92, 0.97], ddof=1) / np.sqrt(3)
    assert mean == pytest.approx(0.93) and (low, high) == pytest.approx((0.93 - half, 0.93 + half))
    assert all(isinstance(v, float) for v in (mean, low, high))
    # coverage by simulation: 95 % intervals from 5 normal draws hold the true mean ~95 % of the time
    rng = np.random.default_rng(0)
    hits = [lo <= 0.0 <= hi for _, lo, hi in (t_interval(rng.normal(size=5)) for _ in range(4000))]
    assert abs(np.mean(hits) - 0.95) < 0.015
    for bad in ([1.0], [1.0, np.nan]):
        with pytest.raises(ValueError, match="at least two finite values"):
            t_interval(bad)
    with pytest.raises(ValueError, match="level"):
        t_interval([1.0, 2.0], level=95)


def test_mean_interval_is_t_interval_and_has_no_interval_for_one_run():
    from rnnlab.experiments.stats import mean_interval, t_interval

    assert mean_interval([0.90, 0.92, 0.97]) == t_interval([0.90, 0.92, 0.97])
    mean, low, high = mean_interval([2.5])
    assert mean == 2.5 and np.isnan(low) and np.isnan(high)
    with pytest.raises(ValueError, match="at least one finite"):
        mean_interval([])


def test_paired_difference_pairs_by_seed_and_calls_only_intervals_that_exclude_zero():
    from rnnlab.experiments import paired_difference, seed_spread

    rows = [{"cell": c, "seed": s, "acc": a} for c, vals in
            (("a", [0.90, 0.95, 0.80, 0.85]), ("b", [0.89, 0.94, 0.79, 0.84]),
             ("c", [0.95, 0.80, 0.90, 0.86])) for s, a in zip((1, 2, 3, 4), vals)]
    spread = {k[0]: v for k, v in seed_spread(rows, "acc", keys=("cell",)).items()}
    ab = paired_difference(("a", spread["a"]), ("b", spread["b"]))
    # a is ahead by exactly 0.01 in every seed: the paired interval is a point, a wins 4 of 4,
    # although the unpaired spreads (std 0.06) overlap almost entirely
    assert ab.verdict == "a" and ab.wins == {"a": 4, "b": 0}
    assert ab.low == pytest.approx(0.01) and ab.high == pytest.approx(0.01)
    ac = paired_difference(("a", spread["a"]), ("c", spread["c"]))
    assert ac.verdict == "neither" and ac.low < 0 < ac.high
    other = {**rows[0], "seed": 9}
    moved = {k[0]: v for k, v in seed_spread([other, *rows[1:]], "acc", keys=("cell",)).items()}
    with pytest.raises(ValueError, match="same seeds"):
        paired_difference(("a", moved["a"]), ("b", moved["b"]))


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
