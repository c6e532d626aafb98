"""The results store (rnnlab.experiments.store): serving, the modes, integrity checks.

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
from rnnlab.experiments.provenance import SESSION
from rnnlab.experiments.training import train

X, Y = adding_problem(64, 6, seed=1)


@pytest.fixture
def box(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLAB_RESULTS", str(tmp_path / "store"))
    monkeypatch.setenv("RNNLAB_FAST", "0")
    monkeypatch.delenv("RNNLAB_STORE_LOG", raising=False)
    SESSION.clear()
    return store.Store()


def model(seed=0, units=4):
    seed_everything(seed)
    return adding_model("lstm", 6, units, 1e-2)


def fit(m, mode, monkeypatch, **kwargs):
    monkeypatch.setenv("RNNLAB_STORE", mode)
    return train(m, X, Y, epochs=kwargs.pop("epochs", 2), batch_size=16, **kwargs)


def edit(box, key, change):
    """Rewrite a record's JSON with ``change(data)`` applied, as a person editing it would."""
    path = box.runs / f"{key}.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


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
    assert [served for _, served in SESSION] == [False, True]


def test_read_mode_trains_what_is_missing_without_writing(box, monkeypatch):
    record = fit(model(), "read", monkeypatch)
    assert not record.served and box.keys() == []


@pytest.mark.slow
def test_off_mode_never_touches_the_store(box, monkeypatch):
    fit(model(), "fill", monkeypatch)
    record = fit(model(), "off", monkeypatch)
    assert not record.served and record.key == "" and len(box.keys()) == 1


def test_strict_mode_refuses_to_train_a_missing_run(box, monkeypatch):
    with pytest.raises(store.MissingRecord, match="course.py results"):
        fit(model(), "strict", monkeypatch)


