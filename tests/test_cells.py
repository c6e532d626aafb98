import numpy as np
import pytest
from conftest import VARIANT_IDS, VARIANTS, keras_layer

from rnnlab import cells
from rnnlab.cells import RNN, count_params, from_keras, random_rnn, spec, step_flops, to_keras

SHAPES = [(1, 1, 3, 5), (4, 9, 3, 5), (2, 6, 7, 2)]  # batch, timesteps, features, units
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}


def randomise(layer, rng, dtype):
    """Random weights, biases included (Keras initialises biases to 0 or 1)."""
    layer.set_weights([rng.normal(scale=0.6, size=w.shape).astype(dtype) for w in layer.get_weights()])


@pytest.mark.parametrize("kind, cell, variant", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("with_state", [False, True], ids=["zero-state", "given-state"])
def test_numpy_layer_reproduces_keras(kind, cell, variant, dtype, shape, with_state):
    batch, timesteps, features, units = shape
    rng = np.random.default_rng(sum(shape))
    layer = keras_layer(kind, units, variant, return_sequences=True, return_state=True,
                        dtype=dtype)
    x = rng.normal(size=(batch, timesteps, features)).astype(dtype)
    layer(x)
    randomise(layer, rng, dtype)
    states = None
    if with_state:
        states = [rng.normal(size=(batch, units)).astype(dtype) for _ in spec(cell).states]
    expected = [np.asarray(o) for o in layer(x, initial_state=states)]
    twin = from_keras(layer)
    assert twin.cell == cell and twin.options == variant
    got = twin(x, initial_state=states)
    assert len(got) == len(expected) == 1 + len(spec(cell).states)
    for e, g in zip(expected, got):
        assert g.shape == e.shape and g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g, e, atol=TOLERANCE[dtype], rtol=0)
    # return_sequences=False and return_state=False give the last step alone
    twin.return_sequences = twin.return_state = False
    np.testing.assert_allclose(twin(x, states), expected[0][:, -1], atol=TOLERANCE[dtype], rtol=0)


@pytest.mark.parametrize("kind, cell, variant", VARIANTS, ids=VARIANT_IDS)
def test_go_backwards_matches_keras(kind, cell, variant):
    rng = np.random.default_rng(3)
    layer = keras_layer(kind, 4, variant, return_sequences=True, go_backwards=True, dtype="float64")
    x = rng.normal(size=(2, 5, 3))
    layer(x)
    randomise(layer, rng, "float64")
    np.testing.assert_allclose(from_keras(layer)(x), np.asarray(layer(x)), atol=1e-10, rtol=0)


@pytest.mark.parametrize("kind, cell, variant", VARIANTS, ids=VARIANT_IDS)
def test_to_keras_writes_numpy_weights_into_keras(kind, cell, variant):
    rnn = random_rnn(cell, 3, 4, **variant, return_sequences=True, seed=5)
    x = np.random.default_rng(0).normal(size=(2, 6, 3))
    np.testing.assert_allclose(np.asarray(to_keras(rnn)(x)), rnn(x), atol=1e-10, rtol=0)
    existing = keras_layer(kind, 4, variant, return_sequences=True, dtype="float64")
    existing(x)
    np.testing.assert_allclose(np.asarray(to_keras(rnn, existing)(x)), rnn(x), atol=1e-10, rtol=0)


def test_to_keras_refuses_a_layer_that_does_not_match():
    import keras

    rnn = random_rnn("gru", 3, 4, reset_after=True)
    other = keras.layers.GRU(4, reset_after=False)
    other.build((None, None, 3))
    with pytest.raises(ValueError, match="reset_after"):
        to_keras(rnn, other)
    lstm = keras.layers.LSTM(4)
    lstm.build((None, None, 3))
    with pytest.raises(ValueError, match="cannot write a gru layer"):
        to_keras(rnn, lstm)


def test_lstm_equations_hold_between_the_returned_gates_and_states():
    rnn = random_rnn("lstm", 3, 4, seed=1)
    run = rnn.forward(np.random.default_rng(1).normal(size=(2, 5, 3)))
    g, c, h = run["gates"], run["c"], run["h"]
    c_prev = np.concatenate([run["c0"][:, None], c[:, :-1]], axis=1)
    np.testing.assert_allclose(c, g["f"] * c_prev + g["i"] * g["c_tilde"], atol=1e-12)
    np.testing.assert_allclose(h, g["o"] * np.tanh(c), atol=1e-12)
    assert all(((0 < g[k]) & (g[k] < 1)).all() for k in ("i", "f", "o"))


def test_gru_interpolates_between_past_and_candidate_as_keras_does():
    rnn = random_rnn("gru", 3, 4, seed=2)
    run = rnn.forward(np.random.default_rng(2).normal(size=(2, 5, 3)))
    g, h = run["gates"], run["h"]
    h_prev = np.concatenate([run["h0"][:, None], h[:, :-1]], axis=1)
    np.testing.assert_allclose(h, g["z"] * h_prev + (1 - g["z"]) * g["h_tilde"], atol=1e-12)


