"""Chapter 5's sequences (rnnlab/data/series.py): the real data sets, taken from PyPI packages,
and the forecasting windows."""
import numpy as np
import pytest

from rnnlab import data


def test_sunspots_are_the_monthly_series_from_1749_to_1983():
    months, values = data.load_sunspots()
    assert values.shape == months.shape == (2820,)
    assert str(months[0]) == "1749-01" and str(months[-1]) == "1983-12"
    assert values[:5].tolist() == [58.0, 62.6, 70.0, 55.7, 85.0]
    assert values.min() == 0.0 and values.max() == 253.8


def test_gunpoint_has_the_archive_split_and_z_normalised_series():
    (x_train, y_train), (x_test, y_test) = data.load_gunpoint()
    assert x_train.shape == (50, 150, 1) and x_test.shape == (150, 150, 1)
    assert np.bincount(y_train).tolist() == [24, 26] and np.bincount(y_test).tolist() == [76, 74]
    assert np.allclose(x_train.mean(axis=1), 0, atol=1e-3)
    assert np.allclose(x_train.std(axis=1), 1, atol=0.01)


def test_japanese_vowels_have_nine_speakers_and_variable_lengths():
    (x_train, y_train), (x_test, y_test) = data.load_japanese_vowels()
    assert len(x_train) == 270 and len(x_test) == 370
    assert np.bincount(y_train).tolist() == [30] * 9 and y_test.max() == 8
    lengths = [len(x) for x in x_train + x_test]
    assert min(lengths) == 7 and max(lengths) == 29
    assert all(x.shape[1] == 12 and x.dtype == np.float32 for x in x_train)


def test_windows_pair_each_window_with_the_next_value_like_keras():
    import keras

    series = np.arange(30, dtype=float) ** 1.5
    x, y = data.windows(series, 7)
    assert x.shape == (23, 7, 1) and y.shape == (23,)
    assert np.allclose(x[5, :, 0], series[5:12]) and y[5] == np.float32(series[12])
    batches = list(keras.utils.timeseries_dataset_from_array(series[:-1], series[7:],
                                                             sequence_length=7, batch_size=100))
    assert np.allclose(np.asarray(batches[0][0])[..., None], x)
    assert np.allclose(np.asarray(batches[0][1]), y)


@pytest.mark.parametrize("series, length, message", [
    (np.zeros((5, 2)), 2, "1-D"), (np.zeros(5), 0, "positive integer"),
    (np.zeros(5), 5, "too short"), (np.zeros(5), 2.0, "positive integer")])
def test_windows_reject_bad_input_clearly(series, length, message):
    with pytest.raises(ValueError, match=message):
        data.windows(series, length)


def test_forecasting_splits_keep_time_order_and_never_reuse_a_target():
    series = np.arange(1000, dtype=float)          # each value is its own time index
    splits = data.forecasting_splits(series, 50, fractions=(0.6, 0.2, 0.2))
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = splits["train"], splits["validation"], splits["test"]
    assert len(y_tr) + len(y_va) + len(y_te) == 1000 - 50
    assert x_tr.max() < 600 and y_tr.max() < 600                # training sees only its period
    assert 600 <= y_va.min() and y_va.max() < 800 <= y_te.min()  # later targets, in order
    assert np.all(np.diff(y_te) == 1)                            # nothing shuffled
    assert np.all(x_te[:, -1, 0] == y_te - 1)                    # each window ends before its target


@pytest.mark.parametrize("fractions, message", [((0.5, 0.5), "three"), ((0.8, 0.3, -0.1), "positive"),
                                                ((0.5, 0.2, 0.2), "summing to 1")])
def test_forecasting_splits_reject_bad_fractions(fractions, message):
    with pytest.raises(ValueError, match=message):
        data.forecasting_splits(np.arange(500.0), 10, fractions=fractions)


def test_forecasting_splits_need_a_training_period_longer_than_a_window():
    with pytest.raises(ValueError, match="longer than one window"):
        data.forecasting_splits(np.arange(100.0), 80)
