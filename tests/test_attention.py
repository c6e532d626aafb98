"""NumPy attention (rnnlab.attention) against Keras, finite differences and its own parallel form."""
import numpy as np
import pytest

from rnnlab.attention import (AttentionWeights, Seq2SeqTwin, attention_backward, attention_forward,
                              causal_linear_attention, causal_softmax_attention, elu_feature,
                              linear_attention_recurrence, log_softmax, softmax)

MODELS = ("none", "additive", "dot", "general")


def _float64_model(attention, cell="lstm", units=6, vocab=13, seed=3):
    """An encoder–decoder built in float64 with random (not initial) weights."""
    import keras

    from rnnlab.models import attention_seq2seq_model, seq2seq_model

    previous, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    try:
        if attention == "none":
            model = seq2seq_model(cell, vocab, units, embedding_dim=5, seed=seed)
        else:
            model = attention_seq2seq_model(cell, vocab, units, score=attention, embedding_dim=5,
                                            seed=seed)
    finally:                  # the dtype policy is cached: restore it too, for the next tests
        keras.config.set_floatx(previous)
        keras.config.set_dtype_policy(policy)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.5, size=w.shape) for w in model.get_weights()])
    return model


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("attention", MODELS)
def test_the_numpy_twin_computes_what_the_keras_model_computes(attention, cell):
    import keras

    from rnnlab.data import reversal_strings

    data = reversal_strings(7, 6, seed=1)
    model = _float64_model(attention, cell)
    keras_logits = np.asarray(model([data.source, data.decoder_input]))
    assert keras_logits.dtype == np.float64
    assert keras.config.floatx() == "float32" and keras.config.dtype_policy().name == "float32"
    twin = Seq2SeqTwin.from_keras(model)
    logits, alpha = twin.teacher_forced(data.source, data.decoder_input)
    np.testing.assert_allclose(logits, keras_logits, rtol=0, atol=1e-10)
    if attention == "none":
        assert alpha is None
    else:
        assert alpha.shape == (7, 7, 6)
        np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, atol=1e-12)


@pytest.mark.parametrize("attention", MODELS)
def test_the_step_function_is_the_teacher_forced_model_one_step_at_a_time(attention):
    from rnnlab.data import reversal_strings

    data = reversal_strings(5, 6, seed=2)
    twin = Seq2SeqTwin.from_keras(_float64_model(attention))
    logits, alpha = twin.teacher_forced(data.source, data.decoder_input)
    state = twin.start(data.source)
    for t in range(data.decoder_input.shape[1]):
        log_probs, state = twin.step(data.decoder_input[:, t], state)
        np.testing.assert_allclose(log_probs, log_softmax(logits[:, t]), atol=1e-12)
        if alpha is not None:
            np.testing.assert_allclose(twin.last_alpha[:, 0], alpha[:, t], atol=1e-12)


@pytest.mark.parametrize("score", ["additive", "dot"])
def test_the_attention_step_equals_keras_attention_layers_with_a_padding_mask(score):
    import keras

    rng = np.random.default_rng(0)
    q = rng.normal(size=(3, 4, 5)).astype("float32")
    h = rng.normal(size=(3, 6, 5)).astype("float32")
    mask = np.ones((3, 6), bool)
    mask[0, :2] = mask[2, :4] = False                       # left padding
    if score == "additive":
        layer = keras.layers.AdditiveAttention()
        expected = np.asarray(layer([q, h], mask=[None, mask]))
        weights = AttentionWeights("additive", W_q=np.eye(5), W_k=np.eye(5),
                                   v=np.asarray(layer.scale))
    else:
        layer = keras.layers.Attention()
        expected = np.asarray(layer([q, h], mask=[None, mask]))
        weights = AttentionWeights("dot")
    context, cache = attention_forward(q, h, weights, mask=mask)
    np.testing.assert_allclose(context, expected, atol=2e-6)
    assert np.all(cache["alpha"][0, :, :2] < 1e-30) and np.all(cache["alpha"][2, :, :4] < 1e-30)


def _weights(score, rng, n=5, a=4):
    if score == "additive":
        return AttentionWeights("additive", W_q=rng.normal(size=(n, a)), W_k=rng.normal(size=(n, a)),
                                v=rng.normal(size=a))
    if score == "general":
        return AttentionWeights("general", W_a=rng.normal(size=(n, n)))
    return AttentionWeights("dot")


