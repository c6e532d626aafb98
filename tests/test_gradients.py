import numpy as np
import pytest
from conftest import VARIANT_IDS, VARIANTS, keras_layer

from rnnlab.cells import RNN, from_keras, random_rnn
from rnnlab.gradients import (clip_by_global_norm, global_norm, jacobian_norms,
                              keras_jacobian_norms, spectral_radius)


def test_spectral_radius_of_known_matrices():
    assert spectral_radius(np.diag([0.5, -2.0, 1.0])) == pytest.approx(2.0)
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]]) * 0.9  # complex eigenvalues ±0.9i
    assert spectral_radius(rotation) == pytest.approx(0.9)


def test_spectral_radius_explains_a_non_square_matrix():
    with pytest.raises(ValueError, match=r"square matrix \(units, units\), got shape \(4, 16\)"):
        spectral_radius(np.zeros((4, 16)))


@pytest.mark.parametrize("kind, cell, variant", VARIANTS, ids=VARIANT_IDS)
def test_jacobian_norms_agree_with_gradient_tape(kind, cell, variant):
    rng = np.random.default_rng(0)
    layer = keras_layer(kind, 5, variant, dtype="float64")
    x = rng.normal(size=(1, 10, 3))
    layer(x)
    numpy_norms = jacobian_norms(from_keras(layer), x)
    assert numpy_norms.shape == (11,) and numpy_norms[0] == pytest.approx(1.0)
    np.testing.assert_allclose(numpy_norms, keras_jacobian_norms(layer, x), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("radius", [0.5, 0.9])
def test_linear_regime_decays_at_the_rate_of_the_spectral_radius(radius):
    """With tiny inputs tanh is nearly linear: ‖dh_T/dh_t‖ ≈ ρ(U)^lag for a normal U."""
    units, T = 6, 30
    Q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(units, units)))
    U = radius * Q  # orthogonal times radius: every eigenvalue has modulus `radius`
    rnn = RNN("simple_rnn", np.zeros((1, units)), U, np.zeros(units))
    norms = jacobian_norms(rnn, np.zeros((1, T, 1)))
    np.testing.assert_allclose(norms, radius ** np.arange(T + 1), rtol=1e-10)


def test_jacobian_norms_explain_a_batch():
    with pytest.raises(ValueError, match="one sequence"):
        jacobian_norms(random_rnn("lstm", 3, 4), np.zeros((2, 5, 3)))


def test_clipping_follows_pascanu_et_al_and_tensorflow():
    import tensorflow as tf

    grads = {"W": np.full((2, 2), 3.0), "b": np.array([4.0, 0.0])}  # norm sqrt(36 + 16) = sqrt(52)
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(np.sqrt(52))
    assert global_norm(clipped) == pytest.approx(1.0)
    expected, tf_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads.values()], 1.0)
    for ours, theirs in zip(clipped.values(), expected):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12)
    assert float(tf_norm) == pytest.approx(norm)
    same, _ = clip_by_global_norm(list(grads.values()), 100.0)  # below the threshold: unchanged
    assert all(np.array_equal(a, b) for a, b in zip(same, grads.values()))


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan])
def test_clipping_threshold_must_be_positive(bad):
    with pytest.raises(ValueError, match="max_norm must be a positive number"):
        clip_by_global_norm([np.ones(2)], bad)


def test_clipping_refuses_non_finite_gradients():
    with pytest.raises(ValueError, match="NaN or infinite"):
        clip_by_global_norm([np.array([np.inf])], 1.0)


def test_step_jacobian_is_the_row_convention_jacobian_of_a_step_checked_by_finite_differences():
    from rnnlab.cells import simple_rnn_step
    from rnnlab.gradients import step_jacobian

    rng = np.random.default_rng(3)
    units, features = 4, 2
    W, U, b = rng.normal(size=(features, units)), rng.normal(size=(units, units)), rng.normal(size=units)
    x_t, h_prev = rng.normal(size=(1, features)), rng.normal(size=(1, units))
    h_t = simple_rnn_step(x_t, h_prev, W, U, b)[0]
    eps, numeric = 1e-6, np.zeros((units, units))
    for i in range(units):  # row i: how h_t moves when h_{t-1, i} moves
        bump = np.zeros((1, units))
        bump[0, i] = eps
        numeric[i] = (simple_rnn_step(x_t, h_prev + bump, W, U, b)
                      - simple_rnn_step(x_t, h_prev - bump, W, U, b))[0] / (2 * eps)
    J = step_jacobian(U, h_t)
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-9)
    assert not np.allclose(J.T, numeric, atol=1e-3)  # the transpose is the other convention
    with pytest.raises(ValueError, match=r"h_t of shape \(units,\)"):
        step_jacobian(U, h_t[None])


