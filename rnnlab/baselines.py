"""The baselines a practitioner fits before any network: forecasts and a classifier without training.

A recurrent network is worth its parameters only if it beats what needs no gradient descent.
For one-step-ahead forecasting from windows (:func:`rnnlab.data.forecasting_splits`):
:func:`persistence` (the next value is the last one), :func:`seasonal_naive` (the value one
period earlier) and a linear autoregression fitted by least squares
(:func:`fit_autoregression`). Each has at most one setting, the period or the order, and
:func:`choose_period` and :func:`choose_order` pick it on the validation windows, as the
networks' settings are picked. For classifying whole sequences: :func:`nearest_neighbour`, the
UCR archive's reference rule (Dau et al. 2019). Whether two forecasts' errors on one test
period differ by more than chance: :func:`diebold_mariano`. NumPy only; nothing here imports
Keras.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import math

import numpy as np

from rnnlab.checks import integer


def _windows(x: np.ndarray, name: str = "x") -> np.ndarray:
    """Windows as a float64 (n, T) array: (n, T, 1) loses its feature axis."""
    x = np.asarray(x)
    if x.ndim == 3 and x.shape[2] == 1:
        x = x[..., 0]
    if x.ndim != 2 or x.shape[1] < 1:
        raise ValueError(f"{name} must be windows of shape (n, T) or (n, T, 1), got {x.shape}")
    return x.astype(np.float64)


def _targets(y: np.ndarray, n: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64).ravel()
    if len(y) != n:
        raise ValueError(f"expected one target per window ({n}), got {len(y)}")
    return y


def rmse(forecast: np.ndarray, target: np.ndarray) -> float:
    """Root mean squared error, sqrt(mean((forecast - target)²)), in the data's own units.

    Args:
        forecast, target: arrays with the same number of values (any shapes, flattened).

    Returns:
        The error as a Python float.
    """
    forecast = np.asarray(forecast, dtype=np.float64).ravel()
    target = np.asarray(target, dtype=np.float64).ravel()
    if forecast.shape != target.shape or forecast.size == 0:
        raise ValueError(f"forecast and target must have the same number of values (at least "
                         f"one), got {forecast.size} and {target.size}")
    return float(np.sqrt(np.mean((forecast - target) ** 2)))


def persistence(x: np.ndarray) -> np.ndarray:
    """The persistence forecast ŷ = x_T: the next value equals the last value of the window.

    Args:
        x: windows, shape (n, T) or (n, T, 1).

    Returns:
        The n forecasts, shape (n,).
    """
    return _windows(x)[:, -1]


def seasonal_naive(x: np.ndarray, period: int) -> np.ndarray:
    """The seasonal naive forecast ŷ = x_{T+1-period}: the value one period before the target.

    Args:
        x: windows, shape (n, T) or (n, T, 1), with T >= period.
        period: the season's length in steps (1 is persistence).

    Returns:
        The n forecasts, shape (n,).
    """
    x = _windows(x)
    integer("period", period)
    if period > x.shape[1]:
        raise ValueError(f"a period of {period} steps needs windows of at least {period} values, "
                         f"got {x.shape[1]}")
    return x[:, -period]


@dataclass(frozen=True)
class Autoregression:
    """A linear autoregression of order p: ŷ = b + Σ_{k=1..p} a_k x_{T+1-k}.

    Attributes:
        order: p, how many of the last values it reads.
        weights: (a_1, ..., a_p): a_1 multiplies the last value of the window.
        bias: b.
    """

    order: int
    weights: np.ndarray
    bias: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The forecasts for windows ``x`` of shape (n, T) or (n, T, 1), T >= order; shape (n,)."""
        x = _windows(x)
        if x.shape[1] < self.order:
            raise ValueError(f"an autoregression of order {self.order} needs windows of at least "
                             f"{self.order} values, got {x.shape[1]}")
        return x[:, ::-1][:, :self.order] @ self.weights + self.bias


