import numpy as np
"""The adding problem's experiments (rnnlab/experiments/adding.py): accuracy within the
tolerance, the length sweep, and gradient clipping (the Keras run and its first batches)."""
import pytest

from rnnlab.experiments import adding_accuracy, clipping_run, length_sweep


def test_adding_accuracy_counts_predictions_within_the_tolerance():
    assert adding_accuracy([1.0, 1.0, 1.0, 1.0], [1.0, 1.039, 1.05, 0.9]) == 0.5
    with pytest.raises(ValueError, match="same size"):
        adding_accuracy([1.0], [1.0, 2.0])


@pytest.mark.slow
def test_length_sweep_is_deterministic_and_reports_every_cell_and_length():
    kwargs = dict(samples=64, test_samples=32, epochs=1, units=4, batch_size=32)
    first = length_sweep(["simple_rnn", "gru"], [4, 6], **kwargs)
    again = length_sweep(["simple_rnn", "gru"], [4, 6], **kwargs)
    assert [(r["cell"], r["timesteps"]) for r in first] == [
        ("simple_rnn", 4), ("gru", 4), ("simple_rnn", 6), ("gru", 6)]
    assert [r["test_mse"] for r in first] == [r["test_mse"] for r in again]
    assert first[0]["params"] == 4 * (2 + 4 + 1) + 5
    assert all(0.0 <= r["test_accuracy"] <= 1.0 and r["seconds_per_epoch"] > 0 for r in first)


def test_length_sweep_rows_carry_their_seed_and_units():
    rows = length_sweep(["gru"], [4], samples=32, test_samples=16, epochs=1, units=3, seed=7)
    assert rows[0]["seed"] == 7 and rows[0]["units"] == 3


def test_clipping_keeps_a_run_finite_that_diverges_without_it():
    # the chapter's experiment, shortened: one epoch is enough to see the blow-up
    plain = clipping_run(None, samples=512, epochs=1)
    clipped = clipping_run(1.0, samples=512, epochs=1)
    assert plain["initial_gradient_norm"] == clipped["initial_gradient_norm"] > 10
    assert not plain["loss"][-1] < 1e3  # NaN or astronomically large
    assert clipped["loss"][-1] < 10  # finite and of the order of the target's scale


def test_clipping_batches_records_each_batch_from_the_keras_runs_initial_weights():
    from rnnlab.experiments import clipping_batches

    plain = clipping_batches(None, batches=30, samples=960)
    clipped = clipping_batches(1.0, batches=30, samples=960)
    assert len(plain.gradient_norm) == len(clipped.gradient_norm) == 30
    # the same starting weights and first batch: the first loss and gradient are equal
    assert plain.loss[0] == clipped.loss[0] and plain.gradient_norm[0] == clipped.gradient_norm[0] > 10
    assert max(plain.loss) > 1e6 * plain.loss[0]            # explodes within 30 batches
    assert max(clipped.loss[-5:]) < clipped.loss[0]          # clipped: falls
    # the global norm splits into the recurrent layer's part and the head's part
    for run in (plain, clipped):
        assert len(run.layer_gradient_norm) == len(run.head_gradient_norm) == len(run.recurrent_norm) == 30
        assert np.allclose(np.hypot(run.layer_gradient_norm[:5], run.head_gradient_norm[:5]),
                           run.gradient_norm[:5])
    # both start from U = 2Q (spectral norm 2); unclipped steps grow it, clipped ones barely
    assert plain.recurrent_norm[0] == pytest.approx(2.0) == clipped.recurrent_norm[0]
    assert np.nanmax(plain.recurrent_norm) > 10 and max(clipped.recurrent_norm) < 3
    with pytest.raises(ValueError, match="training set has"):
        clipping_batches(None, batches=100, samples=960)
