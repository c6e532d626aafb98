import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from rnnlab import plots  # noqa: E402


def labels(fig):
    return [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes if ax.get_xlabel() or ax.get_ylabel()]


def test_timeline_draws_one_dot_per_milestone():
    fig = plots.timeline()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == len(plots.MILESTONES)
    assert "LSTM: constant error carousel (1997)" in texts
    assert ax.get_xlabel() == "year of publication"


def test_timeline_rejects_an_empty_list():
    with pytest.raises(ValueError, match="at least one"):
        plots.timeline([])


def test_gradient_norms_plots_each_curve_against_the_lag_on_a_log_scale():
    fig = plots.gradient_norms({"a": [1, 0.5, 0.25]}, markers={"a": [1, 0.5, 0.25]})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, 0.5, 0.25])
    assert "lag" in ax.get_xlabel()


def test_gradient_norms_names_the_dots_once_and_takes_colours_styles_and_limits():
    curves = {"a": [1, 0.5, 0.25], "b": [1, 2, 4]}
    fig = plots.gradient_norms(curves, markers=curves, colors={"b": "red"}, styles={"b": "--"},
                               ylim=(0.1, 3))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "dots: Keras, tf.GradientTape"]
    assert ax.lines[2].get_linestyle() == "--" and ax.lines[2].get_color() == "red"
    assert ax.get_ylim() == (0.1, 3)


def test_lines_draws_an_input_as_steps_and_states_with_markers():
    fig = plots.lines(np.arange(1, 6), {"x": [0, 0, 1, 0, 0], "h": [0, 0, 0.9, 0.9, 0.9]},
                      xlabel="t", ylabel="v", steps=["x"], marker="o")
    x_line, h_line = fig.axes[0].lines
    assert x_line.get_drawstyle() == "steps-mid" and x_line.get_marker() in ("None", "", None)
    assert h_line.get_marker() == "o"


def test_timeline_axis_ends_at_the_last_year():
    ax = plots.timeline().axes[0]
    assert ax.get_xlim()[1] == plots.MILESTONES[-1].year + 1


def test_sweep_has_one_line_per_cell_and_the_baseline():
    rows = [{"cell": c, "timesteps": t, "test_accuracy": a}
            for c, a in (("lstm", 0.9), ("gru", 0.8)) for t in (10, 50)]
    fig = plots.sweep(rows, baseline=0.08)
    assert [line.get_label() for line in fig.axes[0].lines] == ["LSTM", "GRU", "baseline"]


def test_curves_marks_where_a_loss_became_nan():
    fig = plots.curves({"no clipping": [1.0, np.nan, np.nan], "clipping": [1.0, 0.5, 0.3]},
                       ylabel="training loss (MSE)")
    assert any("NaN from epoch 2" in t.get_text() for t in fig.axes[0].texts)
    assert labels(fig) == [("epoch", "training loss (MSE)")]


def test_curves_ticks_epochs_as_whole_numbers():
    fig = plots.curves({"loss": np.linspace(1.0, 0.1, 20)}, ylabel="loss")
    fig.canvas.draw()
    ticks = fig.axes[0].get_xticks()
    assert len(ticks) > 1 and np.allclose(ticks, np.round(ticks))


def test_panels_one_axis_per_panel_colours_kept_and_limits_set():
    fig = plots.panels({"$i_t$": {"+1": np.linspace(0, 1, 5), "−1": np.zeros(5)},
                        "$c_t$": {"−1": np.ones(5), "+1": -np.ones(5)}},
                       xlabel="time step t", ylims={"$i_t$": (0, 1)})
    first, second = fig.axes
    assert first.get_ylim() == (0, 1) and second.get_xlabel() == "time step t"
    colour = {line.get_label(): line.get_color() for line in first.lines}
    assert all(line.get_color() == colour[line.get_label()] for line in second.lines)
    with pytest.raises(ValueError, match="at least one panel"):
        plots.panels({}, xlabel="t")
    with pytest.raises(ValueError, match="must be 1-D"):
        plots.panels({"a": {"b": np.zeros((2, 2))}}, xlabel="t")


def test_heatmaps_one_panel_per_array_and_shape_checked():
    fig = plots.heatmaps({"f": np.zeros((5, 3)), "c": np.ones((5, 3))})
    assert len(fig.axes) == 3  # two panels and the colour bar
    with pytest.raises(ValueError, match="2-D"):
        plots.heatmaps({"f": np.zeros(5)})


