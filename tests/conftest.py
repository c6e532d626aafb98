import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# (Keras layer name, rnnlab cell name, GRU reset_after): every layer the course reproduces
VARIANTS = [("SimpleRNN", "simple_rnn", True), ("LSTM", "lstm", True),
            ("GRU", "gru", True), ("GRU", "gru", False)]
VARIANT_IDS = ["simple_rnn", "lstm", "gru_reset_after", "gru_reset_before"]


def keras_layer(kind, units, reset_after=True, **options):
    import keras

    if kind == "GRU":
        options["reset_after"] = reset_after
    return getattr(keras.layers, kind)(units, **options)
