import numpy as np
import pytest

from rnnlab.data import Splits, forecasting_splits


def test_splits_are_a_read_only_mapping_of_three_pairs():
    parts = Splits(train=(np.zeros((4, 2)), np.arange(4)), validation=(np.ones((2, 2)), np.arange(2)),
                   test=(np.ones((3, 2)), np.arange(3)))
    assert list(parts) == ["train", "validation", "test"] and len(parts) == 3
    assert parts["validation"] is parts.validation
    assert parts.sizes() == {"train": 4, "validation": 2, "test": 3}
    doubled = parts.map(lambda pair: (2 * pair[0], pair[1]))
    assert isinstance(doubled, Splits) and doubled.validation[0].max() == 2
    with pytest.raises(KeyError, match="the splits are train, validation, test"):
        parts["dev"]


def test_forecasting_splits_return_splits():
    assert isinstance(forecasting_splits(np.arange(300.0), 10), Splits)


@pytest.mark.parametrize("as_list", [False, True])
def test_holdout_takes_a_class_balanced_seeded_validation_set_and_keeps_test(as_list):
    y = np.repeat(np.arange(3), 10)
    x = np.arange(30.0)[:, None] if not as_list else [np.full((k % 5 + 1, 2), k) for k in range(30)]
    test = (np.zeros((5, 1)), np.zeros(5))
    parts = Splits.holdout((x, y), test, per_class=4, seed=1)
    assert np.bincount(parts.validation[1]).tolist() == [4, 4, 4]
    assert parts.sizes() == {"train": 18, "validation": 12, "test": 5}
    again = Splits.holdout((x, y), test, per_class=4, seed=1)
    if not as_list:
        # every example lands in exactly one part; the same seed gives the same parts
        assert sorted(np.concatenate([parts.train[0][:, 0], parts.validation[0][:, 0]])) == list(range(30))
        np.testing.assert_array_equal(parts.validation[0], again.validation[0])
    assert parts.test is test
    with pytest.raises(ValueError, match="too few to hold out"):
        Splits.holdout((x, y), test, per_class=10)
