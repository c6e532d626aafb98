"""Keras model builders used by the chapters and the command line.

One function, :func:`build_model`, makes every model of the course: one or more recurrent layers
(SimpleRNN, LSTM or GRU) read a sequence of shape (timesteps, features), and a dense head turns
the last state into the output the task needs. Keras 3 style: the input is a ``keras.Input``.
TensorFlow/Keras is imported inside the functions, so ``import rnnlab`` stays light.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlab.cells import by_keras_class, spec
from rnnlab.checks import finite_number, integer
from rnnlab.config import SEED, seed_everything

_FUSED_MARKERS = {  # backend -> {layer: text that only its fused (cuDNN) path contains}
    "tensorflow": {"LSTM": "def _cudnn_lstm(", "GRU": "def _cudnn_gru("},
    "jax": {"LSTM": "from jax.experimental.rnn import lstm", "GRU": "from jax.experimental.rnn import gru"},
    "torch": {"LSTM": "torch._VF.lstm(", "GRU": "torch._VF.gru("},
}
HEADS = ("regression", "binary", "softmax", "logits")


def fused_kernels() -> dict[str, tuple[str, ...]]:
    """Which Keras recurrent layers have a fused cuDNN kernel on a GPU, per backend.

    Read from the installed Keras itself: a layer takes the fused path only if it accepts
    ``use_cudnn`` and the backend's ``rnn.py`` implements the fused call for it (TensorFlow: its
    ``_cudnn_lstm``/``_cudnn_gru``; JAX: ``jax.experimental.rnn``, which has an LSTM only; PyTorch:
    ``torch._VF.lstm``/``gru``). On a CPU no backend uses these kernels. The answer changes with
    the Keras version, which is why the chapters compute it; the unit test pins the answer for
    the Keras version in ``requirements.txt``, so an upgrade that changes it is noticed.

    This says which layers *have* a fused path, found by text markers in the backend's source;
    whether a given layer takes it also depends on its settings (activations, ``use_bias``,
    ``unroll``, ``recurrent_dropout``, masks, the GRU's ``reset_after``), which chapter 3 lists.

    Returns:
        ``{"tensorflow": (...), "jax": (...), "torch": (...)}``: the layer class names, e.g.
        ``("GRU", "LSTM")``.
    """
    import inspect
    from pathlib import Path

    import keras

    backends = Path(keras.__file__).parent / "src" / "backend"
    result = {}
    for backend, markers in _FUSED_MARKERS.items():
        source = (backends / backend / "rnn.py").read_text(encoding="utf-8")
        result[backend] = tuple(sorted(
            name for name, marker in markers.items() if marker in source
            and "use_cudnn" in inspect.signature(getattr(keras.layers, name)).parameters))
    return result


def fresh_layer(cell: str, units: int, features: int, *, seed: int = SEED,
                dtype: str = "float32", **options: Any) -> Any:
    """A Keras recurrent layer built for ``features`` inputs, its weights drawn from ``seed``.

    Every generator is seeded first (:func:`rnnlab.config.seed_everything`), so the same call
    gives the same initial weights; the layer is built on ``keras.Input((None, features))``.

    Args:
        cell: a registered cell's name.
        units: the number of units n.
        features: the number of input features d.
        seed: the seed of the initial weights.
        dtype: the layer's float type (``"float64"`` for gradient checks).
        **options: passed to the layer (``return_sequences``, ``reset_after``, initialisers ...).

    Returns:
        The built layer.
    """
    import keras

    integer("features", features)
    seed_everything(seed)
    layer = recurrent_layer(cell, units, dtype=dtype, **options)
    layer(keras.Input((None, features), dtype=dtype))
    return layer


def recurrent_layer(cell: str, units: int, **options: Any) -> Any:
    """A Keras recurrent layer by the course's cell name.

    Args:
        cell: a registered cell's name (``"simple_rnn"``, ``"lstm"``, ``"gru"``, ...).
        units: the number of units n.
        **options: passed to the layer (``return_sequences``, ``dropout``, ``reset_after``, ...).

    Returns:
        ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU`` with those settings.
    """
    cell_spec = spec(cell)
    integer("units", units)
    return cell_spec.keras_layer(units, **options)


def build_model(cell: str, timesteps: int | None, features: int, units: int, *,
                head: str = "regression", classes: int | None = None, stacked: int = 1,
                dropout: float = 0.0, batch_norm: bool = False, bidirectional: bool = False,
                mask_value: float | None = None, name: str | None = None,
                seed: int | None = None, **layer_options: Any) -> Any:
    """Build (not compile) a sequence model: recurrent layer(s), then a dense head.

    Args:
        cell: a registered cell's name (``"simple_rnn"``, ``"lstm"``, ``"gru"``, ...).
        timesteps: sequence length T, or None for sequences of any length.
        features: number of input features d per step.
        units: units n of each recurrent layer.
        head: ``"regression"`` (``Dense(1)``, linear), ``"binary"`` (``Dense(1)``, sigmoid),
            ``"softmax"`` (``Dense(classes)``, softmax) or ``"logits"`` (``Dense(classes)``,
            linear; pair it with a loss built with ``from_logits=True``).
        classes: number of classes for the ``softmax`` and ``logits`` heads.
        stacked: number of recurrent layers; all but the last return their whole sequence
            (``return_sequences=True``) so the next one has a sequence to read.
        dropout: if positive, a ``Dropout(dropout)`` layer between the last recurrent layer and
            the head.
        batch_norm: if True, a ``BatchNormalization()`` layer before the head.
        bidirectional: if True, each recurrent layer is wrapped in ``Bidirectional``: one copy
            reads the sequence forwards, one backwards, and their outputs are concatenated
            (twice the units, twice the parameters).
        mask_value: if given, a ``Masking(mask_value)`` layer first, so that time steps whose
            features all equal it (the padding of shorter sequences) are skipped: the state is
            carried over them unchanged.
        name: the model's name (default: the cell and head).
        seed: if given, every generator is seeded with it first
            (:func:`rnnlab.config.seed_everything`), so the initial weights are reproducible.
        **layer_options: passed to every recurrent layer (e.g. ``recurrent_dropout``).

    Returns:
        A ``keras.Model``.

    Raises:
        ValueError: for an unknown cell or head, non-positive sizes, ``classes`` missing or < 2
            for a classification head, or ``dropout`` outside [0, 1).
    """
    import keras

    spec(cell)
    integer("timesteps", timesteps, allow_none=True)
    for label, value in (("features", features), ("units", units), ("stacked", stacked)):
        integer(label, value)
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    if head in ("softmax", "logits") and (not isinstance(classes, int) or classes < 2):
        raise ValueError(f"head {head!r} needs classes >= 2, got {classes!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")

    if seed is not None:
        seed_everything(seed)
    inputs = keras.Input(shape=(timesteps, features), name="x")
    h = inputs
    if mask_value is not None:
        h = keras.layers.Masking(mask_value=mask_value, name="masking")(h)
    for depth in range(stacked):
        last = depth == stacked - 1
        layer = recurrent_layer(cell, units, return_sequences=not last,
                                name=f"{cell}_{depth + 1}", **layer_options)
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{depth + 1}")
        h = layer(h)
    if dropout > 0:
        h = keras.layers.Dropout(dropout, name="dropout")(h)
    if batch_norm:
        h = keras.layers.BatchNormalization(name="batch_norm")(h)
    size = 1 if head in ("regression", "binary") else classes
    activation = {"regression": None, "binary": "sigmoid", "softmax": "softmax",
                  "logits": None}[head]
    outputs = keras.layers.Dense(size, activation=activation, name="head")(h)
    return keras.Model(inputs, outputs, name=name or f"{cell}_{head}")


def set_gate_bias(layer: Any, gate: str, value: float) -> None:
    """Set the bias of one gate of a built Keras LSTM or GRU layer, in place.

    After the call the gate's pre-activation at a zero input and a zero state is exactly
    ``value``: for the LSTM's forget gate f_t = σ(x_t W_f + h_{t-1} U_f + b_f) with b_f = value.
    A GRU with ``reset_after=True`` keeps two bias rows (one added to x_t W, one to h_{t-1} U)
    that add up inside its gates; the input row is set to ``value`` and the recurrent row of the
    same gate to 0, so the sum is ``value`` (setting both rows would give 2 × value).

    Args:
        layer: a built ``keras.layers.LSTM`` or ``GRU`` (or a layer wrapping one in ``.cell``).
        gate: the block's name in the book's notation: ``"i"``, ``"f"``, ``"c_tilde"``, ``"o"``
            for the LSTM; ``"z"``, ``"r"``, ``"h_tilde"`` for the GRU.
        value: the bias, a finite number.

    Raises:
        ValueError: for a layer that is not a built LSTM/GRU with a bias, an unknown gate, or a
            value that is not a finite number.
    """
    cell_layer = getattr(layer, "cell", layer)
    cell_spec = by_keras_class(type(layer).__name__) or by_keras_class(
        type(cell_layer).__name__.removesuffix("Cell"))
    if cell_spec is None or cell_spec.gates < 2:
        raise ValueError(f"set_gate_bias needs a Keras LSTM or GRU layer (a cell with gates), "
                         f"got {type(layer).__name__}")
    blocks = cell_spec.blocks
    if gate not in blocks:
        raise ValueError(f"gate must be one of {blocks} for a {cell_spec.label}, got {gate!r}")
    finite_number("value", value)
    bias_variable = getattr(cell_layer, "bias", None)
    if bias_variable is None:
        raise ValueError("the layer has no bias: build it first (call it on a keras.Input), "
                         "and do not pass use_bias=False")
    bias = np.array(bias_variable.numpy())
    units = bias.shape[-1] // len(blocks)
    block = slice(blocks.index(gate) * units, (blocks.index(gate) + 1) * units)
    if bias.ndim == 2:          # GRU, reset_after=True: row 0 input bias, row 1 recurrent bias
        bias[0, block], bias[1, block] = value, 0.0
    else:
        bias[block] = value
    bias_variable.assign(bias)


@dataclass(frozen=True)
class ArticleModel:
    """One of the seed article's ten Keras models (chapter 5), with the task the course gives it.

    Attributes:
        cell, units: the recurrent layer.
        stacked: how many recurrent layers.
        dropout: the rate of the ``Dropout`` before the head (0: none).
        head: the output (see :func:`build_model`).
        task: ``"sunspots"``, ``"digits"`` or ``"gunpoint"``.
    """

    cell: str
    units: int
    stacked: int
    dropout: float
    head: str
    task: str

    @property
    def timesteps(self) -> int:
        """The sequence length of the model's task."""
        return ARTICLE_TIMESTEPS[self.task]


ARTICLE_TIMESTEPS = {"sunspots": 100, "digits": 100, "gunpoint": 150}
"""Time steps each task's sequences have (one feature per step)."""
ARTICLE_MODELS = {
    1: ArticleModel("lstm", 50, 1, 0.0, "regression", "sunspots"),
    2: ArticleModel("lstm", 50, 2, 0.0, "regression", "sunspots"),
    3: ArticleModel("lstm", 100, 1, 0.0, "softmax", "digits"),
    4: ArticleModel("lstm", 100, 2, 0.0, "binary", "gunpoint"),
    5: ArticleModel("lstm", 100, 1, 0.5, "binary", "gunpoint"),
    6: ArticleModel("gru", 50, 1, 0.0, "regression", "sunspots"),
    7: ArticleModel("gru", 50, 2, 0.0, "regression", "sunspots"),
    8: ArticleModel("gru", 100, 1, 0.0, "softmax", "digits"),
    9: ArticleModel("gru", 100, 2, 0.0, "binary", "gunpoint"),
    10: ArticleModel("gru", 100, 1, 0.5, "binary", "gunpoint"),
}
"""The seed article's ten models by their number in it: five per cell."""


def article_model(number: int, seed: int = SEED) -> Any:
    """The article's model ``number`` (1-10), built fresh with weights drawn from ``seed``.

    Raises:
        ValueError: for a number that is not one of the ten.
    """
    if number not in ARTICLE_MODELS:
        raise ValueError(f"the article has models 1 to 10, got {number!r}")
    m = ARTICLE_MODELS[number]
    return build_model(m.cell, m.timesteps, 1, m.units, head=m.head, classes=10,
                       stacked=m.stacked, dropout=m.dropout, name=f"model_{number}", seed=seed)


def language_model(cell: str, vocab_size: int, units: int, *, embedding_dim: int | None = 32,
                   batch_size: int | None = None, stateful: bool = False,
                   seed: int | None = None) -> Any:
    """A character language model (chapter 7): ids → ``Embedding`` → one recurrent layer with
    ``return_sequences=True`` → ``Dense(V)`` logits at every step.

    Args:
        cell: a registered cell's name.
        vocab_size: V, the number of characters.
        units: n.
        embedding_dim: e, the size of each character's vector; None to read one-hot vectors
            (the model's input is then (batch, T, V) floats instead of (batch, T) ids).
        batch_size: a fixed batch size, required by a stateful layer.
        stateful: carry the final state of each batch row into the same row of the next batch.
        seed: if given, every generator is seeded with it first.

    Returns:
        An uncompiled ``keras.Model`` whose output is (batch, T, V) logits (pair it with a loss
        built with ``from_logits=True``).
    """
    import keras

    spec(cell)
    vocab_size = integer("vocab_size", vocab_size, minimum=2)
    integer("units", units)
    integer("embedding_dim", embedding_dim, allow_none=True)
    integer("batch_size", batch_size, allow_none=True)
    if stateful and batch_size is None:
        raise ValueError("a stateful model needs a fixed batch_size")
    if seed is not None:
        seed_everything(seed)
    if embedding_dim is None:
        inputs = keras.Input((None, vocab_size), batch_size=batch_size, name="one_hot")
        h = inputs
    else:
        inputs = keras.Input((None,), batch_size=batch_size, dtype="int32", name="ids")
        h = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(inputs)
    h = recurrent_layer(cell, units, return_sequences=True, stateful=stateful, name=cell)(h)
    outputs = keras.layers.Dense(vocab_size, name="logits")(h)
    kind = "stateful" if stateful else "lm"
    return keras.Model(inputs, outputs, name=f"{cell}_{kind}_{units}")


def seq2seq_encoder(cell: str, vocab_size: int, units: int, *, embedding_dim: int = 16,
                    return_sequences: bool = False, seed: int | None = None
                    ) -> tuple[Any, Any, Any, list[Any]]:
    """The part every encoder–decoder of the course shares, built in one order (so that a seed
    draws the same initial weights in each): the two integer inputs ``source`` and
    ``decoder_input``, one shared ``Embedding`` and the ``encoder`` layer run on the source.

    Args:
        cell: a registered cell's name.
        vocab_size: V, shared by source and target.
        units: n of the encoder.
        embedding_dim: e of the shared ``Embedding``.
        return_sequences: whether the encoder also returns every state (attention reads them).
        seed: if given, every generator is seeded with it first.

    Returns:
        ``(source, decoder_input, embed, encoded)``: the two ``keras.Input`` s, the ``Embedding``
        layer and the encoder's outputs as a list (every state h̄_j first if
        ``return_sequences``, then its final states).
    """
    import keras

    spec(cell)
    vocab_size = integer("vocab_size", vocab_size, minimum=2)
    integer("units", units)
    integer("embedding_dim", embedding_dim)
    if seed is not None:
        seed_everything(seed)
    source = keras.Input((None,), dtype="int32", name="source")
    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    embed = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")
    encoded = recurrent_layer(cell, units, return_sequences=return_sequences, return_state=True,
                              name="encoder")(embed(source))
    return source, decoder_input, embed, list(encoded)


def seq2seq_model(cell: str, vocab_size: int, units: int, *, embedding_dim: int = 16,
                  seed: int | None = None) -> Any:
    """An encoder–decoder (chapter 8): the encoder reads the source and hands its final states to
    the decoder as initial states; the decoder reads the target shifted right (teacher forcing)
    and predicts each next target symbol.

    Args:
        cell: a registered cell's name (its states, one or two, are handed over).
        vocab_size: V, shared by source and target.
        units: n of both recurrent layers.
        embedding_dim: e of the shared ``Embedding``.
        seed: if given, every generator is seeded with it first.

    Returns:
        An uncompiled ``keras.Model`` taking ``[source, decoder_input]`` (int ids) and returning
        (batch, T_out, V) logits.
    """
    import keras

    source, decoder_input, embed, encoded = seq2seq_encoder(
        cell, vocab_size, units, embedding_dim=embedding_dim, seed=seed)
    states = encoded[1:]
    h = recurrent_layer(cell, units, return_sequences=True, name="decoder")(
        embed(decoder_input), initial_state=states)
    outputs = keras.layers.Dense(vocab_size, name="logits")(h)
    return keras.Model([source, decoder_input], outputs, name=f"{cell}_seq2seq_{units}")


ATTENTION_SCORES = ("additive", "dot", "general")
"""The scores :func:`attention_seq2seq_model` builds (:mod:`rnnlab.attention`)."""


def attention_seq2seq_model(cell: str, vocab_size: int, units: int, *, score: str = "additive",
                            embedding_dim: int = 16, seed: int | None = None) -> Any:
    """An encoder–decoder with attention (chapter 9): Luong et al.'s global attention.

    The encoder returns every state h̄_j and hands its final states to the decoder, as in
    :func:`seq2seq_model`. At each output step the decoder's state h_t is the query: scores
    e_tj = score(h_t, h̄_j), weights α_t = softmax(e_t), context ctx_t = Σ_j α_tj h̄_j; then
    ĥ_t = tanh([ctx_t ; h_t] W_c + b_c) and logits ĥ_t W_y + b_y. Scores: ``"additive"``
    (Bahdanau et al.: v_a · tanh(h_t W_q + h̄_j W_k), ``Dense`` layers ``query`` and ``key`` and
    ``keras.layers.AdditiveAttention``), ``"dot"`` (h_t · h̄_j, ``keras.layers.Attention``) or
    ``"general"`` ((h_t W_a) · h̄_j, a ``Dense`` ``query`` layer and ``Attention``).
    :class:`rnnlab.attention.Seq2SeqTwin` computes the same in NumPy.

    Args:
        cell: a registered cell's name.
        vocab_size: V, shared by source and target.
        units: n of both recurrent layers (and of the attention's projections).
        score: ``"additive"``, ``"dot"`` or ``"general"``.
        embedding_dim: e of the shared ``Embedding``.
        seed: if given, every generator is seeded with it first.

    Returns:
        An uncompiled ``keras.Model`` taking ``[source, decoder_input]`` (int ids) and returning
        (batch, T_out, V) logits.
    """
    import keras

    if score not in ATTENTION_SCORES:
        raise ValueError(f"score must be one of {ATTENTION_SCORES}, got {score!r}")
    layers = keras.layers
    source, decoder_input, embed, (encoded, *states) = seq2seq_encoder(
        cell, vocab_size, units, embedding_dim=embedding_dim, return_sequences=True, seed=seed)
    decoded = recurrent_layer(cell, units, return_sequences=True, name="decoder")(
        embed(decoder_input), initial_state=states)
    if score == "additive":
        query = layers.Dense(units, use_bias=False, name="query")(decoded)
        key = layers.Dense(units, use_bias=False, name="key")(encoded)
        context = layers.AdditiveAttention(name="attention")([query, encoded, key])
    elif score == "general":
        query = layers.Dense(units, use_bias=False, name="query")(decoded)
        context = layers.Attention(name="attention")([query, encoded])
    else:
        context = layers.Attention(name="attention")([decoded, encoded])
    both = layers.Concatenate(name="concat")([context, decoded])
    attentional = layers.Dense(units, activation="tanh", name="attentional")(both)
    outputs = layers.Dense(vocab_size, name="logits")(attentional)
    return keras.Model([source, decoder_input], outputs, name=f"{cell}_{score}_attention_{units}")