@pytest.mark.slow
def test_verify_mode_retrains_and_compares(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    assert not fit(model(), "verify", monkeypatch).served         # reproduces: no error

    def lie(data):                                                # a record that lies by 1 %...
        data["history"]["loss"][-1] *= 1.01
        run = store.StoredRun(**data)
        data["checksum"] = run.digest()                           # ...with a matching checksum
    edit(box, first.key, lie)
    with pytest.raises(store.RecordMismatch, match="loss, epoch 2"):
        fit(model(), "verify", monkeypatch)
    with pytest.raises(store.MissingRecord, match="no record"):
        fit(model(), "verify", monkeypatch, epochs=3)


@pytest.mark.slow
def test_refresh_mode_retrains_and_rewrites_the_same_bytes(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    weights = (box.runs / f"{first.key}.npz").read_bytes()
    again = fit(model(), "refresh", monkeypatch)
    assert not again.served and again.key == first.key
    assert (box.runs / f"{first.key}.npz").read_bytes() == weights


@pytest.mark.slow
def test_refresh_rewrites_a_damaged_record(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    (box.runs / f"{first.key}.npz").write_bytes(b"not weights")
    again = fit(model(), "refresh", monkeypatch)
    assert not again.served and box.check() == []


@pytest.mark.slow
def test_an_edited_number_is_never_served(box, monkeypatch):
    """The hole issue 32 found: halving one value of the history passed the check."""
    first = fit(model(), "fill", monkeypatch)
    edit(box, first.key, lambda data: data["history"]["loss"].__setitem__(0, data["history"]["loss"][0] / 2))
    with pytest.raises(store.InvalidRecord, match="checksum"):
        fit(model(), "read", monkeypatch)
    assert any("checksum" in problem for problem in box.check())
    for field, change in [("epoch_seconds", lambda d: d["epoch_seconds"].append(1.0)),
                          ("provenance", lambda d: d["provenance"].update(cpu="elsewhere")),
                          ("init", lambda d: d["init"][0].__setitem__(1, 0.5)),
                          ("label", lambda d: d.update(label="another run"))]:
        fit(model(), "refresh", monkeypatch)
        edit(box, first.key, change)
        assert any("checksum" in problem for problem in box.check()), field


def test_a_stale_record_is_never_served(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    edit(box, first.key, lambda data: data["recipe"]["fit"].update(epochs=3))
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


@pytest.mark.slow
def test_a_model_built_from_other_weights_is_a_loud_error_naming_the_run(box, monkeypatch):
    first = fit(model(), "fill", monkeypatch)
    for mode in ("read", "strict", "fill", "verify"):
        with pytest.raises(store.InitMismatch, match=f"{first.key}.*seed"):
            fit(model(seed=1), mode, monkeypatch)     # built from seed 1, fitted with seed 0
    assert fit(model(seed=1), "off", monkeypatch).key == ""


def test_round_off_in_the_initial_weights_is_served(box, monkeypatch):
    fit(model(), "fill", monkeypatch)
    m = model()
    for variable in m.variables:                      # another processor's last bits
        value = np.asarray(variable)
        if np.issubdtype(value.dtype, np.floating):
            variable.assign(np.where(value != 0, np.nextafter(value, np.float32(np.inf)), value))
    assert fit(m, "strict", monkeypatch).served


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


def test_a_run_with_a_function_in_its_callbacks_is_trained_and_never_recorded(box, monkeypatch):
    import keras

    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2)
    record = fit(model(), "fill", monkeypatch, callbacks=[schedule])
    assert not record.served and record.key == "" and box.keys() == []


def test_a_served_model_refuses_to_be_trained_further(box, monkeypatch):
    fit(model(), "fill", monkeypatch)
    served = model()
    assert fit(served, "read", monkeypatch).served
    with pytest.raises(store.StoreError, match="optimizer state"):
        fit(served, "read", monkeypatch)


def test_the_course_store_is_sound_and_current():
    """Every committed record matches its recipe, checksum and weights, under this protocol."""
    from rnnlab.experiments.recipe import PROTOCOL

    box = store.Store(store.root())
    assert box.check() == [] and len(box.keys()) > 0
    for key in box.keys():
        assert box.read(key).recipe["protocol"] == PROTOCOL, key


def test_the_command_line_checks_the_store(tmp_path):
    def check():
        return subprocess.run([sys.executable, "-m", "rnnlab", "store", "check"],
                              capture_output=True, text=True,
                              env={"RNNLAB_RESULTS": str(tmp_path), "PATH": ""})

    done = check()
    assert done.returncode == 1 and "does not exist" in done.stderr     # no folder: no store
    (tmp_path / "runs").mkdir()
    done = check()
    assert done.returncode == 0 and "0 records" in done.stdout
    (tmp_path / "runs" / "x.json").write_text("{}")
    done = check()
    assert done.returncode == 1 and "not a run record" in done.stderr


@pytest.mark.slow
def test_an_unrecorded_full_run_says_what_it_costs_and_how_to_switch(box, monkeypatch, capsys):
    fit(model(), "fill", monkeypatch)                     # a recording of this model, 2 epochs
    capsys.readouterr()
    fit(model(), "read", monkeypatch, epochs=3)           # the same model, 3 epochs: not recorded
    notice = capsys.readouterr().out
    assert "no recording of this run" in notice and "rnnlab.setup(fast=True)" in notice
    fit(model(), "read", monkeypatch)                     # served: nothing to announce
    assert "no recording" not in capsys.readouterr().out


@pytest.mark.slow
def test_a_scalar_variable_is_served_with_its_own_shape(box, monkeypatch):
    """The .npz keeps a 0-d variable as shape (1,); serving reshapes it back (a model with
    Keras' Attention(use_scale=True) or rnnlab.scheduled_sampling has one)."""
    import keras

    def scaled(seed=0):
        seed_everything(seed)
        inputs = keras.Input((6, 2))
        h = keras.layers.LSTM(4, return_sequences=True)(inputs)
        h = keras.layers.Attention(use_scale=True)([h, h])
        m = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(h)))
        m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
        return m

    trained = scaled()
    fit(trained, "fill", monkeypatch)
    served = scaled()
    assert fit(served, "read", monkeypatch).served
    for a, b in zip(trained.variables, served.variables):
        assert tuple(a.shape) == tuple(b.shape) and np.array_equal(np.asarray(a), np.asarray(b))
