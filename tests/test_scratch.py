"""Training written out in NumPy beside Keras (rnnlab/experiments/scratch.py): the forecaster's
and the character model's epochs, their gradients and their losses next to Keras'."""
import numpy as np

from rnnlab.data import text as textdata


def test_numpy_character_model_trains_like_keras():
    from rnnlab.experiments import char_scratch_vs_keras

    data = textdata.load_text()
    run = char_scratch_vs_keras(data.train[:1500], len(data.vocabulary), units=8, window=16,
                                epochs=2)
    assert np.max(np.abs(np.array(run.numpy_loss) - run.keras_loss)) < 1e-4
    assert run.numpy_loss[1] < run.numpy_loss[0]
    assert "lm" not in run.to_json()


def test_char_numpy_epoch_gradient_matches_finite_differences():
    """One SGD step with lr ε along -g changes the loss by about -ε |g|²: check the gradient the
    epoch applies against central differences of the loss."""
    from rnnlab.experiments.scratch import char_numpy_epoch

    rng = np.random.default_rng(10)
    V, n = 5, 3
    params = {"W": rng.normal(size=(V, n)), "U": rng.normal(size=(n, n)) * 0.5,
              "b": rng.normal(size=(n,)), "W_y": rng.normal(size=(n, V)), "b_y": rng.normal(size=(V,))}
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    ids = rng.integers(0, V, size=(2, 7))
    x, y = ids[:, :6], ids[:, 1:]

    def loss(p):
        return char_numpy_epoch("simple_rnn", p, zero, x, y, batch_size=2, learning_rate=0.0,
                                momentum=0.0, clip=1e9)[2]

    stepped, _, _ = char_numpy_epoch("simple_rnn", params, zero, x, y, batch_size=2,
                                     learning_rate=1.0, momentum=0.0, clip=1e9)
    for name in params:
        grad = params[name] - stepped[name]          # lr 1: the step is -gradient
        numeric = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += 1e-6
            down[name][index] -= 1e-6
            numeric[index] = (loss(up) - loss(down)) / 2e-6
        assert np.allclose(grad, numeric, atol=1e-7), name


def test_the_forecaster_trains_like_keras_and_runs_the_epoch_it_is_given():
    """Chapter 2 passes the loop it shows (``epoch=``): that loop is the one that runs."""
    from rnnlab.experiments.scratch import numpy_epoch, scratch_vs_keras

    rng = np.random.default_rng(5)
    x = rng.normal(size=(64, 6, 1))
    y = x[:, -1, 0] + 0.1 * rng.normal(size=64)
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs["batch_size"])
        return numpy_epoch(*args, **kwargs)

    run = scratch_vs_keras(x, y, units=4, epochs=2, epoch=counted)
    assert calls == [32, 32]
    assert np.max(np.abs(np.array(run.numpy_loss) - run.keras_loss) / run.keras_loss) < 1e-4
    assert run.numpy_loss[1] < run.numpy_loss[0]


def test_the_character_model_runs_the_epoch_it_is_given():
    """Chapter 7 passes the loop it shows (``epoch=``): that loop is the one that runs."""
    from rnnlab.experiments.scratch import char_numpy_epoch, char_scratch_vs_keras

    data = textdata.load_text()
    calls = []

    def counted(cell, *args, **kwargs):
        calls.append((cell, kwargs["batch_size"]))
        return char_numpy_epoch(cell, *args, **kwargs)

    run = char_scratch_vs_keras(data.train[:800], len(data.vocabulary), units=4, window=16,
                                epochs=2, epoch=counted)
    assert calls == [("simple_rnn", 32), ("simple_rnn", 32)]
    assert np.max(np.abs(np.array(run.numpy_loss) - run.keras_loss)) < 1e-4