@pytest.mark.parametrize("kind, cell, variant", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("features, units", [(1, 1), (28, 64), (100, 50), (7, 128)])
def test_parameter_count_formula_equals_keras(kind, cell, variant, features, units):
    layer = keras_layer(kind, units, variant)
    layer.build((None, None, features))
    assert count_params(cell, features, units, **variant) == layer.count_params()


def test_gru_is_not_always_three_times_a_simple_rnn():
    simple = count_params("simple_rnn", 28, 64)
    assert count_params("lstm", 28, 64) == 4 * simple
    assert count_params("gru", 28, 64, reset_after=False) == 3 * simple
    assert count_params("gru", 28, 64, reset_after=True) == 3 * simple + 3 * 64


# --- bad input gets a clear error ---------------------------------------------------------------

@pytest.fixture
def lstm():
    return random_rnn("lstm", 3, 4)


@pytest.mark.parametrize("x, error, words", [
    (np.zeros((5, 3)), ValueError, "shape (batch, timesteps, features), got 2 dimension"),
    (np.zeros((2, 5, 4)), ValueError, "x has 4 features but the weights expect 3"),
    (np.zeros((2, 5, 3), dtype=int), TypeError, "must be floating point"),
    (np.full((2, 5, 3), np.nan), ValueError, "NaN or infinite"),
    (np.zeros((0, 5, 3)), ValueError, "at least one example"),
    ([[["a", "b", "c"]]], TypeError, "must be floating point"),
])
def test_bad_inputs_are_explained(lstm, x, error, words):
    with pytest.raises(error) as raised:
        lstm(x)
    assert words in str(raised.value)


@pytest.mark.parametrize("state, words", [
    ([np.zeros((2, 4))], "takes 2 initial state(s)"),
    ([np.zeros((2, 4)), np.zeros((3, 4))], "c_0 must have shape (batch, units) = (2, 4), got (3, 4)"),
    ([np.zeros((2, 5)), np.zeros((2, 4))], "h_0 must have shape"),
    ([np.zeros((2, 4), int), np.zeros((2, 4))], "finite floating point"),
])
def test_mismatched_initial_states_are_explained(lstm, state, words):
    with pytest.raises(ValueError) as raised:
        lstm(np.zeros((2, 5, 3)), initial_state=state)
    assert words in str(raised.value)


def test_unknown_cells_and_bad_weights_are_explained():
    with pytest.raises(ValueError, match="unknown cell 'lstn'; expected one of simple_rnn, lstm, gru"):
        count_params("lstn", 3, 4)
    with pytest.raises(ValueError, match="unknown cell"):
        RNN("rnn", np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"U must have shape \(units, 4 \* units\)"):
        RNN("lstm", np.zeros((3, 16)), np.zeros((4, 4)), np.zeros(16))
    with pytest.raises(ValueError, match=r"b must have shape \(2, 12\)"):
        RNN("gru", np.zeros((3, 12)), np.zeros((4, 12)), np.zeros(12))
    with pytest.raises(ValueError, match="units must be a positive integer"):
        count_params("gru", 3, 0)


def test_from_keras_explains_what_it_cannot_reproduce():
    import keras

    with pytest.raises(TypeError, match=r"expected a layer the course reproduces \(SimpleRNN, LSTM, GRU, MinGRU or MinLSTM\), got Dense"):
        from_keras(keras.layers.Dense(3))
    with pytest.raises(ValueError, match="not built yet"):
        from_keras(keras.layers.LSTM(3))
    relu = keras.layers.SimpleRNN(3, activation="relu")
    relu.build((None, None, 2))
    with pytest.raises(ValueError, match="only activation='tanh'"):
        from_keras(relu)


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(all="raise"):
        assert cells.sigmoid(np.array([-1000.0, 0.0, 1000.0])).tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("timesteps", [1, 2, 7, 64, 100])
def test_parallel_scan_gives_the_states_of_the_step_by_step_recurrence(timesteps):
    from rnnlab.cells import linear_recurrence

    rng = np.random.default_rng(timesteps)
    a = rng.uniform(0, 1, size=(3, timesteps, 4))
    b = rng.normal(size=(3, timesteps, 4))
    h0 = rng.normal(size=(3, 4))
    sequential = linear_recurrence(a, b, h0, method="sequential")
    np.testing.assert_allclose(linear_recurrence(a, b, h0), sequential, rtol=1e-12, atol=1e-12)
    # and the recurrence itself, written out for the first two steps
    np.testing.assert_allclose(sequential[:, 0], a[:, 0] * h0 + b[:, 0])
    if timesteps > 1:
        np.testing.assert_allclose(sequential[:, 1], a[:, 1] * sequential[:, 0] + b[:, 1])


def test_linear_recurrence_explains_bad_input():
    from rnnlab.cells import linear_recurrence

    with pytest.raises(ValueError, match="same shape"):
        linear_recurrence(np.zeros((1, 3, 2)), np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match="h0 must have shape"):
        linear_recurrence(np.zeros((1, 3, 2)), np.zeros((1, 3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="method"):
        linear_recurrence(np.zeros((1, 3, 2)), np.zeros((1, 3, 2)), method="fast")


def test_non_finite_weights_and_states_are_refused_with_what_is_wrong():
    rnn = random_rnn("gru", 2, 3)
    bad = rnn.U.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"gru: U contains NaN or infinite values \(1 of 27\)"):
        RNN("gru", rnn.W, bad, rnn.b)
    with pytest.raises(TypeError, match="W must be floating point, got dtype int64"):
        RNN("gru", rnn.W.astype(int), rnn.U, rnn.b)
    with pytest.raises(ValueError, match="initial state h_0 contains NaN"):
        rnn(np.zeros((1, 2, 2)), np.full((1, 3), np.nan))
    with pytest.raises(ValueError, match="initial state h_0 must be finite floating point, got dtype int64"):
        rnn(np.zeros((1, 2, 2)), np.zeros((1, 3), dtype=int))


@pytest.mark.parametrize("cell, k", [("simple_rnn", 1), ("lstm", 4), ("gru", 3)])
def test_step_flops_counts_the_two_matrix_products(cell, k):
    d, n = 28, 64
    x_W = 2 * d * (k * n)      # (1 x d) @ (d x kn): d multiply-adds per output, 2 flops each
    h_U = 2 * n * (k * n)
    assert step_flops(cell, d, n) == x_W + h_U
