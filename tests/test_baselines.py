"""The baselines of rnnlab.baselines: persistence, seasonal naive, least-squares autoregression
chosen on validation, and the nearest-neighbour rule (NumPy only, no training)."""
import numpy as np
import pytest

from rnnlab import baselines
from rnnlab.data import forecasting_splits, windows


def ar2_series(n=3000, seed=0):
    """x_t = 5 + 0.6 x_{t-1} + 0.3 x_{t-2} + noise: a known autoregression of order 2."""
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    x[:2] = 50.0
    for t in range(2, n):
        x[t] = 5.0 + 0.6 * x[t - 1] + 0.3 * x[t - 2] + rng.normal(scale=1.0)
    return x


def test_rmse_is_the_root_of_the_mean_squared_error_and_checks_sizes():
    assert baselines.rmse([1, 2, 3], [1, 2, 5]) == pytest.approx(np.sqrt(4 / 3))
    assert baselines.rmse(np.ones((3, 1)), np.ones(3)) == 0.0
    with pytest.raises(ValueError, match="same number of values"):
        baselines.rmse([1, 2], [1, 2, 3])


def test_persistence_and_seasonal_naive_read_the_right_step():
    x, y = windows(np.arange(20.0), 6)            # window i is i..i+5, its target i+6
    assert np.array_equal(baselines.persistence(x), y - 1)
    assert np.array_equal(baselines.seasonal_naive(x, 1), baselines.persistence(x))
    assert np.array_equal(baselines.seasonal_naive(x, 4), y - 4)
    assert np.array_equal(baselines.persistence(x[..., 0]), y - 1)       # (n, T) works too
    with pytest.raises(ValueError, match="at least 7 values"):
        baselines.seasonal_naive(x, 7)
    with pytest.raises(ValueError, match="positive integer"):
        baselines.seasonal_naive(x, 0)
    with pytest.raises(ValueError, match=r"\(n, T\)"):
        baselines.persistence(np.zeros((2, 3, 2)))


def test_a_seasonal_series_is_forecast_exactly_by_its_own_period_chosen_on_validation():
    series = np.tile([0.0, 3.0, 1.0, 7.0, 2.0], 40) + 10.0
    splits = forecasting_splits(series, 12)
    period, errors = baselines.choose_period(splits.validation, range(1, 13))
    assert period == 5 and errors[5] == 0.0 and errors[1] > 0
    assert period == baselines.choose_period(splits.validation, [10, 5])[0]   # shortest of equals


def test_least_squares_recovers_a_known_autoregression_and_matches_the_normal_equations():
    x, y = windows(ar2_series(), 10)
    model = baselines.fit_autoregression(x, y, 2)
    assert model.weights == pytest.approx([0.6, 0.3], abs=0.03)
    assert model.bias == pytest.approx(5.0, abs=1.5)
    design = np.hstack([x[:, ::-1, 0][:, :2], np.ones((len(x), 1))]).astype(np.float64)
    exact = np.linalg.solve(design.T @ design, design.T @ y)
    assert np.allclose([*model.weights, model.bias], exact, rtol=1e-6)
    assert np.allclose(model.predict(x), x[:, -1, 0] * model.weights[0]
                       + x[:, -2, 0] * model.weights[1] + model.bias)


def test_the_order_is_chosen_on_validation_and_beats_persistence_on_an_ar_process():
    splits = forecasting_splits(ar2_series(seed=1), 10)
    model, errors = baselines.choose_order(splits.train, splits.validation, range(1, 11))
    assert set(errors) == set(range(1, 11)) and errors[model.order] == min(errors.values())
    assert model.order >= 2
    for p in (1, 2, 7):      # the shared QR gives what a separate least-squares fit gives
        alone = baselines.fit_autoregression(*splits.train, p)
        again, _ = baselines.choose_order(splits.train, splits.validation, [p])
        assert np.allclose(again.weights, alone.weights) and np.isclose(again.bias, alone.bias)
    x_test, y_test = splits.test
    assert baselines.rmse(model.predict(x_test), y_test) < baselines.rmse(
        baselines.persistence(x_test), y_test)


