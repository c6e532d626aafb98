import numpy as np
import pytest
from conftest import VARIANT_IDS, VARIANTS, keras_layer

from rnnlab.bptt import backward, numerical_gradient, relative_error
from rnnlab.cells import from_keras, random_rnn, spec


def problem(cell, variant, go_backwards=False, seed=0):
    """A float64 layer, an input, initial states and the direct gradients G (L = Σ G ⊙ h + Σ G_c ⊙ c_T)."""
    rng = np.random.default_rng(seed)
    rnn = random_rnn(cell, 3, 4, **variant, scale=1.0, seed=seed + 1,
                     go_backwards=go_backwards)
    x = rng.normal(size=(2, 5, 3))
    states = [0.5 * rng.normal(size=(2, 4)) for _ in spec(cell).states]
    G, Gc = rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 4))
    return rnn, x, states, G, (Gc if len(states) > 1 else None)   # a cell state c besides h


def loss(rnn, x, states, G, Gc):
    run = rnn.forward(x, states)
    return np.sum(G * run["h"]) + (np.sum(Gc * run["c"][:, -1]) if Gc is not None else 0.0)


@pytest.mark.parametrize("kind, cell, variant", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_bptt_matches_central_finite_differences(kind, cell, variant, go_backwards):
    rnn, x, states, G, Gc = problem(cell, variant, go_backwards)
    grads = backward(rnn, rnn.forward(x, states), G, Gc)
    wrt = {"W": rnn.W, "U": rnn.U, "b": rnn.b, "x": x, "h0": states[0]}
    if len(states) > 1:
        wrt["c0"] = states[1]
    for name, array in wrt.items():
        numeric = numerical_gradient(lambda: loss(rnn, x, states, G, Gc), array)
        assert grads[name].shape == array.shape
        assert relative_error(grads[name], numeric) < 1e-6, name


@pytest.mark.parametrize("kind, cell, variant", VARIANTS, ids=VARIANT_IDS)
def test_gradient_wrt_every_hidden_state_matches_finite_differences(kind, cell, variant):
    """Total dL/dh_t: perturb h_t by adding to it, through an extra input to the next step."""
    rnn, x, states, G, Gc = problem(cell, variant, seed=4)
    grads = backward(rnn, rnn.forward(x, states), G, Gc)
    t = 2  # dL/dh_t for an inner step: h_t feeds L directly (G) and through h_{t+1}, ...
    delta = np.zeros((2, 4))

    def perturbed():
        first = rnn.forward(x[:, : t + 1], states)
        h_t = first["h"][:, -1] + delta
        carried = [h_t] + [first[s][:, -1] for s in spec(cell).states[1:]]
        rest = rnn.forward(x[:, t + 1:], carried)
        value = np.sum(G[:, :t] * first["h"][:, :t]) + np.sum(G[:, t] * h_t)
        value += np.sum(G[:, t + 1:] * rest["h"])
        return value + (np.sum(Gc * rest["c"][:, -1]) if Gc is not None else 0.0)

    numeric = numerical_gradient(perturbed, delta)
    assert relative_error(grads["h"][:, t], numeric) < 1e-6


@pytest.mark.parametrize("kind, cell, variant", VARIANTS, ids=VARIANT_IDS)
def test_bptt_matches_tf_gradient_tape_on_the_keras_layer(kind, cell, variant):
    import tensorflow as tf

    _, x, states, G, Gc = problem(cell, variant, seed=7)
    layer = keras_layer(kind, 4, variant, return_sequences=True, return_state=True,
                        dtype="float64")
    layer(x)
    rng = np.random.default_rng(8)
    layer.set_weights([rng.normal(scale=0.6, size=w.shape) for w in layer.get_weights()])
    xt, st = tf.constant(x), [tf.constant(s) for s in states]
    with tf.GradientTape() as tape:
        tape.watch([xt, *st])
        out = layer(xt, initial_state=st)
        value = tf.reduce_sum(G * out[0]) + (tf.reduce_sum(Gc * out[2]) if Gc is not None else 0.0)
    holder = getattr(layer, "cell", layer)  # the minimal layers hold their own weights
    weights = {"W": holder.kernel, "U": getattr(holder, "recurrent_kernel", None),
               "b": holder.bias}
    weights = {name: w for name, w in weights.items() if w is not None}  # minimal cells: no U
    keras_grads = tape.gradient(value, [*weights.values(), xt, *st])
    twin = from_keras(layer)
    ours = backward(twin, twin.forward(x, states), G, Gc)
    names = [*weights, "x", "h0", "c0"][: len(keras_grads)]
    for name, expected in zip(names, keras_grads):
        np.testing.assert_allclose(ours[name], np.asarray(expected), atol=1e-10, rtol=1e-9,
                                   err_msg=name)


def test_backward_rejects_a_gradient_of_the_wrong_shape():
    rnn, x, states, G, _ = problem("simple_rnn", {})
    with pytest.raises(ValueError, match=r"dh must have the shape of the states \(2, 5, 4\)"):
        backward(rnn, rnn.forward(x, states), G[:, :3])


def test_numerical_gradient_of_a_known_function():
    a = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(numerical_gradient(lambda: float(np.sum(a**3)), a), 3 * a**2,
                               rtol=1e-8)
    assert a.tolist() == [1.0, -2.0, 3.0]  # restored


@pytest.mark.parametrize("reset_after", [True, False])
def test_the_gru_one_step_backward_matches_finite_differences(reset_after):
    from rnnlab.cells import gru_cache, gru_step_backward

    rng = np.random.default_rng(7)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    W, U = rng.normal(size=(3, 12)), rng.normal(size=(4, 12))
    b = rng.normal(size=(2, 12) if reset_after else (12,))
    G = rng.normal(size=(2, 4))
    grads = gru_step_backward(G, gru_cache(x, h, W, U, b, reset_after))
    for got, array in zip(grads, (x, h, W, U, b)):
        numeric = numerical_gradient(
            lambda: float(np.sum(G * gru_cache(x, h, W, U, b, reset_after)["h_t"])), array)
        assert got.shape == array.shape
        assert relative_error(got, numeric) < 1e-7


def test_the_elman_loop_of_chapter_2_is_the_generic_bptt_and_matches_finite_differences():
    """rnnlab.bptt.elman_bptt, the loop chapter 2 prints, computes what the registry's loop does
    for the simple RNN, and its gradients agree with central finite differences."""
    from rnnlab.bptt import elman_bptt

    rng = np.random.default_rng(1990)
    rnn = random_rnn("simple_rnn", 3, 4, scale=1.0, seed=5)
    x, G = rng.normal(size=(2, 6, 3)), rng.normal(size=(2, 6, 4))
    h, grads = elman_bptt(x, rnn.W, rnn.U, rnn.b, G)
    run = rnn.forward(x)
    generic = backward(rnn, run, G)
    np.testing.assert_allclose(h, run["h"], rtol=0, atol=1e-14)
    for name in ("W", "U", "b", "h0"):
        assert grads[name].shape == generic[name].shape
        np.testing.assert_allclose(grads[name], generic[name], rtol=1e-12, atol=1e-14,
                                   err_msg=name)
    for name in ("W", "U", "b"):
        weights = {"W": rnn.W, "U": rnn.U, "b": rnn.b}
        numeric = numerical_gradient(
            lambda: float(np.sum(G * elman_bptt(x, rnn.W, rnn.U, rnn.b, G)[0])), weights[name])
        assert relative_error(grads[name], numeric) < 1e-7, name


def test_the_elman_loop_reads_only_the_steps_the_loss_reaches():
    """A loss on the last state only: the gradient of an early state is the product of the
    transposed Jacobians, δ_{t-1} = δ_t J_tᵀ with J_t = U diag(1 − h_t²)."""
    from rnnlab.bptt import elman_bptt
    from rnnlab.gradients import step_jacobian

    rng = np.random.default_rng(3)
    rnn = random_rnn("simple_rnn", 2, 3, scale=1.0, seed=2)
    x = rng.normal(size=(1, 4, 2))
    G = np.zeros((1, 4, 3))
    G[0, -1] = rng.normal(size=3)
    h, grads = elman_bptt(x, rnn.W, rnn.U, rnn.b, G)
    delta = G[0, -1]
    for t in reversed(range(4)):
        delta = delta @ step_jacobian(rnn.U, h[0, t]).T
    np.testing.assert_allclose(grads["h0"][0], delta, rtol=1e-12)