def test_digits_one_panel_per_image_with_the_time_axis_named():
    fig = plots.digits(np.zeros((3, 28, 28)), [1, 2, 3])
    assert len(fig.axes) == 3 and fig.axes[0].get_ylabel() == "time step t = pixel row"
    assert [ax.get_title() for ax in fig.axes] == ["label 1", "label 2", "label 3"]
    with pytest.raises(ValueError, match="labels"):
        plots.digits(np.zeros((3, 28, 28)), [1, 2])


def test_digits_read_pixel_by_pixel_have_ticks_at_their_own_size():
    fig = plots.digits(np.zeros((2, 10, 10)), [4, 7], order="pixels")
    first = fig.axes[0]
    assert list(first.get_xticks()) == [0, 9] and list(first.get_yticks()) == [0, 9]
    assert first.get_ylabel() == "pixel row" and "one pixel per step" in first.get_xlabel()
    assert first.get_xlim()[1] < 10 and first.get_ylim()[0] < 10   # no 28 × 28 frame around it
    rows = plots.digits(np.zeros((1, 28, 28)), [3])      # chapter 6's figure is unchanged
    assert list(rows.axes[0].get_xticks()) == [0, 27]
    assert rows.axes[0].get_xlabel() == "feature = pixel column"
    with pytest.raises(ValueError, match="order"):
        plots.digits(np.zeros((1, 10, 10)), [1], order="diagonal")


def test_history_grid_has_a_panel_per_model_and_metric_with_both_splits():
    records = {"a": {"history": {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2.6], "accuracy": [0.1, 0.5, 0.9],
                                 "val_accuracy": [0.1, 0.4, 0.3]}, "best_epoch": 2},
               "b": {"history": {"loss": [1, 0.5], "val_loss": [1.1, 0.9]}}}
    fig = plots.history_grid(records, ("loss", "accuracy"))
    axes = fig.axes
    assert len(axes) == 4
    assert len(axes[0].lines) == 3          # train, validation, kept epoch
    assert len(axes[2].lines) == 2 and len(axes[3].lines) == 0   # b has no accuracy
    assert axes[3].get_xlabel() == "epoch"


def test_lines_draws_each_series_and_shades_the_spans():
    fig = plots.lines(np.arange(10), {"x": np.arange(10), "y": np.ones(10)}, xlabel="t", ylabel="v",
                      spans={"test": (7, 9)})
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.patches) == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y", "test"]


def test_lines_draws_dashed_series_dashed_so_that_equal_lines_stay_visible():
    fig = plots.lines(np.arange(1, 5), {"GRU": np.ones(4), "LSTM": np.ones(4)}, xlabel="t",
                      ylabel="%", dashed=["LSTM"])
    gru, lstm = fig.axes[0].lines
    assert gru.get_linestyle() == "-" and lstm.get_linestyle() == "--"
    moved = plots.lines(np.arange(1, 5), {"GRU": np.ones(4)}, xlabel="t", ylabel="%",
                        legend="center right")
    assert moved.axes[0].get_legend()._loc == 7          # matplotlib's code for "center right"


def test_lines_over_whole_numbers_has_whole_number_ticks():
    fig = plots.lines(np.arange(1, 21), {"accuracy": np.linspace(1, 0.5, 20)}, xlabel="bits",
                      ylabel="%")
    ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 20]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_scan_speed_draws_a_line_per_model_and_backend_on_log_axes():
    rows = [{"backend": backend, "gpu": False,
             "seconds": {model: {64: 0.01, 4096: 0.5} for model in plots.SCAN_SPEED_MODELS}}
            for backend in ("tensorflow", "jax")]
    ax = plots.scan_speed(rows).axes[0]
    assert len(ax.lines) == 6 + 1 and ax.get_xscale() == "log" and ax.get_yscale() == "log"
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "minGRU, scan, jax" in names and "time ∝ T (slope 1)" in names
    # the reference line has slope 1 on the log-log axes and starts below every model's line
    reference = ax.lines[-1]
    (x0, x1), (y0, y1) = reference.get_xdata(), reference.get_ydata()
    assert np.isclose(np.log(y1 / y0) / np.log(x1 / x0), 1.0) and y0 < 1e3 * 0.01
    with pytest.raises(ValueError, match="at least one row"):
        plots.scan_speed([])


