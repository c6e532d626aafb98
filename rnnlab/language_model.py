"""Language modelling in NumPy (chapter 7): bits per character, n-gram baselines (add-α,
absolute discounting, modified Kneser–Ney), sampling with temperature, and the NumPy twin of a
Keras character model that evaluates and generates.

Every quantity is a cross-entropy of the next character: a model that gives the true next
character probability p pays -log2 p bits. Averaged over a text, that is the model's **bits
per character** (bpc); 2 ** bpc is its **perplexity** per character, the number of equally
likely characters it is as unsure as.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlab.cells.layer import RNN
from rnnlab.checks import integer

LN2 = math.log(2.0)


def bits_per_char(loss_nats: float) -> float:
    """A mean cross-entropy in nats (Keras' ``sparse_categorical_crossentropy``) in bits:
    bpc = loss / ln 2.

    Args:
        loss_nats: a mean negative natural-log likelihood per character, >= 0.

    Returns:
        The same quantity in bits per character.
    """
    loss = float(loss_nats)
    if not math.isfinite(loss) or loss < 0:
        raise ValueError(f"a cross-entropy is a finite number >= 0, got {loss_nats!r}")
    return loss / LN2


def perplexity(bits: float) -> float:
    """Perplexity per character, 2 ** bpc."""
    return 2.0 ** float(bits)


def _check_ids(ids: Any, vocab_size: int, name: str = "ids") -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer) or len(ids) < 2:
        raise ValueError(f"{name} must be a 1-D integer array of at least 2 ids, got shape "
                         f"{ids.shape} and dtype {ids.dtype}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name} must lie in [0, {vocab_size}), got [{ids.min()}, {ids.max()}]")
    return ids.astype(np.int64)


def _context_codes(ids: np.ndarray, k: int, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The code of the k characters before each position 1 .. N-1 (padded with id 0 before the
    text), and the character at that position."""
    padded = np.concatenate([np.zeros(k, np.int64), ids])
    context = np.zeros(len(ids) - 1, np.int64)
    for j in range(k):            # the j-th of the k characters before the target
        context = context * vocab_size + padded[1 + j:len(ids) + j]
    return context, ids[1:]


def _check_order(order: int, vocab_size: int) -> tuple[int, int]:
    order = integer("order", order)
    vocab_size = integer("vocab_size", vocab_size, minimum=2)
    if vocab_size ** order >= 2 ** 62:      # an n-gram's code, context and next id, is < V ** n
        raise ValueError(f"order {order} with {vocab_size} symbols is too large to count: each "
                         f"n-gram is coded as one integer, which needs V ** n < 2 ** 62, and "
                         f"{vocab_size} ** {order} needs {order * math.log2(vocab_size):.1f} bits")
    return order, vocab_size


def _lookup(table: np.ndarray, counts: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``counts`` of each code in the sorted ``table``, 0 for a code it lacks."""
    if len(table) == 0:
        return np.zeros(len(codes), np.int64)
    where = np.clip(np.searchsorted(table, codes), 0, len(table) - 1)
    return np.where(table[where] == codes, counts[where], 0)


class NGramModel:
    """A character n-gram model with add-α (Lidstone) smoothing:

    P(c | context) = (N(context, c) + α) / (N(context) + α V)

    where the context is the previous ``order - 1`` characters (none for the unigram model),
    N counts the training text, and V is the vocabulary size. Before the first characters the
    context is padded with id 0, in training and evaluation alike. Every character keeps a
    probability of at least α / (N(context) + α V), so an unseen pair costs bits but never
    infinitely many.

    Args:
        order: n (1: unigram, 2: bigram, ...), with V ** n < 2 ** 62 (n ≤ 9 for V = 104).
        vocab_size: V.
        alpha: α > 0.
    """

    smoothing = "add-alpha"

    def __init__(self, order: int, vocab_size: int, alpha: float = 1.0) -> None:
        self.order, self.vocab_size = _check_order(order, vocab_size)
        if not (isinstance(alpha, (int, float, np.floating)) and math.isfinite(alpha)
                and alpha > 0):
            raise ValueError(f"alpha must be a finite number > 0, got {alpha!r}")
        self.alpha = float(alpha)
        self._pairs = self._pair_counts = self._contexts = self._context_counts = None

    @property
    def parameter(self) -> float:
        """The smoothing's setting: α."""
        return self.alpha

    def with_parameter(self, alpha: float) -> NGramModel:
        """The same counts with another α (no counting again)."""
        other = NGramModel(self.order, self.vocab_size, alpha)
        other._pairs, other._pair_counts = self._pairs, self._pair_counts
        other._contexts, other._context_counts = self._contexts, self._context_counts
        return other

    def fit(self, ids: Any) -> NGramModel:
        """Count the (context, next character) pairs of a training text given as ids."""
        ids = _check_ids(ids, self.vocab_size)
        context, target = _context_codes(ids, self.order - 1, self.vocab_size)
        self._pairs, self._pair_counts = np.unique(context * self.vocab_size + target,
                                                   return_counts=True)
        self._contexts, self._context_counts = np.unique(context, return_counts=True)
        return self

    def counts(self, ids: Any) -> tuple[np.ndarray, np.ndarray]:
        """N(context, s) and N(context) of every position 1 .. N-1 of ``ids``."""
        if self._pairs is None:
            raise RuntimeError("fit the model on a training text first")
        ids = _check_ids(ids, self.vocab_size)
        context, target = _context_codes(ids, self.order - 1, self.vocab_size)
        return (_lookup(self._pairs, self._pair_counts, context * self.vocab_size + target),
                _lookup(self._contexts, self._context_counts, context))

    def log2_probs(self, ids: Any) -> np.ndarray:
        """log2 P(ids[t] | its context) for t = 1 .. N-1."""
        pair, total = self.counts(ids)
        return np.log2((pair + self.alpha) / (total + self.alpha * self.vocab_size))

    def bits(self, ids: Any) -> float:
        """Cross-entropy in bits per character of predicting ``ids[1:]``."""
        return float(-np.mean(self.log2_probs(ids)))


class DiscountedNGram:
    """A character n-gram model with interpolated absolute discounting (Ney, Essen & Kneser
    1994; the form studied by Chen & Goodman 1999): a fixed discount D is taken from every
    seen pair and handed to the next shorter context,

    p_m(s | c) = max(C(c, s) − D, 0) / C(c) + D T(c) / C(c) · p_{m−1}(s | c′),

    for the orders m = 1 … n, where c is the previous m − 1 characters, c′ the previous m − 2,
    C counts the training text, T(c) is the number of distinct characters seen after c, and
    p_0(s) = 1/V; a context never seen in training falls back to p_{m−1} entirely. Unlike add-α it never gives a long, rare context's guess more weight than
    its counts earn, and it uses every shorter context. Padding as :class:`NGramModel`.

    Args:
        order: n (contexts of up to n − 1 characters), with V ** n < 2 ** 62.
        vocab_size: V.
        discount: D in (0, 1).
    """

    smoothing = "discount"

    def __init__(self, order: int, vocab_size: int, discount: float = 0.75) -> None:
        self.order, self.vocab_size = _check_order(order, vocab_size)
        if not (isinstance(discount, (int, float, np.floating)) and 0 < discount < 1):
            raise ValueError(f"discount must be a number in (0, 1), got {discount!r}")
        self.discount = float(discount)
        self._tables: list[tuple[np.ndarray, ...]] = []

    @property
    def parameter(self) -> float:
        """The smoothing's setting: D."""
        return self.discount

    def with_parameter(self, discount: float) -> DiscountedNGram:
        """The same counts with another D (no counting again)."""
        other = DiscountedNGram(self.order, self.vocab_size, discount)
        other._tables = self._tables
        return other

    def fit(self, ids: Any) -> DiscountedNGram:
        """Count pairs, contexts and distinct successors for every context length 0 .. n − 1."""
        ids = _check_ids(ids, self.vocab_size)
        self._tables = []
        for k in range(self.order):
            context, target = _context_codes(ids, k, self.vocab_size)
            pairs, pair_counts = np.unique(context * self.vocab_size + target, return_counts=True)
            contexts, context_counts = np.unique(context, return_counts=True)
            # every seen context has at least one pair: the distinct successors per context
            _, types = np.unique(pairs // self.vocab_size, return_counts=True)
            self._tables.append((pairs, pair_counts, contexts, context_counts, types))
        return self

    def log2_probs(self, ids: Any) -> np.ndarray:
        """log2 P(ids[t] | its context) for t = 1 .. N-1."""
        if not self._tables:
            raise RuntimeError("fit the model on a training text first")
        ids = _check_ids(ids, self.vocab_size)
        p = np.full(len(ids) - 1, 1.0 / self.vocab_size)
        for k, (pairs, pair_counts, contexts, context_counts, types) in enumerate(self._tables):
            context, target = _context_codes(ids, k, self.vocab_size)
            pair = _lookup(pairs, pair_counts, context * self.vocab_size + target)
            total = _lookup(contexts, context_counts, context)
            distinct = _lookup(contexts, types, context)
            seen = total > 0
            safe = np.where(seen, total, 1)
            mixed = (np.maximum(pair - self.discount, 0) + self.discount * distinct * p) / safe
            p = np.where(seen, mixed, p)
        return np.log2(p)

    def bits(self, ids: Any) -> float:
        """Cross-entropy in bits per character of predicting ``ids[1:]``."""
        return float(-np.mean(self.log2_probs(ids)))


def _modified_discounts(counts: np.ndarray) -> np.ndarray:
    """Chen & Goodman's estimates of the three discounts of modified Kneser–Ney from the
    count-of-counts n_j (how many n-grams have count exactly j) of one order:

    Y = n_1 / (n_1 + 2 n_2),  D_1 = 1 − 2Y n_2/n_1,  D_2 = 2 − 3Y n_3/n_2,  D_3+ = 3 − 4Y n_4/n_3.

    Where a denominator (n_j, or n_1 + 2 n_2) is zero the formula is undefined; that discount
    is then the one before it (0.5 for D_1). Returns ``[D_1, D_2, D_3+]``.
    """
    n = [int(np.sum(counts == j)) for j in range(1, 5)]
    discounts, previous = [], 0.5
    for j in range(1, 4):           # D_j from n_j and n_{j+1}
        defined = n[j - 1] > 0 and n[0] + 2 * n[1] > 0
        y = n[0] / (n[0] + 2 * n[1]) if defined else 0.0
        value = j - (j + 1) * y * n[j] / n[j - 1] if defined else previous
        discounts.append(value)
        previous = value
    return np.array(discounts)


class KneserNeyNGram:
    """A character n-gram model with interpolated modified Kneser–Ney smoothing, the usual baseline
    of language modelling: Kneser & Ney's (1995) continuation counts, proposed for a back-off
    model, in the interpolated form with three discounts of Chen & Goodman (1998, section 3.5):

    p_m(s | c) = max(c_m(c, s) − D_m(c_m(c, s)), 0) / Σ_s' c_m(c, s')  +  γ_m(c) p_{m−1}(s | c′),

    γ_m(c) = (D_m,1 N_1(c) + D_m,2 N_2(c) + D_m,3+ N_3+(c)) / Σ_s' c_m(c, s'),

    for the orders m = 1 … n (c: the previous m − 1 characters, c′: the previous m − 2), with
    p_0(s) = 1/V. The highest order counts the training text, c_n = C; every lower order counts
    *continuations*, c_m(c, s) = the number of distinct characters seen before ``c s`` (so a
    character that follows many contexts gets more of the shorter contexts' share than one that
    is frequent after a single context). D_m(k) is D_m,1, D_m,2 or D_m,3+ for a count k of 1, 2
    or 3 and more, and 0 for k = 0; N_j(c) is the number of characters whose count after c is j
    (3 or more for N_3+). The discounts of each order are Chen & Goodman's estimates from its
    count-of-counts (``_modified_discounts``), times ``scale``, each kept in [0, j] so no
    count turns negative. A context never seen falls back to p_{m−1} entirely. Padding as
    :class:`NGramModel`: the padding id 0, which also stands for unknown characters, counts as
    one more distinct character before the first characters of the text.

    With ``discount=D`` every order uses the one discount D for every count instead of the
    estimates: interpolated Kneser–Ney with a single discount (γ_m(c) = D T(c) / Σ_s' c_m(c, s'),
    T(c) the number of characters with a count after c), the form worked by hand in chapter 7.

    Args:
        order: n (contexts of up to n − 1 characters), with V ** n < 2 ** 62.
        vocab_size: V.
        scale: a factor on every estimated discount (1: Chen & Goodman's estimates), > 0; chosen
            on validation by :func:`best_ngram`.
        discount: None (the estimates times ``scale``), or one fixed discount D in (0, 1) for
            every count and order (``scale`` must then stay 1).
    """

    smoothing = "kneser-ney"

    def __init__(self, order: int, vocab_size: int, scale: float = 1.0, *,
                 discount: float | None = None) -> None:
        self.order, self.vocab_size = _check_order(order, vocab_size)
        if not (isinstance(scale, (int, float, np.floating)) and math.isfinite(scale)
                and scale > 0):
            raise ValueError(f"scale must be a finite number > 0, got {scale!r}")
        if discount is not None:
            if not (isinstance(discount, (int, float, np.floating)) and 0 < discount < 1):
                raise ValueError(f"discount must be a number in (0, 1), got {discount!r}")
            if scale != 1:
                raise ValueError("give a fixed discount or a scale on the estimated ones, not both")
        self.scale = float(scale)
        self.fixed_discount = None if discount is None else float(discount)
        self._levels: list[tuple[np.ndarray, ...]] = []
        self._estimates: list[np.ndarray] = []

    @property
    def parameter(self) -> float:
        """The smoothing's setting: the factor on the estimated discounts."""
        return self.scale

    @property
    def discounts(self) -> np.ndarray:
        """(n, 3): D_m,1, D_m,2, D_m,3+ of the orders m = 1 … n, as used."""
        if not self._estimates:
            raise RuntimeError("fit the model on a training text first")
        if self.fixed_discount is not None:
            return np.full((self.order, 3), self.fixed_discount)
        return np.stack([np.clip(self.scale * d, 0.0, [1.0, 2.0, 3.0]) for d in self._estimates])

    def with_parameter(self, scale: float) -> KneserNeyNGram:
        """The same counts with another scale (no counting again)."""
        other = KneserNeyNGram(self.order, self.vocab_size, scale, discount=self.fixed_discount)
        other._levels, other._estimates = self._levels, self._estimates
        return other

    def fit(self, ids: Any) -> KneserNeyNGram:
        """Count the training text: for each order, the counts it uses (the text's counts for the
        highest order, continuation counts below it), their totals and N_1, N_2, N_3+ per
        context, and the discounts' estimates."""
        ids = _check_ids(ids, self.vocab_size)
        V = self.vocab_size
        raw = []                    # the (context, next character) codes seen, per context length
        for k in range(self.order):
            context, target = _context_codes(ids, k, V)
            raw.append(np.unique(context * V + target, return_counts=True))
        self._levels, self._estimates = [], []
        for k in range(self.order):                 # order m = k + 1, contexts of k characters
            if k == self.order - 1:
                codes, counts = raw[k]
            else:
                # the codes of k + 1 characters of context whose last k are c: the distinct
                # characters seen before "c s" (the oldest character is the most significant digit)
                codes, counts = np.unique(raw[k + 1][0] % V ** (k + 1), return_counts=True)
            contexts, where = np.unique(codes // V, return_inverse=True)
            per_context = [np.bincount(where, weights=weight, minlength=len(contexts))
                           for weight in (counts, counts == 1, counts == 2, counts >= 3)]
            self._levels.append((codes, counts, contexts, *per_context))
            self._estimates.append(_modified_discounts(counts))
        return self

    def log2_probs(self, ids: Any) -> np.ndarray:
        """log2 P(ids[t] | its context) for t = 1 .. N-1."""
        if not self._levels:
            raise RuntimeError("fit the model on a training text first")
        ids = _check_ids(ids, self.vocab_size)
        V = self.vocab_size
        p = np.full(len(ids) - 1, 1.0 / V)
        for k, ((codes, counts, contexts, total, n1, n2, n3), d) in enumerate(
                zip(self._levels, self.discounts)):
            context, target = _context_codes(ids, k, V)
            count = _lookup(codes, counts, context * V + target)
            where = np.clip(np.searchsorted(contexts, context), 0, len(contexts) - 1)
            seen = contexts[where] == context
            safe = np.where(seen, total[where], 1.0)
            discount = np.where(count >= 3, d[2], np.where(count == 2, d[1],
                                                           np.where(count == 1, d[0], 0.0)))
            gamma = (d[0] * n1[where] + d[1] * n2[where] + d[2] * n3[where]) / safe
            mixed = np.maximum(count - discount, 0.0) / safe + gamma * p
            p = np.where(seen, mixed, p)
        return np.log2(p)

    def bits(self, ids: Any) -> float:
        """Cross-entropy in bits per character of predicting ``ids[1:]``."""
        return float(-np.mean(self.log2_probs(ids)))


def kneser_ney(train: Any, order: int, vocab_size: int, *, scale: float = 1.0,
               discount: float | None = None) -> KneserNeyNGram:
    """A :class:`KneserNeyNGram` fitted on a training text, in one call.

    Args:
        train: the training text as ids.
        order, vocab_size, scale, discount: as :class:`KneserNeyNGram` (``discount=D``: one
            fixed discount for every count and order, as chapter 7 works it by hand).

    Returns:
        The fitted model.
    """
    return KneserNeyNGram(order, vocab_size, scale, discount=discount).fit(train)


SMOOTHING = {"add-alpha": (NGramModel, (1e-3, 1e-2, 0.1, 0.3, 1.0)),
             "discount": (DiscountedNGram, (0.5, 0.7, 0.8, 0.9, 0.95)),
             "kneser-ney": (KneserNeyNGram, (0.7, 0.85, 1.0, 1.15, 1.3))}
"""The n-gram smoothings by name: the model class and the settings :func:`best_ngram` tries."""


def best_ngram(order: int, train: Any, validation: Any, vocab_size: int, *,
               smoothing: str = "add-alpha",
               values: Sequence[float] | None = None
               ) -> NGramModel | DiscountedNGram | KneserNeyNGram:
    """The n-gram model whose smoothing setting gives the fewest bits per character on the
    validation text.

    Args:
        order: n.
        train, validation: the two texts as ids.
        vocab_size: V.
        smoothing: ``"add-alpha"`` (:class:`NGramModel`, tries α), ``"discount"``
            (:class:`DiscountedNGram`, tries D) or ``"kneser-ney"`` (:class:`KneserNeyNGram`,
            tries factors on the estimated discounts).
        values: the settings to try (default: those of ``SMOOTHING``).

    Returns:
        The fitted model with the chosen setting.
    """
    if smoothing not in SMOOTHING:
        raise ValueError(f"smoothing must be one of {sorted(SMOOTHING)}, got {smoothing!r}")
    kind, default = SMOOTHING[smoothing]
    values = default if values is None else tuple(values)
    if not values:
        raise ValueError("values must list at least one setting")
    fitted = kind(order, vocab_size, values[0]).fit(train)   # the counts do not depend on it
    models = [fitted] + [fitted.with_parameter(value) for value in values[1:]]
    return min(models, key=lambda m: m.bits(validation))


def temperature_probabilities(logits: Any, temperature: float) -> np.ndarray:
    """The next-character distribution at a temperature: softmax(logits / τ).

    τ = 1 is the model's own distribution; τ < 1 sharpens it toward the most likely character,
    τ > 1 flattens it toward uniform; τ = 0 is the limit, all mass on the largest logit (ties
    shared).

    Args:
        logits: scores over the vocabulary, shape (..., V), finite.
        temperature: τ >= 0.

    Returns:
        Probabilities of the shape of ``logits``, each row summing to 1.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 0 or not np.all(np.isfinite(logits)):
        raise ValueError(f"logits must be a finite array of shape (..., V), got shape "
                         f"{logits.shape}")
    tau = float(temperature)
    if not math.isfinite(tau) or tau < 0:
        raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}")
    if tau == 0:
        top = (logits == logits.max(axis=-1, keepdims=True)).astype(np.float64)
        return top / top.sum(axis=-1, keepdims=True)
    scaled = logits / tau
    scaled -= scaled.max(axis=-1, keepdims=True)
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


def sample_next(logits: Any, temperature: float, rng: np.random.Generator) -> int:
    """One character id drawn from ``temperature_probabilities(logits, temperature)`` (a 1-D
    ``logits``); τ = 0 takes the most likely id (greedy decoding)."""
    p = temperature_probabilities(logits, temperature)
    if p.ndim != 1:
        raise ValueError(f"sample_next takes the logits of one step, shape (V,), got {p.shape}")
    if temperature == 0:
        return int(np.argmax(p))
    return int(rng.choice(len(p), p=p))


@dataclass
class CharLM:
    """The NumPy twin of a Keras character model: ids → embedding (or one-hot) → recurrent
    layer → dense logits, evaluated and sampled in float64.

    Attributes:
        embedding: the embedding matrix E, (V, e), row c the vector of character c; None for a
            model that reads one-hot vectors (x_t = one_hot(s_t), so x_t W = W[s_t]: an
            embedding is a one-hot input times a matrix, looked up instead of multiplied).
        rnn: the recurrent layer (:class:`rnnlab.cells.RNN`).
        W_y, b_y: the head, logits_t = h_t W_y + b_y, shapes (n, V) and (V,).
    """

    embedding: np.ndarray | None
    rnn: RNN
    W_y: np.ndarray
    b_y: np.ndarray

    @classmethod
    def from_keras(cls, model: Any) -> CharLM:
        """Read the weights of a Keras model built by :func:`rnnlab.models.language_model` (an
        optional ``Embedding``, one recurrent layer, a ``Dense`` head)."""
        from rnnlab.cells.layer import from_keras
        from rnnlab.cells.registry import by_keras_class

        embedding = recurrent = head = None
        for layer in model.layers:
            kind = type(layer).__name__
            if kind == "Embedding":
                embedding = np.asarray(layer.embeddings.numpy(), np.float64)
            elif by_keras_class(kind) is not None:
                if recurrent is not None:
                    raise ValueError("CharLM reads models with one recurrent layer")
                recurrent = from_keras(layer)
            elif kind == "Dense":
                head = layer
        if recurrent is None or head is None:
            raise ValueError(f"{model.name}: expected a recurrent layer and a Dense head")
        rnn = RNN(recurrent.cell, recurrent.W.astype(np.float64), recurrent.U.astype(np.float64),
                  recurrent.b.astype(np.float64), return_sequences=True, **recurrent.options)
        W_y, b_y = (np.asarray(w, np.float64) for w in head.get_weights())
        return cls(embedding, rnn, W_y, b_y)

    @property
    def vocab_size(self) -> int:
        """V."""
        return len(self.b_y)

    def inputs(self, ids: np.ndarray) -> np.ndarray:
        """x_t for every id: its embedding row, or its one-hot vector."""
        ids = np.asarray(ids)
        if self.embedding is not None:
            return self.embedding[ids]
        return np.eye(self.vocab_size)[ids]

    def run(self, ids: Any, states: Sequence[np.ndarray] | None = None
            ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Logits of the next character after every step, and the final states.

        Args:
            ids: (batch, T) integer ids.
            states: the initial states (zeros if None), one (batch, n) array per state.

        Returns:
            ``(logits, states)``: (batch, T, V) and the states after step T.
        """
        ids = np.asarray(ids)
        if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"ids must be a (batch, T) integer array, got shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"ids must lie in [0, {self.vocab_size}), got [{ids.min()}, "
                             f"{ids.max()}]")
        run = self.rnn.forward(self.inputs(ids), states)
        final = [run[name][:, -1] for name in self.rnn.spec.states]
        return run["h"] @ self.W_y + self.b_y, final

    def log2_probs(self, ids: Any, window: int | None = None, streams: int = 1,
                   context: int | None = None) -> np.ndarray:
        """log2 P(ids[t] | ids[:t]) for t = 1 .. N-1, as the model sees the text.

        Args:
            ids: the text as ids, (N,).
            window: T to start from a zero state every T characters, as the non-overlapping
                training windows of :func:`rnnlab.data.lm_windows` are read; None to carry
                the state through the text.
            streams: with ``window=None``, cut the text into this many contiguous pieces read
                side by side (a batch), each from a zero state with the state carried to its end:
                the same numbers as one long read except for the first characters of each piece,
                and ``streams`` times fewer sequential steps.
            context: k to give every prediction between k + 1 and 2k characters of context
                (fewer only for the first k characters of the text): windows of 2k characters
                starting every k characters, each from a zero state, each scoring its last k
                predictions. Compared with the carried state, it shows how much of the text
                before those characters the model uses.

        Returns:
            (N - 1,) log-probabilities.
        """
        ids = _check_ids(ids, self.vocab_size)
        inputs, targets = ids[:-1], ids[1:]
        m = len(inputs)
        if context is not None:
            if window is not None or streams != 1:
                raise ValueError("context scores alone: give no window or streams with it")
            k = integer("context", context)
            rows = max(1, -(-m // k) - 1)
            padded = np.zeros((rows + 1) * k, np.int64)
            padded[:m] = inputs
            starts = np.arange(rows) * k
            windows, _ = self.run(padded[starts[:, None] + np.arange(2 * k)])
            logits = np.concatenate([windows[0]] + [windows[r, k:] for r in range(1, rows)])[:m]
        elif window is not None:
            if streams != 1:
                raise ValueError("give either a window (zero state every T characters) or "
                                 "streams (state carried), not both")
            window = integer("window", window)
            logits = self._pieces(inputs, -(-m // window), window)
        else:
            rows = integer("streams", streams)
            logits = self._pieces(inputs, rows, -(-m // rows))
        logits = logits - logits.max(axis=-1, keepdims=True)
        log_z = np.log(np.exp(logits).sum(axis=-1))
        return (logits[np.arange(m), targets] - log_z) / LN2

    def _pieces(self, inputs: np.ndarray, rows: int, width: int) -> np.ndarray:
        """Logits of ``inputs`` cut into ``rows`` consecutive pieces of ``width`` (the last one
        padded), read side by side, each from a zero state; (len(inputs), V)."""
        padded = np.zeros(rows * width, np.int64)
        padded[:len(inputs)] = inputs
        logits, _ = self.run(padded.reshape(rows, width))
        return logits.reshape(rows * width, -1)[:len(inputs)]

    def bits(self, ids: Any, window: int | None = None, streams: int = 1,
             context: int | None = None) -> float:
        """Bits per character of predicting ``ids[1:]`` (see :meth:`log2_probs`)."""
        return float(-np.mean(self.log2_probs(ids, window, streams, context)))

    def generate(self, prompt: Any, length: int, temperature: float = 1.0,
                 seed: int = 0) -> np.ndarray:
        """Continue a prompt by sampling one character at a time, each fed back as the next
        input.

        Args:
            prompt: the prompt's ids, (P,) with P >= 1; or (B, P) to continue B prompts side by
                side (a batch: one sequential pass for all of them).
            length: how many characters to generate.
            temperature: τ of :func:`temperature_probabilities` (0: greedy).
            seed: seed of the sampling generator.

        Returns:
            The generated ids, (length,), or (B, length) for a batch of prompts.
        """
        prompt = np.asarray(prompt)
        if (prompt.ndim not in (1, 2) or prompt.shape[-1] == 0 or prompt.size == 0
                or not np.issubdtype(prompt.dtype, np.integer)):
            raise ValueError(f"prompt must be a non-empty array of ids, (P,) or (B, P), got "
                             f"shape {prompt.shape}")
        length = integer("length", length)
        rng = np.random.default_rng(seed)
        if prompt.ndim == 2:
            return self._generate_batch(prompt, length, temperature, rng)
        logits, states = self.run(prompt[None, :])
        out = np.empty(length, np.int64)
        for t in range(length):
            out[t] = sample_next(logits[0, -1], temperature, rng)
            logits, states = self.run(out[None, t:t + 1], states)
        return out

    def _generate_batch(self, prompts: np.ndarray, length: int, temperature: float,
                        rng: np.random.Generator) -> np.ndarray:
        """:meth:`generate` for a (B, P) batch of prompts: each row draws its next character
        from its own tempered distribution (inverse of the cumulative distribution at a uniform
        draw), or takes its most likely one for τ = 0."""
        logits, states = self.run(prompts)
        out = np.empty((len(prompts), length), np.int64)
        for t in range(length):
            if temperature == 0:
                out[:, t] = logits[:, -1].argmax(axis=-1)
            else:
                p = temperature_probabilities(logits[:, -1], temperature)
                below = np.cumsum(p, axis=-1) < rng.random((len(p), 1))
                out[:, t] = np.minimum(below.sum(axis=-1), p.shape[-1] - 1)
            logits, states = self.run(out[:, t:t + 1], states)
        return out


def generate(model: Any, vocabulary: Any, prompt: str, length: int = 200, *,
             temperature: float = 1.0, seed: int = 0) -> str:
    """Text a character model writes after ``prompt``.

    Args:
        model: a Keras model of :func:`rnnlab.models.language_model`, or a :class:`CharLM`.
        vocabulary: the :class:`rnnlab.data.Vocabulary` the model was trained with.
        prompt: the text to continue (at least one character).
        length: characters to generate.
        temperature: τ >= 0; 0 always takes the most likely character (greedy).
        seed: seed of the sampling.

    Returns:
        The ``length`` generated characters (without the prompt).
    """
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty string, got {prompt!r}")
    lm = model if isinstance(model, CharLM) else CharLM.from_keras(model)
    if len(vocabulary) != lm.vocab_size:
        raise ValueError(f"the vocabulary has {len(vocabulary)} symbols, the model predicts "
                         f"{lm.vocab_size}")
    ids = lm.generate(vocabulary.encode(prompt), length, temperature, seed)
    return vocabulary.decode(ids)
