"""The minimal GRU and LSTM: NumPy cells, the linear recurrence they reduce to, their Keras layers."""
import numpy as np
import pytest

from rnnlab.cells import from_keras, linear_recurrence, random_rnn, spec
from rnnlab.cells.min_gru import min_gru_coefficients
from rnnlab.cells.min_lstm import min_lstm_coefficients

COEFFICIENTS = {"min_gru": min_gru_coefficients, "min_lstm": min_lstm_coefficients}
MINIMAL = list(COEFFICIENTS)


@pytest.mark.parametrize("cell", MINIMAL)
def test_a_minimal_layer_is_a_linear_recurrence_computed_by_the_scan(cell):
    rnn = random_rnn(cell, 3, 4, scale=1.0, seed=2)
    x = np.random.default_rng(1).normal(size=(2, 37, 3))
    h0 = np.random.default_rng(2).normal(size=(2, 4))
    a, b, _ = COEFFICIENTS[cell](x, rnn.W, rnn.b)
    assert np.all((a > 0) & (a < 1))  # a sigmoid, or a ratio of two: the state decays, never flips
    for method in ("scan", "sequential"):
        np.testing.assert_allclose(linear_recurrence(a, b, h0, method=method), rnn.forward(x, h0)["h"],
                                   atol=1e-12, rtol=0)


@pytest.mark.parametrize("cell", MINIMAL)
def test_the_gates_do_not_see_the_state(cell):
    rnn = random_rnn(cell, 3, 4, seed=3)
    x = np.random.default_rng(4).normal(size=(2, 6, 3))
    one = rnn.forward(x, np.zeros((2, 4)))
    other = rnn.forward(x, np.full((2, 4), 5.0))
    for name in spec(cell).blocks:
        np.testing.assert_array_equal(one["gates"][name], other["gates"][name])
    assert not np.allclose(one["h"], other["h"])
    classic = random_rnn("gru", 3, 4, seed=3)  # a classic gate does see it
    assert not np.allclose(classic.forward(x, np.zeros((2, 4)))["gates"]["z"],
                           classic.forward(x, np.full((2, 4), 5.0))["gates"]["z"])


def test_min_gru_in_feng_et_al_s_convention_is_the_same_layer_with_the_gate_negated():
    rnn = random_rnn("min_gru", 3, 4, seed=5)
    x = np.random.default_rng(6).normal(size=(2, 8, 3))
    n = 4
    W_z, W_h = rnn.W[:, :n], rnn.W[:, n:]
    b_z, b_h = rnn.b[:n], rnn.b[n:]
    h = np.zeros((2, n))
    for t in range(8):  # h_t = (1 − z'_t) ⊙ h_{t-1} + z'_t ⊙ h~_t with z' from −W_z, −b_z
        z_paper = 1 / (1 + np.exp(-(x[:, t] @ -W_z - b_z)))
        h = (1 - z_paper) * h + z_paper * (x[:, t] @ W_h + b_h)
    np.testing.assert_allclose(rnn(x), h, atol=1e-12)


def test_min_lstm_normalised_gates_sum_to_one_even_when_both_underflow():
    rnn = random_rnn("min_lstm", 2, 3, scale=3.0, seed=7)
    run = rnn.forward(np.random.default_rng(8).normal(size=(4, 50, 2)))
    f, i = run["gates"]["f"], run["gates"]["i"]
    np.testing.assert_allclose(run["gates"]["f_norm"], f / (f + i), rtol=1e-12)
    # pre-activations of −800: both sigmoids are 0 in float64, f / (f + i) would be 0 / 0
    W, b = np.zeros((1, 3)), np.array([-800.0, -801.0, 1.0])
    a, _, gates = min_lstm_coefficients(np.zeros((1, 1)), W, b)
    assert gates["f"][0, 0] == gates["i"][0, 0] == 0.0
    np.testing.assert_allclose(a, 1 / (1 + np.exp(-1.0)))   # f / (f + i) = σ(a_f − a_i) here


@pytest.mark.parametrize("cell", MINIMAL)
def test_the_state_is_a_running_weighted_average_and_stays_bounded(cell):
    rnn = random_rnn(cell, 2, 3, scale=3.0, seed=7)
    x = np.random.default_rng(8).normal(size=(4, 200, 2))
    h0 = np.random.default_rng(9).normal(scale=5.0, size=(4, 3))
    run = rnn.forward(x, h0)
    # |h_t| ≤ max(|h_0|, |h~_1|, …, |h~_t|), unit by unit
    bound = np.maximum(np.abs(h0)[:, None], np.maximum.accumulate(np.abs(run["gates"]["h_tilde"]), axis=1))
    assert np.all(np.abs(run["h"]) <= bound + 1e-12)