def test_history_grid_with_one_metric_fills_two_columns_and_hides_the_spare_panel():
    records = {name: {"history": {"loss": [2, 1], "val_loss": [2, 1.5]}} for name in "abc"}
    fig = plots.history_grid(records, ("loss",))
    assert len(fig.axes) == 4 and [ax.get_visible() for ax in fig.axes] == [True, True, True, False]
    assert [ax.get_title() for ax in fig.axes[:3]] == ["a", "b", "c"]


def test_scan_rounds_draws_the_loop_and_log2_rounds_of_the_scan():
    fig = plots.scan_rounds(8)
    loop, scan = fig.axes
    assert "8 dependent steps" in loop.get_title() and "3 rounds" in scan.get_title()
    assert list(scan.get_yticks()) == [0, 1, 2, 3]
    # round r combines t with t − 2^r: 7 + 6 + 4 red arrows for T = 8, one grey arrow per node
    red = [a for a in scan.texts if a.arrow_patch.get_edgecolor()[:3] == (0.8392156862745098, 0.15294117647058825, 0.1568627450980392)]
    assert len(red) == 7 + 6 + 4
    assert "5 rounds" in plots.scan_rounds(17).axes[1].get_title()
    with pytest.raises(ValueError, match="from 2 to 32"):
        plots.scan_rounds(1)


def test_comparison_at_a_glance_draws_each_seed_on_one_scale_and_seed_bands():
    import matplotlib.pyplot as plt

    from rnnlab import plots

    points = {"article": {"lstm": [60.0, 95.0, 97.0], "gru": [62.0, 72.0, 95.0]},
              "tuned": {"lstm": [98.0, 98.5], "gru": [98.2, 98.4]}}
    bands = {"lstm": [[80, 90, 95], [82, 91, 96]], "gru": [[70, 85, 97], [75, 88, 97]]}
    fig = plots.comparison_at_a_glance(points, bands, seconds_per_epoch={"lstm": 13.0, "gru": 12.0})
    *lefts, right = fig.axes
    assert [ax.get_title(loc="left") for ax in lefts] == ["article", "tuned"]
    assert [t.get_text() for t in lefts[0].get_yticklabels()] == ["LSTM", "GRU"]
    dots, mean_bar = lefts[0].get_lines()[:2]           # the LSTM's seeds, then its mean
    assert list(dots.get_xdata()) == [60.0, 95.0, 97.0]
    assert list(mean_bar.get_xdata()) == pytest.approx([84.0, 84.0])
    assert lefts[0].get_xlim() == lefts[1].get_xlim()   # one scale for every setting
    assert right.get_xlabel() == "estimated training time (s)"
    (lstm_line, gru_line) = right.get_lines()
    assert list(lstm_line.get_xdata()) == [13.0, 26.0, 39.0]  # epochs drawn at their seconds
    assert list(lstm_line.get_ydata()) == [81.0, 90.5, 95.5]  # the mean over seeds
    assert len(right.collections) == 2                   # a band per cell
    plt.close(fig)
    fig = plots.comparison_at_a_glance(points, bands)
    assert fig.axes[-1].get_xlabel() == "epoch"
    plt.close(fig)
    fig = plots.comparison_at_a_glance(points, None)     # the seed panels alone
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["article", "tuned"]
    assert fig.axes[-1].get_xlabel() == "validation accuracy (%), one dot per seed"
    plt.close(fig)


def test_by_length_draws_whole_number_ticks_with_counts():
    fig = plots.by_length([4, 5, 7], {"a": [1, 0.9, 0.5], "b": [1, 1, 0.8]}, xlabel="n", ylabel="acc",
                          counts={4: 10, 5: 20, 7: 1000})
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == [4, 5, 7] and len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "7\n(1,000)"
    with pytest.raises(ValueError, match="2 values for 3 lengths"):
        plots.by_length([4, 5, 7], {"a": [1, 2]}, xlabel="n", ylabel="acc")


def test_by_length_can_draw_doubling_lengths_on_a_log_axis():
    import matplotlib.pyplot as plt
    fig = plots.by_length([1, 2, 4, 64], {"a": [4, 3, 2, 1]}, xlabel="c", ylabel="bits", log=True)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and list(ax.get_xticks()) == [1, 2, 4, 64]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4", "64"]
    plt.close(fig)


def test_attention_weights_draws_one_labelled_panel_per_example():
    alpha = np.full((3, 4), 0.25)
    fig = plots.attention_weights([(alpha, "12 3", "3$ "), (np.eye(2), "ab", "ba")])
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(axes) == 2
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["1", "2", " ", "3"]
    with pytest.raises(ValueError, match="expected"):
        plots.attention_weights([(alpha, "12", "3$ ")])
