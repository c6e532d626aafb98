"""Results over seeds: their spread, and confidence intervals of a mean and of a difference."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlab.checks import integer
from rnnlab.experiments.records import Record


__all__ = ["Spread", "seed_spread", "t_interval", "mean_interval", "interval_text",
    "PairedDifference", "paired_difference", "SeedTestInterval", "seed_and_test_interval"]
"""What :mod:`rnnlab.experiments` exports of this module (the API page lists it there)."""


@dataclass
class Spread(Record):
    """One metric over seeds (:func:`seed_spread`).

    Attributes:
        mean, std: mean and standard deviation (ddof=1; 0 for one seed).
        min, max: the extremes.
        n: how many seeds.
        values: the values, ordered by seed.
        seeds: the seeds, in the same order.
    """

    mean: float
    std: float
    min: float
    max: float
    n: int
    values: list[float]
    seeds: list[int] = field(default_factory=list)


def seed_spread(rows: Sequence[Any], metric: str,
                keys: Sequence[str] = ("cell", "units", "timesteps")) -> dict[tuple, Spread]:
    """Mean and spread over seeds of one metric, per group of rows that differ only in ``seed``.

    Args:
        rows: result records (or dicts) with a ``seed`` entry, e.g. the
            :class:`~rnnlab.experiments.AddingRun` of :func:`~rnnlab.experiments.length_sweep`
            run once per seed.
        metric: the entry to summarise, e.g. ``"test_accuracy"``.
        keys: the entries that identify a group.

    Returns:
        ``{group key tuple: Spread}``.
    """
    groups: dict[tuple, list[Any]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    spread = {}
    for key, mine in groups.items():
        seeds = [r["seed"] for r in mine]
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"group {key} has repeated seeds {seeds}: give each run its own seed")
        ordered = sorted(mine, key=lambda r: r["seed"])
        values = np.array([r[metric] for r in ordered], dtype=float)
        spread[key] = Spread(mean=float(values.mean()), n=len(values), values=values.tolist(),
                             seeds=[int(r["seed"]) for r in ordered],
                             std=float(values.std(ddof=1)) if len(values) > 1 else 0.0,
                             min=float(values.min()), max=float(values.max()))
    return spread


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of the mean of independent values.

    Args:
        values: at least two measurements (e.g. one test accuracy per seed).
        level: the interval's confidence level, in (0, 1).

    Returns:
        ``(mean, low, high)``: mean ± t_{(1+level)/2, n-1} · s / √n, s the sample standard
        deviation (ddof=1).

    Raises:
        ValueError: for fewer than two values, non-finite values or a level outside (0, 1).
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"t_interval needs at least two finite values, got {list(values)!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    half = float(stats.t.ppf((1 + level) / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    mean = float(x.mean())
    return mean, mean - half, mean + half


def mean_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """:func:`t_interval` for results that may come from a single run: one value has a mean but
    no spread to judge it by, so its interval is ``(nan, nan)``.

    Args:
        values: one or more finite measurements (e.g. one test score per seed).
        level: the interval's confidence level, in (0, 1).

    Returns:
        ``(mean, low, high)``; ``low`` and ``high`` are NaN for a single value.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size < 1 or not np.all(np.isfinite(x)):
        raise ValueError(f"mean_interval needs at least one finite value, got {list(values)!r}")
    if x.size == 1:
        return float(x[0]), float("nan"), float("nan")
    return t_interval(x, level)


def interval_text(values: Sequence[float], digits: int = 3, percent: bool = False) -> str:
    """The mean of some results and its 95 % interval over them (:func:`mean_interval`), as a
    table shows it: ``"2.079 [2.072, 2.086]"``, or with ``percent`` (values given as shares)
    ``"82.4 % [76.2, 88.6]"``; a single value has no interval and is shown alone.

    Args:
        values: one or more finite results (e.g. one per seed).
        digits: decimals shown.
        percent: show shares in [0, 1] as percentages.

    Returns:
        The text.
    """
    digits = integer("digits", digits, minimum=0)
    scale, unit = (100.0, " %") if percent else (1.0, "")
    mean, low, high = (scale * v for v in mean_interval(values))
    if np.isnan(low):
        return f"{mean:.{digits}f}{unit}"
    return f"{mean:.{digits}f}{unit} [{low:.{digits}f}, {high:.{digits}f}]"


@dataclass
class PairedDifference(Record):
    """Two results measured with the same seeds, compared seed by seed
    (:func:`paired_difference`).

    Attributes:
        a, b: the names.
        seeds: the seeds the values are paired by.
        mean, low, high: the mean of a − b over seeds and its confidence interval
            (:func:`t_interval`).
        level: the interval's confidence level.
        wins: per name, in how many seeds it scored strictly higher.
        verdict: ``"a"`` or ``"b"`` when the interval excludes 0 (that one is ahead), else
            ``"neither"``.
    """

    a: str
    b: str
    seeds: list[int]
    mean: float
    low: float
    high: float
    level: float
    wins: dict[str, int]
    verdict: str


