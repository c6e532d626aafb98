"""The results store: keys, serving, strict and verify modes, integrity checks, provenance.

These run on any Keras backend (CI runs them on TensorFlow and on JAX).
"""
import json
import subprocess
import sys

import numpy as np
import pytest

from rnnlab.config import seed_everything
from rnnlab.data import adding_problem
from rnnlab.experiments import store
from rnnlab.experiments.adding import adding_model
from rnnlab.experiments.training import gradient_norm, train

X, Y = adding_problem(64, 6, seed=1)


@pytest.fixture
def box(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLAB_RESULTS", str(tmp_path / "store"))
    monkeypatch.setenv("RNNLAB_FAST", "0")
    monkeypatch.delenv("RNNLAB_STORE_LOG", raising=False)
    store.SESSION.clear()
    return store.Store()


def model(seed=0, units=4):
    seed_everything(seed)
    return adding_model("lstm", 6, units, 1e-2)


def fit(m, mode, monkeypatch, **kwargs):
    monkeypatch.setenv("RNNLAB_STORE", mode)
    return train(m, X, Y, epochs=kwargs.pop("epochs", 2), batch_size=16, **kwargs)


def key_of(m, x=X, **fit_args):
    fit_args = {"epochs": 2, "batch_size": 16, "shuffle": True, "seed": 0, **fit_args}
    return store.run_key(store.key_material(
        m, {"x": x, "y": Y, "x_validation": None, "y_validation": None}, fit_args))


def test_the_key_covers_what_decides_the_numbers_and_ignores_names():
    base = key_of(model())
    assert key_of(model()) == base                       # a new optimizer name (adam_1, adam_2, ...)
    assert key_of(model(seed=1)) != base                 # other initial weights
    assert key_of(model(units=5)) != base                # other architecture
    assert key_of(model(), epochs=3) != base             # other budget
    assert key_of(model(), seed=1) != base               # other shuffling seed
    assert key_of(model(), x=X + 1e-3) != base           # other data
    m = model()
    m.optimizer.learning_rate.assign(0.5)
    assert key_of(m) != base                             # other optimizer setting


def test_a_filled_run_is_served_with_its_trained_weights(box, monkeypatch):
    trained = model()
    first = fit(trained, "fill", monkeypatch)
    assert not first.served and first.key in box
    served_model = model()
    again = fit(served_model, "read", monkeypatch)
    assert again.served and again.key == first.key
    assert again.history == first.history and again.epoch_seconds == first.epoch_seconds
    for a, b in zip(trained.variables, served_model.variables):
        assert np.array_equal(np.asarray(a), np.asarray(b))
    assert [served for _, served in store.SESSION] == [False, True]


def test_read_mode_trains_what_is_missing_without_writing(box, monkeypatch):
    record = fit(model(), "read", monkeypatch)
    assert not record.served and box.keys() == []


def test_off_mode_never_touches_the_store(box, monkeypatch):
    fit(model(), "fill", monkeypatch)
    record = fit(model(), "off", monkeypatch)
    assert not record.served and record.key == "" and len(box.keys()) == 1


def test_strict_mode_refuses_to_train_a_missing_run(box, monkeypatch):
    with pytest.raises(store.MissingRecord, match="course.py results"):
        fit(model(), "strict", monkeypatch)


def test_verify_mode_retrains_and_compares(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    assert not fit(model(), "verify", monkeypatch).served         # reproduces: no error
    path = box.runs / f"{first.key}.json"
    data = json.loads(path.read_text())
    data["history"]["loss"][-1] *= 1.01                          # a record that lies by 1 %
    path.write_text(json.dumps(data))
    with pytest.raises(store.RecordMismatch, match="loss, epoch 2"):
        fit(model(), "verify", monkeypatch)


def test_refresh_mode_retrains_and_rewrites_the_same_bytes(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    weights = (box.runs / f"{first.key}.npz").read_bytes()
    again = fit(model(), "refresh", monkeypatch)
    assert not again.served and again.key == first.key
    assert (box.runs / f"{first.key}.npz").read_bytes() == weights


def test_a_stale_or_damaged_record_is_never_served(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    path = box.runs / f"{first.key}.json"
    data = json.loads(path.read_text())
    data["material"]["fit"]["epochs"] = 3                        # edited: no longer its key
    path.write_text(json.dumps(data))
    with pytest.raises(store.InvalidRecord, match="stale or was edited"):
        fit(model(), "read", monkeypatch)
    assert any("stale" in problem for problem in box.check())


def test_changed_weights_are_caught(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    (box.runs / f"{first.key}.npz").write_bytes(b"not weights")
    with pytest.raises(store.InvalidRecord, match="does not match its record"):
        box.read(first.key)
    (box.runs / "orphan.npz").write_bytes(b"")
    assert any("has no record" in problem for problem in box.check())


def test_requested_keys_are_logged(box, monkeypatch, tmp_path):
    log = tmp_path / "log.tsv"
    monkeypatch.setenv("RNNLAB_STORE_LOG", str(log))
    record = fit(model(), "read", monkeypatch)
    assert store.requested_keys(log) == {record.key}
    assert store.requested_keys(tmp_path / "absent") == set()


def test_mode_defaults_and_typos(monkeypatch):
    monkeypatch.delenv("RNNLAB_STORE", raising=False)
    monkeypatch.setenv("RNNLAB_FAST", "1")
    assert store.mode() == "off"
    monkeypatch.setenv("RNNLAB_FAST", "0")
    assert store.mode() == "read"
    monkeypatch.setenv("RNNLAB_STORE", "refersh")
    with pytest.raises(ValueError, match="RNNLAB_STORE must be one of"):
        store.mode()


def test_histories_are_compared_with_the_stated_tolerances():
    recorded = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.9]}
    assert store.compare_histories(recorded, {"loss": [1.0005, 0.5], "accuracy": [0.504, 0.9]}) == []
    problems = store.compare_histories(recorded, {"loss": [1.002, 0.5], "accuracy": [0.5, 0.89]})
    assert len(problems) == 2 and problems[0].startswith("accuracy, epoch 2")
    assert "epochs" in store.compare_histories(recorded, {"loss": [1.0], "accuracy": [0.5]})[0]
    assert "metrics differ" in store.compare_histories(recorded, {"loss": [1.0, 0.5]})[0]


def test_weights_files_are_byte_for_byte_repeatable():
    arrays = [np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2], np.uint32)]
    assert store._npz_bytes(arrays) == store._npz_bytes([a.copy() for a in arrays])


def test_provenance_names_the_machine_backend_and_versions(box, monkeypatch):
    import keras

    fit(model(), "fill", monkeypatch)
    store.SESSION.clear()
    fit(model(), "read", monkeypatch)                 # served
    fit(model(), "read", monkeypatch)                 # served again (a cell run twice): once
    fit(model(seed=1), "read", monkeypatch)           # not recorded: trained
    sentence = store.provenance()
    assert sentence.startswith("1 run served from the results store")
    assert "1 run trained as the page was built" in sentence
    assert f"Keras {keras.__version__}" in sentence and "op determinism" in sentence
    assert store.provenance([]) == "no network was trained on this page"


def test_gradient_norm_matches_the_formula_on_any_backend():
    import keras

    seed_everything(0)
    dense = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    y = np.random.default_rng(1).normal(size=(8, 1)).astype(np.float32)
    w, b = (np.asarray(v, np.float64) for v in dense.get_weights())
    residual = x @ w + b - y
    expected = np.sqrt(np.sum((2 * x.T @ residual / 8) ** 2) + np.sum((2 * residual.mean(0)) ** 2))
    assert gradient_norm(dense, x, y) == pytest.approx(expected, rel=1e-4)


def test_the_course_store_is_sound_and_current():
    """Every committed record matches its key, its weights and this code's protocol."""
    box = store.Store(store.root())
    assert box.check() == []
    for key in box.keys():
        record = box.read(key)
        assert record.material["protocol"] == store.PROTOCOL, key
        assert record.material["key_scheme"] == store.KEY_SCHEME and record.init is not None, key


def test_the_command_line_checks_the_store(tmp_path):
    done = subprocess.run([sys.executable, "-m", "rnnlab", "store", "check"], capture_output=True,
                          text=True, env={"RNNLAB_RESULTS": str(tmp_path), "PATH": ""})
    assert done.returncode == 0 and "0 records" in done.stdout
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "x.json").write_text("{}")
    done = subprocess.run([sys.executable, "-m", "rnnlab", "store", "check"], capture_output=True,
                          text=True, env={"RNNLAB_RESULTS": str(tmp_path), "PATH": ""})
    assert done.returncode == 1 and "not a run record" in done.stderr