def fit_autoregression(x: np.ndarray, y: np.ndarray, order: int) -> Autoregression:
    """Fit ŷ = b + Σ_{k=1..p} a_k x_{T+1-k} by least squares on training windows.

    Minimises Σ_i (y_i - ŷ_i)² over (a_1, ..., a_p, b) with ``numpy.linalg.lstsq``: one linear
    solve, no training loop.

    Args:
        x: training windows, shape (n, T) or (n, T, 1).
        y: the value that follows each window, shape (n,).
        order: p, 1 <= p <= T.

    Returns:
        The fitted :class:`Autoregression`.
    """
    x = _windows(x)
    y = _targets(y, len(x))
    integer("order", order)
    if order > x.shape[1]:
        raise ValueError(f"order {order} is longer than the windows ({x.shape[1]} values)")
    if len(x) <= order:
        raise ValueError(f"{len(x)} windows cannot determine {order + 1} coefficients")
    design = np.hstack([x[:, ::-1][:, :order], np.ones((len(x), 1))])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    return Autoregression(order=order, weights=solution[:-1], bias=float(solution[-1]))


def choose_order(train: tuple[np.ndarray, np.ndarray], validation: tuple[np.ndarray, np.ndarray],
                 orders: Iterable[int]) -> tuple[Autoregression, dict[int, float]]:
    """Fit an autoregression of each order on ``train`` and keep the one with the lowest RMSE
    on ``validation`` (the smallest order among equals).

    The fits share one QR decomposition: with the design's columns in the order (1, x_T,
    x_{T-1}, ...), D = QR, the least-squares fit on the first k columns solves
    R[:k, :k] β = (Qᵀy)[:k]. Each model equals :func:`fit_autoregression`'s up to round-off.

    Args:
        train, validation: ``(windows, targets)`` pairs.
        orders: the orders to try.

    Returns:
        The chosen fitted model and the validation RMSE of every order tried.
    """
    orders = [integer("order", p) for p in orders]
    if not orders:
        raise ValueError("orders is empty")
    x = _windows(train[0])
    y = _targets(train[1], len(x))
    top = max(orders)
    if top > x.shape[1]:
        raise ValueError(f"order {top} is longer than the windows ({x.shape[1]} values)")
    if len(x) <= top:
        raise ValueError(f"{len(x)} windows cannot determine {top + 1} coefficients")
    q, r = np.linalg.qr(np.hstack([np.ones((len(x), 1)), x[:, ::-1][:, :top]]))
    projected = q.T @ y
    models = {}
    for p in orders:
        solution = np.linalg.solve(r[:p + 1, :p + 1], projected[:p + 1])
        models[p] = Autoregression(order=p, weights=solution[1:], bias=float(solution[0]))
    x_val, y_val = validation
    errors = {p: rmse(model.predict(x_val), y_val) for p, model in models.items()}
    best = min(errors, key=lambda p: (errors[p], p))
    return models[best], errors


def choose_period(validation: tuple[np.ndarray, np.ndarray],
                  periods: Iterable[int]) -> tuple[int, dict[int, float]]:
    """The period whose :func:`seasonal_naive` forecast has the lowest RMSE on ``validation``
    (the shortest among equals); nothing is fitted.

    Args:
        validation: ``(windows, targets)``, windows at least as long as the longest period.
        periods: the periods to try.

    Returns:
        The chosen period and the validation RMSE of every period tried.
    """
    x_val, y_val = validation
    errors = {p: rmse(seasonal_naive(x_val, p), y_val) for p in periods}
    if not errors:
        raise ValueError("periods is empty")
    return min(errors, key=lambda p: (errors[p], p)), errors


