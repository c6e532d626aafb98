"""Results over seeds (rnnlab/experiments/stats.py): their spread, confidence intervals and
paired comparisons (chapter 6's verdicts)."""
import numpy as np
import pytest


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


def test_interval_text_shows_the_mean_and_its_interval_as_a_table_does():
    from rnnlab.experiments.stats import interval_text, mean_interval

    mean, low, high = mean_interval([2.07, 2.08, 2.09])
    assert interval_text([2.07, 2.08, 2.09]) == f"{mean:.3f} [{low:.3f}, {high:.3f}]"
    assert interval_text([0.80, 0.84, 0.83], digits=1, percent=True).startswith("82.3 % [")
    assert interval_text([0.5], digits=0, percent=True) == "50 %"
    with pytest.raises(ValueError, match="at least one finite"):
        interval_text([])


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


def test_seed_and_test_interval_adds_the_test_images_noise_to_the_seeds():
    from scipy import stats

    from rnnlab.experiments import seed_and_test_interval, t_interval

    rng = np.random.default_rng(0)
    a = (rng.uniform(size=(5, 2000)) < 0.95).astype(int)
    b = (rng.uniform(size=(5, 2000)) < 0.93).astype(int)
    got = seed_and_test_interval(a, b, level=0.9)
    d = a.mean(axis=1) - b.mean(axis=1)
    e = (a - b).mean(axis=0)
    se = np.sqrt(d.var(ddof=1) / 5 + e.var(ddof=1) / 2000)
    half = stats.t.ppf(0.95, 4) * se
    assert got.mean == pytest.approx(d.mean())
    assert (got.low, got.high) == pytest.approx((d.mean() - half, d.mean() + half))
    assert got.seed_se == pytest.approx(d.std(ddof=1) / np.sqrt(5))
    assert got.test_se == pytest.approx(e.std(ddof=1) / np.sqrt(2000))
    assert (got.df, got.seeds, got.images) == (4, 5, 2000)
    # never narrower than the seeds alone
    _, low, high = t_interval(d, 0.9)
    assert got.low <= low and got.high >= high
    # the same models on the same images for every seed: only the test images' part is left,
    # the paired per-image (McNemar) standard error
    same = seed_and_test_interval(np.tile(a[:1], (3, 1)), np.tile(b[:1], (3, 1)))
    assert same.seed_se == 0.0
    assert same.test_se == pytest.approx((a[0] - b[0]).std(ddof=1) / np.sqrt(2000))
    for bad in (a[:1], a[:, :1], a.ravel()):
        with pytest.raises(ValueError, match="at least 2 seeds and 2 images"):
            seed_and_test_interval(bad, bad)
    with pytest.raises(ValueError, match="1 \\(right\\) or 0"):
        seed_and_test_interval(a * 2, b)
    with pytest.raises(ValueError, match="level"):
        seed_and_test_interval(a, b, level=95)


def test_seed_and_test_interval_covers_the_population_difference():
    """Test sets drawn from a population of images and models drawn by seed: the interval holds
    the population's difference at least as often as it says."""
    from rnnlab.experiments import seed_and_test_interval

    rng = np.random.default_rng(1)
    population = 20_000
    hard = rng.uniform(size=population)                     # how hard each image is
    truth, hits = None, []
    for _ in range(300):
        images = rng.choice(population, 1000, replace=False)
        skill_a = 0.92 + 0.01 * rng.normal(size=(3, 1))   # each seed's model
        skill_b = 0.90 + 0.01 * rng.normal(size=(3, 1))
        a = (hard[images] < skill_a).astype(int)
        b = (hard[images] < skill_b).astype(int)
        truth = 0.02                                       # E[skill_a − skill_b] for uniform difficulty
        result = seed_and_test_interval(a, b)
        hits.append(result.low <= truth <= result.high)
    assert np.mean(hits) >= 0.93