def test_callbacks_are_keyed_by_their_arguments_not_their_state(box, monkeypatch):
    import keras

    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=3, restore_best_weights=True)
    before = store._callback_config(stop)
    fit(model(), "off", monkeypatch, callbacks=[stop])   # the callback's best/wait change
    assert store._callback_config(stop) == before
    assert before["patience"] == 3 and before["class"] == "EarlyStopping"
    assert store._callback_config(keras.callbacks.EarlyStopping(monitor="loss", patience=4)) != before
    with pytest.raises(store.Unkeyable, match="schedule"):
        store._callback_config(keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr))


def test_a_run_with_a_function_in_its_callbacks_is_trained_and_never_recorded(box, monkeypatch):
    import keras

    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2)
    record = fit(model(), "fill", monkeypatch, callbacks=[schedule])
    assert not record.served and record.key == "" and box.keys() == []


def test_numpy_integers_are_keyed_and_written_like_python_integers(box, monkeypatch):
    plain = fit(model(), "fill", monkeypatch)
    numpy = fit(model(), "read", monkeypatch, epochs=np.int64(2))
    assert numpy.served and numpy.key == plain.key


def test_a_served_model_refuses_to_be_trained_further(box, monkeypatch):
    fit(model(), "fill", monkeypatch)
    served = model()
    assert fit(served, "read", monkeypatch).served
    with pytest.raises(store.StoreError, match="optimizer state"):
        fit(served, "read", monkeypatch)


