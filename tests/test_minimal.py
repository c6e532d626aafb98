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


@pytest.mark.slow
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


def test_block_constant_starts_each_gate_block_at_its_own_bias():
    import keras

    from rnnlab.cells.minimal_layers import BlockConstant, MinGRU, MinLSTM

    gru = MinGRU(3, bias_initializer=BlockConstant([3.0, 0.0]))
    gru.build((None, 5, 2))
    np.testing.assert_array_equal(np.asarray(gru.bias), [3, 3, 3, 0, 0, 0])
    z = 1 / (1 + np.exp(-np.asarray(gru.bias)[:3]))
    assert np.all(z > 0.95)                                  # σ(3): keeps 95 % of the state
    lstm = MinLSTM(2, bias_initializer=BlockConstant([1, -1, 0]))
    lstm.build((None, 5, 2))
    np.testing.assert_array_equal(np.asarray(lstm.bias), [1, 1, -1, -1, 0, 0])
    clone = keras.layers.deserialize(keras.layers.serialize(gru))
    assert clone.get_config() == gru.get_config()         # the clone is built from the config
    np.testing.assert_array_equal(np.asarray(clone.bias), np.asarray(gru.bias))
    with pytest.raises(ValueError, match=r"with 2 values fills a bias of shape \(k \* 2,\)"):
        BlockConstant([3.0, 0.0])((5,))
    with pytest.raises(ValueError, match="at least one value"):
        BlockConstant([])


@pytest.mark.slow
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