def test_autoregression_refuses_what_it_cannot_fit():
    x, y = windows(np.arange(30.0), 5)
    with pytest.raises(ValueError, match="longer than the windows"):
        baselines.fit_autoregression(x, y, 6)
    with pytest.raises(ValueError, match="one target per window"):
        baselines.fit_autoregression(x, y[:-1], 2)
    with pytest.raises(ValueError, match="cannot determine"):
        baselines.fit_autoregression(x[:3], y[:3], 3)
    with pytest.raises(ValueError, match="orders is empty"):
        baselines.choose_order((x, y), (x, y), [])
    model = baselines.fit_autoregression(x, y, 3)
    with pytest.raises(ValueError, match="at least 3 values"):
        model.predict(x[:, :2])


def test_nearest_neighbour_takes_the_label_of_the_closest_training_sequence():
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(30, 8, 2))
    y_train = rng.integers(0, 3, size=30)
    query = x_train[[4, 17, 29]] + 1e-3
    assert np.array_equal(baselines.nearest_neighbour(x_train, y_train, query, chunk=2),
                          y_train[[4, 17, 29]])
    others = rng.normal(size=(7, 8, 2))
    brute = [y_train[np.argmin(((x_train - q) ** 2).sum(axis=(1, 2)))] for q in others]
    assert np.array_equal(baselines.nearest_neighbour(x_train, y_train, others), brute)
    with pytest.raises(ValueError, match="pad or cut"):
        baselines.nearest_neighbour(x_train, y_train, np.zeros((1, 9, 2)))
    with pytest.raises(ValueError, match="one label per training sequence"):
        baselines.nearest_neighbour(x_train, y_train[:-1], query)


def test_diebold_mariano_matches_the_bartlett_kernel_written_as_a_matrix():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=60), rng.normal(scale=1.3, size=60)
    d = a ** 2 - b ** 2
    c = d - d.mean()
    for lag in (0, 1, 5):
        gaps = np.abs(np.subtract.outer(np.arange(60), np.arange(60)))
        kernel = np.clip(1 - gaps / (lag + 1), 0, None)         # Bartlett weights, 0 beyond L
        expected = d.mean() / np.sqrt(c @ kernel @ c / 60 / 60)
        result = baselines.diebold_mariano(a, b, lag=lag)
        assert result.statistic == pytest.approx(expected, rel=1e-12)
        assert result.p_value == pytest.approx(2 * (1 - _normal_cdf(abs(expected))), abs=1e-12)
        assert result.mean_difference == pytest.approx(d.mean()) and result.n == 60
        assert baselines.diebold_mariano(b, a, lag=lag).statistic == pytest.approx(-expected)


def _normal_cdf(t):
    from math import erf, sqrt
    return 0.5 * (1 + erf(t / sqrt(2)))


def test_diebold_mariano_finds_a_better_forecast_and_holds_its_size_on_equal_ones():
    rng = np.random.default_rng(0)
    better, worse = rng.normal(size=500), rng.normal(scale=1.5, size=500)
    result = baselines.diebold_mariano(better, worse)
    assert result.statistic < -5 and result.p_value < 1e-6
    rejected = 0
    for _ in range(300):              # equally accurate, errors correlated over time (AR(1), 0.7)
        noise = rng.normal(size=(2, 800))
        errors = np.zeros((2, 800))
        for t in range(1, 800):
            errors[:, t] = 0.7 * errors[:, t - 1] + noise[:, t]
        rejected += baselines.diebold_mariano(*errors, lag=12).p_value < 0.05
    assert rejected / 300 < 0.1


def test_diebold_mariano_refuses_what_it_cannot_test():
    with pytest.raises(ValueError, match="one error per target"):
        baselines.diebold_mariano(np.ones(20), np.ones(21))
    with pytest.raises(ValueError, match="too few"):
        baselines.diebold_mariano(np.ones(5), np.zeros(5), lag=12)
    with pytest.raises(ValueError, match="no variance"):
        baselines.diebold_mariano(np.arange(30.0), np.arange(30.0))
    with pytest.raises(ValueError, match="lag"):
        baselines.diebold_mariano(np.ones(30), np.zeros(30), lag=-1)
