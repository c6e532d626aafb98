import numpy as np
import pytest

from rnnlab.checks import finite_number, integer


def test_integer_accepts_integers_and_says_what_it_expected_otherwise():
    assert integer("units", 3) == 3 and integer("units", np.int64(4)) == 4
    assert integer("train_samples", None, allow_none=True) is None
    assert integer("lags", 2, minimum=2) == 2
    for bad in (0, -1, 2.0, True, "3", None):
        with pytest.raises(ValueError, match=r"units must be a positive integer, got"):
            integer("units", bad)
    with pytest.raises(ValueError, match="lags must be an integer >= 2, got 1"):
        integer("lags", 1, minimum=2)


def test_finite_number_refuses_nan_inf_bools_and_strings():
    assert finite_number("value", 5) == 5.0 and finite_number("value", np.float32(0.5)) == 0.5
    for bad in (float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError, match="value must be a finite number"):
            finite_number("value", bad)
