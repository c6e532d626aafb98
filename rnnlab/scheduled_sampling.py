"""Scheduled sampling (Bengio et al. 2015) for the course's encoder–decoder (chapter 9).

Teacher forcing feeds the decoder the true previous symbol y_{t-1}. Scheduled sampling feeds,
with probability r, a symbol drawn from the model's own prediction for that position instead,
and raises r during training from 0 (pure teacher forcing) to ``final_rate``, so the model learns
to continue from its own mistakes.

Bengio et al. draw each fed-back symbol while decoding step by step. This module uses the
two-pass form of Mihaylova & Martins (2019, "Scheduled Sampling for Transformers"), which
Duckworth et al. (2019, "Parallel scheduled sampling") run with more sampling passes: a first,
teacher-forced pass of the decoder gives a prediction at every position at once; the mixed
inputs are built from symbols drawn from those predictions (one sampling pass); a second pass
of the same layers, on the mixed inputs, gives the output the loss reads. At inference (``training=False``) the inputs are not
mixed, so the model is exactly :func:`rnnlab.models.seq2seq_model`'s, and
:class:`rnnlab.attention.Seq2SeqTwin` reads it.

This module imports Keras when it is imported (``rnnlab.models`` imports it on use).
"""
from __future__ import annotations

from typing import Any

import keras
from keras import ops

from rnnlab.checks import integer


@keras.saving.register_keras_serializable(package="rnnlab")
class MixPredictions(keras.layers.Layer):
    """Replace each decoder input after the first, with probability ``rate``, by a symbol drawn
    from the model's prediction for it (training only).

    Called on ``[tokens, logits]``: the teacher-forced decoder inputs (batch, T) and the logits
    of a teacher-forced pass (batch, T, V), whose position t - 1 predicts the symbol fed at
    position t. ``rate`` is a non-trainable variable, set by :class:`SamplingSchedule`.
    """

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.rate = self.add_weight(shape=(), initializer="zeros", trainable=False, name="rate")

    def call(self, inputs: list[Any], training: bool | None = None) -> Any:
        tokens, logits = inputs
        if not training:
            return tokens
        logits = ops.stop_gradient(logits)
        batch, steps = ops.shape(tokens)[0], ops.shape(tokens)[1]
        flat = ops.reshape(logits, (-1, ops.shape(logits)[-1]))
        drawn = keras.random.categorical(flat, 1, seed=self.seed_generator)
        drawn = ops.cast(ops.reshape(drawn, (batch, steps)), tokens.dtype)
        fed_back = ops.concatenate([tokens[:, :1], drawn[:, :-1]], axis=1)   # y_{t-1} drawn
        first = ops.expand_dims(ops.arange(steps) == 0, 0)
        draws = keras.random.uniform(ops.shape(tokens), dtype="float32", seed=self.seed_generator)
        use = ops.logical_and(draws < ops.cast(self.rate, "float32"), ops.logical_not(first))
        return ops.where(use, fed_back, tokens)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed}


class SamplingSchedule(keras.callbacks.Callback):
    """Raise the scheduled-sampling rate linearly from 0 in the first epoch to ``final_rate``
    in the last (epochs ``0 … epochs − 1``): r_e = final_rate · e / (epochs − 1).

    Args:
        final_rate: the rate of the last epoch, in [0, 1].
        epochs: the number of epochs of the fit.
    """

    def __init__(self, final_rate: float, epochs: int) -> None:
        super().__init__()
        if not 0.0 <= float(final_rate) <= 1.0:
            raise ValueError(f"final_rate must be in [0, 1], got {final_rate!r}")
        self.final_rate = float(final_rate)
        self.epochs = integer("epochs", epochs)

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        rate = self.final_rate * epoch / max(self.epochs - 1, 1)
        for layer in self.model.layers:
            if isinstance(layer, MixPredictions):
                layer.rate.assign(rate)


def scheduled_seq2seq_model(cell: str, vocab_size: int, units: int, *, embedding_dim: int = 16,
                            seed: int | None = None) -> Any:
    """:func:`rnnlab.models.seq2seq_model` trained with scheduled sampling: the same layers, run
    twice in training (teacher forced, then on inputs mixed by :class:`MixPredictions`), once at
    inference.

    Args:
        cell: a registered cell's name.
        vocab_size: V.
        units: n of encoder and decoder.
        embedding_dim: e of the shared ``Embedding``.
        seed: if given, every generator is seeded with it first (and it seeds the mixing).

    Returns:
        An uncompiled ``keras.Model`` taking ``[source, decoder_input]`` and returning
        (batch, T_out, V) logits; train it with a :class:`SamplingSchedule` callback.
    """
    from rnnlab.models import recurrent_layer, seq2seq_encoder

    vocab_size = integer("vocab_size", vocab_size, minimum=2)
    source, decoder_input, embed, encoded = seq2seq_encoder(
        cell, vocab_size, units, embedding_dim=embedding_dim, seed=seed)
    states = encoded[1:]
    decoder = recurrent_layer(cell, units, return_sequences=True, name="decoder")
    head = keras.layers.Dense(vocab_size, name="logits")
    forced = head(decoder(embed(decoder_input), initial_state=states))
    mixed = MixPredictions(seed=seed, name="mix")([decoder_input, forced])
    outputs = head(decoder(embed(mixed), initial_state=states))
    return keras.Model([source, decoder_input], outputs, name=f"{cell}_scheduled_{units}")
