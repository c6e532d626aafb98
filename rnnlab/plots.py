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
    middle = (ordered[0].year + ordered[-1].year) / 2
    for row, m in zip(rows, ordered):
        color = THEME_COLORS[m.theme]
        ax.plot([ordered[0].year - 1, m.year], [row, row], color=color, lw=0.6, alpha=0.4)
        ax.plot(m.year, row, "o", color=color, ms=7)
        left = m.year > middle      # the later half is labelled on the left, inside the years drawn
        ax.text(m.year + (-0.6 if left else 0.6), row, f"{m.label} ({m.year})", va="center",
                ha="right" if left else "left", fontsize=8.5)
    for theme, label in THEMES.items():
        if any(m.theme == theme for m in ordered):
            ax.plot([], [], "o", color=THEME_COLORS[theme], label=label)
    ax.set_yticks([])
    ax.set_xlabel("year of publication")
    ax.set_xlim(ordered[0].year - 1, ordered[-1].year + 1)
    ax.set_ylim(-1, len(ordered))
    ax.legend(loc="lower left", fontsize=8, frameon=True)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def gradient_norms(curves: Mapping[str, np.ndarray], *, ylabel: str = r"$\|\partial h_T / "
                   r"\partial h_{T-k}\|_2$", markers: Mapping[str, np.ndarray] | None = None,
                   markers_label: str = "dots: Keras, tf.GradientTape",
                   colors: Mapping[str, str] | None = None,
                   styles: Mapping[str, str] | None = None,
                   ylim: tuple[float, float] | None = None) -> Any:
    """Gradient (Jacobian) norm against the lag k, on a log scale, one line per curve.

    Args:
        curves: label -> norms at lags 0, 1, 2, ... (as from :func:`rnnlab.gradients.jacobian_norms`).
        ylabel: label of the vertical axis.
        markers: optional label -> norms drawn as dots (about 35 along the curve) over the line
            of the same label (the Keras cross-check); the legend names them once, as
            ``markers_label``.
        markers_label: the legend entry of all the dots.
        colors: optional label -> colour (default: one colour per curve, in order).
        styles: optional label -> matplotlib line style (``"--"``, ``":"``; default solid).
        ylim: optional (bottom, top) of the vertical axis; a curve that leaves it runs off the
            plot.

    Returns:
        The Figure.
    """
    from matplotlib.lines import Line2D

    fig, ax = _figure()
    for index, (label, norms) in enumerate(curves.items()):
        norms = np.asarray(norms, float)
        color = (colors or {}).get(label, f"C{index}")
        line, = ax.semilogy(np.arange(len(norms)), norms, label=label, lw=2, color=color,
                            ls=(styles or {}).get(label, "-"))
        if markers and label in markers:
            dots = np.asarray(markers[label], float)
            every = max(1, len(dots) // 34)      # about 35 dots, so that a dashed line shows
            ax.semilogy(np.arange(len(dots)), dots, "o", ms=3.5, color=line.get_color(),
                        markerfacecolor="white", markevery=every, label="_nolegend_")
    ax.set_xlabel("lag k (time steps back from the last step)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if ylim is not None:
        ax.set_ylim(*ylim)
    handles, names = ax.get_legend_handles_labels()
    if markers:
        handles.append(Line2D([], [], marker="o", ls="none", ms=3.5, color="grey",
                              markerfacecolor="white"))
        names.append(markers_label)
    ax.legend(handles, names, fontsize=8)
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
            ax.annotate(f"{label}: loss is NaN from {xlabel} {first_bad + 1}",
                        (first_bad + 1, 0.5), xycoords=("data", "axes fraction"),
                        fontsize=8, rotation=90, ha="right", va="center")
    if baseline is not None:
        ax.axhline(baseline, ls="--", color="black", lw=1, label=baseline_label)
    if log:
        ax.set_yscale("log")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs and steps: whole numbers
    return _finish(fig, ax, xlabel, ylabel)


def lines(x: Sequence[Any], series: Mapping[str, Sequence[float]], *, xlabel: str, ylabel: str,
          spans: Mapping[str, tuple[Any, Any]] | None = None, steps: Sequence[str] = (),
          marker: str = "", dashed: Sequence[str] = (), legend: str = "upper left") -> Any:
    """Several series over one x axis (e.g. a time series and forecasts of it).

    Args:
        x: the shared x values (numbers or datetime64).
        series: label -> values, one per x (the first is drawn thickest, in black).
        xlabel, ylabel: axis labels, with units.
        spans: optional label -> (start, end) x ranges to shade, e.g. the validation and test
            periods.
        steps: labels of series drawn as a step function, each value held for its whole time
            step (an input sequence), instead of a line between the values.
        marker: a matplotlib marker (e.g. ``"o"``) drawn at every value of the other series.
        dashed: labels of series drawn dashed, so that a line lying on another stays visible.
        legend: where the legend goes (a matplotlib ``loc``), away from the lines that matter.

    Returns:
        The Figure.
    """
    fig, ax = _figure(7.5, 3.4)
    for number, (label, values) in enumerate(series.items()):
        style = {"color": "black", "lw": 1.2} if number == 0 else {"lw": 1.2, "alpha": 0.85}
        if label in steps:
            style["drawstyle"] = "steps-mid"
        elif marker:
            style.update(marker=marker, ms=4)
        if label in dashed:
            style.update(ls="--", lw=2.0)
        ax.plot(x, np.asarray(values, float), label=label, **style)
    for (label, (start, end)), color in zip((spans or {}).items(), ("#ff7f0e", "#2ca02c", "#9467bd")):
        ax.axvspan(start, end, color=color, alpha=0.12, label=label)
    if np.issubdtype(np.asarray(x).dtype, np.integer):     # steps, bits, layers: whole-number ticks
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _finish(fig, ax, xlabel, ylabel, legend)


def by_length(lengths: Sequence[int], series: Mapping[str, Sequence[float]], *, xlabel: str,
              ylabel: str, counts: Mapping[int, int] | None = None, log: bool = False) -> Any:
    """A score against an integer length, one line with markers per named series.

    Args:
        lengths: the lengths (whole numbers, drawn as the ticks).
        series: label -> one value per length.
        xlabel, ylabel: axis labels, with units.
        counts: optional length -> number of examples, written under each tick.
        log: a logarithmic (base 2) length axis, for lengths that double.

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
    if log:
        ax.set_xscale("log", base=2)
        ax.minorticks_off()
    ax.set_xticks(lengths, [f"{n}\n({counts.get(n, 0):,})" if counts is not None else str(n)
                            for n in lengths])
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


def panels(series: Mapping[str, Mapping[str, Sequence[float]]], *, xlabel: str,
           ylims: Mapping[str, tuple[float, float]] | None = None) -> Any:
    """Small line plots stacked over one shared horizontal axis (1, 2, ...): one panel per name,
    the same lines in each, every line in the same colour in every panel (e.g. each gate of one
    unit over time, one line per class).

    Args:
        series: panel name (its vertical axis label, with the unit) -> line label -> values, one
            per step.
        xlabel: label of the shared horizontal axis.
        ylims: optional panel name -> (bottom, top) of its vertical axis, e.g. (0, 1) for a gate.

    Returns:
        The Figure.
    """
    from matplotlib.ticker import MaxNLocator

    if not series or not all(series.values()):
        raise ValueError("panels needs at least one panel, each with at least one line")
    fig, axes = plt.subplots(len(series), 1, figsize=(6.0, 1.6 * len(series) + 0.7), sharex=True,
                             facecolor="white", squeeze=False)
    colors: dict[str, str] = {}
    for ax, (name, lines_of_panel) in zip(axes[:, 0], series.items()):
        for label, values in lines_of_panel.items():
            values = np.asarray(values, float)
            if values.ndim != 1:
                raise ValueError(f"line {label!r} of panel {name!r} must be 1-D, got shape "
                                 f"{values.shape}")
            color = colors.setdefault(label, f"C{len(colors)}")
            ax.plot(np.arange(1, len(values) + 1), values, "o-", lw=1.5, ms=3, color=color,
                    label=label)
        if ylims and name in ylims:
            ax.set_ylim(*ylims[name])
        ax.set_ylabel(name, fontsize=9)
        ax.grid(True, alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    axes[-1, 0].set_xlabel(xlabel)
    axes[-1, 0].xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def digits(images: np.ndarray, labels: Sequence[int], *, order: str = "rows") -> Any:
    """MNIST digits drawn as the sequences a recurrent layer reads: one row (or column, or pixel)
    per step.

    Args:
        images: array (k, height, width) of pixel values (28 × 28 for MNIST).
        labels: the k labels, shown above the digits.
        order: ``"rows"``: step t is pixel row t (vertical axis); ``"columns"``: step t is column
            t; ``"pixels"``: one pixel per step, row after row (height × width steps of one
            feature, chapter 5's reading).

    Returns:
        The Figure.
    """
    images = np.asarray(images)
    if images.ndim != 3 or len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"images must be (k, height, width) with k labels, got {images.shape} "
                         f"and {len(labels)} labels")
    if order not in ("rows", "columns", "pixels"):
        raise ValueError(f"order must be 'rows', 'columns' or 'pixels', got {order!r}")
    fig, axes = plt.subplots(1, len(images), figsize=(1.6 * len(images) + 0.6, 2.3),
                             facecolor="white", squeeze=False)
    for ax, image, label in zip(axes[0], images, labels):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(f"label {label}", fontsize=9)
        ax.set_xticks([0, images.shape[2] - 1])
        ax.set_yticks([0, images.shape[1] - 1])
    if order == "pixels":
        axes[0, 0].set_ylabel("pixel row", fontsize=8)
        axes[0, 0].set_xlabel("pixel column; read row\nafter row, one pixel per step", fontsize=8)
        fig.tight_layout()
        return fig
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


def comparison_at_a_glance(points: Mapping[str, Mapping[str, Sequence[float]]],
                           bands: Mapping[str, Sequence[Sequence[float]]] | None, *,
                           seconds_per_epoch: Mapping[str, float] | None = None,
                           points_label: str = "validation accuracy (%), one dot per seed",
                           band_label: str = "validation accuracy (%)") -> Any:
    """Chapter 6's summary figure: left, one small panel per setting with each seed's result as
    a dot and the mean over seeds as a short vertical bar, all panels on one shared scale (so a
    spread in one setting compares with the others'); right, learning curves with the band of
    the seeds (min to max) around their mean.

    Args:
        points: setting label -> {cell: one value per seed}, in percent; the cells are
            registered names (their colours and labels come from the registry).
        bands: cell -> one per-epoch curve per seed, in percent; None draws the seed panels
            alone (when the curves already stand in another figure).
        seconds_per_epoch: optional cell -> seconds per epoch: the curves' x axis is then
            estimated training time (epochs times seconds per epoch) instead of epochs.
        points_label, band_label: the axes' labels.

    Returns:
        The Figure; ``fig.axes`` holds the seed panels in the order of ``points``, then the
        curves (none when ``bands`` is None).
    """
    settings = list(points)
    fig = plt.figure(figsize=(10.0 if bands else 5.5, 1.3 + 1.1 * len(settings)), constrained_layout=True)
    grid = fig.add_gridspec(len(settings), 2 if bands else 1)
    lefts = [fig.add_subplot(grid[0, 0])]
    lefts += [fig.add_subplot(grid[i, 0], sharex=lefts[0]) for i in range(1, len(settings))]
    cells = list(dict.fromkeys(c for per in points.values() for c in per))
    for ax, setting in zip(lefts, settings):
        for j, cell in enumerate(cells):
            if cell not in points[setting]:
                continue
            values = np.asarray(points[setting][cell], float)
            ax.plot(values, np.full(values.shape, j), "o", ms=5, alpha=0.7, color=spec(cell).color)
            ax.plot([values.mean()] * 2, [j - 0.3, j + 0.3], "-", lw=2.5, color=spec(cell).color)
        ax.set_yticks(range(len(cells)), [spec(c).label for c in cells], fontsize="small")
        ax.set_ylim(len(cells) - 0.5, -0.5)
        ax.set_title(setting, fontsize="small", loc="left")
        ax.tick_params(axis="x", labelsize="small")
        ax.grid(axis="x", alpha=0.3)
    lefts[-1].set_xlabel(points_label)
    if not bands:
        return fig
    right = fig.add_subplot(grid[:, 1])
    for cell, curves in bands.items():
        values = np.asarray(curves, float)
        epochs = np.arange(1, values.shape[1] + 1, dtype=float)
        x = epochs * seconds_per_epoch[cell] if seconds_per_epoch else epochs
        right.plot(x, values.mean(axis=0), "o-", ms=3, lw=2, color=spec(cell).color,
                   label=spec(cell).label)
        right.fill_between(x, values.min(axis=0), values.max(axis=0), color=spec(cell).color,
                           alpha=0.2, lw=0)
    right.set_xlabel("estimated training time (s)" if seconds_per_epoch else "epoch")
    right.set_ylabel(band_label)
    right.legend(fontsize="small")
    return fig


SCAN_SPEED_MODELS = {"min_gru_scan": ("minGRU, scan", "#9467bd"),
                     "min_gru_loop": ("minGRU, loop", "#8c564b"),
                     "gru": ("GRU (Keras)", "#d62728")}
"""The models ``benchmarks/scan_speed.py`` times: label and colour in :func:`scan_speed`."""


def scan_speed(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Milliseconds per training step against the sequence length, log-log, one line per model
    and backend (solid TensorFlow, dashed JAX, dotted PyTorch; "(GPU)" where a GPU was used).

    Args:
        rows: the rows of :func:`rnnlab.experiments.scan_timings` (``backend``, ``gpu`` and
            ``seconds``: model -> {T: seconds per step}).

    Returns:
        The Figure.
    """
    if not rows:
        raise ValueError("scan_speed needs at least one row of timings")
    styles = {"tensorflow": "-", "jax": "--", "torch": ":"}
    fig, ax = _figure(7.0, 4.0)
    for row in rows:
        for model, by_length in row["seconds"].items():
            label, color = SCAN_SPEED_MODELS.get(model, (model, None))
            lengths = sorted(by_length)
            ax.plot(lengths, [1e3 * by_length[T] for T in lengths],
                    styles.get(row["backend"], "-"), marker="o", color=color,
                    label=f"{label}, {row['backend']}" + (" (GPU)" if row.get("gpu") else ""))
    # a reference line of slope 1 (time proportional to T), below the fastest first point
    lengths = sorted({T for row in rows for by_length in row["seconds"].values() for T in by_length})
    start = 0.5 * min(1e3 * by_length[lengths[0]] for row in rows
                      for by_length in row["seconds"].values() if lengths[0] in by_length)
    ax.plot(lengths, [start * T / lengths[0] for T in lengths], ":", color="grey", lw=1.5,
            label="time ∝ T (slope 1)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    return _finish(fig, ax, "sequence length T (steps)", "milliseconds per training step")


def attention_weights(panels: Sequence[tuple[np.ndarray, Sequence[str], Sequence[str]]]) -> Any:
    """Attention weights as heatmaps, one panel per example (chapter 9).

    Args:
        panels: one ``(alpha, source, output)`` per example: ``alpha`` of shape (T_out, T_x),
            row t the weights α_t over the source positions at output step t; ``source`` the
            T_x source symbols (the columns' labels) and ``output`` the T_out output symbols
            (the rows' labels).

    Returns:
        The Figure.
    """
    if not panels:
        raise ValueError("attention_weights needs at least one panel")
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels) + 0.8, 3.6),
                             facecolor="white", squeeze=False)
    image = None
    for ax, (alpha, source, output) in zip(axes[0], panels):
        alpha = np.asarray(alpha, float)
        if alpha.shape != (len(output), len(source)):
            raise ValueError(f"alpha has shape {alpha.shape}, expected (outputs, sources) = "
                             f"({len(output)}, {len(source)})")
        image = ax.imshow(alpha, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_xticks(range(len(source)), [repr(s)[1:-1] for s in source], fontsize=8)
        ax.set_yticks(range(len(output)), [repr(s)[1:-1] for s in output], fontsize=8)
        ax.set_xlabel("source symbol (position j)")
    axes[0, 0].set_ylabel("output symbol (step t)")
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="attention weight α")
    return fig