def test_a_trained_optimizer_is_part_of_the_key():
    m = model()
    base = key_of(m)
    train(m, X, Y, epochs=1, batch_size=16, store=False)     # builds the optimizer, moves weights
    material = store.key_material(m, {"x": X, "y": Y}, {"epochs": 2})
    assert material["optimizer_steps"] == 4 and len(material["optimizer_variables"]) > 0
    assert key_of(m) != base


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

    first = store.key_material(two_branches(keras.layers.Add), {"x": X}, {})
    second = store.key_material(two_branches(keras.layers.Add), {"x": X}, {})
    assert first == second                                    # new input names, same key
    assert first["wiring"] == [[], [0], [0], [1, 2], [3]]     # the graph is keyed, not a chain
    assert "wiring" not in store.key_material(model(), {"x": X}, {})


def nudged(m, ulps=1, only=None):
    """The model with every non-zero float weight (or those of the variables ``only``) moved by
    ``ulps`` units in the last place, as another processor's round-off moves an orthogonal
    initialisation (exact zeros stay)."""
    for variable in only or m.variables:
        value = np.asarray(variable)
        if np.issubdtype(value.dtype, np.floating):
            for _ in range(ulps):
                value = np.where(value != 0, np.nextafter(value, np.float32(np.inf)), value)
            variable.assign(value)
    return m


def test_round_off_in_the_initial_weights_keeps_the_key_and_the_record():
    base = key_of(model())
    assert key_of(nudged(model())) == base and key_of(nudged(model(), ulps=3)) == base
    scaled = model()
    scaled.layers[-2].cell.recurrent_kernel.assign(1.1 * np.asarray(scaled.layers[-2].cell.recurrent_kernel))
    assert key_of(scaled) != base                        # other weights: another key
    assert key_of(model(seed=1)) != base


