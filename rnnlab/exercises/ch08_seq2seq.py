"""Checkers for chapter 8 (sequence to sequence: an encoder–decoder that learns to add)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnnlab.exercises import WrongAnswer, call_answer, checker, diagnose, evaluate

START, END = "^", "$"
"""The start and end symbols of the chapter's answers (``rnnlab.data.ADDITION_SYMBOLS``)."""


@checker("independent-exact")
def check_independent_exact(independent_exact: Any) -> str:
    """``independent_exact(accuracy, lengths)`` is the share of answers that come out exactly
    right when each symbol of an answer is right with probability ``accuracy``, independently of
    the others: the mean over the answers of accuracy ** L, L the answer's number of symbols
    (``lengths``, one entry per answer)."""
    cases = [(0.965, np.array([2, 3, 4, 4, 5])), (0.9, np.array([1, 4, 4, 6])),
             (0.99, np.array([3, 3, 3, 3, 3, 8]))]
    result = evaluate(independent_exact, [(a, np.copy(L)) for a, L in cases],
                      "independent_exact")

    def each(rule: Any) -> np.ndarray:
        return np.array([rule(a, L.astype(float)) for a, L in cases])

    diagnose(result, each(lambda a, L: np.mean(a ** L)), {
        "that is accuracy ** mean(lengths): raise the accuracy to each answer's own length, then "
        "average (the mean of the powers is not the power of the mean).":
            each(lambda a, L: a ** L.mean()),
        "that is 1 − (1 − accuracy) · L, which adds up the chances of an error at each symbol as "
        "if two errors could never fall in one answer; multiply the chances of being right "
        "instead, and average over the answers: the mean of accuracy ** L.":
            each(lambda a, L: np.mean(1 - (1 - a) * L)),
        "that is the chance that an answer has at least one wrong symbol, 1 − accuracy ** L; "
        "the question asks for the share exactly right.": each(lambda a, L: np.mean(1 - a ** L)),
        "that is the chance that every symbol of every answer is right at once (a product over "
        "all answers); average accuracy ** L over the answers instead.":
            each(lambda a, L: a ** L.sum()),
        "that is the per-symbol accuracy itself: an answer is exactly right only when all of its "
        "L symbols are.": each(lambda a, L: a),
    }, atol=1e-9)
    return ("mean(accuracy ** L): with 96.5 % of symbols right, an answer of 4 symbols is exactly "
            "right 86.7 % of the time.")


def _pair(value: Any, answer: str, width: int) -> tuple[str, str]:
    """A learner's (decoder_input, target) for ``answer`` as two strings, or a WrongAnswer."""
    call = f"teacher_forcing({answer!r}, {width})"
    if value is None:
        raise WrongAnswer("teacher_forcing returned None. Did you forget `return`?")
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise WrongAnswer(f"{call} returned {value!r}: return a pair of strings, "
                          "(decoder_input, target).")
    if not all(isinstance(part, str) for part in value):
        raise WrongAnswer(f"{call} returned {value!r}: both parts must be strings, such as "
                          "('^350$', '350$ ').")
    return value[0], value[1]


def _target(answer: str, width: int) -> str:
    return (answer + END).ljust(width)


def _shifted(target: str, width: int) -> str:
    return (START + target)[:width]


@checker("teacher-forcing")
def check_teacher_forcing(teacher_forcing: Any) -> str:
    """``teacher_forcing(answer, width)`` returns the strings a decoder is trained on for
    ``answer``, as in chapter 8's table: the target is the answer, the end symbol and spaces up to
    ``width``; the decoder input is the target shifted right by one behind the start symbol, so
    step k reads the true symbol before ``target[k]``."""
    cases = [("350", 5), ("7", 5), ("1000", 5), ("42", 6), ("906", 4)]
    mistakes: list[tuple[Callable[[str, int], tuple[str, str]], str]] = [
        (lambda s, w: (_target(s, w), _target(s, w)),
         "the input and the target are the same string: the decoder would learn to copy the symbol "
         "it reads. Shift the input right by one, behind the start symbol: at each step the decoder "
         "reads the previous answer symbol and is asked for the next one."),
        (lambda s, w: (START + _target(s, w), _target(s, w)),
         "the input is one symbol longer than the target: there is one input per target position. "
         "Shift the target right behind '^' and drop its last symbol, to keep the width."),
        (lambda s, w: (_shifted(s.ljust(w), w), s.ljust(w)),
         "the target has no end symbol: the decoder would never learn to stop. The target is the "
         "answer, then '$', then spaces."),
        (lambda s, w: (_target(s, w), _shifted(_target(s, w), w)),
         "input and target are swapped: the input starts with the start symbol '^', which the "
         "decoder reads and is never asked for."),
        (lambda s, w: (_shifted(_target(s, w), w), _shifted(_target(s, w), w)),
         "the target starts with the start symbol: the decoder would be asked to predict '^', "
         "which it is given. The target is the answer, then '$', then spaces."),
        (lambda s, w: (_shifted(_target(s[::-1], w), w), _target(s[::-1], w)),
         "the answer is reversed: the chapter reverses the source (the sum), never the answer the "
         "decoder writes."),
        (lambda s, w: (_shifted((s + END).rjust(w), w), (s + END).rjust(w)),
         "the padding is on the left: the answer starts at the first position, so the decoder "
         "writes its first digit right after reading '^'; the spaces come after '$'."),
        (lambda s, w: ((START + s).ljust(w), _target(s, w)),
         "the input has a space where the target's '$' comes before it. The input is the target "
         "shifted right: it reads '$' at the step after the end, as in the chapter's table."),
        (lambda s, w: (START + s, s + END),
         "no padding: both strings must be width characters long, padded with spaces on the right."),
    ]
    for answer, width in cases:
        got = _pair(call_answer(teacher_forcing, answer, width), answer, width)
        target = _target(answer, width)
        right = (_shifted(target, width), target)
        if got == right:
            continue
        for rule, hint in mistakes:
            if got == rule(answer, width):
                raise WrongAnswer(hint)
        raise WrongAnswer(f"teacher_forcing({answer!r}, {width}) returned {got!r}, expected "
                          f"{right!r}: the target is the answer, '$' and spaces; the input is the "
                          "target shifted right behind '^'.")
    return ("('^350$', '350$ '): at every step the decoder reads the true previous symbol and is "
            "asked for the next one, the end symbol and then padding last.")


