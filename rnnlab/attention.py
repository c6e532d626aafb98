"""Attention in NumPy (chapter 9): scores, weights, context, the decoder step that uses them, a
backward pass, and causal linear attention with its recurrent form.

Row vectors, as everywhere in the course. The decoder's state at output step t is the **query**
q_t; the encoder's states h̄_1 … h̄_S are the **keys** and the **values** (the memory). One
attention step is

    e_tj   = score(q_t, h̄_j)                    scores, one per source position j
    α_tj   = exp(e_tj) / Σ_j' exp(e_tj')        weights: a softmax over the source positions
    ctx_t  = Σ_j α_tj h̄_j                        context: a weighted sum of the values

(the book writes ctx_t, since c_t is the LSTM's cell state) with three scores:

    additive (Bahdanau et al. 2015):   e_tj = v_a · tanh(q_t W_q + h̄_j W_k)
    dot (Luong et al. 2015):           e_tj = q_t · h̄_j
    general (Luong et al. 2015):       e_tj = (q_t W_a) · h̄_j

Keras' ``AdditiveAttention`` computes Σ_d v_d tanh(q_d + k_d) on queries and keys already
projected (its ``scale`` is v_a), and ``Attention`` the dot product, so W_q, W_k and W_a are
``Dense(..., use_bias=False)`` layers in front of them (:func:`rnnlab.models.attention_seq2seq_model`).

:class:`Seq2SeqTwin` is the NumPy twin of the course's encoder–decoders, with or without
attention; its :meth:`Seq2SeqTwin.step` is the "next-symbol log-probabilities" function that
:mod:`rnnlab.decoding` searches and samples with.

Causal linear attention (Katharopoulos et al. 2020) replaces exp(q · k) by φ(q) · φ(k) with
φ(x) = elu(x) + 1, and then equals a recurrence with a matrix state:
S_t = S_{t-1} + φ(k_t)ᵀ v_t, u_t = u_{t-1} + φ(k_t), y_t = φ(q_t) S_t / (φ(q_t) · u_t).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

SCORES = ("additive", "dot", "general")
"""The score functions of :func:`attention_forward`."""


def _array(name: str, value: Any, ndim: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim not in ndim or not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{name} must be a floating-point array with {' or '.join(map(str, ndim))} "
                         f"axes, got shape {array.shape} and dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def softmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """α = softmax(e) over the last axis (the source positions), stable for large scores.

    Args:
        scores: e, shape (..., S).
        mask: optional booleans broadcastable to ``scores``; a position where it is False gets
            weight 0 (Keras subtracts 10⁹ from its score, which is the same to round-off).

    Returns:
        Weights of the shape of ``scores``, each row summing to 1.
    """
    scores = np.asarray(scores, dtype=np.result_type(scores, np.float32))
    if mask is not None:
        scores = np.where(mask, scores, scores - 1e9)
    shifted = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)


@dataclass
class AttentionWeights:
    """The weights of one attention layer (what Keras keeps in its layers).

    Attributes:
        score: ``"additive"``, ``"dot"`` or ``"general"``.
        W_q, W_k: the additive score's projections of queries and keys, (n_q, a) and (n_k, a).
        v: the additive score's vector v_a, (a,) (Keras' ``AdditiveAttention.scale``).
        W_a: the general score's matrix, (n_q, n_k).
    """

    score: str
    W_q: np.ndarray | None = None
    W_k: np.ndarray | None = None
    v: np.ndarray | None = None
    W_a: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.score not in SCORES:
            raise ValueError(f"score must be one of {SCORES}, got {self.score!r}")
        needed = {"additive": ("W_q", "W_k", "v"), "dot": (), "general": ("W_a",)}[self.score]
        for name in needed:
            if getattr(self, name) is None:
                raise ValueError(f"the {self.score} score needs {name}")
            setattr(self, name, _array(name, getattr(self, name), (1, 2)))


def attention_forward(query: np.ndarray, memory: np.ndarray, weights: AttentionWeights,
                      mask: np.ndarray | None = None, keys: np.ndarray | None = None
                      ) -> tuple[np.ndarray, dict[str, Any]]:
    """One attention step for every query: scores, softmax over the source, context.

    e_tj = score(q_t, h̄_j);  α_t = softmax(e_t);  ctx_t = Σ_j α_tj h̄_j  (see the module doc for
    the three scores).

    Args:
        query: q, (batch, T_q, n_q): the decoder's states (T_q = 1 for a single decoder step).
        memory: h̄, (batch, S, n_k): the encoder's states, keys and values at once.
        weights: the layer's weights and score.
        mask: optional (batch, S) booleans, False at source positions to ignore (padding).
        keys: for the additive score, h̄ W_k computed once beforehand (a decoder reuses it at
            every step); None computes it here.

    Returns:
        ``(context, cache)``: ctx of shape (batch, T_q, n_k), and what :func:`attention_backward`
        needs (``cache["alpha"]``, (batch, T_q, S), are the attention weights, ``cache["e"]``
        the scores).
    """
    q = _array("query", query, (3,))
    h = _array("memory", memory, (3,))
    if q.shape[0] != h.shape[0]:
        raise ValueError(f"query and memory must have the same batch size, got {q.shape[0]} "
                         f"and {h.shape[0]}")
    cache: dict[str, Any] = {"query": q, "memory": h, "weights": weights}
    if weights.score == "additive":
        q_proj = q @ weights.W_q                                     # (B, Tq, a)
        k_proj = h @ weights.W_k if keys is None else keys            # (B, S, a)
        hidden = q_proj[:, :, None, :] + k_proj[:, None, :, :]       # (B, Tq, S, a)
        np.tanh(hidden, out=hidden)
        e = hidden @ weights.v
        cache["hidden"] = hidden
    elif weights.score == "general":
        projected = q @ weights.W_a
        e = projected @ h.transpose(0, 2, 1)
        cache["projected"] = projected
    else:
        if q.shape[-1] != h.shape[-1]:
            raise ValueError(f"the dot score needs queries and keys of one size, got "
                             f"{q.shape[-1]} and {h.shape[-1]}")
        e = q @ h.transpose(0, 2, 1)
    alpha = softmax(e, None if mask is None else np.asarray(mask, bool)[:, None, :])
    cache.update(e=e, alpha=alpha)
    return alpha @ h, cache


def attention_backward(d_context: np.ndarray, cache: dict[str, Any]) -> dict[str, np.ndarray]:
    """The gradients of a loss L with respect to everything :func:`attention_forward` read,
    given ∂L/∂ctx.

    ∂L/∂α_tj = ∂L/∂ctx_t · h̄_j;  ∂L/∂e_t = α_t ⊙ (∂L/∂α_t − Σ_j α_tj ∂L/∂α_tj)  (softmax);
    then through the score: for the additive one, with u_tj = tanh(q_t W_q + h̄_j W_k),
    ∂L/∂v_a = Σ_tj ∂L/∂e_tj u_tj and ∂L/∂(q_t W_q + h̄_j W_k) = ∂L/∂e_tj v_a ⊙ (1 − u_tj²).
    The memory gets gradient from both its roles, value (α_tj ∂L/∂ctx_t) and key.

    Args:
        d_context: ∂L/∂ctx, (batch, T_q, n_k).
        cache: the second output of :func:`attention_forward`.

    Returns:
        ``{"query": ..., "memory": ..., "alpha": ..., "e": ...}`` and the score's weights
        (``"W_q"``, ``"W_k"``, ``"v"`` or ``"W_a"``), each of its array's shape.
    """
    q, h, w = cache["query"], cache["memory"], cache["weights"]
    alpha = cache["alpha"]
    dc = _array("d_context", d_context, (3,))
    if dc.shape != (q.shape[0], q.shape[1], h.shape[2]):
        raise ValueError(f"d_context must have the context's shape "
                         f"{(q.shape[0], q.shape[1], h.shape[2])}, got {dc.shape}")
    d_alpha = dc @ h.transpose(0, 2, 1)                                # (B, Tq, S)
    d_e = alpha * (d_alpha - np.sum(alpha * d_alpha, axis=-1, keepdims=True))
    grads = {"alpha": d_alpha, "e": d_e}
    d_memory = alpha.transpose(0, 2, 1) @ dc                           # as the values
    if w.score == "additive":
        u = cache["hidden"]
        grads["v"] = np.einsum("btsa,bts->a", u, d_e)
        d_pre = d_e[..., None] * w.v * (1.0 - u ** 2)                  # (B, Tq, S, a)
        d_q_proj, d_k_proj = d_pre.sum(axis=2), d_pre.sum(axis=1)
        grads["W_q"] = np.einsum("btn,bta->na", q, d_q_proj)
        grads["W_k"] = np.einsum("bsn,bsa->na", h, d_k_proj)
        grads["query"] = d_q_proj @ w.W_q.T
        d_memory = d_memory + d_k_proj @ w.W_k.T
    elif w.score == "general":
        d_projected = d_e @ h                                          # (B, Tq, n_k)
        grads["W_a"] = np.einsum("btn,btk->nk", q, d_projected)
        grads["query"] = d_projected @ w.W_a.T
        d_memory = d_memory + d_e.transpose(0, 2, 1) @ cache["projected"]
    else:
        grads["query"] = d_e @ h
        d_memory = d_memory + d_e.transpose(0, 2, 1) @ q
    grads["memory"] = d_memory
    return grads


# --- the encoder–decoder's NumPy twin -------------------------------------------------------

@dataclass
class Seq2SeqTwin:
    """The NumPy twin of :func:`rnnlab.models.seq2seq_model` (no attention) and of
    :func:`rnnlab.models.attention_seq2seq_model`, in float64.

    Plain: h_t = decoder(E_{y_{t-1}}, h_{t-1}), h_0 = the encoder's final state, logits
    h_t W_y + b_y. With attention (Luong et al.'s global attention, with any of the three
    scores): ctx_t = attention(h_t, h̄), ĥ_t = tanh([ctx_t ; h_t] W_c + b_c), logits
    ĥ_t W_y + b_y.

    Attributes:
        embedding: E, (V, e), shared by source and target.
        encoder, decoder: :class:`rnnlab.cells.RNN` layers.
        attention: the attention weights, or None for the plain model.
        W_c, b_c: the attentional layer (None without attention).
        W_y, b_y: the output layer.
    """

    embedding: np.ndarray
    encoder: Any
    decoder: Any
    W_y: np.ndarray
    b_y: np.ndarray
    attention: AttentionWeights | None = None
    W_c: np.ndarray | None = None
    b_c: np.ndarray | None = None
    states: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.states = tuple(self.decoder.spec.states)
        if self.attention is not None and (self.W_c is None or self.b_c is None):
            raise ValueError("an attention model needs W_c and b_c")

    @classmethod
    def from_keras(cls, model: Any) -> Seq2SeqTwin:
        """Read a Keras model of :func:`rnnlab.models.seq2seq_model` or
        :func:`rnnlab.models.attention_seq2seq_model` (layers found by their names)."""
        from rnnlab.cells.layer import RNN, from_keras

        names = {layer.name for layer in model.layers}

        def values(name: str) -> list[np.ndarray]:
            return [np.asarray(w, np.float64) for w in model.get_layer(name).get_weights()]

        def rnn(name: str) -> Any:
            layer = from_keras(model.get_layer(name))
            return RNN(layer.cell, layer.W.astype(np.float64), layer.U.astype(np.float64),
                       layer.b.astype(np.float64), return_sequences=True, **layer.options)

        missing = {"embedding", "encoder", "decoder", "logits"} - names
        if missing:
            raise ValueError(f"{model.name}: not an encoder–decoder of rnnlab.models "
                             f"(no layer {sorted(missing)})")
        W_y, b_y = values("logits")
        twin = dict(embedding=values("embedding")[0], encoder=rnn("encoder"),
                    decoder=rnn("decoder"), W_y=W_y, b_y=b_y)
        if "attention" not in names:
            return cls(**twin)
        kind = type(model.get_layer("attention")).__name__
        if kind == "AdditiveAttention":
            weights = AttentionWeights("additive", W_q=values("query")[0], W_k=values("key")[0],
                                       v=values("attention")[0])
        elif "query" in names:
            weights = AttentionWeights("general", W_a=values("query")[0])
        else:
            weights = AttentionWeights("dot")
        if kind == "Attention" and model.get_layer("attention").use_scale:
            raise ValueError("Seq2SeqTwin reads Attention(use_scale=False) only")
        W_c, b_c = values("attentional")
        return cls(**twin, attention=weights, W_c=W_c, b_c=b_c)

    @property
    def vocab_size(self) -> int:
        """V."""
        return len(self.b_y)

    def encode(self, source: Any) -> tuple[np.ndarray, list[np.ndarray]]:
        """The encoder's states h̄ (batch, S, n) and its final states (the decoder's initial)."""
        source = self._ids("source", source)
        run = self.encoder.forward(self.embedding[source])
        return run["h"], [run[name][:, -1] for name in self.encoder.spec.states]

    def output(self, h: np.ndarray, memory: np.ndarray | None, keys: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray | None]:
        """Logits for decoder states h (batch, T, n), and the attention weights (or None);
        ``keys``: the additive score's h̄ W_k, if already computed."""
        if self.attention is None:
            return h @ self.W_y + self.b_y, None
        context, cache = attention_forward(h, memory, self.attention, keys=keys)
        attentional = np.tanh(np.concatenate([context, h], axis=-1) @ self.W_c + self.b_c)
        return attentional @ self.W_y + self.b_y, cache["alpha"]

    def teacher_forced(self, source: Any, decoder_input: Any
                       ) -> tuple[np.ndarray, np.ndarray | None]:
        """What the Keras model computes: logits (batch, T, V) with the true previous symbols
        fed in, and the attention weights (batch, T, S) (None without attention)."""
        memory, states = self.encode(source)
        decoder_input = self._ids("decoder_input", decoder_input)
        run = self.decoder.forward(self.embedding[decoder_input], states)
        return self.output(run["h"], memory)

    def start(self, source: Any) -> list[np.ndarray]:
        """The decoding state before the first output: the decoder's initial states, the
        memory and, for the additive score, its keys h̄ W_k, each with the batch as its first
        axis (what :meth:`step` reads and returns)."""
        memory, states = self.encode(source)
        if self.attention is not None and self.attention.score == "additive":
            return [*states, memory, memory @ self.attention.W_k]
        return [*states, memory]

    def step(self, tokens: Any, state: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """One decoder step: read the previous symbols, return log-probabilities of the next.

        Args:
            tokens: (batch,) ids of the previous output symbols (the start symbol first).
            state: from :meth:`start` or the previous step.

        Returns:
            ``(log_probs, state)``: (batch, V) natural-log probabilities and the new state.
        """
        tokens = np.asarray(tokens).reshape(-1)
        count = len(self.states)
        states, rest = list(state[:count]), list(state[count:])
        run = self.decoder.forward(self.embedding[tokens][:, None, :], states)
        logits, alpha = self.output(run["h"], *rest)
        self.last_alpha = alpha
        new = [run[name][:, -1] for name in self.states]
        return log_softmax(logits[:, 0]), [*new, *rest]

    def _ids(self, name: str, ids: Any) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"{name} must be a (batch, T) integer array, got shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.embedding)):
            raise ValueError(f"{name} ids must lie in [0, {len(self.embedding)})")
        return ids


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax over the last axis, stable: ℓ − max ℓ − log Σ exp(ℓ − max ℓ)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# --- linear attention: a recurrence with a matrix state ---------------------------------------

def elu_feature(x: np.ndarray) -> np.ndarray:
    """φ(x) = elu(x) + 1 (Katharopoulos et al. 2020): positive, so φ(q) · φ(k) > 0 like exp."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))


def causal_softmax_attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Causal (decoder) softmax attention, all positions at once: y_t = Σ_{j≤t} α_tj v_j with
    α_t = softmax over j ≤ t of q_t · k_j / √d. Its cost grows as T² in time and memory.

    Args:
        Q, K: (T, d) queries and keys; V: (T, d_v) values.

    Returns:
        Y, (T, d_v).
    """
    Q, K, V = _qkv(Q, K, V)
    T = len(Q)
    e = Q @ K.T / np.sqrt(Q.shape[1])
    return softmax(e, np.tril(np.ones((T, T), bool))) @ V


def causal_linear_attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Causal linear attention, all positions at once (the parallel form):

        y_t = Σ_{j≤t} (φ(q_t) · φ(k_j)) v_j / Σ_{j≤t} φ(q_t) · φ(k_j)

    the softmax's exp(q · k) replaced by the kernel φ(q) · φ(k), φ = :func:`elu_feature`.

    Args:
        Q, K: (T, d) queries and keys; V: (T, d_v) values.

    Returns:
        Y, (T, d_v).
    """
    Q, K, V = _qkv(Q, K, V)
    a = np.tril(elu_feature(Q) @ elu_feature(K).T)           # (T, T), zero above the diagonal
    return (a @ V) / a.sum(axis=1, keepdims=True)


def linear_attention_recurrence(Q: np.ndarray, K: np.ndarray, V: np.ndarray
                                ) -> tuple[np.ndarray, np.ndarray]:
    """Causal linear attention as a recurrence with a matrix state (one step per position):

        S_t = S_{t-1} + φ(k_t)ᵀ v_t,   u_t = u_{t-1} + φ(k_t),   y_t = φ(q_t) S_t / (φ(q_t) · u_t)

    with S_0 = 0 (d × d_v) and u_0 = 0. (Column vectors write φ(k_t) v_tᵀ for the same outer
    product.) Each step costs d · d_v whatever t is: the state does not grow with the sequence.

    Args:
        Q, K: (T, d) queries and keys; V: (T, d_v) values.

    Returns:
        ``(Y, S_T)``: the outputs (T, d_v), equal to :func:`causal_linear_attention`'s, and the
        final state (d, d_v).
    """
    Q, K, V = _qkv(Q, K, V)
    S = np.zeros((Q.shape[1], V.shape[1]))
    u = np.zeros(Q.shape[1])
    Y = np.empty((len(Q), V.shape[1]))
    for t in range(len(Q)):
        phi_k, phi_q = elu_feature(K[t]), elu_feature(Q[t])
        S = S + np.outer(phi_k, V[t])
        u = u + phi_k
        Y[t] = phi_q @ S / (phi_q @ u)
    return Y, S


def _qkv(Q: Any, K: Any, V: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Q, K, V = (_array(name, a, (2,)) for name, a in (("Q", Q), ("K", K), ("V", V)))
    if Q.shape != K.shape or len(V) != len(Q):
        raise ValueError(f"Q and K must have one shape (T, d) and V T rows, got {Q.shape}, "
                         f"{K.shape}, {V.shape}")
    return Q, K, V
