"""Every figure the book draws. Each function returns the matplotlib Figure it made.

Figures have a white background so that they stay legible in the site's dark mode, axis labels
that say the unit, and no title: the chapter's caption says what a figure shows.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from rnnlab.cells import names, spec
from rnnlab.milestones import MILESTONES, THEMES, Milestone

CELL_LABELS = {name: spec(name).label for name in names()}
"""Each registered cell's label in figures and tables (from its :class:`~rnnlab.cells.CellSpec`)."""
CELL_COLORS = {name: spec(name).color for name in names()}
"""Each registered cell's colour in figures."""
THEME_COLORS = {"recurrence": "#2ca02c", "training": "#ff7f0e", "gates": "#1f77b4",
                "applications": "#9467bd", "beyond": "#d62728"}


def _figure(width: float = 7.0, height: float = 4.0, **kwargs: Any) -> tuple[Any, Any]:
    fig, ax = plt.subplots(figsize=(width, height), facecolor="white", **kwargs)
    return fig, ax


def _finish(fig: Any, ax: Any, xlabel: str, ylabel: str, legend: str = "best") -> Any:
    """Axis labels, a light grid, a small legend at ``legend``; tight layout. Returns ``fig``."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc=legend)
    fig.tight_layout()
    return fig


def timeline(milestones: Sequence[Milestone] = MILESTONES) -> Any:
    """The history of recurrent networks as a timeline, one row per milestone, coloured by theme.

    Args:
        milestones: the milestones to draw (default: ``rnnlab.milestones.MILESTONES``).

    Returns:
        The Figure.
    """
    if not milestones:
        raise ValueError("timeline needs at least one milestone")
    ordered = sorted(milestones, key=lambda m: (m.year, m.label))
    fig, ax = _figure(8.0, 0.32 * len(ordered) + 1.0)
    rows = np.arange(len(ordered))[::-1]
    for row, m in zip(rows, ordered):
        color = THEME_COLORS[m.theme]
        ax.plot([ordered[0].year - 1, m.year], [row, row], color=color, lw=0.6, alpha=0.4)
        ax.plot(m.year, row, "o", color=color, ms=7)
        ax.text(m.year + 0.6, row, f"{m.label} ({m.year})", va="center", fontsize=8.5)
    for theme, label in THEMES.items():
        if any(m.theme == theme for m in ordered):
            ax.plot([], [], "o", color=THEME_COLORS[theme], label=label)
    ax.set_yticks([])
    ax.set_xlabel("year of publication")
    last = ordered[-1].year
    ax.set_xlim(ordered[0].year - 1, last + 20)
    ax.set_ylim(-1, len(ordered))
    ax.legend(loc="upper right", fontsize=8, frameon=True)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def gradient_norms(curves: Mapping[str, np.ndarray], *, ylabel: str = r"$\|\partial h_T / "
                   r"\partial h_{T-k}\|_2$", markers: Mapping[str, np.ndarray] | None = None) -> Any:
    """Gradient (Jacobian) norm against the lag k, on a log scale, one line per curve.

    Args:
        curves: label -> norms at lags 0, 1, 2, ... (as from :func:`rnnlab.gradients.jacobian_norms`).
        ylabel: label of the vertical axis.
        markers: optional label -> norms drawn as dots over the line of the same label (used for
            the Keras cross-check).

    Returns:
        The Figure.
    """
    fig, ax = _figure()
    for index, (label, norms) in enumerate(curves.items()):
        norms = np.asarray(norms, float)
        line, = ax.semilogy(np.arange(len(norms)), norms, label=label, lw=2, color=f"C{index}")
        if markers and label in markers:
            dots = np.asarray(markers[label], float)
            ax.semilogy(np.arange(len(dots)), dots, "o", ms=3.5, color=line.get_color(),
                        markerfacecolor="white", label=f"{label}, Keras")
    ax.set_xlabel("lag k (time steps back from the last step)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def sweep(rows: Sequence[Mapping[str, Any]], metric: str = "test_accuracy", *,
          ylabel: str = "test accuracy (fraction within 0.04)", baseline: float | None = None,
          baseline_label: str = "baseline") -> Any:
    """A metric against sequence length, one line per cell.

    The rows are those of :func:`rnnlab.experiments.length_sweep`.

    Args:
        rows: dicts with ``cell``, ``timesteps`` and ``metric``.
        metric: the key to plot.
        ylabel: label of the vertical axis.
        baseline: optional value of a trivial predictor, drawn as a dashed line.
        baseline_label: its legend entry.

    Returns:
        The Figure.
    """
    fig, ax = _figure(6.0, 3.8)
    cells = list(dict.fromkeys(row["cell"] for row in rows))
    for cell in cells:
        mine = sorted((r for r in rows if r["cell"] == cell), key=lambda r: r["timesteps"])
        ax.plot([r["timesteps"] for r in mine], [r[metric] for r in mine], "o-", lw=2,
                label=spec(cell).label, color=spec(cell).color)
    if baseline is not None:
        ax.axhline(baseline, ls="--", color="black", lw=1, label=baseline_label)
    ax.set_xscale("log")
    lengths = sorted({r["timesteps"] for r in rows})
    ax.set_xticks(lengths, [str(t) for t in lengths])
    ax.set_xlabel("sequence length T (time steps)")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def curves(series: Mapping[str, Sequence[float]], *, ylabel: str, xlabel: str = "epoch",
           log: bool = False, baseline: float | None = None,
           baseline_label: str = "baseline", overlay: Sequence[str] = ()) -> Any:
    """Learning curves: one line per named series of per-epoch values (NaN ends the line).

    Args:
        series: label -> values, one per epoch (epoch numbers start at 1).
        ylabel: label of the vertical axis, with its unit.
        xlabel: label of the horizontal axis.
        log: log scale for the values.
        baseline: optional horizontal reference line.
        baseline_label: its legend entry.
        overlay: labels drawn dashed with large hollow markers, so that a series equal to
            another stays visible on top of it.

    Returns:
        The Figure.
    """
    fig, ax = _figure(6.0, 3.8)
    for label, values in series.items():
        values = np.asarray(values, float)
        epochs = np.arange(1, len(values) + 1)
        if label in overlay:
            ax.plot(epochs, values, "o--", lw=1.2, ms=8, markerfacecolor="none", label=label)
        else:
            ax.plot(epochs, values, "o-", lw=2, ms=4, label=label)
        if not np.all(np.isfinite(values)):
            first_bad = int(np.argmin(np.isfinite(values)))
            ax.axvline(first_bad + 1, color="black", ls=":", lw=1)
            ax.annotate(f"{label}: loss is NaN from epoch {first_bad + 1}",
                        (first_bad + 1, 0.5), xycoords=("data", "axes fraction"),
                        fontsize=8, rotation=90, ha="right", va="center")
    if baseline is not None:
        ax.axhline(baseline, ls="--", color="black", lw=1, label=baseline_label)
    if log:
        ax.set_yscale("log")
    return _finish(fig, ax, xlabel, ylabel)


def lines(x: Sequence[Any], series: Mapping[str, Sequence[float]], *, xlabel: str, ylabel: str,
          spans: Mapping[str, tuple[Any, Any]] | None = None) -> Any:
    """Several series over one x axis (e.g. a time series and forecasts of it).

    Args:
        x: the shared x values (numbers or datetime64).
        series: label -> values, one per x (the first is drawn thickest, in black).
        xlabel, ylabel: axis labels, with units.
        spans: optional label -> (start, end) x ranges to shade, e.g. the validation and test
            periods.

    Returns:
        The Figure.
    """
    fig, ax = _figure(7.5, 3.4)
    for number, (label, values) in enumerate(series.items()):
        style = {"color": "black", "lw": 1.2} if number == 0 else {"lw": 1.2, "alpha": 0.85}
        ax.plot(x, np.asarray(values, float), label=label, **style)
    for (label, (start, end)), color in zip((spans or {}).items(), ("#ff7f0e", "#2ca02c", "#9467bd")):
        ax.axvspan(start, end, color=color, alpha=0.12, label=label)
    return _finish(fig, ax, xlabel, ylabel, "upper left")


def by_length(lengths: Sequence[int], series: Mapping[str, Sequence[float]], *, xlabel: str,
              ylabel: str, counts: Mapping[int, int] | None = None) -> Any:
    """A score against an integer length, one line with markers per named series.

    Args:
        lengths: the lengths (whole numbers, drawn as the ticks).
        series: label -> one value per length.
        xlabel, ylabel: axis labels, with units.
        counts: optional length -> number of examples, written under each tick.

    Returns:
        The Figure.
    """
    lengths = [int(n) for n in lengths]
    fig, ax = _figure(6.0, 3.6)
    for label, values in series.items():
        values = np.asarray(values, float)
        if values.shape != (len(lengths),):
            raise ValueError(f"series {label!r} has {values.size} values for {len(lengths)} lengths")
        ax.plot(lengths, values, "o-", lw=2, ms=6, label=label)
    ax.set_xticks(lengths)
    if counts is not None:
        ax.set_xticklabels([f"{n}\n({counts.get(n, 0):,})" for n in lengths])
    return _finish(fig, ax, xlabel, ylabel, "lower left")


def history_grid(records: Mapping[str, Mapping[str, Any]], metrics: Sequence[str], *,
                 labels: Mapping[str, str] | None = None) -> Any:
    """Learning curves of several models: one panel per model and metric.

    Each panel shows the training values (solid) and the validation values (dashed) per epoch,
    and marks the epoch early stopping kept, when the record has ``"best_epoch"``. With several
    metrics each model gets a row; with one metric the models fill two columns.

    Args:
        records: model name -> a record of :func:`rnnlab.experiments.train` or
            :func:`~rnnlab.experiments.fit_evaluate`.
        metrics: history keys to plot, e.g. ``("loss", "accuracy")``; ``val_`` + key is the
            validation curve.
        labels: optional axis label per metric.

    Returns:
        The Figure.
    """
    from matplotlib.ticker import MaxNLocator

    labels = dict(labels or {})
    panels = [(name, record, metric) for name, record in records.items() for metric in metrics]
    columns = len(metrics) if len(metrics) > 1 else min(2, len(panels))
    rows = -(-len(panels) // columns)
    fig, axes = _figure(3.3 * columns, 2.2 * rows + 0.4, nrows=rows, ncols=columns,
                        squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax, (name, record, metric) in zip(flat, panels):
        history = record["history"]
        for key, style, split in ((metric, "o-", "train"), (f"val_{metric}", "s--", "validation")):
            if key in history:
                values = np.asarray(history[key], float)
                ax.plot(np.arange(1, len(values) + 1), values, style, lw=1.5, ms=3, label=split)
        if "best_epoch" in record:  # a FitRecord (or a dict with that key)
            ax.axvline(record["best_epoch"], color="grey", ls=":", lw=1, label="kept")
        ax.set_title(name, fontsize=9)
        ax.set_ylabel(labels.get(metric, metric), fontsize=8)
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    flat[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def heatmaps(panels: Mapping[str, np.ndarray], *, vmin: float = -1.0, vmax: float = 1.0,
             cmap: str = "RdBu_r", xlabel: str = "time step t") -> Any:
    """Stacked heatmaps of per-unit activations over time, one panel per named array.

    Args:
        panels: name -> array of shape (timesteps, units) for one sequence (e.g. the gates of
            an LSTM from :meth:`rnnlab.cells.RNN.forward`).
        vmin, vmax, cmap: the shared colour scale.
        xlabel: label of the time axis.

    Returns:
        The Figure.
    """
    if not panels:
        raise ValueError("heatmaps needs at least one panel")
    arrays = {name: np.asarray(a, float) for name, a in panels.items()}
    for name, a in arrays.items():
        if a.ndim != 2:
            raise ValueError(f"panel {name!r} must be 2-D (timesteps, units), got shape {a.shape}")
    fig, axes = plt.subplots(len(arrays), 1, figsize=(7.0, 1.25 * len(arrays) + 0.8),
                             sharex=True, facecolor="white", squeeze=False)
    image = None
    for ax, (name, a) in zip(axes[:, 0], arrays.items()):
        T = a.shape[0]
        image = ax.imshow(a.T, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                          interpolation="nearest", extent=(0.5, T + 0.5, a.shape[1] - 0.5, -0.5))
        ax.set_ylabel(f"{name}\nunit", fontsize=9)
    axes[-1, 0].set_xlabel(xlabel)
    fig.colorbar(image, ax=axes[:, 0].tolist(), shrink=0.8, label="activation")
    return fig


def digits(images: np.ndarray, labels: Sequence[int], *, order: str = "rows") -> Any:
    """MNIST digits drawn as the sequences a recurrent layer reads: one row (or column) per step.

    Args:
        images: array (k, 28, 28) of pixel values.
        labels: the k labels, shown above the digits.
        order: ``"rows"``: step t is pixel row t (vertical axis); ``"columns"``: step t is column t.

    Returns:
        The Figure.
    """
    images = np.asarray(images)
    if images.ndim != 3 or len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"images must be (k, height, width) with k labels, got {images.shape} "
                         f"and {len(labels)} labels")
    fig, axes = plt.subplots(1, len(images), figsize=(1.6 * len(images) + 0.6, 2.3),
                             facecolor="white", squeeze=False)
    for ax, image, label in zip(axes[0], images, labels):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(f"label {label}", fontsize=9)
        ax.set_xticks([0, 27])
        ax.set_yticks([0, 27])
    time_axis = "time step t = pixel row" if order == "rows" else "time step t = pixel column"
    feature_axis = "feature = pixel column" if order == "rows" else "feature = pixel row"
    if order == "rows":
        axes[0, 0].set_ylabel(time_axis, fontsize=8)
        axes[0, 0].set_xlabel(feature_axis, fontsize=8)
    else:
        axes[0, 0].set_xlabel(time_axis, fontsize=8)
        axes[0, 0].set_ylabel(feature_axis, fontsize=8)
    fig.tight_layout()
    return fig


def scan_rounds(timesteps: int = 8) -> Any:
    """Two ways to compute h_1 … h_T of h_t = a_t ⊙ h_{t-1} + b_t, as dependency graphs.

    Left, the loop: step t needs step t − 1, so T dependent steps. Right, the scan of
    :func:`rnnlab.cells.linear_recurrence`: round r (r = 1, 2, …) combines every position
    t > 2^(r−1) with position t − 2^(r−1) (:func:`rnnlab.cells.compose`), all positions at once;
    after r rounds (row r) the first 2^r states are final, so ⌈log₂ T⌉ rounds. The arrows are
    read off the same shifts the code uses.

    Args:
        timesteps: T (2 to 32).

    Returns:
        The Figure.
    """
    if not isinstance(timesteps, int) or not 2 <= timesteps <= 32:
        raise ValueError(f"timesteps must be an integer from 2 to 32, got {timesteps!r}")
    shifts = []
    shift = 1
    while shift < timesteps:
        shifts.append(shift)
        shift *= 2
    fig, (loop, scan) = plt.subplots(1, 2, figsize=(9.0, 3.6), facecolor="white",
                                     gridspec_kw={"width_ratios": [1, 1.25]})
    xs = np.arange(1, timesteps + 1)
    loop.plot(xs, xs, "o", color="#1f77b4", ms=7, zorder=3)
    for t in xs[1:]:
        loop.annotate("", xy=(t, t), xytext=(t - 1, t - 1),
                      arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1.0})
    loop.set_xlabel("time step t")
    loop.set_ylabel("dependent step at which h_t is known")
    loop.set_title(f"loop: {timesteps} dependent steps", fontsize=10)
    for r, shift in enumerate(shifts):
        for t in xs:
            scan.annotate("", xy=(t, r + 1), xytext=(t, r),
                          arrowprops={"arrowstyle": "->", "color": "#bbbbbb", "lw": 0.8})
            if t - shift >= 1:
                scan.annotate("", xy=(t, r + 1), xytext=(t - shift, r),
                              arrowprops={"arrowstyle": "->", "color": "#d62728", "lw": 1.0})
    for r in range(len(shifts) + 1):
        done = xs <= 2 ** r
        scan.plot(xs[~done], np.full((~done).sum(), r), "o", color="white", mec="#1f77b4", ms=7,
                  zorder=3)
        scan.plot(xs[done], np.full(done.sum(), r), "o", color="#1f77b4", ms=7, zorder=3)
    scan.set_yticks(range(len(shifts) + 1))
    scan.set_xlabel("time step t")
    scan.set_ylabel("round")
    scan.set_title(f"scan: {len(shifts)} rounds (filled: h_t final)", fontsize=10)
    for ax in (loop, scan):
        ax.set_xticks(xs)
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def comparison_at_a_glance(intervals: Mapping[str, Mapping[str, tuple[float, float, float]]],
                           bands: Mapping[str, Sequence[Sequence[float]]], *,
                           seconds_per_epoch: Mapping[str, float] | None = None,
                           interval_label: str = "test accuracy (%), mean and 95 % interval",
                           band_label: str = "validation accuracy (%)") -> Any:
    """Chapter 6's summary figure: left, one small panel per setting with each cell's mean and
    confidence interval (each panel on its own scale, so that narrow intervals stay visible next
    to wide ones); right, learning curves with the band of the seeds (min to max) around their
    mean.

    Args:
        intervals: setting label -> {cell: (mean, low, high)}, in percent; the cells are
            registered names (their colours and labels come from the registry). A NaN interval
            (one seed) draws the mean alone.
        bands: cell -> one per-epoch curve per seed, in percent.
        seconds_per_epoch: optional cell -> seconds per epoch: the curves' x axis is then
            training time instead of epochs.
        interval_label, band_label: the axes' labels.

    Returns:
        The Figure; ``fig.axes`` holds the interval panels in the order of ``intervals``, then
        the curves.
    """
    settings = list(intervals)
    fig = plt.figure(figsize=(10.0, 1.3 + 1.1 * len(settings)), constrained_layout=True)
    grid = fig.add_gridspec(len(settings), 2)
    lefts = [fig.add_subplot(grid[i, 0]) for i in range(len(settings))]
    right = fig.add_subplot(grid[:, 1])
    cells = list(dict.fromkeys(c for per in intervals.values() for c in per))
    for i, (ax, setting) in enumerate(zip(lefts, settings)):
        for j, cell in enumerate(cells):
            if cell not in intervals[setting]:
                continue
            mean, low, high = intervals[setting][cell]
            error = None if np.isnan(low) else [[mean - low], [high - mean]]
            ax.errorbar(mean, j, xerr=error, fmt="o", capsize=3, color=spec(cell).color,
                        label=spec(cell).label if i == 0 else None)
        ax.set_yticks(range(len(cells)), [spec(c).label for c in cells], fontsize="small")
        ax.set_ylim(len(cells) - 0.5, -0.5)
        ax.set_title(setting, fontsize="small", loc="left")
        ax.tick_params(axis="x", labelsize="small")
    lefts[-1].set_xlabel(interval_label)
    for cell, curves in bands.items():
        values = np.asarray(curves, float)
        epochs = np.arange(1, values.shape[1] + 1, dtype=float)
        x = epochs * seconds_per_epoch[cell] if seconds_per_epoch else epochs
        right.plot(x, values.mean(axis=0), "o-", ms=3, lw=2, color=spec(cell).color,
                   label=spec(cell).label)
        right.fill_between(x, values.min(axis=0), values.max(axis=0), color=spec(cell).color,
                           alpha=0.2, lw=0)
    right.set_xlabel("training time (s)" if seconds_per_epoch else "epoch")
    right.set_ylabel(band_label)
    right.legend(fontsize="small")
    return fig