def test_module_docstring_writes_the_jacobian_in_the_row_convention_of_notation_md():
    import rnnlab.gradients

    doc = rnnlab.gradients.__doc__
    assert "U diag(1 − h_s²)" in doc and "Uᵀ" not in doc and "diag(1 − h_s²) U" not in doc


def test_log_slope_recovers_the_rate_of_a_geometric_sequence_and_rejects_zeros():
    from rnnlab.gradients import log_slope

    assert log_slope(3.0 * 1.5 ** np.arange(40), 30) == pytest.approx(np.log(1.5))
    assert log_slope(0.5 ** np.arange(10)) == pytest.approx(np.log(0.5))
    with pytest.raises(ValueError, match="positive and finite"):
        log_slope(np.array([1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="at least 30 norms"):
        log_slope(np.ones(5), 30)
    with pytest.raises(ValueError, match="lags must be an integer >= 2"):
        log_slope(np.ones(50), 1)


def test_lstm_rest_jacobian_is_the_cell_state_map_at_rest_by_finite_differences():
    from rnnlab.cells import lstm_step
    from rnnlab.gradients import lstm_rest_jacobian, log_slope

    n = 5
    r = random_rnn("lstm", 2, n, scale=3.0, seed=4)
    b = np.random.default_rng(5).normal(size=4 * n)
    b[2 * n:3 * n] = 0.0                                   # candidate bias 0: zero is at rest
    lstm = RNN("lstm", r.W, r.U, b)
    o = 1 / (1 + np.exp(-b[3 * n:]))

    def step(c_prev):                                      # c_{t-1} -> c_t, with h_{t-1} = o tanh(c_{t-1})
        h_prev = o * np.tanh(c_prev)
        return lstm_step(np.zeros((1, 2)), h_prev, c_prev, lstm.W, lstm.U, lstm.b)[1]

    eps, numeric = 1e-6, np.zeros((n, n))
    for j in range(n):
        bump = np.zeros((1, n))
        bump[0, j] = eps
        numeric[j] = (step(bump) - step(-bump))[0] / (2 * eps)
    M = lstm_rest_jacobian(lstm)
    np.testing.assert_allclose(M, numeric, rtol=1e-6, atol=1e-9)
    # and the measured gradient at rest grows at the rate rho(M)
    norms = jacobian_norms(lstm, np.zeros((1, 80, 2)))
    rate = np.log(np.max(np.abs(np.linalg.eigvals(M))))
    assert abs(log_slope(norms[20:]) - rate) < 0.02
    with pytest.raises(ValueError, match="candidate bias"):
        lstm_rest_jacobian(random_rnn("lstm", 2, n, seed=1))


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_rest_jacobian_is_one_step_at_rest_by_finite_differences(reset_after):
    from rnnlab.cells import gru_step
    from rnnlab.gradients import gru_rest_jacobian, log_slope

    n = 5
    r = random_rnn("gru", 2, n, scale=3.0, seed=4, reset_after=reset_after)
    b = np.random.default_rng(5).normal(size=r.b.shape)
    b[..., 2 * n:] = 0.0                                   # candidate biases 0: zero is at rest
    gru = RNN("gru", r.W, r.U, b, reset_after=reset_after)

    def step(h_prev):
        return gru_step(np.zeros((1, 2)), h_prev, gru.W, gru.U, gru.b, reset_after=reset_after)[0]

    eps, numeric = 1e-6, np.zeros((n, n))
    for j in range(n):
        bump = np.zeros((1, n))
        bump[0, j] = eps
        numeric[j] = (step(bump) - step(-bump))[0] / (2 * eps)
    J = gru_rest_jacobian(gru)
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-9)
    norms = jacobian_norms(gru, np.zeros((1, 80, 2)))
    rate = np.log(np.max(np.abs(np.linalg.eigvals(J))))
    assert abs(log_slope(norms[20:]) - rate) < 0.02
    with pytest.raises(ValueError, match="candidate biases"):
        gru_rest_jacobian(random_rnn("gru", 2, n, seed=1, reset_after=reset_after))
    with pytest.raises(ValueError, match="needs a GRU"):
        gru_rest_jacobian(random_rnn("lstm", 2, n, seed=1))
