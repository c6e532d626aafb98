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


@pytest.mark.parametrize("kind, cell, reset_after", VARIANTS, ids=VARIANT_IDS)
def test_jacobian_norms_agree_with_gradient_tape(kind, cell, reset_after):
    rng = np.random.default_rng(0)
    layer = keras_layer(kind, 5, reset_after, dtype="float64")
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