def test_a_record_is_served_to_round_off_and_refused_to_other_weights(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    assert fit(nudged(model()), "strict", monkeypatch).served      # another processor's bits
    path = box.runs / f"{first.key}.json"
    data = json.loads(path.read_text())
    data["init"][0][1] += 0.01                          # the same key, other initial weights
    path.write_text(json.dumps(data))
    assert box.check() == []                            # the record itself is sound...
    with pytest.raises(store.MissingRecord, match="other initial weights"):
        fit(model(), "strict", monkeypatch)
    assert not fit(model(), "read", monkeypatch).served  # ...but not this run's: trained


def test_fingerprints_treat_integers_and_zeros_exactly():
    assert store.init_fingerprint(np.arange(4, dtype=np.int64)) is None
    assert store.init_fingerprint(np.zeros(5, np.float32)) is None
    assert store.init_signature(np.zeros(5, np.float32)) == store.array_digest(np.zeros(5, np.float32))
    z = store.init_fingerprint(np.random.default_rng(0).normal(size=(64, 192)).astype(np.float32))
    assert len(z) == 1 + store.INIT_DIRECTIONS and 0.2 < np.std(z[1:]) < 3  # about N(0, 1)
    assert store.fingerprints_agree([z, None], [z, None])
    assert not store.fingerprints_agree([z], [None]) and not store.fingerprints_agree([z], [z, z])


def test_rekey_moves_a_record_of_the_old_scheme_to_its_new_key(box, monkeypatch):
    original = model()
    first = fit(original, "fill", monkeypatch)
    data = json.loads((box.runs / f"{first.key}.json").read_text())
    material = dict(data["material"])
    del material["key_scheme"]
    material["variables"] = [store.array_digest(v) for v in store.variable_values(model())]
    old = store.run_key(material)
    data.update(key=old, material=material, init=None)
    (box.runs / f"{old}.json").write_text(json.dumps(data))
    (box.runs / f"{first.key}.npz").rename(box.runs / f"{old}.npz")
    box.remove(first.key)
    assert box.keys() == [old] and box.check() == []
    def elsewhere():                                      # the same run on another processor
        m = model()
        return nudged(m, only=[m.layers[-2].cell.recurrent_kernel])

    with pytest.raises(store.MissingRecord, match="no record"):
        fit(elsewhere(), "strict", monkeypatch)
    moved = fit(elsewhere(), "rekey", monkeypatch)
    assert moved.served and moved.key == first.key and moved.history == first.history
    assert sorted(box.keys()) == sorted([old, first.key])
    record = box.read(first.key)
    assert record.init is not None and record.provenance["rekeyed"]["from"] == old
    assert fit(model(), "strict", monkeypatch).served
    with pytest.raises(store.MissingRecord, match="either key scheme"):
        fit(model(seed=3), "rekey", monkeypatch)              # other weights: not that record


def test_slightly_scaled_initial_weights_are_not_served_the_record(box, monkeypatch):
    fit(model(), "fill", monkeypatch)
    scaled = model()
    kernel = scaled.layers[-2].cell.recurrent_kernel
    kernel.assign(1.01 * np.asarray(kernel))               # signs unchanged, norm 1 % larger
    with pytest.raises(store.MissingRecord):
        fit(scaled, "strict", monkeypatch)


def test_two_runs_that_share_a_key_but_not_their_weights_are_refused(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    path = box.runs / f"{first.key}.json"
    data = json.loads(path.read_text())
    data["init"][0][1] += 0.01                               # as if another run held the key
    path.write_text(json.dumps(data))
    with pytest.raises(store.StoreError, match="share a key"):
        fit(model(), "fill", monkeypatch)


def test_the_projection_directions_never_change():
    """The key of every record depends on these signs (NumPy's PCG64 stream, NumPy pinned in
    requirements.txt): if this fails, NumPy changed its stream, and KEY_SCHEME must be bumped
    and the store rekeyed."""
    signs = "".join("+" if v > 0 else "-" for v in store._directions(24).ravel())
    assert store.array_digest(store._directions(24)) == store.array_digest(
        np.where(np.array(list(signs)) == "+", 1.0, -1.0).reshape(16, 24))
    assert signs[:48] == PINNED_SIGNS


PINNED_SIGNS = "++---+-----+-+--+++-+-+++--+-+++-++----+--+++---"


def test_refresh_rewrites_a_damaged_record(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    (box.runs / f"{first.key}.npz").write_bytes(b"not weights")
    again = fit(model(), "refresh", monkeypatch)
    assert not again.served and box.check() == []