def nearest_neighbour(x_train: np.ndarray, y_train: np.ndarray, x: np.ndarray,
                      chunk: int = 1000) -> np.ndarray:
    """The 1-nearest-neighbour rule: each sequence gets the label of the training sequence
    closest to it in Euclidean distance, ‖x - x_i‖² summed over every step and feature.

    Args:
        x_train: training sequences, shape (n, T, ...) (all of one length).
        y_train: their labels, shape (n,).
        x: the sequences to classify, shape (m, T, ...).
        chunk: how many of ``x`` to compare at once (bounds memory).

    Returns:
        The m predicted labels.
    """
    a = np.asarray(x_train, dtype=np.float64).reshape(len(x_train), -1)
    b = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    y_train = np.asarray(y_train)
    if len(y_train) != len(a) or len(a) == 0:
        raise ValueError(f"expected one label per training sequence ({len(a)}), got {len(y_train)}")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"training sequences have {a.shape[1]} values and the others "
                         f"{b.shape[1]}: pad or cut them to one length")
    integer("chunk", chunk)
    squared = np.sum(a * a, axis=1)
    labels = []
    for start in range(0, len(b), chunk):
        part = b[start:start + chunk]
        distances = squared[None, :] - 2.0 * part @ a.T      # + ‖x‖², the same for every i
        labels.append(y_train[np.argmin(distances, axis=1)])
    return np.concatenate(labels) if labels else y_train[:0]


@dataclass(frozen=True)
class ForecastComparison:
    """The result of :func:`diebold_mariano`.

    Attributes:
        statistic: t = mean(d) / sqrt(S / n), negative when the first forecast has the smaller
            squared errors.
        p_value: two-sided, from the standard normal distribution.
        mean_difference: mean(d), the mean of e_a² - e_b² (in squared data units).
        lag: the Newey-West truncation lag L.
        n: the number of forecasts compared.
    """

    statistic: float
    p_value: float
    mean_difference: float
    lag: int
    n: int


def diebold_mariano(errors_a: np.ndarray, errors_b: np.ndarray, lag: int = 12) -> ForecastComparison:
    """Diebold and Mariano's test (1995) of equal accuracy of two forecasts of the same targets.

    The loss differential d_t = e_a,t² - e_b,t² has mean zero when the two forecasts are equally
    accurate. Errors of consecutive forecasts are correlated, so the variance of its mean is
    estimated with Newey and West's (1987) Bartlett weights up to ``lag``:
    S = γ_0 + 2 Σ_{k=1..L} (1 - k / (L + 1)) γ_k, with γ_k = (1/n) Σ_t (d_t - d̄)(d_{t-k} - d̄),
    and t = d̄ / sqrt(S / n) is compared with the standard normal distribution.

    Args:
        errors_a, errors_b: the errors (forecast - target) of the two forecasts, in time order,
            one per target (the same targets).
        lag: L, how many lags of autocovariance enter S (0: independent errors).

    Returns:
        The :class:`ForecastComparison`.
    """
    a = np.asarray(errors_a, dtype=np.float64).ravel()
    b = np.asarray(errors_b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"the two forecasts must have one error per target each, got {a.size} "
                         f"and {b.size}")
    integer("lag", lag, minimum=0)
    if a.size <= lag + 1:
        raise ValueError(f"{a.size} errors are too few for lag {lag}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("the errors must be finite")
    d = a ** 2 - b ** 2
    n = d.size
    centred = d - d.mean()
    variance = centred @ centred / n
    for k in range(1, lag + 1):
        variance += 2.0 * (1.0 - k / (lag + 1)) * (centred[k:] @ centred[:-k]) / n
    if variance <= 0:
        raise ValueError("the two forecasts' squared errors differ by a constant or not at all: "
                         "no variance to test against")
    statistic = float(d.mean() / math.sqrt(variance / n))
    return ForecastComparison(statistic=statistic,
                              p_value=float(math.erfc(abs(statistic) / math.sqrt(2.0))),
                              mean_difference=float(d.mean()), lag=lag, n=n)
