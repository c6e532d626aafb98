"""Checkers for chapter 9 (attention and decoding)."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.exercises import WrongAnswer, as_array, as_arrays, call_answer, checker, diagnose


def _softmax(e: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = e - e.max(axis=axis, keepdims=True)
    w = np.exp(shifted)
    return w / w.sum(axis=axis, keepdims=True)


def _attention_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2015)
    small = (rng.normal(size=(3, 4)), rng.normal(size=(3, 5, 4)))
    large = (rng.normal(size=(2, 4)) * 30, rng.normal(size=(2, 6, 4)) * 30)   # scores in the 1000s
    # rows far apart: the first row's scores are near +1000, the second's near 0, so a softmax
    # shifted by the batch's largest score (not each row's) underflows to 0/0 in the second row
    far_query = np.array([[30.0, 30.0, 30.0, 30.0], [0.3, -0.2, 0.1, 0.4]])
    far_memory = rng.normal(size=(2, 5, 4))
    far_memory[0] += 9.0
    return [small, large, (far_query, far_memory)]


def _shifted_by_batch_max(result: Any, query: np.ndarray, memory: np.ndarray) -> bool:
    """Whether ``result`` is the softmax shifted by the largest score of the whole batch: the
    same as the right answer except for rows that underflow to 0/0 = NaN."""
    try:
        weights = np.asarray(result[1], dtype=float)
    except (TypeError, ValueError, IndexError, KeyError):
        return False
    e = np.einsum("bn,bsn->bs", query, memory)
    with np.errstate(all="ignore"):
        w = np.exp(e - e.max())
        w = w / w.sum(axis=1, keepdims=True)
    return (weights.shape == w.shape and bool(np.isnan(w).any())
            and np.allclose(weights, w, atol=1e-6, equal_nan=True))


@checker("attention-step")
def check_attention_step(attention_step: Any) -> str:
    """``attention_step(query, memory)``: dot-product attention for one decoder step. query
    (B, n), memory (B, S, n); returns (context (B, n), weights (B, S)) with
    e_j = query · memory_j, α = softmax over the S source positions, context = Σ_j α_j memory_j."""
    for query, memory in _attention_cases():
        B, S, n = memory.shape
        result = call_answer(attention_step, query.copy(), memory.copy())
        if _shifted_by_batch_max(result, query, memory):
            raise WrongAnswer("the scores are shifted by the largest score of the whole batch, "
                              "not of each row: a row whose scores all lie far below it gets "
                              "exp(...) = 0 everywhere and 0/0 = NaN. Subtract each row's own "
                              "maximum, e.max(axis=1, keepdims=True).")
        try:
            context, weights = as_arrays(result, [(B, n), (B, S)], ["context", "weights"])
        except WrongAnswer as wrong:
            if "NaN" in str(wrong) and np.abs(query).max() > 10:
                raise WrongAnswer("right shapes, but NaN or inf when the scores are in the "
                                  "thousands: exp overflows. Shift each row of scores by its own "
                                  "maximum before exp (keepdims=True); it cancels in the "
                                  "ratio.") from None
            raise
        e = np.einsum("bn,bsn->bs", query, memory)
        alpha = _softmax(e)
        right = np.concatenate([context.ravel(), weights.ravel()])

        def pair(w: np.ndarray, ctx: np.ndarray | None = None) -> np.ndarray:
            ctx = np.einsum("bs,bsn->bn", w, memory) if ctx is None else ctx
            return np.concatenate([ctx.ravel(), w.ravel()])

        with np.errstate(all="ignore"):
            raw = np.exp(e)
            mistakes = {
                "the weights are normalised over the wrong axis: softmax runs over the source "
                "positions (axis=-1, one distribution per query), not over the batch.":
                    pair(_softmax(e, axis=0)),
                "the weights are the raw scores: pass them through a softmax so that they are "
                "positive and sum to 1 over the source positions.": pair(e),
                "the context is built from the scores, not the weights: ctx = Σ_j α_j h̄_j "
                "uses the softmax weights.":
                    np.concatenate([np.einsum("bs,bsn->bn", e, memory).ravel(), alpha.ravel()]),
                "the scores are divided by √n (the scaled dot product of Transformers); this "
                "exercise asks for the plain dot product e_j = q · h̄_j.":
                    pair(_softmax(e / np.sqrt(n))),
                "the context is the plain mean of the memory: weight each h̄_j by its α_j.":
                    np.concatenate([memory.mean(axis=1).ravel(), alpha.ravel()]),
            }
        for unnormalised in (np.exp(e - e.max(axis=-1, keepdims=True)), raw):
            if (np.all(np.isfinite(unnormalised))
                    and not np.allclose(right, pair(alpha), atol=1e-6)
                    and np.allclose(right, pair(unnormalised), atol=1e-6)):
                raise WrongAnswer("the weights do not sum to 1: divide the exponentials by "
                                  "their sum over the source positions.")
        if np.abs(e).max() > 500 and not np.allclose(right, pair(alpha), atol=1e-6):
            raise WrongAnswer("right for small scores, but wrong when the scores are in the "
                              "thousands: shift each row of scores by its own maximum (not the "
                              "whole array's) before exp; it cancels in the ratio.")
        diagnose(right, pair(alpha), mistakes, atol=1e-6)
    return ("scores, a softmax over the source positions, and their weighted sum: the decoder "
            "reads the memory where the weights point.")


def _beam_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    rng = np.random.default_rng(2014)
    cases = []
    for k, V, width in ((3, 5, 3), (2, 6, 4), (4, 3, 2)):
        scores = np.sort(rng.normal(-2.0, 1.0, size=k))[::-1]
        logits = rng.normal(scale=2.0, size=(k, V))
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        cases.append((scores, log_probs, width))
    # one strong hypothesis whose children all beat the weak one's best child
    cases.append((np.array([-0.1, -6.0]), np.log(np.array([[0.4, 0.35, 0.25], [0.9, 0.05, 0.05]])),
                  2))
    return cases


def _beam_right(scores: np.ndarray, log_probs: np.ndarray, width: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    total = (scores[:, None] + log_probs).ravel()
    best = np.argsort(-total, kind="stable")[:width]
    V = log_probs.shape[1]
    return best // V, best % V, total[best]


@checker("beam-step")
def check_beam_step(beam_step: Any) -> str:
    """``beam_step(scores, log_probs, width)``: scores (k,) of k partial sequences, log_probs
    (k, V) of their next symbol; returns (parents, tokens, new_scores), each (width,), best first:
    the best ``width`` of all k · V extensions, scored scores[i] + log_probs[i, s]."""
    for scores, log_probs, width in _beam_cases():
        result = call_answer(beam_step, scores.copy(), log_probs.copy(), width)
        got = as_arrays(result, [(width,)] * 3, ["parents", "tokens", "new_scores"])
        k, V = log_probs.shape
        parents, tokens, new_scores = _beam_right(scores, log_probs, width)

        def flat(order: np.ndarray) -> np.ndarray:
            return np.concatenate([order // V, order % V])

        total = (scores[:, None] + log_probs).ravel()
        best = np.argsort(-total, kind="stable")[:width]
        per_row = np.concatenate([
            np.array([i * V + s for s in np.argsort(-log_probs[i], kind="stable")[:width]])
            for i in range(k)])[:width]
        mistakes = {
            "ranked by the next symbol's log-probability alone: add each hypothesis' own score, "
            "log p(y_<t) + log p(s | y_<t).": flat(np.argsort(-log_probs.ravel(), kind="stable")[:width]),
            "the best few children of each hypothesis in turn: rank all k · V extensions "
            "together, so a strong hypothesis can keep several children and a weak one none.":
                flat(per_row),
            "parent and symbol are swapped: with the k × V scores flattened, the parent is "
            "index // V and the symbol index % V.": np.concatenate([best % V, best // V]),
            "these are the worst extensions: keep the largest log-probabilities (sort in "
            "decreasing order).": flat(np.argsort(total, kind="stable")[:width]),
            "log-probabilities add up along a sequence (probabilities multiply); multiplying "
            "them ranks the wrong way.":
                flat(np.argsort(-(scores[:, None] * log_probs).ravel(), kind="stable")[:width]),
        }
        diagnose(np.concatenate(got[:2]), np.concatenate([parents, tokens]), mistakes, atol=1e-9)
        diagnose(got[2], new_scores, {
            "new_scores holds the next symbol's log-probability alone: the new score is the "
            "parent's score plus it.": log_probs[parents, tokens]}, atol=1e-9)

    return ("the best `width` of all k · V extensions, scored by the whole sequence's "
            "log-probability.")


@checker("best-hypothesis")
def check_best_hypothesis(best_hypothesis: Any) -> str:
    """``best_hypothesis(log_probs, lengths, alpha)``: the index of the finished hypothesis with
    the highest length-normalised score log p / length^α."""
    cases = [
        (np.array([-2.0, -3.5, -6.0]), np.array([2, 5, 9]), 1.0),
        (np.array([-2.0, -3.5, -6.0]), np.array([2, 5, 9]), 0.0),
        (np.array([-2.0, -3.5, -6.0]), np.array([2, 5, 9]), 0.6),
        (np.array([-4.0, -4.4, -9.0]), np.array([4, 5, 12]), 1.0),
        (np.array([-1.0, -1.3, -1.6]), np.array([3, 4, 5]), 0.5),
        (np.array([-5.0, -2.0, -3.0]), np.array([10, 2, 4]), 1.0),
        (np.array([-3.0, -2.9, -8.0]), np.array([2, 6, 3]), 1.0),
        (np.array([-3.0, -2.9, -8.0]), np.array([2, 6, 3]), 0.0),
    ]
    got = []
    for log_probs, lengths, alpha in cases:
        value = call_answer(best_hypothesis, log_probs.copy(), lengths.copy(), alpha)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise WrongAnswer(f"best_hypothesis returned {value!r}: return the index (an int) of "
                              "the best hypothesis, e.g. with int(np.argmax(...)).")
        got.append(int(value))
    got = np.array(got, dtype=float)

    def pick(score: Any) -> np.ndarray:
        return np.array([float(np.argmax(score(lp, n, a))) for lp, n, a in cases])

    diagnose(got, pick(lambda lp, n, a: lp / n ** a), {
        "α is ignored: that divides by the length itself (α = 1) in every case.":
            pick(lambda lp, n, a: lp / n),
        "no length normalisation: that ranks by log p alone, which favours short hypotheses.":
            pick(lambda lp, n, a: lp),
        "multiplied by length^α: a longer hypothesis should get its (negative) score divided, "
        "so that its many factors below 1 do not count against it.":
            pick(lambda lp, n, a: lp * n ** a),
        "that picks the worst hypothesis: the best has the largest (least negative) score.":
            pick(lambda lp, n, a: -lp / n ** a),
        "divided by α · length: the normalisation is length to the power α.":
            pick(lambda lp, n, a: lp / (a * n + 1e-12)),
    }, atol=1e-9)
    return "log p / |y|^α: α = 0 prefers short answers, α = 1 ranks by log-probability per symbol."


def _nucleus(probs: np.ndarray, p: float, rule: str = "right") -> np.ndarray:
    probs = np.asarray(probs, float)
    if rule == "threshold":
        keep = probs >= p
    elif rule == "unsorted":
        before = np.cumsum(probs, axis=-1) - probs
        keep = before < p
    elif rule == "top-k":
        k = max(1, int(p * probs.shape[-1]))
        kth = np.sort(probs, axis=-1)[..., -k][..., None]
        keep = probs >= kth
    else:
        order = np.argsort(-probs if rule != "ascending" else probs, axis=-1, kind="stable")
        sorted_probs = np.take_along_axis(probs, order, axis=-1)
        cumulative = np.cumsum(sorted_probs, axis=-1)
        keep_sorted = (cumulative <= p) if rule == "drops crossing" else (cumulative - sorted_probs < p)
        keep = np.zeros_like(keep_sorted)
        np.put_along_axis(keep, order, keep_sorted, axis=-1)
    kept = np.where(keep, probs, 0.0)
    if rule == "no renormalisation":
        return kept
    with np.errstate(invalid="ignore", divide="ignore"):
        return kept / kept.sum(axis=-1, keepdims=True)


@checker("top-p-filter")
def check_top_p_filter(nucleus: Any) -> str:
    """``nucleus(probs, p)``: probs (B, V), each row a distribution; keep in each row the
    smallest set of most likely symbols whose probabilities add up to at least p, set the others
    to 0 and renormalise the row."""
    rng = np.random.default_rng(2020)
    raw = rng.dirichlet(np.full(8, 0.6), size=4)
    raw[0] = [0.05, 0.4, 0.02, 0.3, 0.08, 0.1, 0.03, 0.02]          # a hand-made row
    for p in (0.5, 0.75, 0.9, 0.3):
        value = call_answer(nucleus, raw.copy(), p)
        if value is not None and np.shape(value) == raw.shape:
            with np.errstate(all="ignore"):
                values = np.asarray(value, dtype=float)
            if np.any(np.isnan(values)):
                raise WrongAnswer(f"with p = {p} a row came out NaN: no symbol was kept in it, "
                                  "so renormalising divided 0 by 0. The most likely symbol is "
                                  "always in the nucleus: p is a mass to reach, not a threshold "
                                  "on each probability.")
        result = as_array(value, raw.shape, f"nucleus(probs, {p})")
        right = _nucleus(raw, p)
        with np.errstate(all="ignore"):
            mistakes = {
                "the symbol that carries the total past p is dropped: keep a symbol while the "
                "mass of the likelier symbols before it is still below p.":
                    np.nan_to_num(_nucleus(raw, p, "drops crossing")),
                "the probabilities are not sorted first: the nucleus is made of the MOST likely "
                "symbols, so sort each row in decreasing order before adding up.":
                    _nucleus(raw, p, "unsorted"),
                "sorted in increasing order: that keeps the least likely symbols.":
                    np.nan_to_num(_nucleus(raw, p, "ascending")),
                "the kept probabilities do not sum to 1: divide each row by its kept mass.":
                    _nucleus(raw, p, "no renormalisation"),
                "p is a mass, not a threshold on each probability: keep the most likely symbols "
                "until their probabilities add up to p.":
                    np.nan_to_num(_nucleus(raw, p, "threshold")),
                "that keeps a fixed share of the vocabulary (top-k with k = p · V); the nucleus "
                "grows and shrinks with how sure the model is.": _nucleus(raw, p, "top-k"),
            }
        diagnose(result, right, mistakes, atol=1e-9)
    return ("the nucleus of Holtzman et al.: few symbols where the model is sure, many where it "
            "is not.")


def _backward_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2019)
    return [(rng.normal(size=4), rng.normal(size=(5, 4)), rng.normal(size=4)),
            (rng.normal(size=3) * 2, rng.normal(size=(7, 3)), rng.normal(size=3)),
            (rng.normal(size=6), rng.normal(size=(2, 6)), rng.normal(size=6))]


@checker("attention-backward")
def check_attention_backward(attention_backward: Any) -> str:
    """``attention_backward(d_ctx, query, memory)``: the backward pass of dot-product attention
    for one query. query q (n,), memory (S, n), forward e_j = q · h̄_j, α = softmax(e),
    ctx = Σ_j α_j h̄_j; given d_ctx = ∂L/∂ctx (n,), returns (∂L/∂q (n,), ∂L/∂memory (S, n)).
    The right answer is :func:`rnnlab.attention.attention_backward`'s (tested against finite
    differences)."""
    from rnnlab.attention import AttentionWeights, attention_backward as library
    from rnnlab.attention import attention_forward

    for query, memory, d_ctx in _backward_cases():
        S, n = memory.shape
        result = call_answer(attention_backward, d_ctx.copy(), query.copy(), memory.copy())
        d_query, d_memory = as_arrays(result, [(n,), (S, n)], ["d_query", "d_memory"])
        _, cache = attention_forward(query[None, None], memory[None], AttentionWeights("dot"))
        grads = library(d_ctx[None, None], cache)
        right_q, right_m = grads["query"][0, 0], grads["memory"][0]
        alpha = cache["alpha"][0, 0]
        d_alpha = memory @ d_ctx                                   # ∂L/∂α_j = d_ctx · h̄_j
        d_e = alpha * (d_alpha - alpha @ d_alpha)
        no_centring = alpha * d_alpha                              # the diagonal of the Jacobian only
        value_path = np.outer(alpha, d_ctx)                        # h̄_j as a value
        diagnose(d_query, right_q, {
            "the softmax's Jacobian is missing its −α αᵀ part: ∂L/∂e_j = α_j (∂L/∂α_j − "
            "Σ_j' α_j' ∂L/∂α_j'), not α_j ∂L/∂α_j.": memory.T @ no_centring,
            "the softmax is skipped: the gradient reaches the scores through the softmax, "
            "∂L/∂e_j = α_j (∂L/∂α_j − Σ_j' α_j' ∂L/∂α_j').": memory.T @ d_alpha,
            "∂L/∂q is Σ_j ∂L/∂e_j h̄_j (the scores are q · h̄_j); this is the context's "
            "gradient passed straight through.": d_ctx,
        }, atol=1e-9)
        diagnose(d_memory, right_m, {
            "the softmax's Jacobian is missing its −α αᵀ part: ∂L/∂e_j = α_j (∂L/∂α_j − "
            "Σ_j' α_j' ∂L/∂α_j'), not α_j ∂L/∂α_j.":
                value_path + np.outer(no_centring, query),
            "the memory's gradient is missing its value path: each h̄_j is also summed into the "
            "context, which adds α_j ∂L/∂ctx to its row.": np.outer(d_e, query),
            "the memory's gradient is missing its key path: each h̄_j also makes the score "
            "e_j = q · h̄_j, which adds ∂L/∂e_j q to its row.": value_path,
        }, atol=1e-9)
    return ("∂L/∂e through the softmax's full Jacobian, then ∂L/∂q = Σ_j ∂L/∂e_j h̄_j; each h̄_j "
            "gets gradient as a value and as a key.")