@pytest.mark.parametrize("cell", MINIMAL)
@pytest.mark.parametrize("parallel", [True, False], ids=["scan", "step-by-step"])
def test_keras_layer_matches_numpy_in_both_forms(cell, parallel):
    rng = np.random.default_rng(9)
    layer = spec(cell).keras_layer(5, return_sequences=True, parallel=parallel, dtype="float64")
    x = rng.normal(size=(3, 33, 2))
    layer(x)
    layer.set_weights([rng.normal(scale=0.8, size=w.shape) for w in layer.get_weights()])
    h0 = rng.normal(size=(3, 5))
    np.testing.assert_allclose(np.asarray(layer(x, initial_state=h0)), from_keras(layer)(x, h0),
                               atol=1e-12, rtol=0)


@pytest.mark.parametrize("cell", MINIMAL)
def test_scan_and_loop_agree_in_float32_on_a_long_sequence(cell):
    rng = np.random.default_rng(10)
    x = rng.normal(size=(2, 4096, 3)).astype("float32")
    scan = spec(cell).keras_layer(8, return_sequences=True, parallel=True)
    loop = spec(cell).keras_layer(8, return_sequences=True, parallel=False)
    scan(x)
    loop(x)
    loop.set_weights(scan.get_weights())
    np.testing.assert_allclose(np.asarray(scan(x)), np.asarray(loop(x)), atol=1e-4, rtol=0)


def test_keras_layers_round_trip_through_their_config_and_explain_bad_input():
    import keras

    from rnnlab.cells.minimal_layers import MinGRU, MinLSTM

    layer = MinLSTM(4, return_sequences=True, go_backwards=True, parallel=False, name="m")
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(clone) is MinLSTM and clone.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="units must be a positive integer"):
        MinGRU(0)
    gru = MinGRU(3)
    with pytest.raises(ValueError, match="one state, h_0"):
        gru(np.zeros((1, 2, 2), "float32"), initial_state=[np.zeros((1, 3)), np.zeros((1, 3))])
    with pytest.raises(ValueError, match=r"shape \(batch, timesteps, features\)"):
        MinGRU(3).build((None, 4))


def test_a_model_with_a_minimal_layer_trains_and_saves(tmp_path):
    import keras

    from rnnlab.models import build_model

    model = build_model("min_gru", 10, 2, 8, head="regression", seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.03), loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 10, 2)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None]
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.5 * before
    path = tmp_path / "m.keras"
    model.save(path)
    np.testing.assert_allclose(keras.models.load_model(path).predict(x, verbose=0),
                               model.predict(x, verbose=0), atol=1e-6)


def test_parity_problem_targets_are_the_running_parity():
    from rnnlab.data import parity_problem

    x, y = parity_problem(50, 9, seed=3)
    assert x.shape == y.shape == (50, 9, 1) and x.dtype == y.dtype == np.float32
    for row_x, row_y in zip(x[:, :, 0], y[:, :, 0]):
        state = 0
        for bit, target in zip(row_x, row_y):
            state ^= int(bit)
            assert target == state
    assert 0.3 < x.mean() < 0.7
    with pytest.raises(ValueError, match="timesteps"):
        parity_problem(5, 0)


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


def test_sunspot_forecasts_report_the_error_in_sunspot_numbers_next_to_persistence():
    from rnnlab.experiments import ForecastRun, sunspot_forecasts

    (run,) = sunspot_forecasts(["min_gru"], window=12, units=4, epochs=2)
    assert isinstance(run, ForecastRun) and run.cell == "min_gru" and run.window == 12
    assert run.params == 2 * 4 * (1 + 1) + 4 + 1            # the layer and Dense(1)
    assert 1 <= run.best_epoch <= run.epochs_run <= 2
    # persistence on the test months of chapter 5's split: about 20 sunspots
    assert 10 < run.persistence_rmse < 40 and np.isfinite(run.test_rmse) and run.test_rmse > 0
    assert np.isfinite(run.validation_rmse) and run.validation_rmse > 0
    assert ForecastRun.from_json(run.to_json()) == run


def test_the_timings_chapter_9_reads_ship_with_the_package():
    import tomllib
    from pathlib import Path

    from rnnlab.experiments.modern import TIMINGS

    root = Path(__file__).resolve().parent.parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["rnnlab"]
    shipped = {p for pattern in patterns for p in (root / "rnnlab").glob(pattern)}
    assert TIMINGS.is_relative_to(root / "rnnlab") and (TIMINGS / "scan_speed-vm.json") in shipped
