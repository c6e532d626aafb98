"""What a run is: its recipe and key (rnnlab.experiments.recipe), and the fingerprint of its
initial weights. These run on any Keras backend (CI runs them on TensorFlow and on JAX)."""
import numpy as np
import pytest

from rnnlab.config import seed_everything
from rnnlab.data import adding_problem
from rnnlab.experiments import recipe as r
from rnnlab.experiments.adding import adding_model
from rnnlab.experiments.training import train

X, Y = adding_problem(64, 6, seed=1)


def model(seed=0, units=4):
    seed_everything(seed)
    return adding_model("lstm", 6, units, 1e-2)


def key_of(m, x=X, **fit_args):
    fit_args = {"epochs": 2, "batch_size": 16, "shuffle": True, "seed": 0, **fit_args}
    return r.run_key(r.recipe(m, {"x": x, "y": Y, "x_validation": None, "y_validation": None},
                              fit_args))


def test_the_key_covers_the_recipe_and_ignores_names_and_initial_weights():
    base = key_of(model())
    assert key_of(model()) == base                       # new layer and optimizer names
    assert key_of(model(seed=1)) == base                 # the seed that matters is the fit's...
    assert key_of(model(), seed=1) != base               # ...which is in the key
    assert key_of(model(units=5)) != base                # other architecture
    assert key_of(model(), epochs=3) != base             # other budget
    assert key_of(model(), x=X + 1e-3) != base           # other data
    m = model()
    m.optimizer.learning_rate.assign(0.5)
    assert key_of(m) != base                             # other optimizer setting


def test_a_trained_optimizer_is_part_of_the_recipe():
    m = model()
    base = key_of(m)
    train(m, X, Y, epochs=1, batch_size=16, store=False)     # builds the optimizer, moves weights
    material = r.recipe(m, {"x": X, "y": Y}, {"epochs": 2})
    assert material["optimizer_steps"] == 4 and len(material["optimizer_variables"]) > 0
    assert key_of(m) != base


def test_callbacks_are_keyed_by_their_arguments_not_their_state():
    import keras

    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=3, restore_best_weights=True)
    before = r._callback_config(stop)
    train(model(), X, Y, epochs=2, batch_size=16, callbacks=[stop], store=False)
    assert r._callback_config(stop) == before                # its best/wait changed, not this
    assert before["patience"] == 3 and before["class"] == "EarlyStopping"
    assert r._callback_config(keras.callbacks.EarlyStopping(monitor="loss", patience=4)) != before
    with pytest.raises(r.Unkeyable, match="schedule"):
        r._callback_config(keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr))


def test_wiring_and_automatic_input_names():
    import keras

    def two_branches(merge):
        seed_everything(0)
        inputs = keras.Input((6, 2))                          # automatically named input_layer_N
        a = keras.layers.LSTM(3, name="a")(inputs)
        b = keras.layers.GRU(3, name="b")(inputs)
        out = keras.layers.Dense(1, name="out")(merge()([a, b]))
        m = keras.Model(inputs, out)
        m.compile(optimizer="adam", loss="mse")
        return m

    first = r.recipe(two_branches(keras.layers.Add), {"x": X}, {})
    second = r.recipe(two_branches(keras.layers.Add), {"x": X}, {})
    assert first == second                                    # new input names, same recipe
    assert first["wiring"] == [[], [0], [0], [1, 2], [3]]     # the graph is keyed, not a chain
    assert "wiring" not in r.recipe(model(), {"x": X}, {})


def fingerprints(m):
    return [r.init_fingerprint(v) for v in r.variable_values(m)]


def nudged(m, ulps=1):
    """The model with every non-zero float weight moved by ``ulps`` units in the last place, as
    another processor's round-off moves an orthogonal initialisation."""
    for variable in m.variables:
        value = np.asarray(variable)
        if np.issubdtype(value.dtype, np.floating):
            for _ in range(ulps):
                value = np.where(value != 0, np.nextafter(value, np.float32(np.inf)), value)
            variable.assign(value)
    return m


def test_fingerprints_agree_to_round_off_and_not_to_other_weights():
    base = fingerprints(model())
    assert r.fingerprints_agree(base, fingerprints(nudged(model(), ulps=3)))
    assert not r.fingerprints_agree(base, fingerprints(model(seed=1)))
    scaled = model()
    kernel = scaled.layers[-2].cell.recurrent_kernel
    kernel.assign(1.01 * np.asarray(kernel))                # signs unchanged, norm 1 % larger
    assert not r.fingerprints_agree(base, fingerprints(scaled))
    assert not r.fingerprints_agree(base, base[:-1])


def test_fingerprints_treat_integers_and_zeros_exactly():
    digest = r.init_fingerprint(np.arange(4, dtype=np.int64))
    assert digest == [r.array_digest(np.arange(4, dtype=np.int64))]
    assert r.init_fingerprint(np.zeros(5, np.float32)) == [r.array_digest(np.zeros(5, np.float32))]
    assert not r.fingerprints_agree([digest], [r.init_fingerprint(np.arange(1, 5))])
    z = r.init_fingerprint(np.random.default_rng(0).normal(size=(64, 192)).astype(np.float32))
    assert len(z) == 1 + r.INIT_DIRECTIONS and 0.2 < np.std(z[1:]) < 3  # about N(0, 1)
    assert not r.fingerprints_agree([z], [digest])


def test_the_projection_directions_are_the_recorded_ones():
    """Every record's fingerprints were computed on these directions (NumPy's PCG64 stream, NumPy
    pinned in requirements.txt). The first 48 signs for 24 values, written out: if NumPy ever
    changes its stream, this fails, and every record must be trained again."""
    signs = "".join("+" if v > 0 else "-" for v in r._directions(24).ravel()[:48])
    assert signs == "++---+-----+-+--+++-+-+++--+-+++-++----+--+++---"
    assert set(np.unique(r._directions(7))) == {-1.0, 1.0} and r._directions(7).shape == (16, 7)


def test_numpy_integers_in_the_fit_are_keyed_like_python_integers():
    assert key_of(model(), epochs=np.int64(2)) == key_of(model(), epochs=2)