@pytest.mark.parametrize("score", ["additive", "dot", "general"])
def test_the_backward_pass_matches_finite_differences(score):
    rng = np.random.default_rng(11)
    q, h = rng.normal(size=(2, 3, 5)), rng.normal(size=(2, 4, 5))
    weights = _weights(score, rng)
    R = rng.normal(size=(2, 3, 5))                       # L = Σ R ⊙ c

    def loss():
        return float(np.sum(attention_forward(q, h, weights)[0] * R))

    _, cache = attention_forward(q, h, weights)
    grads = attention_backward(R, cache)
    arrays = {"query": q, "memory": h}
    arrays.update({name: getattr(weights, name) for name in ("W_q", "W_k", "v", "W_a")
                   if getattr(weights, name) is not None})
    assert set(arrays) <= set(grads)
    for name, array in arrays.items():
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            keep = array[index]
            array[index] = keep + 1e-6
            up = loss()
            array[index] = keep - 1e-6
            down = loss()
            array[index] = keep
            numeric[index] = (up - down) / 2e-6
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-7, err_msg=name)


def test_softmax_is_over_the_source_positions_and_stable():
    e = np.array([[1000.0, 1001.0, 999.0], [0.0, 0.0, 0.0]])
    alpha = softmax(e)
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0)
    np.testing.assert_allclose(alpha[1], 1 / 3)
    assert alpha[0].argmax() == 1


def test_linear_attention_is_a_recurrence_with_a_matrix_state():
    rng = np.random.default_rng(2020)
    T, d, d_v = 400, 8, 6
    Q, K, V = rng.normal(size=(T, d)), rng.normal(size=(T, d)), rng.normal(size=(T, d_v))
    parallel = causal_linear_attention(Q, K, V)
    recurrent, S = linear_attention_recurrence(Q, K, V)
    np.testing.assert_allclose(recurrent, parallel, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(S, elu_feature(K).T @ V, rtol=1e-10)
    assert S.shape == (d, d_v)


@pytest.mark.parametrize("attend", [causal_linear_attention, causal_softmax_attention])
def test_causal_attention_never_reads_the_future(attend):
    rng = np.random.default_rng(5)
    Q, K, V = rng.normal(size=(30, 4)), rng.normal(size=(30, 4)), rng.normal(size=(30, 3))
    before = attend(Q, K, V)
    K2, V2 = K.copy(), V.copy()
    K2[20:] += 5.0
    V2[20:] -= 3.0
    after = attend(Q, K2, V2)
    np.testing.assert_allclose(after[:20], before[:20], atol=1e-12)
    assert not np.allclose(after[20:], before[20:])


def test_elu_feature_is_positive_and_continuous():
    x = np.linspace(-5, 5, 101)
    phi = elu_feature(x)
    assert np.all(phi > 0)
    np.testing.assert_allclose(elu_feature(np.array([-1e-9, 1e-9])), [1.0, 1.0], atol=1e-8)


def test_inputs_are_checked_at_the_boundary():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="score must be one of"):
        AttentionWeights("cosine")
    with pytest.raises(ValueError, match="needs W_a"):
        AttentionWeights("general")
    with pytest.raises(ValueError, match="same batch size"):
        attention_forward(rng.normal(size=(2, 1, 3)), rng.normal(size=(3, 4, 3)),
                          AttentionWeights("dot"))
    with pytest.raises(ValueError, match="one size"):
        attention_forward(rng.normal(size=(2, 1, 3)), rng.normal(size=(2, 4, 5)),
                          AttentionWeights("dot"))
    with pytest.raises(ValueError, match="NaN"):
        attention_forward(np.full((1, 1, 3), np.nan), rng.normal(size=(1, 4, 3)),
                          AttentionWeights("dot"))
    with pytest.raises(ValueError, match="one shape"):
        causal_linear_attention(rng.normal(size=(5, 3)), rng.normal(size=(5, 4)),
                                rng.normal(size=(5, 2)))


def test_reversal_strings_reverse_the_digits_behind_a_start_symbol():
    from rnnlab.data import REVERSAL_SYMBOLS, reversal_strings

    data = reversal_strings(50, 9, seed=4, min_length=2)
    show = lambda ids: "".join(REVERSAL_SYMBOLS[i] for i in ids)
    for source, given, target, n in zip(data.source, data.decoder_input, data.target, data.length):
        digits = show(source)
        assert digits == " " * (9 - n) + digits.strip() and len(digits.strip()) == n >= 2
        assert show(target) == (digits.strip()[::-1] + "$").ljust(10)
        assert show(given) == "^" + show(target)[:-1]
    with pytest.raises(ValueError, match="min_length"):
        reversal_strings(3, 2, min_length=3)


