import keras
import numpy as np
import pytest

from rnnlab import count_params
from rnnlab.models import build_model, recurrent_layer


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_one_layer_models_have_the_formula_parameter_count(cell):
    model = build_model(cell, 100, 1, 50, head="regression")
    assert model.count_params() == count_params(cell, 1, 50) + 51
    assert model.output_shape == (None, 1)


def test_stacked_model_returns_sequences_between_layers_and_heads_have_the_right_activation():
    model = build_model("lstm", 20, 3, 8, head="softmax", classes=10, stacked=2, dropout=0.5)
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert [layer.return_sequences for layer in recurrent] == [True, False]
    assert any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    head = model.get_layer("head")
    assert head.units == 10 and head.activation.__name__ == "softmax"
    out = model(np.zeros((2, 20, 3), np.float32))
    np.testing.assert_allclose(np.sum(np.asarray(out), axis=1), 1.0, rtol=1e-5)


def test_binary_head_is_a_sigmoid_and_batch_norm_can_be_added():
    model = build_model("gru", None, 28, 64, head="logits", classes=10, batch_norm=True)
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    assert model.get_layer("head").activation.__name__ == "linear"
    binary = build_model("gru", 5, 1, 4, head="binary")
    assert binary.get_layer("head").activation.__name__ == "sigmoid"


def test_layer_options_reach_every_recurrent_layer():
    model = build_model("gru", 5, 1, 4, stacked=2, reset_after=False, recurrent_dropout=0.1)
    grus = [layer for layer in model.layers if isinstance(layer, keras.layers.GRU)]
    assert all(not g.reset_after and g.recurrent_dropout == 0.1 for g in grus)


@pytest.mark.parametrize("kwargs, message", [
    ({"cell": "rnn"}, "cell"),
    ({"units": 0}, "units must be a positive integer"),
    ({"timesteps": -1}, "timesteps must be a positive integer"),
    ({"head": "softmax"}, "needs classes >= 2"),
    ({"head": "ranking"}, "head must be one of"),
    ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
    ({"stacked": 0}, "stacked must be a positive integer"),
])
def test_bad_arguments_get_a_clear_error(kwargs, message):
    args = {"cell": "lstm", "timesteps": 10, "features": 1, "units": 4, **kwargs}
    with pytest.raises(ValueError, match=message):
        build_model(**args)


def test_recurrent_layer_names_the_keras_class():
    assert isinstance(recurrent_layer("simple_rnn", 3), keras.layers.SimpleRNN)


def test_bidirectional_doubles_the_recurrent_parameters_and_the_state_width():
    from rnnlab import count_params

    model = build_model("gru", 20, 3, 8, head="binary", bidirectional=True)
    assert model.count_params() == 2 * count_params("gru", 3, 8) + (2 * 8 + 1)
    assert model.get_layer("bidirectional_1").output.shape[-1] == 16


def test_masking_makes_padding_at_the_end_invisible():
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6, 3)).astype("float32")
    padded = np.concatenate([x, np.zeros((4, 5, 3), "float32")], axis=1)
    masked = build_model("lstm", None, 3, 5, head="regression", mask_value=0.0, bidirectional=True)
    assert isinstance(masked.layers[1], keras.layers.Masking)
    assert np.allclose(masked.predict(x, verbose=0), masked.predict(padded, verbose=0), atol=1e-6)
    plain = build_model("lstm", None, 3, 5, head="regression", bidirectional=True)
    plain.set_weights(masked.get_weights())
    assert not np.allclose(plain.predict(x, verbose=0), plain.predict(padded, verbose=0), atol=1e-4)


@pytest.mark.parametrize("kind, gate, options", [
    ("LSTM", "f", {}), ("LSTM", "i", {}), ("GRU", "z", {"reset_after": True}),
    ("GRU", "z", {"reset_after": False}), ("GRU", "r", {"reset_after": True}),
])
def test_set_gate_bias_makes_the_gates_pre_activation_the_bias_asked_for(kind, gate, options):
    from rnnlab import from_keras
    from rnnlab.cells import sigmoid
    from rnnlab.models import set_gate_bias

    units, features = 4, 3
    layer = getattr(keras.layers, kind)(units, bias_initializer="random_normal", **options)
    layer(keras.Input((None, features)))
    set_gate_bias(layer, gate, 5.0)
    rnn = from_keras(layer)
    # zero input and zero state: the gate is sigma(its bias), so sigma(5), not sigma(10)
    gates = rnn.forward(np.zeros((1, 1, features)))["gates"]
    np.testing.assert_allclose(gates[gate][0, 0], sigmoid(5.0), rtol=1e-6)
    # the other gates keep their biases
    others = [g for g in gates if g != gate and g not in ("c_tilde", "h_tilde")]
    assert all(not np.allclose(gates[g][0, 0], sigmoid(5.0)) for g in others)


def test_set_gate_bias_rejects_what_it_cannot_set():
    from rnnlab.models import set_gate_bias

    lstm = keras.layers.LSTM(3)
    with pytest.raises(ValueError, match="build it first"):
        set_gate_bias(lstm, "f", 1.0)
    lstm(keras.Input((None, 2)))
    with pytest.raises(ValueError, match="gate must be one of"):
        set_gate_bias(lstm, "z", 1.0)
    with pytest.raises(ValueError, match="finite number"):
        set_gate_bias(lstm, "f", float("nan"))
    simple = keras.layers.SimpleRNN(3)
    simple(keras.Input((None, 2)))
    with pytest.raises(ValueError, match="LSTM or GRU"):
        set_gate_bias(simple, "h", 1.0)


def test_fused_kernels_are_read_from_the_installed_keras():
    """Keras 3.15: no fused SimpleRNN anywhere; LSTM and GRU on TensorFlow and PyTorch, LSTM only on JAX."""
    from rnnlab.models import fused_kernels

    assert fused_kernels() == {"tensorflow": ("GRU", "LSTM"), "jax": ("LSTM",),
                               "torch": ("GRU", "LSTM")}


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_recurrent_dropout_leaves_the_fused_path_and_input_dropout_stays_on_it(name):
    import inspect

    source = inspect.getsource(getattr(keras.layers, name).inner_loop)
    fused = source.index("if not self.recurrent_dropout")
    assert "self.cell.get_dropout_mask(sequences[:, 0, :])" in source[fused:]  # input dropout stays


def test_fresh_layers_and_article_models_are_reproducible_from_their_seed():
    from rnnlab.models import ARTICLE_MODELS, article_model, fresh_layer

    a, b = fresh_layer("gru", 4, 3, seed=5), fresh_layer("gru", 4, 3, seed=5)
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    assert not np.array_equal(a.get_weights()[0], fresh_layer("gru", 4, 3, seed=6).get_weights()[0])
    assert a.cell.kernel.shape == (3, 12)
    model = article_model(9)
    assert model.count_params() == count_params("gru", 1, 100) + count_params("gru", 100, 100) + 101
    assert ARTICLE_MODELS[9].timesteps == 150 and model.input_shape == (None, 150, 1)
    again = article_model(9)
    assert all(np.array_equal(u, v) for u, v in zip(model.get_weights(), again.get_weights()))
    with pytest.raises(ValueError, match="models 1 to 10"):
        article_model(11)