def paired_difference(a: tuple[str, Spread], b: tuple[str, Spread],
                      level: float = 0.95) -> PairedDifference:
    """The difference a − b over seeds, paired by seed (same seed: same data order), with a
    Student-t confidence interval of its mean.

    Pairing removes what the two runs of a seed share (the order of the batches), so the
    interval of the differences is narrower than comparing the two intervals when that shared
    part matters.

    Args:
        a, b: ``(name, Spread)`` of each result, over the same seeds (at least two).
        level: confidence level.

    Returns:
        A :class:`PairedDifference`.

    Raises:
        ValueError: if the two were measured with other seeds or fewer than two.
    """
    (name_a, sa), (name_b, sb) = a, b
    if sa.seeds != sb.seeds or sa.n != sb.n:
        raise ValueError(f"{name_a} has seeds {sa.seeds} and {name_b} {sb.seeds}: pair results "
                         "measured with the same seeds")
    diffs = np.asarray(sa.values) - np.asarray(sb.values)
    mean, low, high = t_interval(diffs, level)
    verdict = name_a if low > 0 else name_b if high < 0 else "neither"
    return PairedDifference(a=name_a, b=name_b, seeds=list(sa.seeds), mean=mean, low=low,
                            high=high, level=level,
                            wins={name_a: int(np.sum(diffs > 0)), name_b: int(np.sum(diffs < 0))},
                            verdict=verdict)


@dataclass
class SeedTestInterval(Record):
    """A difference of accuracies over seeds whose interval counts two sources of noise: which
    seeds were drawn, and which test images (:func:`seed_and_test_interval`).

    Attributes:
        mean: the mean over seeds of accuracy(a) − accuracy(b).
        low, high: its confidence interval.
        level: the interval's confidence level.
        seed_se: the standard error from the seeds alone, the test images held fixed
            (s_d / √n, as in :func:`t_interval`).
        test_se: the standard error from the test images alone, the trained models held fixed
            (s_e / √N over the per-image differences).
        se: √(seed_se² + test_se²).
        df: the degrees of freedom of the t quantile: n − 1, as for the seeds alone.
        seeds, images: n and N.
    """

    mean: float
    low: float
    high: float
    level: float
    seed_se: float
    test_se: float
    se: float
    df: float
    seeds: int
    images: int


def seed_and_test_interval(correct_a: Any, correct_b: Any, level: float = 0.95) -> SeedTestInterval:
    """Confidence interval of the mean accuracy difference a − b over seeds, counting the noise
    of the seeds and of the test images.

    Row s of each array is one trained model (the two rows s trained with the same seed), column
    i one test image, 1 where the model got it right. Two parts of the variance add up:

    - seeds, the test images fixed: s_d² / n, with d_s = mean_i a_si − mean_i b_si (the paired
      interval of :func:`paired_difference`);
    - test images, the models fixed: s_e² / N, with e_i = mean_s (a_si − b_si): the paired,
      per-image (McNemar-style) standard error of a difference measured on the same images.

    The interval is mean ± t_{(1+level)/2, n−1} · √(s_d²/n + s_e²/N). It errs on the wide
    side twice over, on purpose: adding the parts counts the seed-by-image noise twice, and the
    quantile keeps the n − 1 degrees of freedom of the seeds although the test part is known far
    better (a Welch–Satterthwaite count would give more degrees of freedom, and with a handful of
    seeds an interval narrower than the seeds' own). It is never narrower than
    :func:`t_interval` of the per-seed differences at the same level.

    Args:
        correct_a, correct_b: arrays of shape (seeds, images) of 0/1 (or booleans), at least
            two seeds and two images, paired by row and column.
        level: confidence level, in (0, 1).

    Returns:
        A :class:`SeedTestInterval`.

    Raises:
        ValueError: for arrays of other shapes, values other than 0 and 1, or a level outside
            (0, 1).
    """
    from scipy import stats

    a = np.asarray(correct_a, dtype=float)
    b = np.asarray(correct_b, dtype=float)
    if a.ndim != 2 or a.shape != b.shape or a.shape[0] < 2 or a.shape[1] < 2:
        raise ValueError(f"correct_a and correct_b must be (seeds, images) arrays of the same "
                         f"shape with at least 2 seeds and 2 images, got {a.shape} and {b.shape}")
    if not (np.isin(a, (0.0, 1.0)).all() and np.isin(b, (0.0, 1.0)).all()):
        raise ValueError("correct_a and correct_b hold 1 (right) or 0 (wrong) per image")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    n, images = a.shape
    d = a.mean(axis=1) - b.mean(axis=1)
    e = (a - b).mean(axis=0)
    v_seed = float(d.var(ddof=1) / n)
    v_test = float(e.var(ddof=1) / images)
    df = n - 1
    se = float(np.sqrt(v_seed + v_test))
    half = float(stats.t.ppf((1 + level) / 2, df) * se)
    mean = float(d.mean())
    return SeedTestInterval(mean=mean, low=mean - half, high=mean + half, level=level,
                            seed_se=float(np.sqrt(v_seed)), test_se=float(np.sqrt(v_test)),
                            se=se, df=float(df), seeds=n, images=images)