def test_the_studies_of_a_trained_model_are_consistent():
    from rnnlab.data import reversal_strings
    from rnnlab.experiments import attention as study

    data = reversal_strings(12, 5, seed=6)
    twin = Seq2SeqTwin.from_keras(_float64_model("additive", units=8))
    weights = study.mirrored_weight(twin, data)
    assert weights.shape == (int(data.length.sum()),) and np.all((0 <= weights) & (weights <= 1))
    scores = study.score_by_length(twin, data)
    assert scores["exact"] == scores["all_forced"]      # greedy and causal: the same quantity
    one, wide, normalised = study.beam_study(twin, data, (1, 4, (4, 1.0)))
    assert (one.alpha, wide.alpha, normalised.alpha) == (0.0, 0.0, 1.0)
    for result in (one, wide, normalised):
        # a wrong answer either scores below the true one (a search error) or not (a model
        # error); a right answer can still be a search error when another setting found better
        assert result.model_errors <= 1 - result.exact_match + 1e-12
        assert result.exact_match + result.below_best_known + result.model_errors >= 1 - 1e-12
        assert result.found_log_prob <= one.true_log_prob + 1e-9 or result.model_errors > 0
        # the known model errors are counted once per string, over every setting
        assert result.known_model_errors == one.known_model_errors
        assert result.model_errors <= result.known_model_errors + 1e-12
    exact = sum(scores["exact"][n] * scores["count"][n] for n in scores["count"]) / len(data)
    assert one.exact_match == pytest.approx(exact)
    n = int(data.length[0])
    by_position = study.free_running_by_position(twin, data, n)
    assert by_position["teacher_forced"].shape == by_position["free_running"].shape == (n + 1,)
    # the two agree up to and including the first free-running mistake
    assert by_position["free_running"][0] == pytest.approx(by_position["teacher_forced"][0])
    assert by_position["strings"] == int((data.length == n).sum())
    injected = study.injected_error(twin, data)
    assert 0 <= injected["injected"] <= 1 and injected["strings"] == int((data.length >= 2).sum())


def test_the_sampling_study_measures_each_setting():
    from rnnlab.cells import random_rnn
    from rnnlab.experiments.attention import sampling_study
    from rnnlab.language_model import CharLM

    class Vocab:
        def encode(self, text):
            return np.array([ord(c) - 97 for c in text])

        def decode(self, ids):
            return "".join(chr(97 + int(i)) for i in ids)

    rng = np.random.default_rng(1)
    lm = CharLM(rng.normal(size=(6, 4)), random_rnn("gru", 4, 8, seed=2, return_sequences=True),
                rng.normal(size=(8, 6)), rng.normal(size=6))
    greedy, hot = sampling_study(lm, Vocab(), "abc", [{"name": "greedy", "temperature": 0},
                                                      {"name": "hot", "temperature": 2.0}],
                                 samples=5, length=40)
    assert len(set(greedy.texts)) == 1 and len(hot.texts) == 5
    assert greedy.bits < hot.bits and greedy.distinct < hot.distinct


def test_scheduled_sampling_mixes_only_in_training_and_follows_its_schedule():
    import keras

    from rnnlab.data import reversal_strings
    from rnnlab.scheduled_sampling import MixPredictions, SamplingSchedule, scheduled_seq2seq_model

    data = reversal_strings(16, 6, seed=3)
    model = scheduled_seq2seq_model("lstm", 13, 8, seed=1)
    x = [data.source, data.decoder_input]
    twin = Seq2SeqTwin.from_keras(model)                       # inference: the plain model
    np.testing.assert_allclose(np.asarray(model(x)), twin.teacher_forced(*x)[0], atol=1e-5)
    mix = model.get_layer("mix")
    assert isinstance(mix, MixPredictions) and float(mix.rate.numpy()) == 0.0
    np.testing.assert_allclose(np.asarray(model(x, training=True)), np.asarray(model(x)), atol=1e-6)
    mix.rate.assign(1.0)
    mixed = np.asarray(mix([keras.ops.convert_to_tensor(data.decoder_input),
                            keras.ops.convert_to_tensor(np.zeros((16, 7, 13), "float32"))],
                           training=True))
    assert (mixed[:, 0] == data.decoder_input[:, 0]).all()      # the start symbol stays
    assert not np.array_equal(mixed[:, 1:], data.decoder_input[:, 1:])
    schedule = SamplingSchedule(0.5, 5)
    schedule.set_model(model)
    for epoch, rate in ((0, 0.0), (2, 0.25), (4, 0.5)):
        schedule.on_epoch_begin(epoch)
        assert float(mix.rate.numpy()) == pytest.approx(rate)
    with pytest.raises(ValueError, match="final_rate"):
        SamplingSchedule(1.5, 3)


def test_the_model_builders_check_their_arguments():
    from rnnlab.experiments.attention import reversal_model
    from rnnlab.models import attention_seq2seq_model

    with pytest.raises(ValueError, match="score must be one of"):
        attention_seq2seq_model("lstm", 13, 8, score="cosine")
    with pytest.raises(ValueError, match="attention must be one of"):
        reversal_model("luong", 8)
    with pytest.raises(ValueError, match="plain model"):
        reversal_model("additive", 8, sampling=0.5)


def test_longest_handled_is_the_end_of_the_first_run_above_the_level():
    from rnnlab.experiments.attention import longest_handled

    assert longest_handled([2, 3, 4, 5], [1.0, 0.95, 0.5, 0.99]) == 3
    assert longest_handled([2, 3], [0.5, 1.0]) == 0
    assert longest_handled([2, 3], [0.9, 1.0]) == 3
