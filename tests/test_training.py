"""The training harness (rnnlab/experiments/training.py): early stopping with one test
evaluation, prediction batch by batch, and the inputs a run is keyed on."""
import numpy as np
import pytest


def _marker_splits():
    from rnnlab.data import marker_task

    x, y = marker_task(96, 6, seed=1)
    return {"train": (x[:64], y[:64]), "validation": (x[64:80], y[64:80]),
            "test": (x[80:], y[80:])}


@pytest.mark.slow
def test_fit_evaluate_keeps_the_best_validation_epoch_and_tests_it_once():
    from rnnlab.config import seed_everything
    from rnnlab.experiments import fit_evaluate
    from rnnlab.models import build_model

    seed_everything()
    model = build_model("gru", 6, 2, 4, head="binary")
    splits = _marker_splits()
    record = fit_evaluate(model, splits, loss="binary_crossentropy", metrics=["accuracy"],
                          epochs=6, patience=2, batch_size=16, optimizer="sgd")
    losses = record["history"]["val_loss"]
    assert record["epochs_run"] == len(losses) <= 6
    assert record["best_epoch"] == int(np.argmin(losses)) + 1
    # the weights of the best epoch were restored: the model scores that epoch's validation loss
    kept = model.evaluate(*splits["validation"], verbose=0, return_dict=True)["loss"]
    assert np.isclose(kept, min(losses), rtol=1e-4)
    test = model.evaluate(*splits["test"], verbose=0, return_dict=True)
    assert np.isclose(record["test"]["accuracy"], test["accuracy"])


def test_fit_evaluate_needs_all_three_splits_and_a_positive_patience():
    from rnnlab.experiments import fit_evaluate
    from rnnlab.models import build_model

    model = build_model("gru", 6, 2, 4, head="binary")
    splits = _marker_splits()
    with pytest.raises(ValueError, match="missing \\['test'\\]"):
        fit_evaluate(model, {k: splits[k] for k in ("train", "validation")},
                     loss="binary_crossentropy", epochs=1, patience=1)
    with pytest.raises(ValueError, match="patience"):
        fit_evaluate(model, splits, loss="binary_crossentropy", epochs=1, patience=0)


def test_predict_gives_the_values_of_model_predict():
    """rnnlab.experiments.training.predict calls the model batch by batch (a last, shorter batch
    included) and returns what model.predict returns."""
    from rnnlab.experiments.adding import adding_model
    from rnnlab.experiments.training import predict

    x = np.random.default_rng(0).uniform(size=(300, 5, 2)).astype("float32")
    for cell in ("simple_rnn", "lstm", "gru"):
        model = adding_model(cell, 5, 3, 1e-3)
        got = predict(model, x, batch_size=128)
        assert isinstance(got, np.ndarray) and got.shape == (300, 1)
        np.testing.assert_allclose(got, model.predict(x, batch_size=128, verbose=0),
                                   rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="batch_size"):
        predict(model, x, batch_size=0)


def test_scoring_fresh_models_in_a_loop_prints_no_retracing_warning():
    """model.predict traces a function for every new model, and TensorFlow warns of 'retracing'
    after five of them (the noise issue 29 found on chapter 4's page); predict traces nothing."""
    import logging

    import keras

    from rnnlab.experiments.adding import adding_model
    from rnnlab.experiments.training import predict

    if keras.backend.backend() != "tensorflow":
        pytest.skip("the retracing warning is TensorFlow's")
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    try:
        x = np.zeros((300, 4, 2), "float32")
        for _ in range(7):
            predict(adding_model("gru", 4, 2, 1e-3), x, batch_size=128)
    finally:
        logger.removeHandler(handler)
    assert not [m for m in messages if "retracing" in m]


def test_train_keys_every_input_of_a_model_with_several(monkeypatch, tmp_path):
    import keras

    from rnnlab.experiments.recipe import recipe
    from rnnlab.experiments.training import _named
    from rnnlab.models import seq2seq_model

    assert _named("x", np.zeros(3)).keys() == {"x"}
    assert _named("x", [np.zeros(3), np.ones((3, 2))]).keys() == {"x0", "x1"}
    model = seq2seq_model("gru", 6, 4, seed=0)
    model.compile(optimizer="adam", loss="mse")
    material = recipe(model, {**_named("x", [np.zeros((2, 3)), np.ones((2, 2))])}, {})
    assert set(material["data"]) == {"x0", "x1"}