class _Table:
    """A toy decoder step for the greedy-decode checker: the state counts the steps taken, and
    the next symbol depends on the symbol read and on that count. Symbols: 0 is the start, 1 the
    end, 2 to 5 the others. After ``length`` symbols it writes the end symbol."""

    def __init__(self, length: int, seed: int) -> None:
        self.length = length
        self.noise = np.random.default_rng(seed).normal(size=(6, 32, 6))

    def __call__(self, symbol: Any, state: Any) -> tuple[np.ndarray, Any]:
        symbol, count = int(symbol), int(state)
        chosen = 1 if count >= self.length else 2 + (3 * symbol + count) % 4
        logits = self.noise[symbol % 6, count % 32].copy()
        logits[chosen] += 10.0
        return logits, count + 1


def _greedy(step: Callable[[Any, Any], tuple[np.ndarray, Any]], state: Any, start: int, end: int,
            max_steps: int, mistake: str | None = None) -> list[int]:
    """Greedy decoding, or one usual mistake of it (the checker's reference)."""
    out: list[int] = []
    previous, first = start, state
    for _ in range(max_steps + {"one more step": 1, "one step short": -1}.get(mistake, 0)):
        logits, new_state = step(start if mistake == "no feedback" else previous,
                                 first if mistake == "state not carried" else state)
        state = new_state
        previous = int(np.argmax(logits))
        if previous == end and mistake not in ("keeps going", "keeps the end symbol"):
            break
        out.append(previous)
        if previous == end and mistake == "keeps the end symbol":
            break
    return [start] + out if mistake == "keeps the start symbol" else out


@checker("greedy-decode")
def check_greedy_decode(greedy_decode: Any) -> str:
    """``greedy_decode(step, state, start, end, max_steps)`` decodes greedily with a decoder step
    ``step(symbol, state) -> (logits, new_state)``: from ``start``, it takes the most likely
    symbol, feeds it back with the new state, and stops when that symbol is ``end`` (left out of
    the output) or after ``max_steps`` steps. It returns the list of symbols written."""
    cases = [(_Table(4, 1), 10), (_Table(20, 2), 6), (_Table(0, 3), 5), (_Table(7, 4), 9)]
    hints = {
        "keeps the end symbol": "the end symbol is in the output: stop when the most likely symbol "
                                "is the end symbol, without appending it.",
        "keeps going": "the output goes on after the end symbol: stop as soon as the most likely "
                       "symbol is the end symbol.",
        "no feedback": "every step reads the start symbol: feed each step's most likely symbol "
                       "back as the next step's input.",
        "state not carried": "every step starts from the first state: pass the state each step "
                             "returns to the next step.",
        "one more step": "one step too many: run at most max_steps steps of the decoder.",
        "one step short": "one step too few: run up to max_steps steps of the decoder.",
        "keeps the start symbol": "the output starts with the start symbol: it is read, not "
                                  "written; return only the symbols the decoder writes.",
    }
    for step, max_steps in cases:
        value = call_answer(greedy_decode, step, 0, 0, 1, max_steps)
        if value is None:
            raise WrongAnswer("greedy_decode returned None. Did you forget `return`?")
        try:
            got = [int(symbol) for symbol in value]
        except (TypeError, ValueError):
            raise WrongAnswer(f"greedy_decode returned {value!r}: return the list of symbol ids "
                              "written, such as [3, 2, 5].") from None
        right = _greedy(step, 0, 0, 1, max_steps)
        if got == right:
            continue
        for mistake, hint in hints.items():
            if got == _greedy(step, 0, 0, 1, max_steps, mistake):
                raise WrongAnswer(hint)
        raise WrongAnswer(f"with max_steps={max_steps} the decoder writes {right}, your function "
                          f"returned {got}. At each step: the step's logits, their argmax, stop "
                          "at the end symbol, otherwise keep the symbol and feed it back.")
    return ("from the start symbol, one decoder step at a time, each step's most likely symbol "
            "fed back until the end symbol: greedy decoding.")
